package ident

import (
	"fmt"
	"strings"
)

// DigitalLinkToURN converts a GS1 Digital Link URI to the EPC URN of the
// GS1 EPC Tag Data Standard 2.x section 7 (GS1 Digital Link URI to EPC
// URI). An EPC URN splits the key after its GS1 company prefix, so the
// prefix length comes from prefixes. An unknown length is an
// ErrUnknownPrefixLength error: the length is never guessed.
//
// The key and its qualifiers select the URN:
//
//	/01/{gtin}/21/{serial}        urn:epc:id:sgtin (a lot, AI 10, and AI 22 are dropped)
//	/01/{gtin}/10/{lot}           urn:epc:class:lgtin
//	/01/{gtin}/235/{tpx}          urn:epc:id:upui
//	/01/{gtin}                    urn:epc:idpat:sgtin:{prefix}.{item}.*
//	/00/{sscc}                    urn:epc:id:sscc
//	/414/{gln}[/254/{ext}]        urn:epc:id:sgln, extension "0" when there is none
//	/417/{gln}                    urn:epc:id:pgln
//	/8003/{grai}                  urn:epc:id:grai, or idpat when the serial is absent
//	/8004/{giai}                  urn:epc:id:giai
//	/8006/{itip}/21/{serial}      urn:epc:id:itip, or idpat without serial
//	/8010/{cpid}[/8011/{serial}]  urn:epc:id:cpi, or idpat without serial
//	/8017, /8018, /253, /255, /401, /402: gsrnp, gsrn, gdti (idpat without
//	serial), sgcn (idpat without serial), ginc, gsin
//
// Other keys, such as the GMN (8013), have no EPC URN: ErrNoEPCURN.
func DigitalLinkToURN(dl string, prefixes PrefixTable) (string, error) {
	link, err := ParseDigitalLink(dl)
	if err != nil {
		return "", err
	}
	return ElementsToURN(link.Key, link.Qualifiers, prefixes)
}

// ElementsToURN converts a primary key and its qualifiers to an EPC URN;
// see DigitalLinkToURN.
func ElementsToURN(key Element, quals []Element, prefixes PrefixTable) (string, error) {
	q := map[string]string{}
	for _, e := range quals {
		q[e.AI] = e.Value
	}
	v := key.Value
	// gcp returns the company prefix length of the key digits from start.
	gcp := func(start int) (int, error) {
		if prefixes == nil {
			return 0, fmt.Errorf("%w: AI (%s) %s: no prefix table given", ErrUnknownPrefixLength, key.AI, v)
		}
		n, ok := prefixes.PrefixLength(v[start:])
		if !ok {
			return 0, fmt.Errorf("%w: AI (%s) %s: register the GS1 company prefix of the key's owner so that the EPC URN can be written", ErrUnknownPrefixLength, key.AI, v)
		}
		if n < 6 || n > 12 || start+n > len(v) {
			return 0, fmt.Errorf("%w: AI (%s) %s: GS1 company prefix length %d cannot be written as an EPC URN, which needs 6 to 12 digits", ErrInvalid, key.AI, v, n)
		}
		return n, nil
	}
	esc := encodeURNComponent
	urn := func(kind, scheme string, fields ...string) string {
		return "urn:epc:" + kind + ":" + scheme + ":" + strings.Join(fields, ".")
	}
	switch key.AI {
	case "01", "8006":
		n, err := gcp(1)
		if err != nil {
			return "", err
		}
		cp := v[1 : 1+n]
		item := v[:1] + v[1+n:13]
		if key.AI == "8006" {
			piece, total := v[14:16], v[16:18]
			if s, ok := q["21"]; ok {
				return urn("id", "itip", cp, item, piece, total, esc(s)), nil
			}
			return urn("idpat", "itip", cp, item, piece, total, "*"), nil
		}
		if s, ok := q["21"]; ok {
			return urn("id", "sgtin", cp, item, esc(s)), nil
		}
		if s, ok := q["235"]; ok {
			return urn("id", "upui", cp, item, esc(s)), nil
		}
		if s, ok := q["10"]; ok {
			return urn("class", "lgtin", cp, item, esc(s)), nil
		}
		return urn("idpat", "sgtin", cp, item, "*"), nil
	case "00":
		n, err := gcp(1)
		if err != nil {
			return "", err
		}
		return urn("id", "sscc", v[1:1+n], v[:1]+v[1+n:17]), nil
	case "414", "417":
		n, err := gcp(0)
		if err != nil {
			return "", err
		}
		if key.AI == "417" {
			return urn("id", "pgln", v[:n], v[n:12]), nil
		}
		ext := "0"
		if s, ok := q["254"]; ok {
			ext = esc(s)
		}
		return urn("id", "sgln", v[:n], v[n:12], ext), nil
	case "8003", "253", "255":
		start := 0
		scheme := map[string]string{"8003": "grai", "253": "gdti", "255": "sgcn"}[key.AI]
		if key.AI == "8003" {
			start = 1 // AI (8003) starts with a fixed 0.
		}
		n, err := gcp(start)
		if err != nil {
			return "", err
		}
		cp := v[start : start+n]
		ref := v[start+n : start+12]
		serial := v[start+13:]
		if serial == "" {
			return urn("idpat", scheme, cp, ref, "*"), nil
		}
		return urn("id", scheme, cp, ref, esc(serial)), nil
	case "8004", "401":
		n, err := gcp(0)
		if err != nil {
			return "", err
		}
		scheme := map[string]string{"8004": "giai", "401": "ginc"}[key.AI]
		if n >= len(v) {
			return "", fmt.Errorf("%w: AI (%s) %s has no reference after its %d-digit company prefix", ErrInvalid, key.AI, v, n)
		}
		return urn("id", scheme, v[:n], esc(v[n:])), nil
	case "8017", "8018", "402":
		n, err := gcp(0)
		if err != nil {
			return "", err
		}
		scheme := map[string]string{"8017": "gsrnp", "8018": "gsrn", "402": "gsin"}[key.AI]
		return urn("id", scheme, v[:n], v[n:len(v)-1]), nil
	case "8010":
		n, err := gcp(0)
		if err != nil {
			return "", err
		}
		if n >= len(v) {
			return "", fmt.Errorf("%w: AI (8010) %s has no part reference after its %d-digit company prefix", ErrInvalid, v, n)
		}
		if s, ok := q["8011"]; ok {
			return urn("id", "cpi", v[:n], esc(v[n:]), s), nil
		}
		return urn("idpat", "cpi", v[:n], esc(v[n:]), "*"), nil
	}
	return "", fmt.Errorf("%w: AI (%s) has no EPC URN in the EPC Tag Data Standard", ErrNoEPCURN, key.AI)
}
