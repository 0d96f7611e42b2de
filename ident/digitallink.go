package ident

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// DigitalLink is a parsed GS1 Digital Link URI (GS1 Digital Link standard
// 1.2, URI syntax): a primary key with its key qualifiers in the path, and
// data attributes and other parameters in the query.
type DigitalLink struct {
	// Scheme is "http" or "https".
	Scheme string
	// Host is the host name with its port, if any.
	Host string
	// PathPrefix is the part of the path before the primary key, such as
	// "/products", escaped as in the URI; "" when the key comes first.
	PathPrefix string
	// Key is the primary key, such as AI (01) with a 14-digit GTIN. A
	// GTIN-8, -12 or -13 is padded to 14 digits.
	Key Element
	// Qualifiers are the key qualifiers in path order, such as AI (10)
	// and AI (21) after a GTIN.
	Qualifiers []Element
	// Attributes are the AIs of the query string in order, such as
	// AI (17) in "?17=261231".
	Attributes []Element
	// Params are the other query parameters, such as linkType, with names
	// and values still escaped as in the URI.
	Params []QueryParam
	// Fragment is the fragment after "#", escaped as in the URI.
	Fragment string
}

// QueryParam is a query parameter of a Digital Link that is not an AI.
type QueryParam struct {
	Name, Value string
}

// dlShortNames maps the alphabetic path names of GS1 Digital Link 1.0 and
// 1.1 (deprecated in 1.2, still accepted when reading) to their AIs.
var dlShortNames = map[string]string{
	"gtin": "01", "itip": "8006", "cpid": "8010", "gln": "414", "party": "417",
	"gsrnp": "8017", "gsrn": "8018", "gcn": "255", "sscc": "00", "gdti": "253",
	"ginc": "401", "gsin": "402", "grai": "8003", "giai": "8004",
	"cpv": "22", "lot": "10", "ser": "21", "glnx": "254",
}

// pathAI returns the AI named by a path segment: the numeric AI itself or
// its deprecated alphabetic name.
func pathAI(seg string) string {
	if ai, ok := dlShortNames[seg]; ok {
		return ai
	}
	return seg
}

// ParseDigitalLink parses a GS1 Digital Link URI on any host and under any
// path prefix, such as
//
//	https://example.com/shop/01/09506000134352/10/ABC%2F1/21/12345?17=261231&linkType=gs1:pip
//
// The primary key is the first path segment that names a primary key AI
// and is followed by key-value pairs up to the end of the path; when that
// reading fails, later segments are tried. The key qualifiers must follow
// one of the key's qualifier sequences of the GS1 Barcode Syntax
// Dictionary in order. Those sequences are 22, 10, 21 or 235 after 01;
// 254 or 7040 after 414; 22, 10, 21 after 8006; 8011 after 8010; 8019
// after 8017 and 8018; 7040 after 417 and 8004; 8020 after 415.
//
// Path and query values are percent-decoded, and "+" is a literal plus
// sign. Every AI value is checked with ValidateElement, and all AIs
// together with CheckPairs.
//
// A compressed Digital Link, whose path ends in one URL-safe base64
// segment instead of AI values, is decompressed first (see
// DecompressDigitalLink) and gives the same value as its uncompressed
// form.
func ParseDigitalLink(uri string) (*DigitalLink, error) {
	dl, _, err := ParseAnyDigitalLink(uri)
	return dl, err
}

// ParseAnyDigitalLink parses a Digital Link as ParseDigitalLink does and
// also returns the uncompressed URI when uri was compressed, or "" when it
// was not.
func ParseAnyDigitalLink(uri string) (dl *DigitalLink, uncompressed string, err error) {
	dl, err = parsePlainDigitalLink(uri)
	if err == nil {
		return dl, "", nil
	}
	segment, ok := compressedCandidate(uri)
	if !ok {
		return nil, "", err
	}
	// A path prefix may look like a key-value pair, as in
	// /00/{compressed}, so a failed reading is retried compressed.
	full, derr := decompressDigitalLink(uri)
	var noKey *noKeyError
	if derr != nil && !errors.As(err, &noKey) {
		return nil, "", err
	}
	if derr != nil {
		reason := derr
		var ce *compressedError
		if errors.As(derr, &ce) {
			reason = ce.reason
		}
		return nil, "", fmt.Errorf("%w: %q is no GS1 Digital Link: its path contains no primary key AI such as /01/ followed by key-value pairs, and its last segment %q is no compressed Digital Link either: %v", ErrInvalid, uri, segment, reason)
	}
	dl, err = parsePlainDigitalLink(full)
	if err != nil {
		return nil, "", fmt.Errorf("compressed Digital Link %q expands to %s: %w", uri, full, err)
	}
	return dl, full, nil
}

// parsePlainDigitalLink parses an uncompressed Digital Link.
func parsePlainDigitalLink(uri string) (*DigitalLink, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return nil, fmt.Errorf("%w: Digital Link %q is not a valid URI: %v", ErrInvalid, uri, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: Digital Link %q must start with https:// or http://", ErrInvalid, uri)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%w: Digital Link %q has no host", ErrInvalid, uri)
	}
	dl := &DigitalLink{Scheme: u.Scheme, Host: u.Host, Fragment: u.EscapedFragment()}
	if err := dl.parsePath(uri, rawPath(uri)); err != nil {
		return nil, err
	}
	if err := dl.parseQuery(uri, u.RawQuery); err != nil {
		return nil, err
	}
	if err := CheckPairs(dl.Elements()); err != nil {
		return nil, fmt.Errorf("Digital Link %q: %w", uri, err)
	}
	return dl, nil
}

// rawPath returns the path of an absolute URI exactly as written, with its
// escapes, so that each segment is decoded once and "+" stays literal.
func rawPath(uri string) string {
	rest := uri[strings.Index(uri, "//")+2:]
	if end := strings.IndexAny(rest, "?#"); end >= 0 {
		rest = rest[:end]
	}
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		return ""
	}
	return rest[slash:]
}

// noKeyError reports a URI without a primary key in its path.
type noKeyError struct{ uri string }

func (e *noKeyError) Error() string {
	return fmt.Sprintf("%v: %q is no GS1 Digital Link: its path contains no primary key AI such as /01/ followed by key-value pairs", ErrInvalid, e.uri)
}

func (e *noKeyError) Unwrap() error { return ErrInvalid }

func errNoKey(uri string) error { return &noKeyError{uri} }

// findKey returns the index, from start on, of the first segment that
// names a primary key and is followed by key-value pairs up to the end of
// the path, or -1.
func findKey(segs []string, start int) int {
	for i := start; i+1 < len(segs); i++ {
		if (len(segs)-i)%2 != 0 {
			continue
		}
		if d, ok := LookupAI(pathAI(segs[i])); ok && d.PrimaryKey {
			return i
		}
	}
	return -1
}

func splitPath(path string) []string {
	path = strings.TrimSuffix(path, "/")
	if path == "" {
		return nil
	}
	return strings.Split(strings.TrimPrefix(path, "/"), "/")
}

func (dl *DigitalLink) parsePath(uri, path string) error {
	segs := splitPath(path)
	// Try each segment that could start the key-value pairs, left to
	// right, so that a path prefix may itself look like an AI. The error
	// of the first candidate is the one reported.
	var firstErr error
	for k := findKey(segs, 0); k >= 0; k = findKey(segs, k+1) {
		elems, err := parsePairs(uri, segs[k:])
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if k > 0 {
			dl.PathPrefix = "/" + strings.Join(segs[:k], "/")
		}
		dl.Key = elems[0]
		if len(elems) > 1 {
			dl.Qualifiers = elems[1:]
		}
		return nil
	}
	if firstErr != nil {
		return firstErr
	}
	return errNoKey(uri)
}

// parsePairs reads a primary key and its qualifiers from the path
// segments that start with the key's AI.
func parsePairs(uri string, segs []string) ([]Element, error) {
	keyDef, _ := LookupAI(pathAI(segs[0]))
	var elems []Element
	for i := 0; i < len(segs); i += 2 {
		ai := pathAI(segs[i])
		value, err := percentDecode(segs[i+1])
		if err != nil {
			return nil, fmt.Errorf("Digital Link %q: AI (%s): %w", uri, ai, err)
		}
		if ai == "01" {
			g, err := ParseGTIN(value)
			if err != nil {
				return nil, fmt.Errorf("Digital Link %q: AI (01): %w", uri, err)
			}
			value = g.GTIN14()
		}
		if err := ValidateElement(ai, value); err != nil {
			return nil, fmt.Errorf("Digital Link %q: %w", uri, err)
		}
		elems = append(elems, Element{ai, value})
	}
	if err := checkQualifierOrder(keyDef, elems[1:]); err != nil {
		return nil, fmt.Errorf("%w: Digital Link %q: %v", ErrInvalid, uri, err)
	}
	return elems, nil
}

// checkQualifierOrder checks that the qualifiers follow one of the key's
// qualifier sequences in order. Each position of a sequence takes one
// qualifier, so a repeated AI counts as out of order.
func checkQualifierOrder(key *AIDefinition, quals []Element) error {
	if len(quals) == 0 {
		return nil
	}
	if len(key.Qualifiers) == 0 {
		return fmt.Errorf("primary key AI (%s) takes no key qualifiers, got AI (%s); put data attributes in the query string", key.AI, quals[0].AI)
	}
	var firstErr error
	for _, seq := range key.Qualifiers {
		err := followsSequence(key.AI, seq, quals)
		if err == nil {
			return nil
		}
		if firstErr == nil || inSequence(seq, quals[0].AI) {
			firstErr = err
		}
	}
	return firstErr
}

func inSequence(seq []string, ai string) bool {
	for _, s := range seq {
		if s == ai {
			return true
		}
	}
	return false
}

func followsSequence(keyAI string, seq []string, quals []Element) error {
	next := 0
	for i, q := range quals {
		pos := -1
		for j, s := range seq {
			if s == q.AI {
				pos = j
				break
			}
		}
		if pos < 0 {
			return fmt.Errorf("AI (%s) is not a key qualifier of AI (%s) here; allowed in order: %s", q.AI, keyAI, strings.Join(seq, ", "))
		}
		if pos < next {
			return fmt.Errorf("key qualifiers out of order: AI (%s) must come before AI (%s); the order after AI (%s) is %s", q.AI, quals[i-1].AI, keyAI, strings.Join(seq, ", "))
		}
		next = pos + 1
	}
	return nil
}

func (dl *DigitalLink) parseQuery(uri, raw string) error {
	if raw == "" {
		return nil
	}
	seen := map[string]bool{}
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		d, ok := LookupAI(name)
		if !ok {
			dl.Params = append(dl.Params, QueryParam{name, value})
			continue
		}
		v, err := percentDecode(value)
		if err != nil {
			return fmt.Errorf("Digital Link %q: query AI (%s): %w", uri, name, err)
		}
		if d.PrimaryKey {
			return fmt.Errorf("%w: Digital Link %q: AI (%s) is a primary key and belongs in the path, not the query", ErrInvalid, uri, name)
		}
		if !d.DLAttribute {
			return fmt.Errorf("%w: Digital Link %q: AI (%s) is not allowed as a data attribute in the query; a key qualifier belongs in the path", ErrInvalid, uri, name)
		}
		if err := d.Validate(v); err != nil {
			return fmt.Errorf("Digital Link %q: query: %w", uri, err)
		}
		if seen[name] {
			return fmt.Errorf("%w: Digital Link %q: AI (%s) appears twice in the query", ErrInvalid, uri, name)
		}
		seen[name] = true
		dl.Attributes = append(dl.Attributes, Element{name, v})
	}
	return nil
}

// Elements returns the primary key, the key qualifiers and the data
// attributes as one element list.
func (dl *DigitalLink) Elements() []Element {
	out := make([]Element, 0, 1+len(dl.Qualifiers)+len(dl.Attributes))
	out = append(out, dl.Key)
	out = append(out, dl.Qualifiers...)
	return append(out, dl.Attributes...)
}

// String formats the Digital Link with its host, path prefix, key,
// qualifiers, attributes, other parameters and fragment. Values are
// percent-encoded as the GS1 Digital Link standard requires.
func (dl *DigitalLink) String() string {
	var b strings.Builder
	b.WriteString(formatDL(dl.Scheme+"://"+dl.Host+dl.PathPrefix, append([]Element{dl.Key}, dl.Qualifiers...)))
	sep := byte('?')
	for _, a := range dl.Attributes {
		b.WriteByte(sep)
		b.WriteString(a.AI)
		b.WriteByte('=')
		b.WriteString(encodeDLValue(a.Value))
		sep = '&'
	}
	for _, p := range dl.Params {
		b.WriteByte(sep)
		b.WriteString(p.Name)
		if p.Value != "" {
			b.WriteByte('=')
			b.WriteString(p.Value)
		}
		sep = '&'
	}
	if dl.Fragment != "" {
		b.WriteByte('#')
		b.WriteString(dl.Fragment)
	}
	return b.String()
}

// CanonicalURI returns the canonical form of the identifier the Digital
// Link names: https://id.gs1.org with the key and its qualifiers, without
// the query. As in the CBV 2.0 event hash, a consumer product variant
// (AI 22) is dropped. The batch/lot (AI 10) is dropped when a serial
// number (AI 21) identifies the instance, so that every spelling of one
// object has one canonical form.
func (dl *DigitalLink) CanonicalURI() string {
	return formatDL(canonicalHost, canonicalElements(dl.Key, dl.Qualifiers))
}

// canonicalElements keeps the key and the qualifiers that identify the
// object: 22 goes, and 10 goes when 21 is present.
func canonicalElements(key Element, quals []Element) []Element {
	hasSerial := false
	for _, q := range quals {
		if q.AI == "21" {
			hasSerial = true
		}
	}
	out := []Element{key}
	for _, q := range quals {
		if q.AI == "22" || (q.AI == "10" && hasSerial) {
			continue
		}
		out = append(out, q)
	}
	return out
}
