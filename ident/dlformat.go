package ident

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// The binary encoding of AI values in compressed GS1 Digital Link URIs.
// Each AI value is split into the parts of its format:
//
//   - a fixed-length numeric part is one unsigned integer of ⌈n·log2 10⌉
//     bits (47 bits for a GTIN, check digit included);
//   - a variable-length numeric part is a length indicator, as wide as the
//     bit length of the maximum length, then the integer of that many
//     digits;
//   - an alphanumeric part is a 3-bit encoding indicator, then (unless its
//     length is fixed) a length indicator, then the characters in the
//     encoding the indicator names.

// valuePart is one part of an AI value's format.
type valuePart struct {
	numeric bool
	// fixed marks a part of exactly max characters, written without
	// length indicator.
	fixed bool
	max   int
}

// valueFormat is the compression format of one AI's value.
type valueFormat []valuePart

// compressionFormats maps each AI of the AI table to its format.
var compressionFormats = func() map[string]valueFormat {
	m := make(map[string]valueFormat, len(aiTable))
	for i := range aiTable {
		m[aiTable[i].AI] = formatOf(&aiTable[i])
	}
	return m
}()

// formatOf derives an AI's compression format from its components, the
// way the GS1 General Specifications write AI formats. Consecutive
// fixed-length numeric components form one numeric part, so N1+N13 of AI
// 8003 is N14. Consecutive fixed-length alphanumeric components form one
// alphanumeric part, so X1+X1+X1 of AI 7040 is X3. Trailing optional
// numeric components form one variable-length numeric part, so [N2][N2]
// of AI 8008 is N..4.
//
// NOTE: where the General Specifications write a numeric format as
// "N6..12" (AI 7007), this gives N6 followed by N..6, so such values are
// written with a different split than encoders that read the format as
// N..12; each form decodes only with the matching table.
func formatOf(d *AIDefinition) valueFormat {
	var f valueFormat
	// lastOptional marks a last part that began with an optional
	// component.
	lastOptional := false
	for _, c := range d.Components {
		numeric := c.Charset == Numeric
		fixed := c.Min == c.Max && !c.Optional
		if n := len(f); n > 0 {
			prev := &f[n-1]
			if fixed && prev.fixed && prev.numeric == numeric {
				prev.max += c.Max
				continue
			}
			if numeric && c.Optional && lastOptional && prev.numeric {
				prev.max += c.Max
				continue
			}
		}
		f = append(f, valuePart{numeric: numeric, fixed: fixed, max: c.Max})
		lastOptional = c.Optional
	}
	return f
}

// split cuts a value into the parts of the format. The variable-length
// part, if any, is the last one and takes field the fixed parts leave; an
// empty string is an optional part that is absent.
func (f valueFormat) split(ai, value string) ([]string, error) {
	out := make([]string, len(f))
	rest := value
	for i, p := range f {
		if p.fixed {
			if len(rest) < p.max {
				return nil, fmt.Errorf("%w: AI (%s) value %q is too short for its format", ErrInvalid, ai, value)
			}
			out[i], rest = rest[:p.max], rest[p.max:]
			continue
		}
		if i != len(f)-1 {
			return nil, fmt.Errorf("%w: AI (%s) has a variable-length part before its last part and cannot be compressed", ErrInvalid, ai)
		}
		if len(rest) > p.max {
			return nil, fmt.Errorf("%w: AI (%s) value %q is too long for its format", ErrInvalid, ai, value)
		}
		out[i], rest = rest, ""
	}
	if rest != "" {
		return nil, fmt.Errorf("%w: AI (%s) value %q is too long for its format", ErrInvalid, ai, value)
	}
	return out, nil
}

// Encoding indicators of alphanumeric parts, 3 bits each.
const (
	encNumeric  = 0 // digits, as one integer of ⌈n·log2 10⌉ bits
	encHexLower = 1 // 0-9 a-f, 4 bits each
	encHexUpper = 2 // 0-9 A-F, 4 bits each
	encBase64   = 3 // the URL-safe base64 alphabet, 6 bits each
	encASCII    = 4 // 7-bit ASCII, 7 bits each
)

var (
	hexLowerSet = newCharset("0-9", "a-f")
	hexUpperSet = newCharset("0-9", "A-F")
	base64Set   = newCharset("-", "0-9", "A-Z", "_", "a-z")
)

// chooseEncoding returns the encoding indicator that writes s in the
// fewest bits: numeric for digits, then upper- and lower-case hex, base64
// and 7-bit ASCII. An empty string takes 7-bit ASCII.
func chooseEncoding(s string) (int, error) {
	switch {
	case s == "":
		return encASCII, nil
	case isDigits(s):
		return encNumeric, nil
	case hexUpperSet.firstOutside(s) < 0:
		return encHexUpper, nil
	case hexLowerSet.firstOutside(s) < 0:
		return encHexLower, nil
	case base64Set.firstOutside(s) < 0:
		return encBase64, nil
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return 0, fmt.Errorf("%w: %q: byte 0x%02X at position %d is not 7-bit ASCII", ErrInvalid, s, s[i], i+1)
		}
	}
	return encASCII, nil
}

// writeDigits appends a string of digits as one integer of digitBits bits.
func (w *bitWriter) writeDigits(s string) {
	if len(s) <= maxUint64Digits {
		v, _ := strconv.ParseUint("0"+s, 10, 64)
		w.writeUint(v, digitBits(len(s)))
		return
	}
	v, _ := new(big.Int).SetString(s, 10)
	w.writeBig(v, digitBits(len(s)))
}

// writeText appends an alphanumeric part: the encoding indicator, the
// length indicator of lenBits bits (none when lenBits is 0), then the
// characters.
func (w *bitWriter) writeText(s string, lenBits int) error {
	enc, err := chooseEncoding(s)
	if err != nil {
		return err
	}
	w.writeUint(uint64(enc), 3)
	if lenBits > 0 {
		w.writeUint(uint64(len(s)), lenBits)
	}
	switch enc {
	case encNumeric:
		w.writeDigits(s)
	case encHexLower, encHexUpper:
		for i := 0; i < len(s); i++ {
			w.writeUint(uint64(unhex(s[i])), 4)
		}
	case encBase64:
		for i := 0; i < len(s); i++ {
			w.writeUint(uint64(base64URLIndex[s[i]]), 6)
		}
	default:
		for i := 0; i < len(s); i++ {
			w.writeUint(uint64(s[i]), 7)
		}
	}
	return nil
}

// writeValue appends an AI value in the AI's format.
func (w *bitWriter) writeValue(ai, value string) error {
	f, ok := compressionFormats[ai]
	if !ok {
		return fmt.Errorf("%w: unknown AI (%s)", ErrInvalid, ai)
	}
	parts, err := f.split(ai, value)
	if err != nil {
		return err
	}
	for i, p := range f {
		s := parts[i]
		switch {
		case p.numeric && !isDigits(s) && s != "":
			return fmt.Errorf("%w: AI (%s) value %q: part %q must be digits", ErrInvalid, ai, value, s)
		case p.numeric && p.fixed:
			w.writeDigits(s)
		case p.numeric:
			w.writeUint(uint64(len(s)), lengthBits(p.max))
			w.writeDigits(s)
		case p.fixed:
			err = w.writeText(s, 0)
		default:
			err = w.writeText(s, lengthBits(p.max))
		}
		if err != nil {
			return fmt.Errorf("AI (%s): %w", ai, err)
		}
	}
	return nil
}

// readDigits reads an integer of n digits, keeping leading zeros.
func (r *bitReader) readDigits(n int, field string) (string, error) {
	if n == 0 {
		return "", nil
	}
	start := r.pos
	var s string
	if n <= maxUint64Digits {
		v, err := r.readUint(digitBits(n), field)
		if err != nil {
			return "", err
		}
		s = strconv.FormatUint(v, 10)
	} else {
		v, err := r.readBig(digitBits(n), field)
		if err != nil {
			return "", err
		}
		s = v.String()
	}
	if len(s) > n {
		return "", fmt.Errorf("bit %d: %s: the number %s has more than %d digits", start, field, s, n)
	}
	return strings.Repeat("0", n-len(s)) + s, nil
}

// readText reads an alphanumeric part of at most max characters; fixed
// parts have no length indicator and exactly max characters.
func (r *bitReader) readText(max int, fixed bool, field string) (string, error) {
	start := r.pos
	enc, err := r.readUint(3, field+" encoding indicator")
	if err != nil {
		return "", err
	}
	if enc > encASCII {
		return "", fmt.Errorf("bit %d: %s: encoding indicator %03b is not defined; 000 to 100 are", start, field, enc)
	}
	n := max
	if !fixed {
		lenStart := r.pos
		l, err := r.readUint(lengthBits(max), field+" length")
		if err != nil {
			return "", err
		}
		if int(l) > max {
			return "", fmt.Errorf("bit %d: %s: length %d exceeds the maximum %d", lenStart, field, l, max)
		}
		n = int(l)
	}
	if enc == encNumeric {
		return r.readDigits(n, field)
	}
	var b strings.Builder
	for i := 0; i < n; i++ {
		switch enc {
		case encHexLower, encHexUpper:
			v, err := r.readUint(4, field)
			if err != nil {
				return "", err
			}
			digits := "0123456789abcdef"
			if enc == encHexUpper {
				digits = upperHex
			}
			b.WriteByte(digits[v])
		case encBase64:
			v, err := r.readUint(6, field)
			if err != nil {
				return "", err
			}
			b.WriteByte(base64URL[v])
		default:
			v, err := r.readUint(7, field)
			if err != nil {
				return "", err
			}
			b.WriteByte(byte(v))
		}
	}
	return b.String(), nil
}

// readValue reads the value of an AI in the AI's format.
func (r *bitReader) readValue(ai string) (string, error) {
	field := "AI (" + ai + ") value"
	var b strings.Builder
	for _, p := range compressionFormats[ai] {
		var s string
		var err error
		switch {
		case p.numeric && p.fixed:
			s, err = r.readDigits(p.max, field)
		case p.numeric:
			start := r.pos
			var l uint64
			l, err = r.readUint(lengthBits(p.max), field+" length")
			if err == nil && int(l) > p.max {
				err = fmt.Errorf("bit %d: %s: length %d exceeds the maximum %d", start, field, l, p.max)
			}
			if err == nil {
				s, err = r.readDigits(int(l), field)
			}
		default:
			s, err = r.readText(p.max, p.fixed, field)
		}
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}
