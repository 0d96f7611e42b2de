// Package syntaxdict reads the GS1 Barcode Syntax Dictionary, the text
// file maintained by GS1 that lists every Application Identifier with its
// format, FNC1 need, linters, pairing rules and title. The package
// generator of ident uses it to write the AI table, and the tests of ident
// use it to prove that the table agrees with the dictionary.
package syntaxdict

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Component is one component of an AI's data field, such as "N6,yymmd0"
// or "[X..17]".
type Component struct {
	// Charset is 'N' (digits), 'X' (CSET 82), 'Y' (CSET 39) or 'Z'
	// (CSET 64, base64url).
	Charset byte
	// Min and Max are the length bounds; Min == Max for a fixed length.
	Min, Max int
	// Optional marks a component written in brackets.
	Optional bool
	// Linters are the names of the content checks, in order.
	Linters []string
}

// Entry is one AI of the dictionary; ranges such as 3100-3105 are expanded
// into one entry per AI.
type Entry struct {
	AI string
	// Predefined is the "*" flag: the AI has a predefined length and needs
	// no FNC1 separator after it.
	Predefined bool
	// DLAttribute is the "?" flag: the AI may be a Digital Link data
	// attribute.
	DLAttribute bool
	Components  []Component
	// Requires lists the req= attributes. Each is satisfied by any of its
	// alternatives, and an alternative by all of its AI patterns.
	Requires [][][]string
	// Excludes lists the AI patterns of the ex= attributes.
	Excludes []string
	// PrimaryKey is set by the dlpkey attribute.
	PrimaryKey bool
	// Qualifiers are the alternative ordered qualifier sequences of dlpkey.
	Qualifiers [][]string
	Title      string
}

// Parse reads the dictionary text. Comment lines start with "#".
func Parse(r io.Reader) ([]Entry, error) {
	var entries []Entry
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		parsed, err := parseLine(text)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		entries = append(entries, parsed...)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read dictionary: %w", err)
	}
	return entries, nil
}

func parseLine(text string) ([]Entry, error) {
	var title string
	if i := strings.Index(text, "#"); i >= 0 {
		title = strings.TrimSpace(text[i+1:])
		text = text[:i]
	}
	tokens := strings.Fields(text)
	if len(tokens) < 2 {
		return nil, fmt.Errorf("entry %q has no specification", text)
	}

	var e Entry
	e.Title = title
	aiSpec := tokens[0]
	rest := tokens[1:]
	if flags := rest[0]; strings.Trim(flags, "*?") == "" {
		e.Predefined = strings.Contains(flags, "*")
		e.DLAttribute = strings.Contains(flags, "?")
		rest = rest[1:]
	}

	for _, tok := range rest {
		switch {
		case strings.HasPrefix(tok, "req="):
			var alternatives [][]string
			for _, alt := range strings.Split(tok[len("req="):], ",") {
				alternatives = append(alternatives, strings.Split(alt, "+"))
			}
			e.Requires = append(e.Requires, alternatives)
		case strings.HasPrefix(tok, "ex="):
			e.Excludes = append(e.Excludes, strings.Split(tok[len("ex="):], ",")...)
		case tok == "dlpkey":
			e.PrimaryKey = true
		case strings.HasPrefix(tok, "dlpkey="):
			e.PrimaryKey = true
			for _, seq := range strings.Split(tok[len("dlpkey="):], "|") {
				e.Qualifiers = append(e.Qualifiers, strings.Split(seq, ","))
			}
		case strings.Contains(tok, "="):
			return nil, fmt.Errorf("unknown attribute %q", tok)
		default:
			c, err := parseComponent(tok)
			if err != nil {
				return nil, err
			}
			e.Components = append(e.Components, c)
		}
	}
	if len(e.Components) == 0 {
		return nil, fmt.Errorf("entry %q has no data component", text)
	}

	from, to, isRange := strings.Cut(aiSpec, "-")
	if !isRange {
		to = from
	}
	first, err1 := strconv.Atoi(from)
	last, err2 := strconv.Atoi(to)
	if err1 != nil || err2 != nil || len(from) != len(to) || last < first {
		return nil, fmt.Errorf("bad AI or AI range %q", aiSpec)
	}

	var out []Entry
	for n := first; n <= last; n++ {
		x := e
		x.AI = fmt.Sprintf("%0*d", len(from), n)
		out = append(out, x)
	}
	return out, nil
}

func parseComponent(tok string) (Component, error) {
	var c Component
	spec, linters, _ := strings.Cut(tok, ",")
	if linters != "" {
		c.Linters = strings.Split(linters, ",")
	}
	if strings.HasPrefix(spec, "[") {
		if !strings.HasSuffix(spec, "]") {
			return c, fmt.Errorf("unclosed optional component %q", tok)
		}
		c.Optional = true
		spec = spec[1 : len(spec)-1]
	}
	if spec == "" || !strings.ContainsRune("NXYZ", rune(spec[0])) {
		return c, fmt.Errorf("unknown component type in %q", tok)
	}
	c.Charset = spec[0]
	length := spec[1:]
	variable := strings.HasPrefix(length, "..")
	n, err := strconv.Atoi(strings.TrimPrefix(length, ".."))
	if err != nil || n <= 0 {
		return c, fmt.Errorf("bad length in component %q", tok)
	}
	c.Min, c.Max = n, n
	if variable {
		c.Min = 1
	}
	return c, nil
}
