package ident

import (
	"errors"
	"fmt"
	"strings"

	"github.com/suyuan-trace/suyuan/ident/cncode"
)

// Canonical returns the platform's one canonical form of an identifier, the
// form under which events are stored and queries match:
//
//   - an EPC URN (urn:epc:id, urn:epc:class:lgtin, or an idpat naming one
//     class-level key) becomes its Digital Link URI on https://id.gs1.org,
//     as URNToDigitalLink writes it;
//   - a GS1 Digital Link URI on any host becomes the Digital Link URI on
//     https://id.gs1.org with the key and qualifiers in the standard's
//     order, GTIN-8/12/13 padded to 14 digits and the query dropped. As in
//     the CBV 2.0 event hash, AI (22) is dropped, and AI (10) too when AI
//     (21) is present (see DigitalLink.CanonicalURI);
//   - a Chinese code (unified social credit code, drug, veterinary drug and
//     pesticide traceability codes, food production licence, MA code), in
//     plain form, as one of its URIs or inside a label URL, becomes its
//     URI as package cncode writes it, such as urn:cn:uscc:…;
//   - an EPC URN of a scheme without GS1 key (bic, gid, imovn...), or of a
//     pattern over several keys, and any other absolute URI are returned
//     unchanged apart from surrounding white space.
//
// An http(s) URI whose path carries a malformed GS1 key, for example a
// 14-digit GTIN with a wrong check digit, is an error rather than an
// opaque URI. A string that is no URI and no Chinese code is an error
// wrapping ErrNotURI.
func Canonical(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("%w: empty identifier", ErrNotURI)
	}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "urn:epc:"):
		dl, err := URNToDigitalLink(s)
		if errors.Is(err, ErrNoDigitalLink) {
			return s, nil
		}
		return dl, err
	case strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://"):
		link, err := ParseDigitalLink(s)
		if err == nil {
			return link.CanonicalURI(), nil
		}
		if intendedDigitalLink(s) {
			return "", err
		}
		if code, cnErr := cncode.Parse(s); cnErr == nil {
			return code.URI(), nil
		} else if claimsCNCode(lower, cnErr) {
			return "", fmt.Errorf("%w: %w", ErrInvalid, cnErr)
		}
		return s, nil
	}
	code, cnErr := cncode.Parse(s)
	if cnErr == nil {
		return code.URI(), nil
	}
	if claimsCNCode(lower, cnErr) {
		return "", fmt.Errorf("%w: %w", ErrInvalid, cnErr)
	}
	if isAbsoluteURI(s) {
		return s, nil
	}
	return "", fmt.Errorf("%w: %q is not an EPC URN, GS1 Digital Link, Chinese code or absolute URI; an element string or bare GS1 key must first be read with Parse", ErrNotURI, s)
}

// claimsCNCode reports whether a cncode error shows that the input was
// meant as a Chinese code: it uses a URI prefix of package cncode, or it
// has the shape of a code and breaks a rule after its first character.
// lower is the input in lower case.
func claimsCNCode(lower string, err error) bool {
	var cnErr *cncode.Error
	if !errors.As(err, &cnErr) {
		return false
	}
	return strings.HasPrefix(lower, "urn:cn:") || cnErr.Position != 1
}

// isAbsoluteURI reports whether s starts with an RFC 3986 scheme followed
// by ":" and something more, and contains no white space.
func isAbsoluteURI(s string) bool {
	colon := strings.IndexByte(s, ':')
	if colon < 1 || colon == len(s)-1 {
		return false
	}
	for i := 0; i < colon; i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if i == 0 && !letter {
			return false
		}
		if !letter && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return !strings.ContainsAny(s, " \t\r\n")
}

// intendedDigitalLink reports whether an http(s) URI that failed to parse
// as a Digital Link was still meant as one. That is so when a primary key
// segment is followed by a value of the key's length whose leading
// characters have the key's character set, such as "/01/" and 8 to 14
// digits. Any other URI is an opaque identifier.
func intendedDigitalLink(uri string) bool {
	segs := splitPath(rawPath(uri))
	for i := 0; i+1 < len(segs); i++ {
		d, ok := LookupAI(pathAI(segs[i]))
		if !ok || !d.PrimaryKey {
			continue
		}
		v, err := percentDecode(segs[i+1])
		if err != nil {
			return true
		}
		first := d.Components[0]
		if d.AI == "01" {
			return isDigits(v) && (len(v) == 8 || len(v) >= 12 && len(v) <= 14)
		}
		if len(v) < d.MinLength() || len(v) > d.MaxLength() {
			continue
		}
		if first.Charset == Numeric && !isDigits(v[:first.Min]) {
			continue
		}
		return true
	}
	return false
}

// CanonicalPattern converts an EPCIS query pattern to a prefix of
// canonical identifiers, for a store that matches with LIKE prefix || '%'.
// ok is false, with an empty prefix, when s names one identifier: then
// match Canonical(s) exactly.
//
// Supported patterns, each with the prefix it yields:
//
//	urn:epc:idpat:sgtin:CP.ITEM.*        https://id.gs1.org/01/{gtin}/21/
//	urn:epc:idpat:upui:CP.ITEM.*         https://id.gs1.org/01/{gtin}/235/
//	urn:epc:idpat:itip:CP.ITEM.PP.TT.*   https://id.gs1.org/8006/{itip}/21/
//	urn:epc:idpat:sgln:CP.LOC.*          https://id.gs1.org/414/{gln} (the GLN and all extensions)
//	urn:epc:idpat:sgln:CP.*.*            https://id.gs1.org/414/{cp}
//	urn:epc:idpat:pgln:CP.*              https://id.gs1.org/417/{cp}
//	urn:epc:idpat:grai:CP.TYPE.*         https://id.gs1.org/8003/0{cp}{type}{check}
//	urn:epc:idpat:grai:CP.*.*            https://id.gs1.org/8003/0{cp}
//	urn:epc:idpat:gdti, sgcn (same two forms) under /253/ and /255/
//	urn:epc:idpat:giai, ginc, gsrn, gsrnp, gsin:CP.*   /8004/, /401/, /8018/, /8017/, /402/ + {cp}
//	urn:epc:idpat:cpi:CP.REF.*           https://id.gs1.org/8010/{cp}{ref}/8011/
//	urn:epc:idpat:cpi:CP.*.*             https://id.gs1.org/8010/{cp}
//	Digital Link /01/{gtin} (no qualifier)   https://id.gs1.org/01/{gtin}: the GTIN, its lots and its serials
//	Digital Link /8006/{itip}                https://id.gs1.org/8006/{itip}: the ITIP and its serials
//	Digital Link /414/{gln}                  https://id.gs1.org/414/{gln}: the GLN and its extensions
//	Digital Link /8003, /253, /255 without serial part: the key and all its serials
//
// Company prefix patterns rely on GS1 allocating company prefixes so that
// none is the start of another. Patterns whose wildcard sits before a
// digit that the canonical form writes first (an SGTIN's indicator, an
// SSCC's extension digit), such as urn:epc:idpat:sgtin:CP.*.* or
// urn:epc:idpat:sscc:CP.*, have no single prefix and are ErrInvalid
// errors.
func CanonicalPattern(s string) (prefix string, ok bool, err error) {
	s = strings.TrimSpace(s)
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "urn:epc:idpat:"):
		return epcPatternPrefix(s)
	case strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://"):
		link, err := ParseDigitalLink(s)
		if err != nil {
			return "", false, err
		}
		if len(link.Qualifiers) > 0 {
			return "", false, nil
		}
		switch link.Key.AI {
		case "01", "8006", "414":
			return formatDL(canonicalHost, []Element{link.Key}), true, nil
		case "8003", "253", "255":
			base := map[string]int{"8003": 14, "253": 13, "255": 13}[link.Key.AI]
			if len(link.Key.Value) == base {
				return formatDL(canonicalHost, []Element{link.Key}), true, nil
			}
		}
		return "", false, nil
	}
	if _, err := Canonical(s); err != nil {
		return "", false, err
	}
	return "", false, nil
}

// epcPatternPrefix implements CanonicalPattern for urn:epc:idpat URNs.
func epcPatternPrefix(s string) (string, bool, error) {
	u, err := ParseEPCURN(s)
	if err != nil {
		return "", false, err
	}
	stars := 0
	for _, f := range u.Fields {
		if f == "*" {
			stars++
			continue
		}
		if stars > 0 {
			return "", false, fmt.Errorf("%w: EPC pattern %q: a field after * must also be *", ErrInvalid, s)
		}
	}
	if stars == 0 {
		if _, err := Canonical(s); err != nil {
			return "", false, err
		}
		return "", false, nil
	}
	n, known := epcFieldCount[u.Scheme]
	if !known || u.Scheme == "lgtin" {
		return "", false, fmt.Errorf("%w: EPC pattern %q: unknown scheme %q", ErrInvalid, s, u.Scheme)
	}
	if len(u.Fields) != n {
		return "", false, fmt.Errorf("%w: EPC pattern %q: scheme %s needs %d fields, got %d", ErrInvalid, s, u.Scheme, n, len(u.Fields))
	}
	cp := u.Fields[0]
	if cp == "*" {
		return "", false, fmt.Errorf("%w: EPC pattern %q matches every company; query without this parameter instead", ErrInvalid, s)
	}
	if err := companyPrefix(u, cp); err != nil {
		return "", false, err
	}
	fixed := len(u.Fields) - stars
	noPrefix := fmt.Errorf("%w: EPC pattern %q has no single prefix in canonical Digital Link form; give the item or serial reference", ErrInvalid, s)

	// Patterns with only the last field open: the class key plus the AI
	// that introduces the open field.
	if stars == 1 {
		switch u.Scheme {
		case "sgtin", "upui", "itip", "cpi":
			elems, err := u.Elements()
			if err != nil {
				return "", false, err
			}
			next := map[string]string{"sgtin": "21", "upui": "235", "itip": "21", "cpi": "8011"}[u.Scheme]
			return formatDL(canonicalHost, elems) + "/" + next + "/", true, nil
		case "grai", "gdti", "sgcn":
			elems, err := u.Elements()
			if err != nil {
				return "", false, err
			}
			return formatDL(canonicalHost, elems), true, nil
		case "sgln":
			gln := &EPCURN{Kind: "id", Scheme: "sgln", Fields: []string{cp, u.Fields[1], "0"}}
			elems, err := gln.Elements()
			if err != nil {
				return "", false, err
			}
			return formatDL(canonicalHost, elems), true, nil
		}
	}
	// Patterns with everything after the company prefix open.
	if fixed == 1 {
		switch u.Scheme {
		case "sgln":
			return canonicalHost + "/414/" + cp, true, nil
		case "pgln":
			return canonicalHost + "/417/" + cp, true, nil
		case "grai":
			return canonicalHost + "/8003/0" + cp, true, nil
		case "gdti":
			return canonicalHost + "/253/" + cp, true, nil
		case "sgcn":
			return canonicalHost + "/255/" + cp, true, nil
		case "giai":
			return canonicalHost + "/8004/" + cp, true, nil
		case "ginc":
			return canonicalHost + "/401/" + cp, true, nil
		case "gsrn":
			return canonicalHost + "/8018/" + cp, true, nil
		case "gsrnp":
			return canonicalHost + "/8017/" + cp, true, nil
		case "gsin":
			return canonicalHost + "/402/" + cp, true, nil
		case "cpi":
			return canonicalHost + "/8010/" + cp, true, nil
		}
	}
	return "", false, noPrefix
}
