package ident

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/suyuan-trace/suyuan/ident/cncode"
)

// ScanKind names the form in which a scanned identifier arrived.
type ScanKind string

// Forms accepted by Parse.
const (
	KindElementString ScanKind = "element-string"
	KindDigitalLink   ScanKind = "digital-link"
	KindEPCURN        ScanKind = "epc-urn"
	KindGTIN          ScanKind = "gtin"
	KindSSCC          ScanKind = "sscc"
	KindChineseCode   ScanKind = "cn-code"
)

// Scan is the result of Parse: the identifiers and labelled values read
// from one scanned or typed string.
type Scan struct {
	// Input is the string as given, without surrounding white space.
	Input string   `json:"input"`
	Kind  ScanKind `json:"kind"`
	// Uncompressed is the uncompressed form of a compressed GS1 Digital
	// Link input (see DecompressDigitalLink); empty for other inputs.
	Uncompressed string `json:"uncompressed,omitempty"`
	// Canonical is the most specific identifier in canonical form (see
	// Canonical), such as the SGTIN https://id.gs1.org/01/{gtin}/21/{serial}.
	// It is empty for element strings that carry no primary key.
	Canonical string `json:"canonical,omitempty"`
	// Class is the class-level identifier when Canonical is more specific.
	// It is the GTIN or ITIP with batch/lot (/01/{gtin}/10/{lot}) when the
	// lot is known, else the GTIN or ITIP alone; a GRAI, GDTI or GCN
	// without serial part; a CPID without serial; for Chinese codes the
	// product-level URI. When Canonical is the lot class, Class is the
	// GTIN.
	Class string `json:"class,omitempty"`
	// Product is the GTIN-level identifier https://id.gs1.org/01/{gtin}
	// when a GTIN or ITIP is present.
	Product string `json:"product,omitempty"`
	// Elements are the GS1 AIs read, in input order; empty for Chinese
	// codes.
	Elements []Element `json:"elements,omitempty"`
	// Fields is the labelled breakdown for display.
	Fields []Field `json:"fields"`
	// CNCode is the parsed Chinese code, nil for GS1 identifiers.
	CNCode *cncode.Code `json:"-"`
}

// Field is one labelled value of a Scan.
type Field struct {
	// AI is the Application Identifier; for Chinese codes the field name
	// of package cncode, such as "registrationAuthority".
	AI      string `json:"ai"`
	TitleZH string `json:"titleZH"`
	TitleEN string `json:"titleEN"`
	Value   string `json:"value"`
	// Formatted is the value for people: dates as 2026-12-31, decimal
	// measures with their decimal point, coded values with their meaning.
	Formatted string `json:"formatted"`
}

// Parse reads one scanned or typed identifier in any supported form:
//
//   - a GS1 element string, bracketed ((01)…(10)…) or raw as a scanner
//     transmits it (GS for FNC1, optional symbology identifier such as
//     ]C1, ]d2, ]Q3, ]e0);
//   - a GS1 Digital Link URI on any host, compressed or not;
//   - an EPC URN;
//   - bare digits: GTIN-8, GTIN-12, GTIN-13, GTIN-14 or an 18-digit SSCC;
//   - a Chinese code that package cncode reads.
//
// An 18-digit string is read as an SSCC when its GS1 check digit is right,
// else as a unified social credit code. Errors wrap ErrInvalid (and
// ErrCheckDigit for a wrong GS1 check digit); for a string of no
// recognised form they wrap ErrNotURI.
func Parse(s string) (*Scan, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("%w: empty input", ErrNotURI)
	}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "urn:epc:"):
		elems, err := URNElements(s)
		if err != nil {
			return nil, err
		}
		return scanFromElements(s, KindEPCURN, elems)
	case strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://"):
		link, uncompressed, err := ParseAnyDigitalLink(s)
		if err == nil {
			scan, err := scanFromElements(s, KindDigitalLink, link.Elements())
			if scan != nil {
				scan.Uncompressed = uncompressed
			}
			return scan, err
		}
		if !intendedDigitalLink(s) {
			if code, cnErr := cncode.Parse(s); cnErr == nil {
				return scanFromCNCode(s, code), nil
			}
		}
		return nil, err
	case strings.HasPrefix(s, "(") || strings.HasPrefix(s, "]") || strings.IndexByte(s, GS) >= 0:
		elems, err := ParseElementString(s)
		if err != nil {
			return nil, err
		}
		return scanFromElements(s, KindElementString, elems)
	}
	if isDigits(s) {
		switch len(s) {
		case 8, 12, 13, 14:
			g, err := ParseGTIN(s)
			if err != nil {
				return nil, err
			}
			return scanFromElements(s, KindGTIN, []Element{{"01", g.GTIN14()}})
		case 18:
			if verifyCheckDigit("SSCC", s) == nil {
				return scanFromElements(s, KindSSCC, []Element{{"00", s}})
			}
		}
	}
	code, cnErr := cncode.Parse(s)
	if cnErr == nil {
		return scanFromCNCode(s, code), nil
	}
	if errors.Is(cnErr, cncode.ErrInvalid) {
		if isDigits(s) && len(s) == 18 {
			return nil, fmt.Errorf("%w: %q is neither an SSCC (wrong check digit) nor a valid unified social credit code: %w", ErrInvalid, s, cnErr)
		}
		return nil, fmt.Errorf("%w: %w", ErrInvalid, cnErr)
	}
	// Raw element strings without FNC1, such as "0109506000134352".
	if _, ok := readAI(s); ok && len(s) > 4 {
		elems, err := ParseElementString(s)
		if err != nil {
			return nil, err
		}
		return scanFromElements(s, KindElementString, elems)
	}
	return nil, fmt.Errorf("%w: %q is not a recognised identifier: give an element string, Digital Link, EPC URN, GTIN, SSCC or Chinese code", ErrNotURI, s)
}

// splitKey finds the primary key of elems and its qualifiers, ordered as
// the key's qualifier sequence requires. ok is false when no element is a
// primary key.
func splitKey(elems []Element) (key Element, quals []Element, ok bool) {
	for _, e := range elems {
		if d, found := LookupAI(e.AI); found && d.PrimaryKey {
			key, ok = e, true
			break
		}
	}
	if !ok {
		return key, nil, false
	}
	d, _ := LookupAI(key.AI)
	for _, seq := range d.Qualifiers {
		var found []Element
		for _, ai := range seq {
			for _, e := range elems {
				if e.AI == ai {
					found = append(found, e)
					break
				}
			}
		}
		if len(found) > len(quals) {
			quals = found
		}
	}
	return key, quals, true
}

func scanFromElements(input string, kind ScanKind, elems []Element) (*Scan, error) {
	sc := &Scan{Input: input, Kind: kind, Elements: elems}
	if key, quals, ok := splitKey(elems); ok {
		sc.Canonical = formatDL(canonicalHost, canonicalElements(key, quals))
		sc.Product, sc.Class = classLevels(key, quals)
		if sc.Class == sc.Canonical {
			sc.Class = ""
			if sc.Product != sc.Canonical {
				sc.Class = sc.Product
			}
		}
	}
	for _, e := range elems {
		sc.Fields = append(sc.Fields, elementField(e))
	}
	return sc, nil
}

// classLevels returns the GTIN-level identifier of a key, which is the
// GTIN itself or the GTIN inside an ITIP, and its class-level identifier.
// The class is the GTIN or ITIP with its batch/lot when there is one, a
// GRAI, GDTI or GCN without its serial part, or a CPID without serial.
func classLevels(key Element, quals []Element) (product, class string) {
	var lot *Element
	for i := range quals {
		if quals[i].AI == "10" {
			lot = &quals[i]
		}
	}
	switch key.AI {
	case "01", "8006":
		product = formatDL(canonicalHost, []Element{{"01", key.Value[:14]}})
		class = formatDL(canonicalHost, []Element{key})
		if lot != nil {
			class = formatDL(canonicalHost, []Element{key, *lot})
		}
	case "8003":
		class = formatDL(canonicalHost, []Element{{key.AI, key.Value[:14]}})
	case "253", "255":
		class = formatDL(canonicalHost, []Element{{key.AI, key.Value[:13]}})
	case "8010":
		class = formatDL(canonicalHost, []Element{key})
	}
	return product, class
}

func scanFromCNCode(input string, code *cncode.Code) *Scan {
	sc := &Scan{Input: input, Kind: KindChineseCode, Canonical: code.URI(), Class: code.ClassURI(), CNCode: code}
	for _, f := range code.Fields {
		formatted := f.Value
		if f.TextZH != "" {
			formatted = f.Value + " " + f.TextZH
		}
		sc.Fields = append(sc.Fields, Field{AI: f.Name, TitleZH: f.TitleZH, TitleEN: f.TitleEN, Value: f.Value, Formatted: formatted})
	}
	return sc
}

// elementField labels one element and formats its value for display.
func elementField(e Element) Field {
	f := Field{AI: e.AI, Value: e.Value, Formatted: e.Value}
	d, ok := LookupAI(e.AI)
	if !ok {
		return f
	}
	f.TitleEN = d.Title
	f.TitleZH = d.TitleZH
	if f.TitleZH == "" {
		f.TitleZH = d.Title
	}
	f.Formatted = FormatValue(e.AI, e.Value)
	return f
}

// FormatValue returns an AI value for display. Dates become 2026-12-31,
// where a day 00 stands for the last day of the month, and date and time
// become 2026-12-31 14:30. Measures and amounts get the decimal point that
// the last digit of the AI sets, so AI (3103) value 001250 is 1.250, and an
// amount with an ISO 4217 currency code is written "156 12.50". Other
// values, and values that do not validate, are returned unchanged.
func FormatValue(ai, value string) string {
	d, ok := LookupAI(ai)
	if !ok || d.Validate(value) != nil {
		return value
	}
	if decimals, ok := decimalPlaces(ai); ok {
		if ai[:3] == "391" || ai[:3] == "393" {
			return value[:3] + " " + insertDecimalPoint(value[3:], decimals)
		}
		return insertDecimalPoint(value, decimals)
	}
	var parts []string
	rest := value
	for _, c := range d.Components {
		if rest == "" {
			break
		}
		n := min(c.Max, len(rest))
		part := rest[:n]
		rest = rest[n:]
		parts = append(parts, formatComponent(c, part))
	}
	if len(parts) == 0 {
		return value
	}
	return joinFormatted(d, parts)
}

// joinFormatted joins formatted components: a date and the time parts
// after it with a space and colons, anything else without separator.
func joinFormatted(d *AIDefinition, parts []string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			prev := d.Components[i-1]
			cur := d.Components[i]
			switch {
			case isTimeLinter(cur) && isDateLinter(prev):
				b.WriteByte(' ')
			case isTimeLinter(cur) && isTimeLinter(prev):
				b.WriteByte(':')
			case isDateLinter(cur) && isDateLinter(prev):
				b.WriteString(" – ")
			}
		}
		b.WriteString(p)
	}
	return b.String()
}

func hasLinter(c Component, names ...string) bool {
	for _, l := range c.Linters {
		for _, n := range names {
			if l == n {
				return true
			}
		}
	}
	return false
}

func isDateLinter(c Component) bool { return hasLinter(c, "yymmdd", "yymmd0", "yyyymmdd") }

func isTimeLinter(c Component) bool { return hasLinter(c, "hhmi", "hh", "mi", "ss") }

func formatComponent(c Component, v string) string {
	switch {
	case hasLinter(c, "yymmdd", "yymmd0") && len(v) == 6:
		t, rule, _ := parseDate6(v, true)
		if rule == "" {
			return t.Format("2006-01-02")
		}
	case hasLinter(c, "yyyymmdd") && len(v) == 8:
		return v[:4] + "-" + v[4:6] + "-" + v[6:]
	case hasLinter(c, "hhmi") && len(v) == 4:
		return v[:2] + ":" + v[2:]
	}
	return v
}

// decimalPlaces returns the number of decimals that the last digit of a
// measure or amount AI sets (GS1 General Specifications, section 3).
func decimalPlaces(ai string) (int, bool) {
	if len(ai) != 4 {
		return 0, false
	}
	head, _ := strconv.Atoi(ai[:3])
	switch {
	case head >= 310 && head <= 369, head == 390, head == 391, head == 392, head == 393:
		return int(ai[3] - '0'), true
	}
	return 0, false
}

func insertDecimalPoint(v string, decimals int) string {
	if decimals == 0 {
		if trimmed := strings.TrimLeft(v, "0"); trimmed != "" {
			return trimmed
		}
		return "0"
	}
	for len(v) <= decimals {
		v = "0" + v
	}
	whole := strings.TrimLeft(v[:len(v)-decimals], "0")
	if whole == "" {
		whole = "0"
	}
	return whole + "." + v[len(v)-decimals:]
}
