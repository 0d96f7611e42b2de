package ident

// Character sets of GS1 General Specifications 7.11. A set is a 128-entry
// table over ASCII; bytes outside ASCII belong to no set.
type charset [128]bool

func newCharset(ranges ...string) *charset {
	var set charset
	for _, r := range ranges {
		// A three-character string such as "0-9" is a range; pass a
		// literal "-" in a string of its own.
		if len(r) == 3 && r[1] == '-' {
			for c := r[0]; c <= r[2]; c++ {
				set[c] = true
			}
			continue
		}
		for i := 0; i < len(r); i++ {
			set[r[i]] = true
		}
	}
	return &set
}

var (
	// cset82 is GS1 AI encodable character set 82 (Figure 7.11-1).
	cset82 = newCharset("!\"%&'()*+,-./", "0-9", ":;<=>?", "A-Z", "_", "a-z")
	// cset39 is GS1 AI encodable character set 39 (Figure 7.11-2).
	cset39 = newCharset("#", "-", "/", "0-9", "A-Z")
	// cset64 is GS1 AI encodable character set 64 (Figure 7.11-3), the
	// URL-safe base64 alphabet with "=" padding.
	cset64 = newCharset("-", "0-9", "A-Z", "_", "a-z", "=")
	// csetN is the numeric set.
	csetN = newCharset("0-9")
)

// contains reports whether c is in the set.
func (s *charset) contains(c byte) bool {
	return c < 128 && s[c]
}

// firstOutside returns the index of the first byte of v outside the set,
// or -1 when all bytes are inside.
func (s *charset) firstOutside(v string) int {
	for i := 0; i < len(v); i++ {
		if !s.contains(v[i]) {
			return i
		}
	}
	return -1
}
