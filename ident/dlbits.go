package ident

import (
	"fmt"
	"math/big"
	"strings"
)

// base64URL is the URL- and file-safe base64 alphabet of RFC 4648 section
// 5. Compressed Digital Links write their binary string with it, six bits
// per character, and it is also the 6-bit character encoding of AI values
// and of parameter names inside the binary string.
const base64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// base64URLIndex maps a byte to its value in base64URL, or -1.
var base64URLIndex = func() [256]int8 {
	var t [256]int8
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(base64URL); i++ {
		t[base64URL[i]] = int8(i)
	}
	return t
}()

// bitWriter collects the binary string of a compressed Digital Link, one
// byte per bit.
type bitWriter struct {
	bits []byte
}

// writeUint appends the n low bits of v, most significant first.
func (w *bitWriter) writeUint(v uint64, n int) {
	for i := n - 1; i >= 0; i-- {
		w.bits = append(w.bits, byte(v>>uint(i))&1)
	}
}

// writeBig appends v in exactly n bits, most significant first.
func (w *bitWriter) writeBig(v *big.Int, n int) {
	for i := n - 1; i >= 0; i-- {
		w.bits = append(w.bits, byte(v.Bit(i)))
	}
}

// base64 returns the binary string padded with zero bits to a multiple of
// six and written in base64URL.
func (w *bitWriter) base64() string {
	var b strings.Builder
	for i := 0; i < len(w.bits); i += 6 {
		v := 0
		for j := 0; j < 6; j++ {
			v <<= 1
			if i+j < len(w.bits) {
				v |= int(w.bits[i+j])
			}
		}
		b.WriteByte(base64URL[v])
	}
	return b.String()
}

// bitReader reads the binary string of a compressed Digital Link. Its
// errors name the bit position, counted from 0 at the first bit of the
// compressed segment.
type bitReader struct {
	bits []byte
	pos  int
}

// newBitReader decodes a base64URL string into bits.
func newBitReader(s string) (*bitReader, error) {
	r := &bitReader{bits: make([]byte, 0, 6*len(s))}
	for i := 0; i < len(s); i++ {
		v := base64URLIndex[s[i]]
		if v < 0 {
			return nil, fmt.Errorf("character %q at position %d is not in the URL-safe base64 alphabet (A-Z a-z 0-9 - _)", s[i], i+1)
		}
		for j := 5; j >= 0; j-- {
			r.bits = append(r.bits, byte(v>>uint(j))&1)
		}
	}
	return r, nil
}

// remaining returns the number of bits not yet read.
func (r *bitReader) remaining() int { return len(r.bits) - r.pos }

// need fails unless n more bits remain. field names what is being read,
// such as "AI (10) value".
func (r *bitReader) need(n int, field string) error {
	if r.remaining() < n {
		return fmt.Errorf("bit %d: %s needs %d bits, only %d remain; the compressed string is cut short", r.pos, field, n, r.remaining())
	}
	return nil
}

// readUint reads n ≤ 64 bits as an unsigned integer.
func (r *bitReader) readUint(n int, field string) (uint64, error) {
	if err := r.need(n, field); err != nil {
		return 0, err
	}
	var v uint64
	for i := 0; i < n; i++ {
		v = v<<1 | uint64(r.bits[r.pos])
		r.pos++
	}
	return v, nil
}

// readBig reads n bits as an unsigned integer of any size.
func (r *bitReader) readBig(n int, field string) (*big.Int, error) {
	if err := r.need(n, field); err != nil {
		return nil, err
	}
	v := new(big.Int)
	for i := 0; i < n; i++ {
		v.Lsh(v, 1)
		if r.bits[r.pos] == 1 {
			v.SetBit(v, 0, 1)
		}
		r.pos++
	}
	return v, nil
}

// tenPowers caches 10^n for every digit count a binary string can hold:
// up to 127, the longest parameter value.
var tenPowers = func() []*big.Int {
	p := make([]*big.Int, paramMaxLength+1)
	p[0] = big.NewInt(1)
	for i := 1; i < len(p); i++ {
		p[i] = new(big.Int).Mul(p[i-1], big.NewInt(10))
	}
	return p
}()

// digitBitsTable contains digitBits(n) for every n of tenPowers.
var digitBitsTable = func() []int {
	t := make([]int, len(tenPowers))
	for n := 1; n < len(t); n++ {
		t[n] = new(big.Int).Sub(tenPowers[n], big.NewInt(1)).BitLen()
	}
	return t
}()

// digitBits returns the number of bits that hold every n-digit decimal
// number: the bit length of 10^n − 1, which is ⌈n·log2 10⌉ for n ≥ 1
// (47 bits for the 14 digits of a GTIN).
func digitBits(n int) int { return digitBitsTable[n] }

// maxUint64Digits is the largest digit count whose numbers fit a uint64.
const maxUint64Digits = 19

// lengthBits returns the width of the length indicator of a value of at
// most max characters: the bit length of max (5 bits for 20 characters).
func lengthBits(max int) int {
	n := 0
	for ; max > 0; max >>= 1 {
		n++
	}
	return n
}
