package ident

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

// PrefixTable returns the length of the GS1 company prefix at the start of
// a GS1 key. key holds the key's digits from the first digit of its company
// prefix: a GTIN-14 or SSCC without its leading indicator or extension
// digit, any other key as it is. The boolean is false when the length is
// unknown.
type PrefixTable interface {
	PrefixLength(key string) (int, bool)
}

// PrefixLengths is a PrefixTable built from known prefixes. Each entry maps
// a leading digit string to the company prefix length of every key that
// starts with it. An entry may be a whole company prefix ("0614141" -> 7)
// or a shorter GS1 prefix range ("958" -> 9), and the longest matching
// entry applies. The zero value is an empty table ready for use, and all
// methods are safe for concurrent use.
type PrefixLengths struct {
	mu      sync.RWMutex
	entries map[string]int
	longest int
}

// Company prefix lengths: GS1 company prefixes have 4 to 12 digits, and
// EPC URNs need at least 6 (TDS 2.x).
const (
	minPrefixLength = 4
	maxPrefixLength = 12
)

// Add records that keys starting with prefix have a company prefix of
// length digits. A whole company prefix is added with length len(prefix).
func (p *PrefixLengths) Add(prefix string, length int) error {
	if !isDigits(prefix) || len(prefix) > maxPrefixLength {
		return fmt.Errorf("%w: GS1 prefix %q must be 1 to %d digits", ErrInvalid, prefix, maxPrefixLength)
	}
	if length < minPrefixLength || length > maxPrefixLength || length < len(prefix) {
		return fmt.Errorf("%w: GS1 company prefix length %d for prefix %q must be %d to %d and not shorter than the prefix", ErrInvalid, length, prefix, minPrefixLength, maxPrefixLength)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.entries == nil {
		p.entries = make(map[string]int)
	}
	p.entries[prefix] = length
	if len(prefix) > p.longest {
		p.longest = len(prefix)
	}
	return nil
}

// AddCompanyPrefix records a whole GS1 company prefix, such as the one an
// enterprise registered.
func (p *PrefixLengths) AddCompanyPrefix(prefix string) error {
	return p.Add(prefix, len(prefix))
}

// PrefixLength implements PrefixTable.
func (p *PrefixLengths) PrefixLength(key string) (int, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	for n := min(p.longest, len(key)); n >= 1; n-- {
		if length, ok := p.entries[key[:n]]; ok && length <= len(key) {
			return length, true
		}
	}
	return 0, false
}

// Len returns the number of entries.
func (p *PrefixLengths) Len() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.entries)
}

// Load reads entries from a text list with one "prefix length" pair per
// line, separated by white space. A line with a prefix alone records a
// whole company prefix. Blank lines and lines starting with "#" are
// skipped. Entries read before an error stay in the table.
func (p *PrefixLengths) Load(r io.Reader) error {
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Fields(text)
		var err error
		switch len(fields) {
		case 1:
			err = p.AddCompanyPrefix(fields[0])
		case 2:
			length, convErr := strconv.Atoi(fields[1])
			if convErr != nil {
				err = fmt.Errorf("%w: length %q is not a number", ErrInvalid, fields[1])
				break
			}
			err = p.Add(fields[0], length)
		default:
			err = fmt.Errorf("%w: want \"prefix length\", got %q", ErrInvalid, text)
		}
		if err != nil {
			return fmt.Errorf("prefix list line %d: %w", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read prefix list: %w", err)
	}
	return nil
}
