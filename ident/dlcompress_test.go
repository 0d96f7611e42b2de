package ident

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// compressVectors are compressed forms worked out bit by bit. The first,
// for example, is
//
//	0000 0001                                        AI 01 as two nibbles
//	6901234000016 in 47 bits (⌈14·log2 10⌉)          the GTIN, check digit included
//	00000                                            padding to 60 bits
//
// which reads AQyNozPBIA in URL-safe base64.
var compressVectors = []struct {
	name         string
	uncompressed string
	opts         CompressOptions
	compressed   string
}{
	{"GTIN", "https://id.gs1.org/01/06901234000016", CompressOptions{}, "https://id.gs1.org/AQyNozPBIA"},
	// 01 + GTIN; 0001 0000 (AI 10), 010 (upper-case hex is not possible
	// for "L1") → 011 base64, length 00010, L=001011 1=110101; 0001 0111
	// (AI 17) and 271231 in 20 bits.
	{"GTIN lot expiry", "https://example.com/01/06901234000016/10/L1?17=271231", CompressOptions{}, "https://example.com/AQyNozPBICDEXqLoRv4"},
	// Optimisation code 0B (GTIN + batch/lot) replaces both AIs.
	{"optimised GTIN lot", "https://example.com/01/06901234000016/10/L1?17=271231", CompressOptions{Optimise: true}, "https://example.com/CwyNozPBIMReouhG_g"},
	// Code 1A (GTIN, batch/lot, serial, expiry) takes all four values in
	// its order: lot ABC as upper-case hex (010), serial 12345 as digits
	// (000).
	{"optimised GTIN lot serial expiry", "https://id.gs1.org/01/06901234000016/10/ABC/21/12345?17=271231", CompressOptions{Optimise: true}, "https://id.gs1.org/GgyNozPBIIdXgKMDlCN_"},
	{"SSCC", "https://id.gs1.org/00/069012340000000016", CompressOptions{}, "https://id.gs1.org/AA9S5bitGIEA"},
	// Serial A1b2 in base64; then 1111, name length 8 in 7 bits,
	// "linkType" in base64 and "gs1:pip" in 7-bit ASCII (100) with a 7-bit
	// length.
	{"parameters compressed", "https://id.gs1.org/01/06901234000016/21/A1b2?linkType=gs1:pip", CompressOptions{CompressParams: true}, "https://id.gs1.org/AQyNozPBIELIBq3t4iWKeRPKl6B8_Ni64aeA"},
	{"parameters kept", "https://id.gs1.org/01/06901234000016/21/A1b2?linkType=gs1:pip#top", CompressOptions{}, "https://id.gs1.org/AQyNozPBIELIBq3s?linkType=gs1:pip#top"},
	{"key uncompressed", "https://id.gs1.org/01/06901234000016/10/L1", CompressOptions{UncompressedKey: true}, "https://id.gs1.org/01/06901234000016/EGIvU"},
	// Only the parameter is compressed: 1111, length 0000010, "ab" in
	// base64, then "c" as lower-case hex (001) with a 7-bit length of 1.
	{"key uncompressed parameter compressed", "https://id.gs1.org/01/06901234000016?ab=c", CompressOptions{UncompressedKey: true, CompressParams: true}, "https://id.gs1.org/01/06901234000016/8E02QOA"},
	// GS1's published examples: the README of GS1's decompression
	// package and the GS1 Resolver CE 3.0 announcement.
	{"GS1 example GTIN", "https://id.gs1.org/01/09780345418913", CompressOptions{}, "https://id.gs1.org/ARHKVAdpQg"},
	{"GS1 example lot serial", "https://example.com/01/05392000229648/10/LOT01/21/SERIAL01", CompressOptions{}, "https://example.com/AQnO2IRCICDKWcnpqQtCQiJABemo"},
}

func TestCompressDigitalLinkVectors(t *testing.T) {
	for _, v := range compressVectors {
		t.Run(v.name, func(t *testing.T) {
			dl, err := ParseDigitalLink(v.uncompressed)
			if err != nil {
				t.Fatalf("parse %s: %v", v.uncompressed, err)
			}
			got, err := CompressDigitalLink(dl, v.opts)
			if err != nil {
				t.Fatalf("compress: %v", err)
			}
			if got != v.compressed {
				t.Errorf("compress: got %s, want %s", got, v.compressed)
			}
			back, err := DecompressDigitalLink(v.compressed)
			if err != nil {
				t.Fatalf("decompress %s: %v", v.compressed, err)
			}
			if back != v.uncompressed {
				t.Errorf("decompress: got %s, want %s", back, v.uncompressed)
			}
		})
	}
}

func TestCompressedParsesLikeUncompressed(t *testing.T) {
	for _, v := range compressVectors {
		plain, err := ParseDigitalLink(v.uncompressed)
		if err != nil {
			t.Fatalf("parse %s: %v", v.uncompressed, err)
		}
		packed, err := ParseDigitalLink(v.compressed)
		if err != nil {
			t.Fatalf("parse %s: %v", v.compressed, err)
		}
		if !reflect.DeepEqual(plain, packed) {
			t.Errorf("%s: parsed %+v, uncompressed form parses to %+v", v.compressed, packed, plain)
		}
		c1, err1 := Canonical(v.compressed)
		c2, err2 := Canonical(v.uncompressed)
		if err1 != nil || err2 != nil || c1 != c2 {
			t.Errorf("%s: canonical %q (%v), uncompressed %q (%v)", v.compressed, c1, err1, c2, err2)
		}
	}
}

func TestDecompressKeepsPrefixQueryAndPort(t *testing.T) {
	got, err := DecompressDigitalLink("http://shop.example:8080/qr/p/CwyNozPBIMReouhG_g?linkType=gs1:pip&15=270101#x")
	if err != nil {
		t.Fatal(err)
	}
	want := "http://shop.example:8080/qr/p/01/06901234000016/10/L1?17=271231&linkType=gs1:pip&15=270101#x"
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestCompressKeyAloneStaysUncompressed(t *testing.T) {
	dl, err := ParseDigitalLink("https://id.gs1.org/01/06901234000016?linkType=all")
	if err != nil {
		t.Fatal(err)
	}
	got, err := CompressDigitalLink(dl, CompressOptions{UncompressedKey: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://id.gs1.org/01/06901234000016?linkType=all"; got != want {
		t.Errorf("got %s, want %s: nothing is left to compress", got, want)
	}
}

func TestDecompressRejectsUncompressed(t *testing.T) {
	_, err := DecompressDigitalLink("https://id.gs1.org/01/06901234000016/10/ABC")
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "uncompressed") {
		t.Errorf("got %v, want an error saying the link is uncompressed", err)
	}
}

// packed returns a compressed URI on id.gs1.org whose binary string write
// builds.
func packed(write func(w *bitWriter)) string {
	var w bitWriter
	write(&w)
	return "https://id.gs1.org/" + w.base64()
}

func TestDecompressErrors(t *testing.T) {
	gtin := func(w *bitWriter) { w.writeAI("01"); w.writeDigits("06901234000016") }
	tests := []struct {
		name, uri, want string
	}{
		{"not base64", "https://id.gs1.org/AQyNozPB*A", `character '*' at position 9 is not in the URL-safe base64 alphabet`},
		{"cut short", "https://id.gs1.org/AQyNozPB", "bit 8: AI (01) value needs 47 bits, only 40 remain"},
		{"no such AI", "https://id.gs1.org/about", "bit 0: no GS1 Application Identifier starts with 69"},
		{"unknown optimisation code", "https://id.gs1.org/7g", "bit 0: byte EE is neither the start of an AI nor a known optimisation code"},
		{"padding not zero", "https://id.gs1.org/AQyNozPBIB", "bit 55: the 5 bits after the last element must be zero padding"},
		{"encoding indicator", packed(func(w *bitWriter) { gtin(w); w.writeAI("10"); w.writeUint(5, 3); w.writeUint(1, 5) }), "bit 63: AI (10) value: encoding indicator 101 is not defined"},
		{"length over maximum", packed(func(w *bitWriter) { gtin(w); w.writeAI("10"); w.writeUint(encBase64, 3); w.writeUint(21, 5) }), "bit 66: AI (10) value: length 21 exceeds the maximum 20"},
		{"number too long", packed(func(w *bitWriter) { gtin(w); w.writeAI("17"); w.writeUint(1<<20-1, 20) }), "bit 63: AI (17) value: the number 1048575 has more than 6 digits"},
		{"AI nibble", packed(func(w *bitWriter) { gtin(w); w.writeUint(0x41, 8); w.writeUint(0xB, 4) }), "bit 63: nibble B of AI 41… is not a decimal digit"},
		{"two keys", packed(func(w *bitWriter) { gtin(w); w.writeAI("00"); w.writeDigits("069012340000000016") }), "two primary keys, AI (01) and AI (00)"},
		{"no key", packed(func(w *bitWriter) { w.writeAI("17"); w.writeDigits("271231") }), "no primary key"},
		{"check digit", packed(func(w *bitWriter) { w.writeAI("01"); w.writeDigits("06901234000017") }), "check digit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecompressDigitalLink(tt.uri)
			if err == nil {
				t.Fatalf("%s: no error", tt.uri)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseDigitalLinkExplainsBadCompressedSegment(t *testing.T) {
	_, err := ParseDigitalLink("https://id.gs1.org/AQyNozPB")
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"no primary key AI", `last segment "AQyNozPB" is no compressed Digital Link`, "bit 8"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if _, err := ParseDigitalLink("https://id.gs1.org/01/06901234000017"); !errors.Is(err, ErrCheckDigit) {
		t.Errorf("uncompressed link with wrong check digit: got %v, want ErrCheckDigit", err)
	}
}

func TestCompressionFormats(t *testing.T) {
	tests := map[string]valueFormat{
		"01":   {{numeric: true, fixed: true, max: 14}},
		"10":   {{max: 20}},
		"8003": {{numeric: true, fixed: true, max: 14}, {max: 16}},
		"7040": {{numeric: true, fixed: true, max: 1}, {fixed: true, max: 3}},
		"8008": {{numeric: true, fixed: true, max: 8}, {numeric: true, max: 4}},
		"255":  {{numeric: true, fixed: true, max: 13}, {numeric: true, max: 12}},
		"3910": {{numeric: true, fixed: true, max: 3}, {numeric: true, max: 15}},
		"8006": {{numeric: true, fixed: true, max: 18}},
	}
	for ai, want := range tests {
		if got := compressionFormats[ai]; !reflect.DeepEqual(got, want) {
			t.Errorf("AI (%s): format %+v, want %+v", ai, got, want)
		}
	}
	for _, d := range AIs() {
		f := compressionFormats[d.AI]
		for i, p := range f[:len(f)-1] {
			if !p.fixed {
				t.Errorf("AI (%s): variable part %d is not the last, so values cannot be split", d.AI, i)
			}
		}
		if n, ok := aiLengthByPrefix[d.AI[:2]]; !ok || n != len(d.AI) {
			t.Errorf("AI (%s): AIs starting with %s have length %d in the prefix table", d.AI, d.AI[:2], n)
		}
	}
}

// sampleValues returns values of an AI's format: every part at its
// minimum and maximum length, in each character class the encodings
// distinguish. Values follow the format, not the AI's content rules.
func sampleValues(f valueFormat, rng *rand.Rand) []string {
	classes := []string{"0123456789", "0123456789ABCDEF", "0123456789abcdef", base64URL, "!\"%&'()*+,-./0123456789:;<=>?ABCXYZ_abcxyz"}
	var out []string
	for _, class := range classes {
		for _, long := range []bool{false, true} {
			var b strings.Builder
			for _, p := range f {
				n := p.max
				if !p.fixed && !long {
					n = rng.IntN(p.max + 1)
				}
				set := class
				if p.numeric {
					set = "0123456789"
				}
				for i := 0; i < n; i++ {
					b.WriteByte(set[rng.IntN(len(set))])
				}
			}
			out = append(out, b.String())
		}
	}
	return out
}

func TestCompressRoundTripEveryAI(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, d := range AIs() {
		for _, v := range sampleValues(compressionFormats[d.AI], rng) {
			var w bitWriter
			w.writeAI(d.AI)
			if err := w.writeValue(d.AI, v); err != nil {
				t.Errorf("AI (%s) %q: %v", d.AI, v, err)
				continue
			}
			got, err := decodeCompressed(w.base64())
			if err != nil {
				t.Errorf("AI (%s) %q: decode: %v", d.AI, v, err)
				continue
			}
			if want := []Element{{d.AI, v}}; !reflect.DeepEqual(got.elems, want) {
				t.Errorf("AI (%s): got %v, want %v", d.AI, got.elems, want)
			}
		}
	}
}

func TestCompressRoundTripOptions(t *testing.T) {
	links := []string{
		"https://id.gs1.org/01/06901234000016/22/V1/10/L%2F1/21/S-9?17=271231&3103=000189&linkType=gs1:pip",
		"https://example.com/a/b/414/6901234000016/254/EXT1?linkType=all",
		"https://id.gs1.org/8006/069012340000160102/21/1",
		"https://id.gs1.org/255/6901234000016123?3940=0150",
		"https://id.gs1.org/01/06901234000016/10/L1/21/7?17=271231&15=271130&k=%E4%B8%AD",
	}
	for _, uri := range links {
		dl, err := ParseDigitalLink(uri)
		if err != nil {
			t.Fatalf("parse %s: %v", uri, err)
		}
		for _, opts := range []CompressOptions{{}, {Optimise: true}, {UncompressedKey: true}, {Optimise: true, CompressParams: true}, {UncompressedKey: true, CompressParams: true}} {
			c, err := CompressDigitalLink(dl, opts)
			if err != nil {
				t.Errorf("%s %+v: compress: %v", uri, opts, err)
				continue
			}
			back, err := ParseDigitalLink(c)
			if err != nil {
				t.Errorf("%s %+v: parse %s: %v", uri, opts, c, err)
				continue
			}
			if !sameLink(dl, back) {
				t.Errorf("%s %+v: compressed %s parses to %+v, want %+v", uri, opts, c, back, dl)
			}
		}
	}
}

// sameLink reports whether two parsed links hold the same key, the same
// other AIs in any order and place, parameters and fragment. The binary
// string does not record whether an AI stood in the path or the query, so
// a key qualifier sent as a query attribute comes back in the path.
func sameLink(a, b *DigitalLink) bool {
	set := func(dl *DigitalLink) map[Element]bool {
		m := map[Element]bool{}
		for _, e := range dl.Elements()[1:] {
			m[e] = true
		}
		return m
	}
	return a.Scheme == b.Scheme && a.Host == b.Host && a.PathPrefix == b.PathPrefix && a.Key == b.Key &&
		reflect.DeepEqual(set(a), set(b)) && reflect.DeepEqual(a.Params, b.Params) && a.Fragment == b.Fragment
}

func TestCompressOptimisedChoosesCode(t *testing.T) {
	tests := []struct {
		uri  string
		code uint64
	}{
		{"https://id.gs1.org/01/06901234000016/10/L1/21/7?17=271231", 0x1A},
		// 0E (01 and 7003, six AI digits) replaces more digits than 0B
		// (01 and 10, four).
		{"https://id.gs1.org/01/06901234000016/10/L1?7003=2712311200", 0x0E},
		{"https://id.gs1.org/414/6901234000016/254/1", 0x9D},
	}
	for _, tt := range tests {
		dl, err := ParseDigitalLink(tt.uri)
		if err != nil {
			t.Fatal(err)
		}
		c, err := CompressDigitalLink(dl, CompressOptions{Optimise: true})
		if err != nil {
			t.Fatal(err)
		}
		r, err := newBitReader(strings.TrimPrefix(c, "https://id.gs1.org/"))
		if err != nil {
			t.Fatal(err)
		}
		if code, _ := r.readUint(8, "code"); code != tt.code {
			t.Errorf("%s: first byte %02X, want optimisation code %02X", tt.uri, code, tt.code)
		}
	}
}

func FuzzDecompressDigitalLink(f *testing.F) {
	for _, v := range compressVectors {
		f.Add(strings.TrimPrefix(strings.TrimPrefix(v.compressed, "https://id.gs1.org/"), "https://example.com/"))
	}
	f.Add("JVUqG5hJ5wA")
	f.Add("gAMJCAXukTMA")
	f.Fuzz(func(t *testing.T, segment string) {
		uri := "https://id.gs1.org/" + segment
		full, err := DecompressDigitalLink(uri)
		if err != nil {
			return
		}
		dl, err := ParseDigitalLink(full)
		if err != nil {
			t.Fatalf("%s decompresses to %s, which does not parse: %v", uri, full, err)
		}
		for _, opts := range []CompressOptions{{}, {Optimise: true, CompressParams: true}} {
			again, err := CompressDigitalLink(dl, opts)
			if err != nil {
				t.Fatalf("compress %s: %v", full, err)
			}
			back, err := ParseDigitalLink(again)
			if err != nil {
				t.Fatalf("%s: recompressed %s does not parse: %v", full, again, err)
			}
			if !sameLink(dl, back) {
				t.Fatalf("%s: recompressed %s parses to %+v, want %+v", full, again, back, dl)
			}
		}
	})
}

func BenchmarkParseCompressedDigitalLink(b *testing.B) {
	const uri = "https://example.com/AQnO2IRCICDKWcnpqQtCQiJABemo"
	for b.Loop() {
		if _, err := ParseDigitalLink(uri); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseUncompressedDigitalLink(b *testing.B) {
	const uri = "https://example.com/01/05392000229648/10/LOT01/21/SERIAL01"
	for b.Loop() {
		if _, err := ParseDigitalLink(uri); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompressDigitalLink(b *testing.B) {
	dl, err := ParseDigitalLink("https://example.com/01/05392000229648/10/LOT01/21/SERIAL01?17=271231")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := CompressDigitalLink(dl, CompressOptions{Optimise: true}); err != nil {
			b.Fatal(err)
		}
	}
}
