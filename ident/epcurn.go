package ident

import (
	"fmt"
	"strings"
)

// Element is one GS1 Application Identifier with its value, the unit of
// element strings and Digital Link URIs. Value is the decoded data: no
// percent escapes, no FNC1.
type Element struct {
	AI    string `json:"ai"`
	Value string `json:"value"`
}

// EPCURN is an EPC URN split into its parts (GS1 EPC Tag Data Standard 2.x,
// EPC URI syntax): urn:epc:{Kind}:{Scheme}:{Fields joined by "."}.
type EPCURN struct {
	// Kind is "id" for an EPC pure identity URI, "class" for an EPC class
	// URI and "idpat" for an EPC pattern URI.
	Kind string
	// Scheme is the EPC scheme, such as "sgtin", "sscc" or "lgtin".
	Scheme string
	// Fields are the dot-separated components after the scheme, still
	// percent-escaped as in the URN. In a pattern, "*" matches any value.
	Fields []string
}

// String formats the URN.
func (u *EPCURN) String() string {
	return "urn:epc:" + u.Kind + ":" + u.Scheme + ":" + strings.Join(u.Fields, ".")
}

// epcSchemesWithoutDL are TDS 2.x schemes that name no GS1 key.
var epcSchemesWithoutDL = map[string]bool{
	"gid": true, "usdod": true, "adi": true, "bic": true, "imovn": true,
}

// ParseEPCURN splits an EPC URN into kind, scheme and fields. It checks the
// URN's outline only; URNToDigitalLink checks the fields of each scheme.
// The "urn:epc:" prefix is matched without regard to case (RFC 8141); kind
// and scheme must be lower case as TDS 2.x writes them.
func ParseEPCURN(s string) (*EPCURN, error) {
	const prefix = "urn:epc:"
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return nil, fmt.Errorf("%w: %q is not an EPC URN: it must start with %q", ErrInvalid, s, prefix)
	}
	rest := s[len(prefix):]
	kind, rest, ok := strings.Cut(rest, ":")
	if !ok {
		return nil, fmt.Errorf("%w: EPC URN %q has no scheme: write urn:epc:id:{scheme}:{fields}", ErrInvalid, s)
	}
	switch kind {
	case "id", "class", "idpat":
	default:
		return nil, fmt.Errorf("%w: EPC URN %q: kind %q is not supported; use id, class or idpat", ErrInvalid, s, kind)
	}
	scheme, body, ok := strings.Cut(rest, ":")
	if !ok || scheme == "" || body == "" {
		return nil, fmt.Errorf("%w: EPC URN %q has no fields after the scheme", ErrInvalid, s)
	}
	// The last field of every scheme may contain literal dots (TDS 2.x
	// allows "." in serial numbers and extensions), so a known scheme is
	// split into its number of fields only.
	n := -1
	if count, ok := epcFieldCount[scheme]; ok {
		n = count
	}
	if kind == "class" && scheme == "lgtin" {
		n = 3
	}
	return &EPCURN{Kind: kind, Scheme: scheme, Fields: strings.SplitN(body, ".", n)}, nil
}

// URNToDigitalLink converts an EPC URN to its GS1 Digital Link URI on
// https://id.gs1.org, as GS1 EPC Tag Data Standard 2.x (EPC URI to GS1
// Digital Link URI) and the CBV 2.0 event hash algorithm define:
//
//	urn:epc:id:sgtin:0614141.812345.6789   -> https://id.gs1.org/01/80614141123458/21/6789
//	urn:epc:id:sgln:0614141.12345.0        -> https://id.gs1.org/414/0614141123452
//	urn:epc:class:lgtin:4012345.012345.998 -> https://id.gs1.org/01/04012345123456/10/998
//	urn:epc:idpat:sgtin:4012345.012345.*   -> https://id.gs1.org/01/04012345123456
//
// The supported id schemes are sgtin, sscc, sgln, grai, giai, gsrn,
// gsrnp, gdti, cpi, sgcn, ginc, gsin, itip, upui and pgln, and the class
// scheme is lgtin. An idpat pattern of sgtin, upui, itip, grai, gdti, sgcn
// or cpi whose last field alone is "*" becomes the class key without its
// serial part, and a pattern without any "*" converts like its id URN.
//
// Check digits are computed. Percent escapes of the URN are decoded and
// the values re-encoded as the Digital Link standard requires. An SGLN
// extension of "0" means no extension, so it yields no AI (254).
//
// Errors wrap ErrInvalid for a malformed URN and ErrNoDigitalLink for a
// well-formed URN that names no single GS1 key.
func URNToDigitalLink(urn string) (string, error) {
	elems, err := URNElements(urn)
	if err != nil {
		return "", err
	}
	return formatDL(canonicalHost, elems), nil
}

// canonicalHost is the scheme and host of canonical Digital Link URIs.
const canonicalHost = "https://id.gs1.org"

// formatDL writes elements as a Digital Link path after base.
func formatDL(base string, elems []Element) string {
	var b strings.Builder
	b.WriteString(base)
	for _, e := range elems {
		b.WriteByte('/')
		b.WriteString(e.AI)
		b.WriteByte('/')
		b.WriteString(encodeDLValue(e.Value))
	}
	return b.String()
}

// URNElements converts an EPC URN to the GS1 element string it stands for:
// the primary key and its key qualifiers, with check digits computed. See
// URNToDigitalLink for the supported schemes.
func URNElements(urn string) ([]Element, error) {
	u, err := ParseEPCURN(urn)
	if err != nil {
		return nil, err
	}
	return u.Elements()
}

// Elements converts the URN to GS1 elements; see URNToDigitalLink. Each
// element is checked with ValidateElement, so rules that the URN syntax
// does not express (an ITIP piece number above its total, a CPI serial
// with a leading zero) are errors too.
func (u *EPCURN) Elements() ([]Element, error) {
	elems, err := u.elements()
	if err != nil {
		return nil, err
	}
	for _, e := range elems {
		if err := ValidateElement(e.AI, e.Value); err != nil {
			return nil, fmt.Errorf("EPC URN %q: %w", u, err)
		}
	}
	return elems, nil
}

func (u *EPCURN) elements() ([]Element, error) {
	fields := u.Fields
	switch u.Kind {
	case "class":
		if u.Scheme != "lgtin" {
			return nil, fmt.Errorf("%w: EPC class URN %q: scheme %q has no Digital Link form; only lgtin has", ErrNoDigitalLink, u, u.Scheme)
		}
		return epcElements(u, "lgtin", fields)
	case "idpat":
		stars := 0
		for i, f := range fields {
			if f == "*" {
				stars++
				if i != len(fields)-1 {
					return nil, fmt.Errorf("%w: EPC pattern %q matches more than one GS1 key; only a pattern whose last field alone is * has a Digital Link form", ErrNoDigitalLink, u)
				}
			}
		}
		if stars == 0 {
			return epcElements(u, u.Scheme, fields)
		}
		return epcPatternElements(u, fields[:len(fields)-1])
	}
	if epcSchemesWithoutDL[u.Scheme] {
		return nil, fmt.Errorf("%w: EPC URN %q: scheme %q names no GS1 key", ErrNoDigitalLink, u, u.Scheme)
	}
	return epcElements(u, u.Scheme, fields)
}

// epcFieldCount is the number of URN fields of each scheme.
var epcFieldCount = map[string]int{
	"sgtin": 3, "sscc": 2, "sgln": 3, "grai": 3, "giai": 2, "gsrn": 2,
	"gsrnp": 2, "gdti": 3, "cpi": 3, "sgcn": 3, "ginc": 2, "gsin": 2,
	"itip": 5, "upui": 3, "pgln": 2, "lgtin": 3,
}

// companyPrefix checks the GS1 company prefix field: 6 to 12 digits
// (TDS 2.x).
func companyPrefix(u *EPCURN, f string) error {
	if len(f) < 6 || len(f) > 12 || !isDigits(f) {
		return fmt.Errorf("%w: EPC URN %q: GS1 company prefix %q must be 6 to 12 digits", ErrInvalid, u, f)
	}
	return nil
}

// fixedDigits checks that f has exactly n digits; name names the field.
func fixedDigits(u *EPCURN, name, f string, n int) error {
	if len(f) != n || (n > 0 && !isDigits(f)) {
		return fmt.Errorf("%w: EPC URN %q: %s %q must be %d digits with this company prefix", ErrInvalid, u, name, f, n)
	}
	return nil
}

// serialField decodes a CSET 82 serial-like field of 1 to max characters.
func serialField(u *EPCURN, name, f string, max int) (string, error) {
	v, err := decodeURNComponent(f, cset82)
	if err != nil {
		return "", fmt.Errorf("EPC URN %q: %s: %w", u, name, err)
	}
	if len(v) == 0 || len(v) > max {
		return "", fmt.Errorf("%w: EPC URN %q: %s %q must be 1 to %d characters", ErrInvalid, u, name, v, max)
	}
	return v, nil
}

// numericSerial checks a digits-only field of 1 to max digits.
func numericSerial(u *EPCURN, name, f string, max int) error {
	if len(f) == 0 || len(f) > max || !isDigits(f) {
		return fmt.Errorf("%w: EPC URN %q: %s %q must be 1 to %d digits", ErrInvalid, u, name, f, max)
	}
	return nil
}

// gtinFromEPC builds a GTIN-14 from company prefix and item reference with
// its indicator digit in front (TDS 2.x, SGTIN).
func gtinFromEPC(u *EPCURN, cp, itemRef string) (string, error) {
	if err := fixedDigits(u, "indicator and item reference", itemRef, 13-len(cp)); err != nil {
		return "", err
	}
	return withCheckDigit(itemRef[:1] + cp + itemRef[1:])
}

// epcElements converts the fields of one EPC identity (or an EPC class) to
// GS1 elements.
func epcElements(u *EPCURN, scheme string, f []string) ([]Element, error) {
	n, ok := epcFieldCount[scheme]
	if !ok {
		return nil, fmt.Errorf("%w: EPC URN %q: unknown scheme %q", ErrInvalid, u, scheme)
	}
	if len(f) != n {
		return nil, fmt.Errorf("%w: EPC URN %q: scheme %s needs %d dot-separated fields, got %d", ErrInvalid, u, scheme, n, len(f))
	}
	cp := f[0]
	if err := companyPrefix(u, cp); err != nil {
		return nil, err
	}
	switch scheme {
	case "sgtin", "upui", "lgtin":
		gtin, err := gtinFromEPC(u, cp, f[1])
		if err != nil {
			return nil, err
		}
		ai, name, max := "21", "serial number", 20
		switch scheme {
		case "upui":
			ai, name, max = "235", "third-party controlled serial (TPX)", 28
		case "lgtin":
			ai, name = "10", "batch/lot number"
		}
		v, err := serialField(u, name, f[2], max)
		if err != nil {
			return nil, err
		}
		return []Element{{"01", gtin}, {ai, v}}, nil
	case "sscc":
		if err := fixedDigits(u, "extension digit and serial reference", f[1], 17-len(cp)); err != nil {
			return nil, err
		}
		sscc, err := withCheckDigit(f[1][:1] + cp + f[1][1:])
		if err != nil {
			return nil, err
		}
		return []Element{{"00", sscc}}, nil
	case "sgln":
		if err := fixedDigits(u, "location reference", f[1], 12-len(cp)); err != nil {
			return nil, err
		}
		gln, err := withCheckDigit(cp + f[1])
		if err != nil {
			return nil, err
		}
		ext, err := serialField(u, "extension", f[2], 20)
		if err != nil {
			return nil, err
		}
		if ext == "0" {
			return []Element{{"414", gln}}, nil
		}
		return []Element{{"414", gln}, {"254", ext}}, nil
	case "grai", "gdti", "sgcn":
		name := map[string]string{"grai": "asset type", "gdti": "document type", "sgcn": "coupon reference"}[scheme]
		if err := fixedDigits(u, name, f[1], 12-len(cp)); err != nil {
			return nil, err
		}
		base, err := withCheckDigit(cp + f[1])
		if err != nil {
			return nil, err
		}
		var serial string
		switch scheme {
		case "grai":
			serial, err = serialField(u, "serial number", f[2], 16)
			base = "0" + base
		case "gdti":
			serial, err = serialField(u, "serial number", f[2], 17)
		case "sgcn":
			serial, err = f[2], numericSerial(u, "serial component", f[2], 12)
		}
		if err != nil {
			return nil, err
		}
		ai := map[string]string{"grai": "8003", "gdti": "253", "sgcn": "255"}[scheme]
		return []Element{{ai, base + serial}}, nil
	case "giai", "ginc":
		name := map[string]string{"giai": "individual asset reference", "ginc": "consignment reference"}[scheme]
		ref, err := serialField(u, name, f[1], 30-len(cp))
		if err != nil {
			return nil, err
		}
		ai := map[string]string{"giai": "8004", "ginc": "401"}[scheme]
		return []Element{{ai, cp + ref}}, nil
	case "gsrn", "gsrnp":
		if err := fixedDigits(u, "service reference", f[1], 17-len(cp)); err != nil {
			return nil, err
		}
		key, err := withCheckDigit(cp + f[1])
		if err != nil {
			return nil, err
		}
		ai := map[string]string{"gsrn": "8018", "gsrnp": "8017"}[scheme]
		return []Element{{ai, key}}, nil
	case "gsin":
		if err := fixedDigits(u, "shipper reference", f[1], 16-len(cp)); err != nil {
			return nil, err
		}
		key, err := withCheckDigit(cp + f[1])
		if err != nil {
			return nil, err
		}
		return []Element{{"402", key}}, nil
	case "pgln":
		if err := fixedDigits(u, "party reference", f[1], 12-len(cp)); err != nil {
			return nil, err
		}
		key, err := withCheckDigit(cp + f[1])
		if err != nil {
			return nil, err
		}
		return []Element{{"417", key}}, nil
	case "cpi":
		ref, err := decodeURNComponent(f[1], cset39)
		if err != nil {
			return nil, fmt.Errorf("EPC URN %q: component/part reference: %w", u, err)
		}
		if ref == "" || len(cp)+len(ref) > 30 {
			return nil, fmt.Errorf("%w: EPC URN %q: component/part reference %q must be 1 to %d characters", ErrInvalid, u, ref, 30-len(cp))
		}
		if err := numericSerial(u, "serial", f[2], 12); err != nil {
			return nil, err
		}
		return []Element{{"8010", cp + ref}, {"8011", f[2]}}, nil
	case "itip":
		gtin, err := gtinFromEPC(u, cp, f[1])
		if err != nil {
			return nil, err
		}
		if err := fixedDigits(u, "piece number", f[2], 2); err != nil {
			return nil, err
		}
		if err := fixedDigits(u, "total count", f[3], 2); err != nil {
			return nil, err
		}
		serial, err := serialField(u, "serial number", f[4], 20)
		if err != nil {
			return nil, err
		}
		return []Element{{"8006", gtin + f[2] + f[3]}, {"21", serial}}, nil
	}
	return nil, fmt.Errorf("%w: EPC URN %q: unknown scheme %q", ErrInvalid, u, scheme)
}

// epcPatternClass maps the idpat schemes with a class-level Digital Link
// to the number of fields before the final "*".
var epcPatternClass = map[string]int{
	"sgtin": 2, "upui": 2, "itip": 4, "grai": 2, "gdti": 2, "sgcn": 2, "cpi": 2,
}

// epcPatternElements converts an EPC pattern whose last field is "*" to
// the class-level key: the GTIN (sgtin, upui), the ITIP without serial, or
// the GRAI, GDTI, GCN or CPID without serial part.
func epcPatternElements(u *EPCURN, fixed []string) ([]Element, error) {
	n, ok := epcPatternClass[u.Scheme]
	if !ok {
		return nil, fmt.Errorf("%w: EPC pattern %q: scheme %q has no class-level GS1 key", ErrNoDigitalLink, u, u.Scheme)
	}
	if len(fixed) != n {
		return nil, fmt.Errorf("%w: EPC pattern %q matches more than one GS1 key; only the serial field may be *", ErrNoDigitalLink, u)
	}
	// Fill in a placeholder serial, convert, and drop the serial part. The
	// placeholder "1" passes every serial rule, including the CPI's ban on
	// leading zeros.
	placeholder := "1"
	elems, err := epcElements(u, u.Scheme, append(append([]string(nil), fixed...), placeholder))
	if err != nil {
		return nil, err
	}
	switch u.Scheme {
	case "sgtin", "upui", "itip", "cpi":
		return elems[:1], nil
	default: // grai, gdti, sgcn carry the serial inside one value
		e := elems[0]
		e.Value = strings.TrimSuffix(e.Value, placeholder)
		return []Element{e}, nil
	}
}
