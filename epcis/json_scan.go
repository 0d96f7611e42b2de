package epcis

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonKind is the type of a parsed JSON value.
type jsonKind uint8

const (
	jsonString jsonKind = iota
	jsonNumber
	jsonBool
	jsonNull
	jsonObject
	jsonArray
)

func (k jsonKind) String() string {
	switch k {
	case jsonString:
		return "string"
	case jsonNumber:
		return "number"
	case jsonBool:
		return "boolean"
	case jsonNull:
		return "null"
	case jsonObject:
		return "object"
	case jsonArray:
		return "array"
	}
	return "unknown"
}

// jsonNode is one parsed JSON value with the input line it starts on.
// Object members keep their document order.
type jsonNode struct {
	kind jsonKind
	// text is the decoded string, the number literal as written, or
	// "true", "false" or "null".
	text    string
	members []jsonMember
	items   []*jsonNode
	line    int
}

// jsonMember is one member of a JSON object.
type jsonMember struct {
	key   string
	value *jsonNode
	line  int
}

// member returns the value of the member named key, or nil.
func (n *jsonNode) member(key string) *jsonNode {
	for i := range n.members {
		if n.members[i].key == key {
			return n.members[i].value
		}
	}
	return nil
}

// jsonSyntaxError reports malformed JSON with its position in the input.
type jsonSyntaxError struct {
	Line   int
	Offset int64 // byte offset from the start of the input
	Msg    string
}

func (e *jsonSyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at line %d, byte offset %d: %s", e.Line, e.Offset, e.Msg)
}

// Limits that keep one hostile document from exhausting memory or stack.
const (
	maxJSONDepth = 128
	// maxJSONValueBytes bounds one event (or header member) held in memory
	// at a time. Documents may hold any number of events.
	maxJSONValueBytes = 32 << 20
)

// jsonScanner reads JSON from a stream byte by byte, tracking the line and
// byte offset so that every error can point at its place in the input.
type jsonScanner struct {
	r    *bufio.Reader
	off  int64
	line int
	// budget is the number of bytes the value being parsed may still use.
	budget int64
	buf    []byte
}

// newJSONScanner returns a scanner over r with a read buffer of size
// bytes (at least 16, the bufio minimum).
func newJSONScanner(r io.Reader, size int) *jsonScanner {
	return &jsonScanner{r: bufio.NewReaderSize(r, size), line: 1}
}

func (s *jsonScanner) errorf(format string, args ...any) error {
	return &jsonSyntaxError{Line: s.line, Offset: s.off, Msg: fmt.Sprintf(format, args...)}
}

// readByte consumes one byte. At the end of input it returns a syntax
// error, since every caller expects more JSON.
func (s *jsonScanner) readByte() (byte, error) {
	c, err := s.r.ReadByte()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return 0, s.errorf("unexpected end of input")
		}
		return 0, fmt.Errorf("read JSON input: %w", err)
	}
	s.off++
	s.budget--
	if c == '\n' {
		s.line++
	}
	return c, nil
}

// peek skips white space and returns the next byte without consuming it.
// At the end of input it returns io.EOF.
func (s *jsonScanner) peek() (byte, error) {
	for {
		b, err := s.r.Peek(1)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 0, io.EOF
			}
			return 0, fmt.Errorf("read JSON input: %w", err)
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			if _, err := s.readByte(); err != nil {
				return 0, err
			}
		default:
			return b[0], nil
		}
	}
}

// expect consumes the next non-space byte and checks that it is want.
func (s *jsonScanner) expect(want byte) error {
	c, err := s.peek()
	if errors.Is(err, io.EOF) {
		return s.errorf("unexpected end of input, expected %q", want)
	}
	if err != nil {
		return err
	}
	if c != want {
		return s.errorf("invalid character %q, expected %q", c, want)
	}
	_, err = s.readByte()
	return err
}

// next consumes the next non-space byte, which must be one of the
// delimiters in set, and returns it.
func (s *jsonScanner) next(set string, what string) (byte, error) {
	c, err := s.peek()
	if errors.Is(err, io.EOF) {
		return 0, s.errorf("unexpected end of input, expected %s", what)
	}
	if err != nil {
		return 0, err
	}
	if strings.IndexByte(set, c) < 0 {
		return 0, s.errorf("invalid character %q, expected %s", c, what)
	}
	_, err = s.readByte()
	return c, err
}

// parseValue parses one complete JSON value into a tree.
func (s *jsonScanner) parseValue() (*jsonNode, error) {
	s.budget = maxJSONValueBytes
	return s.value(0)
}

func (s *jsonScanner) value(depth int) (*jsonNode, error) {
	if depth > maxJSONDepth {
		return nil, s.errorf("nesting deeper than %d levels", maxJSONDepth)
	}
	if s.budget < 0 {
		return nil, s.errorf("value larger than %d bytes", maxJSONValueBytes)
	}
	c, err := s.peek()
	if errors.Is(err, io.EOF) {
		return nil, s.errorf("unexpected end of input, expected a value")
	}
	if err != nil {
		return nil, err
	}
	line := s.line
	switch {
	case c == '{':
		return s.object(depth, line)
	case c == '[':
		return s.array(depth, line)
	case c == '"':
		str, err := s.str()
		if err != nil {
			return nil, err
		}
		return &jsonNode{kind: jsonString, text: str, line: line}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		num, err := s.number()
		if err != nil {
			return nil, err
		}
		return &jsonNode{kind: jsonNumber, text: num, line: line}, nil
	case c == 't':
		return s.literal("true", jsonBool, line)
	case c == 'f':
		return s.literal("false", jsonBool, line)
	case c == 'n':
		return s.literal("null", jsonNull, line)
	}
	return nil, s.errorf("invalid character %q, expected a value", c)
}

func (s *jsonScanner) object(depth, line int) (*jsonNode, error) {
	if err := s.expect('{'); err != nil {
		return nil, err
	}
	n := &jsonNode{kind: jsonObject, line: line}
	var index map[string]int
	c, err := s.peek()
	if err == nil && c == '}' {
		_, err = s.readByte()
		return n, err
	}
	for {
		keyLine := s.line
		if c, err := s.peek(); err == nil && c != '"' {
			return nil, s.errorf("invalid character %q, expected a member name in double quotes", c)
		}
		key, err := s.str()
		if err != nil {
			return nil, err
		}
		if err := s.expect(':'); err != nil {
			return nil, err
		}
		v, err := s.value(depth + 1)
		if err != nil {
			return nil, err
		}
		// A repeated member name keeps its first position and its last
		// value, as encoding/json and JSON-LD processors read it.
		if i, dup := index[key]; dup {
			n.members[i].value = v
		} else {
			if index == nil {
				index = make(map[string]int)
			}
			index[key] = len(n.members)
			n.members = append(n.members, jsonMember{key: key, value: v, line: keyLine})
		}
		c, err := s.next(",}", "',' or '}'")
		if err != nil {
			return nil, err
		}
		if c == '}' {
			return n, nil
		}
	}
}

func (s *jsonScanner) array(depth, line int) (*jsonNode, error) {
	if err := s.expect('['); err != nil {
		return nil, err
	}
	n := &jsonNode{kind: jsonArray, line: line}
	c, err := s.peek()
	if err == nil && c == ']' {
		_, err = s.readByte()
		return n, err
	}
	for {
		v, err := s.value(depth + 1)
		if err != nil {
			return nil, err
		}
		n.items = append(n.items, v)
		c, err := s.next(",]", "',' or ']'")
		if err != nil {
			return nil, err
		}
		if c == ']' {
			return n, nil
		}
	}
}

func (s *jsonScanner) literal(word string, kind jsonKind, line int) (*jsonNode, error) {
	for i := 0; i < len(word); i++ {
		c, err := s.readByte()
		if err != nil {
			return nil, err
		}
		if c != word[i] {
			return nil, s.errorf("invalid character %q in literal %s", c, word)
		}
	}
	return &jsonNode{kind: kind, text: word, line: line}, nil
}

// str parses a JSON string (RFC 8259 section 7) and returns it decoded.
func (s *jsonScanner) str() (string, error) {
	if err := s.expect('"'); err != nil {
		return "", err
	}
	s.buf = s.buf[:0]
	for {
		if s.budget < 0 {
			return "", s.errorf("value larger than %d bytes", maxJSONValueBytes)
		}
		c, err := s.readByte()
		if err != nil {
			return "", err
		}
		switch {
		case c == '"':
			if !utf8.Valid(s.buf) {
				return "", s.errorf("string is not valid UTF-8")
			}
			return string(s.buf), nil
		case c == '\\':
			if err := s.escape(); err != nil {
				return "", err
			}
		case c < 0x20:
			return "", s.errorf("control character %#02x in string; escape it", c)
		default:
			s.buf = append(s.buf, c)
		}
	}
}

func (s *jsonScanner) escape() error {
	c, err := s.readByte()
	if err != nil {
		return err
	}
	switch c {
	case '"', '\\', '/':
		s.buf = append(s.buf, c)
	case 'b':
		s.buf = append(s.buf, '\b')
	case 'f':
		s.buf = append(s.buf, '\f')
	case 'n':
		s.buf = append(s.buf, '\n')
	case 'r':
		s.buf = append(s.buf, '\r')
	case 't':
		s.buf = append(s.buf, '\t')
	case 'u':
		r, err := s.hex4()
		if err != nil {
			return err
		}
		if utf16.IsSurrogate(r) {
			r = s.lowSurrogate(r)
		}
		s.buf = utf8.AppendRune(s.buf, r)
	default:
		return s.errorf("invalid escape sequence \\%c in string", c)
	}
	return nil
}

// lowSurrogate completes a UTF-16 surrogate pair when the next escape is
// its low half. A lone surrogate becomes U+FFFD, as encoding/json does.
func (s *jsonScanner) lowSurrogate(high rune) rune {
	b, err := s.r.Peek(6)
	if err != nil || b[0] != '\\' || b[1] != 'u' {
		return utf8.RuneError
	}
	low, perr := strconv.ParseUint(string(b[2:6]), 16, 32)
	if perr != nil {
		return utf8.RuneError
	}
	r := utf16.DecodeRune(high, rune(low))
	if r == utf8.RuneError {
		return r
	}
	for range 6 {
		if _, err := s.readByte(); err != nil {
			return utf8.RuneError
		}
	}
	return r
}

func (s *jsonScanner) hex4() (rune, error) {
	var r rune
	for range 4 {
		c, err := s.readByte()
		if err != nil {
			return 0, err
		}
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, s.errorf("invalid character %q in \\u escape", c)
		}
		r = r<<4 | rune(d)
	}
	return r, nil
}

// number parses a JSON number (RFC 8259 section 6) and returns it as
// written.
func (s *jsonScanner) number() (string, error) {
	s.buf = s.buf[:0]
	digits := func() (int, error) {
		n := 0
		for {
			b, err := s.r.Peek(1)
			if err != nil || b[0] < '0' || b[0] > '9' {
				return n, nil
			}
			c, err := s.readByte()
			if err != nil {
				return n, err
			}
			s.buf = append(s.buf, c)
			n++
		}
	}
	optional := func(set string) (bool, error) {
		b, err := s.r.Peek(1)
		if err != nil || strings.IndexByte(set, b[0]) < 0 {
			return false, nil
		}
		c, err := s.readByte()
		if err != nil {
			return false, err
		}
		s.buf = append(s.buf, c)
		return true, nil
	}
	if _, err := optional("-"); err != nil {
		return "", err
	}
	n, err := digits()
	if err != nil {
		return "", err
	}
	if n == 0 {
		return "", s.errorf("invalid number: missing digits")
	}
	if n > 1 && s.buf[len(s.buf)-n] == '0' {
		return "", s.errorf("invalid number %q: leading zero", s.buf)
	}
	if ok, err := optional("."); err != nil {
		return "", err
	} else if ok {
		if n, err := digits(); err != nil {
			return "", err
		} else if n == 0 {
			return "", s.errorf("invalid number %q: missing digits after '.'", s.buf)
		}
	}
	if ok, err := optional("eE"); err != nil {
		return "", err
	} else if ok {
		if _, err := optional("+-"); err != nil {
			return "", err
		}
		if n, err := digits(); err != nil {
			return "", err
		} else if n == 0 {
			return "", s.errorf("invalid number %q: missing exponent digits", s.buf)
		}
	}
	return string(s.buf), nil
}
