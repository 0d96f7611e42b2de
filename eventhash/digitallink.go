package eventhash

import (
	"regexp"
	"strings"
)

// dlPrimaryKeys lists the path elements, by AI or by short name, that start
// a GS1 Digital Link path with a primary key.
var dlPrimaryKeys = map[string]bool{
	"01": true, "gtin": true, "8006": true, "itip": true, "8010": true, "cpid": true,
	"414": true, "gln": true, "417": true, "party": true, "8017": true, "gsrnp": true,
	"8018": true, "gsrn": true, "255": true, "gcn": true, "00": true, "sscc": true,
	"253": true, "gdti": true, "401": true, "ginc": true, "402": true, "gsin": true,
	"8003": true, "grai": true, "8004": true, "giai": true,
}

// hasDigitalLinkPath reports whether uri is an http or https URI whose path
// contains a primary key element followed by a value that starts with four
// digits and has at least five characters.
func hasDigitalLinkPath(uri string) bool {
	rest, ok := strings.CutPrefix(uri, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(uri, "http://"); !ok {
			return false
		}
	}
	start := strings.IndexAny(rest, "/?#")
	if start < 0 || rest[start] != '/' {
		return false
	}
	path := rest[start:]
	if end := strings.IndexAny(path, "?#"); end >= 0 {
		path = path[:end]
	}
	segments := strings.Split(path, "/")
	for i := 1; i+1 < len(segments); i++ {
		value := segments[i+1]
		if dlPrimaryKeys[segments[i]] && len(value) >= 5 && allDigits(value[:4]) {
			return true
		}
	}
	return false
}

// allDigits reports whether s consists of ASCII digits only.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// dlShortNames maps the short names of GS1 Digital Link path elements to
// their AIs, as the GS1 Digital Link standard 1.2 defines them.
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
// searched for a primary key. The first key found starts the canonical path.
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
// may take: the keys and key qualifiers that the CBV 2.0 hash rules keep, at
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
// canonical form that the CBV 2.0 hash rules require. That form has the host
// https://id.gs1.org and no query string. It writes AIs in place of short
// names and pads the GTIN to 14 digits. It drops the consumer product
// variant and keeps only the finest level of identification, so a serial
// number drops the lot.
//
// It reports false for a URI that is not a Digital Link, or whose result
// is not one of the constrained forms (for example a percent-encoded
// serial number or a fragment). The caller then keeps the URI as written,
// as the reference implementation does.
func constrainDigitalLink(uri string) (string, bool) {
	if !hasDigitalLinkPath(uri) {
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
