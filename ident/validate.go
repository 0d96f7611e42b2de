package ident

import (
	"errors"
	"fmt"
	"strings"
)

// ElementError reports an invalid AI or AI value and the rule it breaks,
// such as `AI (17) value "241340": invalid date, month 13`. It wraps
// ErrInvalid, or ErrCheckDigit for a wrong check digit.
type ElementError struct {
	// AI is the Application Identifier, empty when the AI itself could not
	// be read.
	AI string
	// Value is the AI's data as read.
	Value string
	// Position is the 1-based character position of the fault in the
	// input, 0 when unknown.
	Position int
	// Rule describes the broken rule.
	Rule string
	err  error
}

func (e *ElementError) Error() string {
	var b strings.Builder
	if e.AI != "" {
		fmt.Fprintf(&b, "AI (%s)", e.AI)
		if e.Value != "" {
			fmt.Fprintf(&b, " value %q", e.Value)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Rule)
	if e.Position > 0 {
		fmt.Fprintf(&b, " (at position %d)", e.Position)
	}
	return b.String()
}

// Unwrap returns the sentinel error: ErrCheckDigit or ErrInvalid.
func (e *ElementError) Unwrap() error {
	if e.err == nil {
		return ErrInvalid
	}
	return e.err
}

// shift moves the position of an ElementError by offset, the position of
// the value inside a larger input.
func shift(err error, offset int) error {
	var ee *ElementError
	if errors.As(err, &ee) && ee.Position > 0 {
		ee.Position += offset
	}
	return err
}

// ValidateElement checks an AI value against the AI table: length,
// character set of each component and the component linters (check
// digits, dates, country and currency codes...). Pairing rules between
// AIs are checked by CheckPairs. An unknown AI is an error.
func ValidateElement(ai, value string) error {
	d, ok := LookupAI(ai)
	if !ok {
		return &ElementError{AI: ai, Value: value, Rule: "unknown Application Identifier; check the AI against the GS1 General Specifications"}
	}
	return d.Validate(value)
}

// Validate checks value against the definition; see ValidateElement.
// Errors are *ElementError values whose Position counts from the first
// character of value.
func (d *AIDefinition) Validate(value string) error {
	fail := func(pos int, rule string, sentinel error) error {
		return &ElementError{AI: d.AI, Value: value, Position: pos, Rule: rule, err: sentinel}
	}
	if value == "" {
		return fail(0, "missing value", nil)
	}
	if max := d.MaxLength(); len(value) > max {
		return fail(max+1, fmt.Sprintf("value too long: %d characters, maximum %d", len(value), max), nil)
	}
	rest := value
	pos := 0
	for _, c := range d.Components {
		if rest == "" {
			if c.Optional {
				break
			}
			return fail(0, fmt.Sprintf("value too short: %d characters, minimum %d", len(value), d.MinLength()), nil)
		}
		n := c.Max
		if c.Min == c.Max {
			if len(rest) < n {
				return fail(0, fmt.Sprintf("value too short: %d characters, minimum %d", len(value), d.MinLength()), nil)
			}
		} else if len(rest) < n {
			n = len(rest)
		}
		part := rest[:n]
		if i := c.Charset.set().firstOutside(part); i >= 0 {
			return fail(pos+i+1, fmt.Sprintf("character %q is not allowed, want %s", part[i], c.Charset), nil)
		}
		for _, name := range c.Linters {
			check, ok := linters[name]
			if !ok {
				continue
			}
			if rule, off := check(part); rule != "" {
				p := 0
				if off >= 0 {
					p = pos + off + 1
				}
				var sentinel error
				if name == "csum" || name == "csumalpha" {
					sentinel = ErrCheckDigit
				}
				return fail(p, rule, sentinel)
			}
		}
		rest = rest[n:]
		pos += n
	}
	if rest != "" {
		return fail(pos+1, fmt.Sprintf("value too long: %d characters, maximum %d", len(value), pos), nil)
	}
	return nil
}

// CheckPairs checks the pairing rules of GS1 General Specifications 4.14
// over a set of elements. Every requirement of each AI must be met by
// other AIs present, no AI may appear with an AI it excludes, and no AI
// may appear twice with different values. GS1 evaluates the rules over all
// data carriers of one item, so pass the elements of all of them.
func CheckPairs(elems []Element) error {
	present := make(map[string]string, len(elems))
	for _, e := range elems {
		if prev, ok := present[e.AI]; ok && prev != e.Value {
			return &ElementError{AI: e.AI, Value: e.Value, Rule: fmt.Sprintf("AI appears twice with different values (%q and %q)", prev, e.Value)}
		}
		present[e.AI] = e.Value
	}
	has := func(pattern string) bool {
		if !strings.Contains(pattern, "n") {
			_, ok := present[pattern]
			return ok
		}
		for ai := range present {
			if matchAIPattern(pattern, ai) {
				return true
			}
		}
		return false
	}
	for _, e := range elems {
		d, ok := LookupAI(e.AI)
		if !ok {
			continue
		}
		for _, ex := range d.Excludes {
			for _, other := range elems {
				if other.AI != e.AI && matchAIPattern(ex, other.AI) {
					return &ElementError{AI: e.AI, Value: e.Value, Rule: fmt.Sprintf("AI (%s) must not appear together with AI (%s)", e.AI, other.AI)}
				}
			}
		}
		for _, req := range d.Requires {
			if !requirementMet(req, has) {
				return &ElementError{AI: e.AI, Value: e.Value, Rule: "missing companion AI: needs " + describeRequirement(req)}
			}
		}
	}
	return nil
}

func requirementMet(req [][]string, has func(string) bool) bool {
	for _, alt := range req {
		all := true
		for _, p := range alt {
			if !has(p) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// describeRequirement writes a requirement as "(01) or (02) or (8006)+(21)".
func describeRequirement(req [][]string) string {
	alts := make([]string, len(req))
	for i, alt := range req {
		parts := make([]string, len(alt))
		for j, p := range alt {
			parts[j] = "(" + p + ")"
		}
		alts[i] = strings.Join(parts, "+")
	}
	return strings.Join(alts, " or ")
}
