package ident

import (
	"fmt"
	"strings"
)

// GS is the ASCII group separator (29) that stands for FNC1 in the
// transmitted data of a barcode scan.
const GS = '\x1d'

// symbologyIDs lists the AIM symbology identifiers whose data carries GS1
// element strings (ISO/IEC 15424 symbology identifiers): GS1-128,
// GS1 DataBar and composite, GS1 DataMatrix, GS1 QR Code, GS1 DotCode and
// EAN/UPC with add-on.
var symbologyIDs = []string{"]C1", "]e0", "]e1", "]e2", "]d2", "]Q3", "]J1", "]E0", "]E4"}

// ParseElementString parses GS1 element strings in either form and checks
// them with ValidateElement and CheckPairs:
//
//   - bracketed, the human-readable interpretation:
//     (01)09506000134352(17)261231(10)ABC123, where a "(" inside a value
//     is written "\(". Spaces around values are ignored, as printed
//     labels often put them there, and no AI value may contain a space;
//   - raw, as a scanner transmits it: AIs and values run together, and
//     ASCII 29 (GS) stands for FNC1 after each value of an AI without
//     predefined length. An AIM symbology identifier such as ]C1, ]d2,
//     ]Q3 or ]e0 may lead.
//
// EAN/UPC symbology identifiers (]E0, ]E4) carry a bare GTIN, which is
// returned as AI (01), padded to 14 digits. Errors are *ElementError values
// naming the AI, the 1-based position in s and the rule.
func ParseElementString(s string) ([]Element, error) {
	elems, err := parseElementString(s)
	if err != nil {
		return nil, err
	}
	if err := CheckPairs(elems); err != nil {
		return nil, err
	}
	return elems, nil
}

// parseElementString parses and validates each element without the pairing
// rules.
func parseElementString(s string) ([]Element, error) {
	if s == "" {
		return nil, &ElementError{Rule: "empty element string"}
	}
	if strings.HasPrefix(s, "(") {
		return parseBracketed(s)
	}
	offset := 0
	for _, id := range symbologyIDs {
		if strings.HasPrefix(s, id) {
			offset = len(id)
			break
		}
	}
	if offset == 0 && strings.HasPrefix(s, "]") {
		return nil, &ElementError{Position: 1, Rule: fmt.Sprintf("symbology identifier %q does not carry GS1 element strings", prefixOf(s, 3))}
	}
	if id := s[:offset]; id == "]E0" || id == "]E4" {
		return parseEANUPC(s, offset)
	}
	return parseRaw(s, offset)
}

func prefixOf(s string, n int) string {
	if len(s) < n {
		return s
	}
	return s[:n]
}

// parseEANUPC reads the data of an EAN-13, UPC-A or EAN-8 symbol: a GTIN
// without AI.
func parseEANUPC(s string, offset int) ([]Element, error) {
	gtin, err := ParseGTIN(s[offset:])
	if err != nil {
		return nil, &ElementError{AI: "01", Value: s[offset:], Position: offset + 1, Rule: err.Error(), err: unwrapSentinel(err)}
	}
	return []Element{{"01", gtin.GTIN14()}}, nil
}

// unwrapSentinel returns ErrCheckDigit when err wraps it, else ErrInvalid.
func unwrapSentinel(err error) error {
	if isCheckDigit(err) {
		return ErrCheckDigit
	}
	return ErrInvalid
}

// readAI reads the AI at the start of s: the table's AIs form a prefix-free
// code of 2 to 4 digits.
func readAI(s string) (*AIDefinition, bool) {
	for n := 2; n <= 4 && n <= len(s); n++ {
		if d, ok := LookupAI(s[:n]); ok {
			return d, true
		}
	}
	return nil, false
}

func parseRaw(s string, start int) ([]Element, error) {
	var elems []Element
	i := start
	for i < len(s) {
		if s[i] == GS {
			// A leading or doubled FNC1 carries no data; scanners emit it
			// after predefined-length AIs too.
			i++
			continue
		}
		d, ok := readAI(s[i:])
		if !ok {
			return nil, &ElementError{AI: aiCandidate(s[i:]), Position: i + 1, Rule: "unknown Application Identifier"}
		}
		i += len(d.AI)
		var value string
		if d.Predefined {
			n := d.MaxLength()
			if i+n > len(s) {
				return nil, &ElementError{AI: d.AI, Value: s[i:], Position: i + 1, Rule: fmt.Sprintf("value too short: %d characters, want %d", len(s)-i, n)}
			}
			value = s[i : i+n]
			if j := strings.IndexByte(value, GS); j >= 0 {
				return nil, &ElementError{AI: d.AI, Value: value[:j], Position: i + j + 1, Rule: fmt.Sprintf("FNC1 inside a value of predefined length %d", n)}
			}
			i += n
		} else {
			end := strings.IndexByte(s[i:], GS)
			if end < 0 {
				end = len(s) - i
			}
			value = s[i : i+end]
			if max := d.MaxLength(); len(value) > max {
				return nil, &ElementError{AI: d.AI, Value: value, Position: i + max + 1, Rule: fmt.Sprintf("value too long: %d characters, maximum %d; a value of an AI without predefined length must end with FNC1 (GS)", len(value), max)}
			}
			i += end
		}
		if err := d.Validate(value); err != nil {
			return nil, shift(err, i-len(value))
		}
		elems = append(elems, Element{d.AI, value})
	}
	if len(elems) == 0 {
		return nil, &ElementError{Rule: "element string contains no AI"}
	}
	return elems, nil
}

// aiCandidate returns the leading digits of s, up to four, to name an
// unknown AI.
func aiCandidate(s string) string {
	n := 0
	for n < len(s) && n < 4 && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return s[:n]
}

func parseBracketed(s string) ([]Element, error) {
	var elems []Element
	i := 0
	for i < len(s) {
		if s[i] != '(' {
			return nil, &ElementError{Position: i + 1, Rule: fmt.Sprintf("want ( to start an AI, got %q", s[i])}
		}
		end := strings.IndexByte(s[i:], ')')
		if end < 0 {
			return nil, &ElementError{Position: i + 1, Rule: "unclosed ( of an AI"}
		}
		ai := s[i+1 : i+end]
		d, ok := LookupAI(ai)
		if !ok {
			return nil, &ElementError{AI: ai, Position: i + 2, Rule: "unknown Application Identifier"}
		}
		i += end + 1
		valueStart := i
		var b strings.Builder
		for i < len(s) && s[i] != '(' {
			if s[i] == '\\' && i+1 < len(s) && s[i+1] == '(' {
				b.WriteByte('(')
				i += 2
				continue
			}
			b.WriteByte(s[i])
			i++
		}
		value := b.String()
		trimmed := strings.TrimLeft(value, " ")
		valueStart += len(value) - len(trimmed)
		value = strings.TrimRight(trimmed, " ")
		if err := d.Validate(value); err != nil {
			return nil, shift(err, valueStart)
		}
		elems = append(elems, Element{d.AI, value})
	}
	return elems, nil
}

// FormatBracketed writes elements in the bracketed human-readable form,
// escaping "(" inside values as "\(".
func FormatBracketed(elems []Element) string {
	var b strings.Builder
	for _, e := range elems {
		b.WriteByte('(')
		b.WriteString(e.AI)
		b.WriteByte(')')
		b.WriteString(strings.ReplaceAll(e.Value, "(", `\(`))
	}
	return b.String()
}

// FormatRaw writes elements as a barcode would transmit them after the
// symbology identifier symbologyID (such as "]d2", or "" for none): values
// of AIs without predefined length end with GS unless they are last. The
// elements are written in the given order; GS1 recommends putting
// predefined-length AIs first to save separators.
func FormatRaw(symbologyID string, elems []Element) string {
	var b strings.Builder
	b.WriteString(symbologyID)
	for i, e := range elems {
		b.WriteString(e.AI)
		b.WriteString(e.Value)
		if i == len(elems)-1 {
			break
		}
		if d, ok := LookupAI(e.AI); !ok || !d.Predefined {
			b.WriteByte(GS)
		}
	}
	return b.String()
}
