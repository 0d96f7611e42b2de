package eventhash

import (
	"regexp"
	"strings"
)

// dlKeyPath finds a GS1 Digital Link path in an http or https URI: a
// primary key, by AI or by its short name, followed by a value that starts
// with four digits. The match must lie before any query or fragment.
var dlKeyPath = regexp.MustCompile(`^https?://[^/?#]*[^?#]*/(01|gtin|8006|itip|8010|cpid|414|gln|417|party|8017|gsrnp|8018|gsrn|255|gcn|00|sscc|253|gdti|401|ginc|402|gsin|8003|grai|8004|giai)/[0-9]{4}[^/?#]`)

// dlShortNames maps the short names of GS1 Digital Link path elements to
// their AIs (GS1 Digital Link standard 1.2, section 4.4).
var dlShortNames = strings.NewReplacer(
	"/gtin/", "/01/", "/itip/", "/8006/", "/cpid/", "/8010/", "/gln/", "/414/",
	"/party/", "/417/", "/gsrnp/", "/8017/", "/gsrn/", "/8018/", "/gcn/", "/255/",
	"/sscc/", "/00/", "/gdti/", "/253/", "/ginc/", "/401/", "/gsin/", "/402/",
	"/grai/", "/8003/", "/giai/", "/8004/", "/cpv/", "/22/", "/lot/", "/10/",
	"/ser/", "/21/",
)

const canonicalHost = "https://id.gs1.org"

// canonicalKeyStart matches a URI that already is on the canonical host and
// starts its path with a primary key.
var canonicalKeyStart = regexp.MustCompile(`^https://id\.gs1\.org/(01|8006|8010|414|417|8017|8018|255|00|253|401|402|8003|8004)/[0-9]{4}[^/]`)

// primaryKeyOrder is the order in which the path of a URI on another host is
// searched for a primary key; the first key found starts the canonical path.
var primaryKeyOrder = []string{"00", "01", "253", "255", "401", "402", "414", "417", "8003", "8004", "8006", "8010", "8017", "8018"}

// dlChars is the character set accepted in the alphanumeric values of a
// constrained Digital Link: the GS1 AI encodable character set 82 without
// the characters that the Digital Link standard requires to be
// percent-encoded, and without "%" itself.
const dlChars = `["'\-.0-9;-?A-Z_a-z]`

// Key qualifiers that constrainDigitalLink drops: a consumer product variant
// (AI 22) and a lot (AI 10) when a serial number (AI 21) follows it.
var (
	trailingCPV   = regexp.MustCompile(`^https://id\.gs1\.org/(01/[0-9]{14}|8006/[0-9]{18})/22/` + dlChars + `{0,20}$`)
	cpvBeforeMore = regexp.MustCompile(`^https://id\.gs1\.org/(01/[0-9]{14}|8006/[0-9]{18})/22/(` + dlChars + `|/){0,20}$`)
	lotAndSerial  = regexp.MustCompile(`^https://id\.gs1\.org/(01/[0-9]{14}|8006/[0-9]{18})/10/` + dlChars + `{0,20}/21/` + dlChars + `{0,20}$`)
)

// constrainedForms lists every form a constrained canonical Digital Link
// may take: the keys and key qualifiers that CBV 2.0 section 8.9 keeps, at
// their finest level of identification.
var constrainedForms = regexp.MustCompile(`^https://id\.gs1\.org/(` + strings.Join([]string{
	`00/[0-9]{18}`,
	`01/[0-9]{14}(/(21|10)/` + dlChars + `{0,20}|/235/` + dlChars + `{0,28})?`,
	`253/[0-9]{13}` + dlChars + `{0,17}`,
	`255/[0-9]{13}[0-9]{0,12}`,
	`401/` + dlChars + `{0,30}`,
	`402/[0-9]{17}`,
	`414/[0-9]{13}(/254/` + dlChars + `{0,20})?`,
	`417/[0-9]{13}`,
	`8003/[0-9]{14}` + dlChars + `{0,16}`,
	`8004/` + dlChars + `{0,30}`,
	`8006/[0-9]{18}(/(21|10)/` + dlChars + `{0,20})?`,
	`8010/[#\-/0-9A-Z]{0,30}(/8011/[0-9]{0,12})?`,
	`8017/[0-9]{18}`,
	`8018/[0-9]{18}`,
}, "|") + `)$`)

// constrainDigitalLink turns a GS1 Digital Link URI into the constrained
// canonical form of CBV 2.0 section 8.9: host https://id.gs1.org, no query
// string, AIs in place of short names, the GTIN padded to 14 digits, no
// consumer product variant, and only the finest level of identification
// (a serial number drops the lot). It reports false for a URI that is not
// a Digital Link, or whose result is not one of the constrained forms (for
// example a percent-encoded serial number or a fragment), so that the
// caller keeps the URI as written; the reference implementation does the
// same.
func constrainDigitalLink(uri string) (string, bool) {
	if !dlKeyPath.MatchString(uri) {
		return "", false
	}
	if i := strings.IndexByte(uri, '?'); i >= 0 {
		uri = uri[:i]
	}
	uri = dlShortNames.Replace(uri)
	if !canonicalKeyStart.MatchString(uri) {
		for _, key := range primaryKeyOrder {
			if i := strings.Index(uri, "/"+key+"/"); i >= 0 {
				uri = canonicalHost + uri[i:]
				break
			}
		}
	}
	uri = padGTIN(uri)
	if trailingCPV.MatchString(uri) {
		uri = uri[:strings.Index(uri, "/22/")]
	} else if cpvBeforeMore.MatchString(uri) {
		start := strings.Index(uri, "/22/")
		rest := uri[start+len("/22/"):]
		uri = uri[:start] + rest[strings.IndexByte(rest, '/'):]
	}
	if lotAndSerial.MatchString(uri) {
		start := strings.Index(uri, "/10/")
		rest := uri[start+len("/10/"):]
		uri = uri[:start] + rest[strings.IndexByte(rest, '/'):]
	}
	if !constrainedForms.MatchString(uri) {
		return "", false
	}
	return uri, true
}

// gtinDigits matches the digits of a GTIN right after the /01/ of a
// canonical Digital Link.
var gtinDigits = regexp.MustCompile(`^https://id\.gs1\.org/01/([0-9]+)`)

// padGTIN pads a GTIN-8, GTIN-12 or GTIN-13 in a canonical Digital Link to
// 14 digits with leading zeros (GS1 Digital Link standard 1.2, section 4.11).
func padGTIN(uri string) string {
	m := gtinDigits.FindStringSubmatchIndex(uri)
	if m == nil {
		return uri
	}
	digits := uri[m[2]:m[3]]
	var pad string
	switch {
	case len(digits) >= 14:
		return uri
	case len(digits) == 13:
		pad = "0"
	case len(digits) == 12:
		pad = "00"
	case len(digits) >= 8:
		pad = "000000"
	default:
		return uri
	}
	return uri[:m[2]] + pad + uri[m[2]:]
}
