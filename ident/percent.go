package ident

import (
	"fmt"
	"strings"
)

const upperHex = "0123456789ABCDEF"

// dlLiteral lists the bytes written literally in a Digital Link path or
// query value: the RFC 3986 unreserved characters and the apostrophe. Every
// other byte of an AI value is percent-encoded with upper-case hex digits,
// as the GS1 Digital Link standard 1.2 (percent-encoding of AI
// values) requires for the reserved characters of CSET 82.
//
// NOTE: the standard's table lists the characters that must be encoded;
// the apostrophe is not among them, so it stays literal. The semicolon and
// the equals sign are encoded here, which is allowed, but an implementation
// that writes them literally produces a different string for the same key.
var dlLiteral = newCharset("-.", "0-9", "A-Z", "_", "a-z", "~'")

// encodeDLValue percent-encodes an AI value for a Digital Link URI.
func encodeDLValue(v string) string {
	n := 0
	for i := 0; i < len(v); i++ {
		if !dlLiteral.contains(v[i]) {
			n++
		}
	}
	if n == 0 {
		return v
	}
	var b strings.Builder
	b.Grow(len(v) + 2*n)
	for i := 0; i < len(v); i++ {
		c := v[i]
		if dlLiteral.contains(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
	}
	return b.String()
}

// unhex returns the value of a hexadecimal digit, or -1.
func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// percentDecode decodes %XX escapes. A "+" stays a literal plus sign: the
// GS1 Digital Link standard never uses "+" for a space. Callers add the
// context of the value to the error.
func percentDecode(v string) (string, error) {
	if strings.IndexByte(v, '%') < 0 {
		return v, nil
	}
	var b strings.Builder
	b.Grow(len(v))
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+2 >= len(v) || unhex(v[i+1]) < 0 || unhex(v[i+2]) < 0 {
			return "", fmt.Errorf("%w: %q: bad percent escape at position %d; write a percent sign as %%25", ErrInvalid, v, i+1)
		}
		b.WriteByte(byte(unhex(v[i+1])<<4 | unhex(v[i+2])))
		i += 2
	}
	return b.String(), nil
}

// urnEscaped lists the characters that an EPC URN component must write as
// a percent escape (TDS 2.x, Table A-1 of the EPC URI character rules):
// they have a meaning in URIs or in the EPC URN syntax.
var urnEscaped = newCharset("\"%&/<>?#")

// decodeURNComponent decodes the percent escapes of an EPC URN component
// and checks every decoded character against set (CSET 82 for most
// serial parts, CSET 39 for a CPI's part reference). Characters that the
// URN syntax reserves must arrive escaped.
func decodeURNComponent(v string, set *charset) (string, error) {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c != '%' && urnEscaped.contains(c) {
			return "", fmt.Errorf("%w: %q: character %q at position %d must be written as %%%02X", ErrInvalid, v, c, i+1, c)
		}
	}
	d, err := percentDecode(v)
	if err != nil {
		return "", err
	}
	if i := set.firstOutside(d); i >= 0 {
		return "", fmt.Errorf("%w: %q: character %q is not allowed here", ErrInvalid, v, d[i])
	}
	return d, nil
}

// encodeURNComponent writes v as an EPC URN component, escaping the
// characters of urnEscaped (TDS 2.x, Table A-1).
func encodeURNComponent(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if urnEscaped.contains(c) || c >= 128 || c <= ' ' {
			b.WriteByte('%')
			b.WriteByte(upperHex[c>>4])
			b.WriteByte(upperHex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
