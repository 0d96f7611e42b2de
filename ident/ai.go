package ident

//go:generate go run ./internal/gen -dict ../../shared/conformance/gs1-syntax/gs1-syntax-dictionary.txt -isocodes /usr/share/iso-codes/json -out .

import "sort"

// Charset names the character set of an AI data component (GS1 General
// Specifications 7.11).
type Charset byte

// The character sets of the GS1 Barcode Syntax Dictionary.
const (
	Numeric   Charset = 'N' // digits 0-9
	CSET82    Charset = 'X' // GS1 AI encodable character set 82
	CSET39    Charset = 'Y' // GS1 AI encodable character set 39
	CSET64    Charset = 'Z' // GS1 AI encodable character set 64 (base64url)
	noCharset Charset = 0
)

// set returns the character table of c.
func (c Charset) set() *charset {
	switch c {
	case Numeric:
		return csetN
	case CSET39:
		return cset39
	case CSET64:
		return cset64
	}
	return cset82
}

// String returns the name of the character set as GS1 writes it.
func (c Charset) String() string {
	switch c {
	case Numeric:
		return "numeric"
	case CSET82:
		return "CSET 82"
	case CSET39:
		return "CSET 39"
	case CSET64:
		return "CSET 64"
	}
	return "unknown character set"
}

// Component is one part of an AI's data field: its character set, length
// bounds and content checks ("linters"), as the GS1 Barcode Syntax
// Dictionary specifies.
type Component struct {
	Charset Charset
	// Min and Max bound the length in characters; Min == Max for a fixed
	// length.
	Min, Max int
	// Optional marks a component that may be left out at the end of the
	// data.
	Optional bool
	// Linters name the content checks applied to the component, such as
	// "csum" (mod-10 check digit) or "yymmd0" (date, day 00 allowed).
	Linters []string
}

// AIDefinition describes one GS1 Application Identifier.
type AIDefinition struct {
	AI string
	// Title is the data title of the GS1 Barcode Syntax Dictionary,
	// such as "BEST BEFORE or BEST BY".
	Title string
	// TitleZH is the Chinese data title, empty for AIs without one.
	TitleZH string
	// Predefined marks an AI of predefined length, which needs no FNC1
	// separator after its data (GS1 General Specifications 5.10.1).
	Predefined bool
	// DLAttribute marks an AI allowed as a Digital Link data attribute.
	DLAttribute bool
	Components  []Component
	// Requires lists the pairing requirements (GS1 General Specifications
	// 4.14). Each requirement is met by any of its alternatives, and an
	// alternative by the presence of all its AI patterns. In a pattern,
	// "n" matches any digit: "310n" matches 3100 to 3109.
	Requires [][][]string
	// Excludes lists AI patterns that must not appear with this AI.
	Excludes []string
	// PrimaryKey marks a Digital Link primary key.
	PrimaryKey bool
	// Qualifiers lists the alternative ordered key qualifier sequences of
	// a primary key, such as [22 10 21] and [235] for GTIN.
	Qualifiers [][]string
}

// MinLength returns the shortest valid data length.
func (d *AIDefinition) MinLength() int {
	n := 0
	for _, c := range d.Components {
		if !c.Optional {
			n += c.Min
		}
	}
	return n
}

// MaxLength returns the longest valid data length.
func (d *AIDefinition) MaxLength() int {
	n := 0
	for _, c := range d.Components {
		n += c.Max
	}
	return n
}

// FixedLength reports whether every valid value has the same length.
func (d *AIDefinition) FixedLength() bool {
	return d.MinLength() == d.MaxLength()
}

// aiIndex maps each AI to its definition; built once from aiTable.
var aiIndex = func() map[string]*AIDefinition {
	m := make(map[string]*AIDefinition, len(aiTable))
	for i := range aiTable {
		d := &aiTable[i]
		d.TitleZH = titlesZH[d.AI]
		m[d.AI] = d
	}
	return m
}()

// LookupAI returns the definition of an AI, such as "01" or "3103". The
// definition is shared, so callers must not modify it.
func LookupAI(ai string) (*AIDefinition, bool) {
	d, ok := aiIndex[ai]
	return d, ok
}

// AIs returns every known AI definition in ascending order of AI. The
// definitions are shared: callers must not modify them.
func AIs() []*AIDefinition {
	out := make([]*AIDefinition, 0, len(aiTable))
	for i := range aiTable {
		out = append(out, &aiTable[i])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AI < out[j].AI })
	return out
}

// matchAIPattern reports whether ai matches a dictionary pattern such as
// "310n" or "35nn", where "n" stands for any digit.
func matchAIPattern(pattern, ai string) bool {
	if len(pattern) != len(ai) {
		return false
	}
	for i := 0; i < len(pattern); i++ {
		if pattern[i] == 'n' {
			if ai[i] < '0' || ai[i] > '9' {
				return false
			}
			continue
		}
		if pattern[i] != ai[i] {
			return false
		}
	}
	return true
}
