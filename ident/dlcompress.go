package ident

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// Compressed GS1 Digital Link URIs, which GS1-Conformant resolvers must
// accept: the AI element string of a Digital Link is written as a binary
// string, and that string as one URL-safe base64 path segment after the
// URI stem, as in https://id.gs1.org/ARHKVAdpQg for
// https://id.gs1.org/01/09780345418913.
//
// The binary string is a sequence of
//
//   - an AI, its digits as 4-bit nibbles (the first two digits fix the
//     AI's length), followed by its value (see dlformat.go);
//   - an optimisation code, one byte whose hex digits are not both
//     decimal, standing for a sequence of AIs, followed by their values;
//   - a non-GS1 query parameter: the 4 bits 1111, the name's length in 7
//     bits, the name in 6-bit base64, then the value as an alphanumeric
//     part with a 7-bit length indicator.
//
// Zero bits pad the string to a multiple of six.
//
// NOTE: this layout reproduces the compressed examples GS1 publishes and
// those of other encoders (see dlcompress_test.go). No published example
// uses an optimisation code, so the codes' layout (the values of the
// sequence's AIs one after another) is checked only against the openepcis
// Java port of GS1's compression prototype.

// optimisationCodes maps the one-byte optimisation codes to the AI
// sequences they stand for.
//
// NOTE: the entries are the optimisation table of GS1's compression
// prototype as Solidsoft Reply's Gs1DigitalLinkLib (2025) reproduces it.
// Codes that later GS1 releases add are rejected as unknown.
var optimisationCodes = map[byte][]string{
	0x0A: {"01", "22"}, 0x0B: {"01", "10"}, 0x0C: {"01", "21"}, 0x0D: {"01", "17"},
	0x0E: {"01", "7003"}, 0x0F: {"01", "30"},
	0x1A: {"01", "10", "21", "17"}, 0x1B: {"01", "15"}, 0x1C: {"01", "11"},
	0x1D: {"01", "16"}, 0x1E: {"01", "91"}, 0x1F: {"01", "10", "15"},
	0x2A: {"01", "3100"}, 0x2B: {"01", "3101"}, 0x2C: {"01", "3102"},
	0x2D: {"01", "3103"}, 0x2E: {"01", "3104"}, 0x2F: {"01", "3105"},
	0x3A: {"01", "3200"}, 0x3B: {"01", "3201"}, 0x3C: {"01", "3202"},
	0x3D: {"01", "3203"}, 0x3E: {"01", "3204"}, 0x3F: {"01", "3205"},
	0x9A: {"8010", "8011"}, 0x9B: {"8017", "8019"}, 0x9C: {"8018", "8019"},
	0x9D: {"414", "254"},
	0xA0: {"01", "3920"}, 0xA1: {"01", "3921"}, 0xA2: {"01", "3922"},
	0xA3: {"01", "3923"}, 0xA4: {"01", "3924"}, 0xA5: {"01", "3925"},
	0xA6: {"01", "3926"}, 0xA7: {"01", "3927"}, 0xA8: {"01", "3928"},
	0xA9: {"01", "3929"},
	0xC0: {"255", "3900"}, 0xC1: {"255", "3901"}, 0xC2: {"255", "3902"},
	0xC3: {"255", "3903"}, 0xC4: {"255", "3904"}, 0xC5: {"255", "3905"},
	0xC6: {"255", "3906"}, 0xC7: {"255", "3907"}, 0xC8: {"255", "3908"},
	0xC9: {"255", "3909"},
	0xCA: {"255", "3940"}, 0xCB: {"255", "3941"}, 0xCC: {"255", "3942"},
	0xCD: {"255", "3943"},
}

// optimisationOrder lists the optimisation codes in the order in which
// compression tries them: by descending number of AI digits the code
// replaces, as GS1's prototype chooses, then by ascending code.
var optimisationOrder = func() []byte {
	codes := make([]byte, 0, len(optimisationCodes))
	for c := range optimisationCodes {
		codes = append(codes, c)
	}
	digits := func(code byte) int {
		return len(strings.Join(optimisationCodes[code], ""))
	}
	sort.Slice(codes, func(i, j int) bool {
		if a, b := digits(codes[i]), digits(codes[j]); a != b {
			return a > b
		}
		return codes[i] < codes[j]
	})
	return codes
}()

// aiLengthByPrefix maps the first two digits of an AI to the AI's length
// (GS1 General Specifications 3.2: the first two digits fix it).
var aiLengthByPrefix = func() map[string]int {
	m := map[string]int{}
	for i := range aiTable {
		m[aiTable[i].AI[:2]] = len(aiTable[i].AI)
	}
	return m
}()

// paramMaxLength is the largest name or value length of a non-GS1 query
// parameter that fits its 7-bit length indicator.
const paramMaxLength = 127

// CompressOptions selects the variants of the compressed form.
type CompressOptions struct {
	// Optimise writes the AI sequences of the optimisation table, such as
	// GTIN with batch/lot, as one-byte codes.
	Optimise bool
	// UncompressedKey keeps the primary key readable in the path and
	// compresses only what follows it, as in
	// https://id.gs1.org/01/05412345000013/EEarwSM.
	UncompressedKey bool
	// CompressParams moves the other query parameters, such as linkType,
	// into the binary string too. A parameter fits when its name is all
	// URL-safe base64 characters, its value contains no character that must
	// be percent-encoded in a query (escapes such as %20 are fine), and
	// both are at most 127 characters long. When one parameter does not
	// fit, all stay in the query string, so that their order is kept.
	CompressParams bool
}

// CompressDigitalLink writes a Digital Link in the compressed form on the
// same host and path prefix. The primary key, key qualifiers and data
// attributes go into the binary string. Other query parameters stay in
// the query string unless opts.CompressParams is set. The fragment stays
// as it is. DecompressDigitalLink reverses it, with one change: the
// binary string does not record where an AI stood, so a key qualifier
// given as a query attribute, as in /01/{gtin}?10={lot}, comes back in the
// path.
func CompressDigitalLink(dl *DigitalLink, opts CompressOptions) (string, error) {
	stem := dl.Scheme + "://" + dl.Host + dl.PathPrefix
	elems := dl.Elements()
	if opts.UncompressedKey {
		stem = formatDL(stem, elems[:1])
		elems = elems[1:]
	}

	var w bitWriter
	if opts.Optimise {
		var err error
		if elems, err = w.writeOptimised(elems); err != nil {
			return "", fmt.Errorf("compress Digital Link %s: %w", dl, err)
		}
	}
	for _, e := range elems {
		w.writeAI(e.AI)
		if err := w.writeValue(e.AI, e.Value); err != nil {
			return "", fmt.Errorf("compress Digital Link %s: %w", dl, err)
		}
	}

	packParams := opts.CompressParams
	for _, p := range dl.Params {
		packParams = packParams && compressibleParam(p)
	}
	var query []string
	for _, p := range dl.Params {
		if packParams {
			w.writeParam(p)
			continue
		}
		query = append(query, formatParam(p))
	}

	var b strings.Builder
	b.WriteString(stem)
	if len(w.bits) > 0 {
		b.WriteByte('/')
		b.WriteString(w.base64())
	}
	if len(query) > 0 {
		b.WriteByte('?')
		b.WriteString(strings.Join(query, "&"))
	}
	if dl.Fragment != "" {
		b.WriteByte('#')
		b.WriteString(dl.Fragment)
	}
	return b.String(), nil
}

// writeAI appends an AI's digits as 4-bit nibbles.
func (w *bitWriter) writeAI(ai string) {
	for i := 0; i < len(ai); i++ {
		w.writeUint(uint64(ai[i]-'0'), 4)
	}
}

// writeOptimised writes, one after another, the first code of
// optimisationOrder whose AIs are all among the elements left, and
// returns the elements that no code covers.
func (w *bitWriter) writeOptimised(elems []Element) ([]Element, error) {
	rest := append([]Element(nil), elems...)
	for {
		code, taken := bestOptimisation(rest)
		if taken == nil {
			return rest, nil
		}
		w.writeUint(uint64(code), 8)
		for _, ai := range optimisationCodes[code] {
			if err := w.writeValue(ai, rest[taken[ai]].Value); err != nil {
				return nil, err
			}
		}
		kept := rest[:0]
		for i, e := range rest {
			if j, used := taken[e.AI]; !used || j != i {
				kept = append(kept, e)
			}
		}
		rest = kept
	}
}

// bestOptimisation returns the first code in optimisationOrder whose AIs
// all occur in elems, with the index of each of its AIs, or nil.
func bestOptimisation(elems []Element) (byte, map[string]int) {
	index := make(map[string]int, len(elems))
	for i, e := range elems {
		if _, dup := index[e.AI]; !dup {
			index[e.AI] = i
		}
	}
	for _, code := range optimisationOrder {
		taken := map[string]int{}
		for _, ai := range optimisationCodes[code] {
			i, ok := index[ai]
			if !ok {
				taken = nil
				break
			}
			taken[ai] = i
		}
		if taken != nil {
			return code, taken
		}
	}
	return 0, nil
}

// compressibleParam reports whether a query parameter fits the binary
// string: a base64 name and a value of at most 127 characters that
// escapeQueryValue leaves as it is.
func compressibleParam(p QueryParam) bool {
	if p.Name == "" || len(p.Name) > paramMaxLength || len(p.Value) > paramMaxLength {
		return false
	}
	return base64Set.firstOutside(p.Name) < 0 && queryLiteral.firstOutside(p.Value) < 0
}

// writeParam appends a non-GS1 query parameter; see compressibleParam.
func (w *bitWriter) writeParam(p QueryParam) {
	w.writeUint(0xF, 4)
	w.writeUint(uint64(len(p.Name)), 7)
	for i := 0; i < len(p.Name); i++ {
		w.writeUint(uint64(base64URLIndex[p.Name[i]]), 6)
	}
	// compressibleParam has checked that the value encodes.
	_ = w.writeText(p.Value, lengthBits(paramMaxLength))
}

// formatParam writes a query parameter as QueryParam stores it. A bare
// "=" keeps its equals sign, so that it still parses as a parameter.
func formatParam(p QueryParam) string {
	if p.Value == "" && p.Name != "" {
		return p.Name
	}
	return p.Name + "=" + p.Value
}

// decodedLink is the content of a compressed segment.
type decodedLink struct {
	elems  []Element
	params []QueryParam
}

// decodeCompressed reads a compressed segment. Errors name the bit
// position, counted from 0 at the segment's first bit.
func decodeCompressed(segment string) (*decodedLink, error) {
	r, err := newBitReader(segment)
	if err != nil {
		return nil, err
	}
	out := &decodedLink{}
	for r.remaining() >= 8 {
		start := r.pos
		if r.bits[r.pos]&r.bits[r.pos+1]&r.bits[r.pos+2]&r.bits[r.pos+3] == 1 {
			r.pos += 4
			p, err := r.readParam()
			if err != nil {
				return nil, err
			}
			out.params = append(out.params, p)
			continue
		}
		header, _ := r.readUint(8, "header")
		hi, lo := header>>4, header&15
		if hi > 9 || lo > 9 {
			seq, ok := optimisationCodes[byte(header)]
			if !ok {
				return nil, fmt.Errorf("bit %d: byte %02X is neither the start of an AI nor a known optimisation code", start, header)
			}
			for _, ai := range seq {
				v, err := r.readValue(ai)
				if err != nil {
					return nil, err
				}
				out.elems = append(out.elems, Element{ai, v})
			}
			continue
		}
		ai, err := r.readAI(start, fmt.Sprintf("%d%d", hi, lo))
		if err != nil {
			return nil, err
		}
		v, err := r.readValue(ai)
		if err != nil {
			return nil, err
		}
		out.elems = append(out.elems, Element{ai, v})
	}
	if len(out.elems) == 0 && len(out.params) == 0 {
		return nil, fmt.Errorf("bit %d: the binary string contains no AI and no query parameter", r.pos)
	}
	for i := r.pos; i < len(r.bits); i++ {
		if r.bits[i] != 0 {
			return nil, fmt.Errorf("bit %d: the %d bits after the last element must be zero padding", r.pos, r.remaining())
		}
	}
	return out, nil
}

// readAI reads the digits of an AI after its first two, prefix.
func (r *bitReader) readAI(start int, prefix string) (string, error) {
	n, ok := aiLengthByPrefix[prefix]
	if !ok {
		return "", fmt.Errorf("bit %d: no GS1 Application Identifier starts with %s", start, prefix)
	}
	ai := prefix
	for len(ai) < n {
		at := r.pos
		d, err := r.readUint(4, "AI "+ai+"…")
		if err != nil {
			return "", err
		}
		if d > 9 {
			return "", fmt.Errorf("bit %d: nibble %X of AI %s… is not a decimal digit", at, d, ai)
		}
		ai += string(rune('0' + d))
	}
	if _, ok := compressionFormats[ai]; !ok {
		return "", fmt.Errorf("bit %d: AI (%s) is not a known GS1 Application Identifier", start, ai)
	}
	return ai, nil
}

// readParam reads a non-GS1 query parameter after its 1111 marker.
func (r *bitReader) readParam() (QueryParam, error) {
	start := r.pos
	n, err := r.readUint(7, "parameter name length")
	if err != nil {
		return QueryParam{}, err
	}
	if n == 0 {
		return QueryParam{}, fmt.Errorf("bit %d: a query parameter has an empty name", start)
	}
	var name strings.Builder
	for i := uint64(0); i < n; i++ {
		v, err := r.readUint(6, "parameter name")
		if err != nil {
			return QueryParam{}, err
		}
		name.WriteByte(base64URL[v])
	}
	value, err := r.readText(paramMaxLength, false, "parameter "+name.String()+" value")
	if err != nil {
		return QueryParam{}, err
	}
	return QueryParam{Name: name.String(), Value: escapeQueryValue(value)}, nil
}

// queryLiteral lists the bytes a query parameter value keeps literally
// when it comes out of a binary string. "%" is among them, so values that
// other encoders wrote already escaped keep their escapes.
var queryLiteral = newCharset("-.", "0-9", "A-Z", "_", "a-z", "~!$'()*+,;:@/?%")

// escapeQueryValue percent-encodes the bytes of a decoded parameter value
// that would end or split the query string, such as "&", "=" and "#".
func escapeQueryValue(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if c := v[i]; !queryLiteral.contains(c) {
			b.WriteByte('%')
			b.WriteByte(upperHex[c>>4])
			b.WriteByte(upperHex[c&15])
			continue
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// DecompressDigitalLink returns the uncompressed form of a compressed
// GS1 Digital Link URI on any host and under any path prefix, such as
// https://example.com/shop/AQnYUc1gmiCNV4JG. It also takes partly
// compressed links, whose primary key stays readable before the compressed
// segment, such as https://example.com/01/05412345000013/EEarwSM.
//
// The result has the same scheme, host and path prefix, the primary key
// and its qualifiers in the path in the standard's order, the other AIs
// as query attributes in the order of the binary string, then the
// compressed non-GS1 parameters, the query string of uri and its
// fragment. The result is checked as ParseDigitalLink checks any Digital
// Link. A URI whose path already contains an uncompressed Digital Link is
// an error. So is a corrupt segment, and the error names the segment and
// the bit position where decoding failed.
func DecompressDigitalLink(uri string) (string, error) {
	full, err := decompressDigitalLink(uri)
	if err != nil {
		return "", err
	}
	if _, err := ParseDigitalLink(full); err != nil {
		return "", fmt.Errorf("compressed Digital Link %q expands to %s: %w", uri, full, err)
	}
	return full, nil
}

// decompressDigitalLink builds the uncompressed URI without checking the
// values against the AI table.
func decompressDigitalLink(uri string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%w: %q is no http(s) URI with a host", ErrInvalid, uri)
	}
	var probe DigitalLink
	if probe.parsePath(uri, rawPath(uri)) == nil {
		return "", fmt.Errorf("%w: %q is an uncompressed Digital Link", ErrInvalid, uri)
	}
	segs := splitPath(rawPath(uri))
	if len(segs) == 0 {
		return "", fmt.Errorf("%w: %q has no path segment to decompress", ErrInvalid, uri)
	}

	segment := segs[len(segs)-1]
	decoded, err := decodeCompressed(segment)
	if err != nil {
		return "", &compressedError{uri, segment, err}
	}
	prefix := segs[:len(segs)-1]
	elems := decoded.elems
	// Only a binary string without primary key continues a key left
	// uncompressed in the path.
	if n := len(prefix); n >= 2 && !hasPrimaryKey(elems) {
		if d, ok := LookupAI(pathAI(prefix[n-2])); ok && d.PrimaryKey {
			v, err := percentDecode(prefix[n-1])
			if err != nil {
				return "", fmt.Errorf("Digital Link %q: AI (%s): %w", uri, d.AI, err)
			}
			elems = append([]Element{{d.AI, v}}, elems...)
			prefix = prefix[:n-2]
		}
	}
	key, quals, attrs, err := arrangeElements(elems)
	if err != nil {
		return "", &compressedError{uri, segment, err}
	}

	var b strings.Builder
	base := uriOrigin(uri)
	if len(prefix) > 0 {
		base += "/" + strings.Join(prefix, "/")
	}
	b.WriteString(formatDL(base, append([]Element{key}, quals...)))
	sep := byte('?')
	add := func(part string) {
		b.WriteByte(sep)
		b.WriteString(part)
		sep = '&'
	}
	for _, a := range attrs {
		add(a.AI + "=" + encodeDLValue(a.Value))
	}
	for _, p := range decoded.params {
		add(formatParam(p))
	}
	if u.RawQuery != "" {
		add(u.RawQuery)
	}
	if f := u.EscapedFragment(); f != "" {
		b.WriteByte('#')
		b.WriteString(f)
	}
	return b.String(), nil
}

// compressedError reports a compressed segment that does not decode.
type compressedError struct {
	uri, segment string
	reason       error
}

func (e *compressedError) Error() string {
	return fmt.Sprintf("%v: compressed Digital Link %q: segment %q: %v", ErrInvalid, e.uri, e.segment, e.reason)
}

func (e *compressedError) Unwrap() error { return ErrInvalid }

// uriOrigin returns the scheme and authority at the start of uri as
// written, such as "https://example.com:8443".
func uriOrigin(uri string) string {
	i := strings.Index(uri, "//") + 2
	if end := strings.IndexAny(uri[i:], "/?#"); end >= 0 {
		return uri[:i+end]
	}
	return uri
}

func hasPrimaryKey(elems []Element) bool {
	for _, e := range elems {
		if d, ok := LookupAI(e.AI); ok && d.PrimaryKey {
			return true
		}
	}
	return false
}

// arrangeElements splits decoded elements into the one primary key, its
// qualifiers in the order of the key's qualifier sequence that contains the
// most of them, and the data attributes in their decoded order.
func arrangeElements(elems []Element) (key Element, quals, attrs []Element, err error) {
	keyAt := -1
	for i, e := range elems {
		if d, ok := LookupAI(e.AI); ok && d.PrimaryKey {
			if keyAt >= 0 {
				return key, nil, nil, fmt.Errorf("it contains two primary keys, AI (%s) and AI (%s), but a Digital Link has exactly one", elems[keyAt].AI, e.AI)
			}
			keyAt = i
		}
	}
	if keyAt < 0 {
		return key, nil, nil, fmt.Errorf("it contains no primary key such as AI (01) or AI (00)")
	}
	key = elems[keyAt]
	keyDef, _ := LookupAI(key.AI)
	var best []string
	bestCount := 0
	for _, seq := range keyDef.Qualifiers {
		n := 0
		for _, e := range elems {
			if inSequence(seq, e.AI) {
				n++
			}
		}
		if n > bestCount {
			best, bestCount = seq, n
		}
	}
	for _, ai := range best {
		for _, e := range elems {
			if e.AI == ai {
				quals = append(quals, e)
			}
		}
	}
	for i, e := range elems {
		if i != keyAt && !inSequence(best, e.AI) {
			attrs = append(attrs, e)
		}
	}
	return key, quals, attrs, nil
}

// compressedCandidate returns the last path segment of uri and whether it
// has the shape of a compressed segment: URL-safe base64 characters only.
func compressedCandidate(uri string) (string, bool) {
	segs := splitPath(rawPath(uri))
	if len(segs) == 0 {
		return "", false
	}
	last := segs[len(segs)-1]
	return last, last != "" && base64Set.firstOutside(last) < 0
}
