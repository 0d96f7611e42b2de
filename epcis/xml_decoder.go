package epcis

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/htmlindex"
)

// XML namespaces of the EPCIS document schemas (EPCIS 2.0 section 12.1 and
// the EPCIS 1.2 XSD).
const (
	xmlnsEPCIS2      = "urn:epcglobal:epcis:xsd:2"
	xmlnsEPCIS1      = "urn:epcglobal:epcis:xsd:1"
	xmlnsQuery2      = "urn:epcglobal:epcis-query:xsd:2"
	xmlnsQuery1      = "urn:epcglobal:epcis-query:xsd:1"
	xmlnsMasterData2 = "urn:epcglobal:epcis-masterdata:xsd:2"
	xmlnsMasterData1 = "urn:epcglobal:epcis-masterdata:xsd:1"
	xmlnsXSI         = "http://www.w3.org/2001/XMLSchema-instance"
	xmlnsXML         = "http://www.w3.org/XML/1998/namespace"
)

// Limits that keep the memory of one decoded event bounded. An event is
// held in memory while it is decoded; the document as a whole is not.
const (
	maxXMLDepth         = 64     // element nesting inside one event
	maxXMLEventElements = 100000 // elements inside one event
	// maxXMLEventBytes bounds the input one event may span. It is checked
	// between tokens, so one text node longer than this is still read.
	// NOTE: the value is a chosen limit, well above the largest events of
	// the GS1 examples (about 10 KiB), not one from the standard.
	maxXMLEventBytes = 16 << 20
)

// XMLDecoder reads an EPCIS 2.0 or EPCIS 1.2 XML document (EPCISDocument
// or EPCISQueryDocument) or a single bare event element, one event at a
// time. It keeps only the event being decoded in memory, so documents of
// any size can be read.
//
// An XMLDecoder is not safe for concurrent use.
type XMLDecoder struct {
	dec   *xml.Decoder
	lines *lineCounter

	// lenient is set by SetLenient before the first read.
	lenient bool

	started   bool
	header    Header
	headerErr error
	version   int // 1 or 2: the major EPCIS schema version of the document
	rootName  string

	// state is the position of the token stream between calls to Next.
	state xmlDecoderState
	// path holds the open elements from the root down to the current
	// position, for error pointers.
	path []pathFrame
	// scopes holds the namespace bindings of each open element.
	scopes [][]xmlBinding
	// listDepth counts the extension wrappers open inside EventList.
	listDepth int
	// bareStart is the root element of a bare event document.
	bareStart *xml.StartElement
	bareLine  int

	// treeNode is the element being read into an event tree, so that
	// errors inside an event point at it.
	treeNode *xmlNode

	eventIndex int
	// recoverable is set when the error being returned concerns one event
	// only, so that decoding can go on with the next one.
	recoverable bool
	fatal       error
}

type xmlDecoderState uint8

const (
	stateEventList xmlDecoderState = iota // inside EventList, between events
	stateBareEvent                        // root element is the event
	stateTrailer                          // events done, rest of the document unread
	stateDone                             // io.EOF returned
)

type pathFrame struct {
	name   string
	counts map[string]int
}

type xmlBinding struct {
	prefix, space string
}

// NewXMLDecoder returns a decoder reading from r. Documents in an encoding
// other than UTF-8 (for example GB18030 or GBK) are converted when their
// XML declaration names the encoding.
func NewXMLDecoder(r io.Reader) *XMLDecoder {
	d := &XMLDecoder{lines: &lineCounter{r: r, line: 1}}
	d.dec = xml.NewDecoder(d.lines)
	d.dec.CharsetReader = d.charsetReader
	return d
}

func (d *XMLDecoder) charsetReader(label string, input io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(label)
	if err != nil {
		return nil, errUnsupportedEncoding{label: label}
	}
	// From here on the XML decoder counts offsets in converted bytes, so
	// line counting continues on the converted stream.
	offset := d.dec.InputOffset()
	d.lines.advance(offset)
	converted := &lineCounter{r: enc.NewDecoder().Reader(input), base: offset, line: d.lines.line}
	d.lines = converted
	return converted, nil
}

// Header reads the document up to its first event and returns the
// document header: kind, schema version, creation date, namespaces and,
// for query documents, the query name and subscription ID. It returns a
// *ValidationError when the root element is not an EPCIS document, and
// the same result on every call.
func (d *XMLDecoder) Header() (Header, error) {
	if !d.started {
		d.started = true
		d.headerErr = d.readHeader()
		if d.headerErr != nil {
			d.fatal = d.headerErr
		}
	}
	return d.header, d.headerErr
}

// Next returns the next event of the document, or io.EOF after the last.
//
// When an event breaks the EPCIS XML schema or a semantic rule, Next
// returns a *ValidationError listing every problem of that event, and the
// following call continues with the next event. Malformed XML ends the
// document: Next returns the same error from then on.
func (d *XMLDecoder) Next() (*Event, error) {
	if _, err := d.Header(); err != nil {
		return nil, err
	}
	if d.fatal != nil {
		return nil, d.fatal
	}
	e, err := d.next()
	if err != nil && err != io.EOF && !d.recoverable {
		d.fatal = err
	}
	d.recoverable = false
	return e, err
}

func (d *XMLDecoder) next() (*Event, error) {
	switch d.state {
	case stateBareEvent:
		start, line := d.bareStart, d.bareLine
		d.bareStart = nil
		d.state = stateTrailer
		return d.decodeEvent(*start, line, "/"+start.Name.Local)
	case stateTrailer:
		if err := d.readTrailer(); err != nil {
			d.state = stateDone
			return nil, err
		}
		d.state = stateDone
		return nil, io.EOF
	case stateDone:
		return nil, io.EOF
	}

	for {
		tok, line, err := d.token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name
			if name.Space == "" && name.Local == "extension" && d.listDepth < 2 {
				d.listDepth++
				d.push(name.Local)
				continue
			}
			if name.Space == "" && EventType(name.Local).Valid() {
				path := d.childPath(name.Local, true)
				return d.decodeEvent(t, line, path)
			}
			// The element takes the place of an event, so it counts as one.
			fe := FieldError{EventIndex: d.eventIndex, Pointer: d.childPath(qualifiedName(name, d.prefixOf(name.Space)), false), Line: line}
			d.eventIndex++
			switch {
			case isEPCISNamespace(name.Space) && EventType(name.Local).Valid():
				fe.Rule = "EPCIS XML schema EventList"
				fe.Message = fmt.Sprintf("event element <%s> must not be in the EPCIS namespace: write it without a prefix and without a default xmlns declaration", name.Local)
			case name.Space == "" && name.Local == "QuantityEvent":
				fe.Rule = "EPCIS 2.0 event types"
				fe.Message = "QuantityEvent was removed in EPCIS 2.0: send an ObjectEvent with a quantityList instead"
			case name.Space != "" && d.listDepth > 0:
				fe.Rule = "EPCIS 2.0 event types"
				fe.Message = fmt.Sprintf("unsupported event type {%s}%s: only ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent and AssociationEvent can be captured", name.Space, name.Local)
			default:
				fe.Rule = "EPCIS XML schema EventList"
				fe.Message = fmt.Sprintf("unknown element <%s> in EventList: expected one of the five event types", name.Local)
			}
			d.push(name.Local)
			if err := d.skip(); err != nil {
				return nil, err
			}
			d.recoverable = true
			return nil, &ValidationError{Errors: []FieldError{fe}}
		case xml.EndElement:
			d.pop()
			if d.listDepth > 0 {
				d.listDepth--
				continue
			}
			// The end of EventList.
			d.state = stateDone
			if err := d.readTrailer(); err != nil {
				return nil, err
			}
			return nil, io.EOF
		case xml.CharData:
			if err := d.checkSpace(t, line); err != nil {
				return nil, err
			}
		}
	}
}

// decodeEvent reads the event element that start opened and builds the
// event, then applies the semantic rules of Validate.
func (d *XMLDecoder) decodeEvent(start xml.StartElement, line int, path string) (*Event, error) {
	index := d.eventIndex
	d.eventIndex++

	root, err := d.readTree(start, line, path)
	if err != nil {
		return nil, err
	}
	d.recoverable = true
	b := eventBuilder{version: d.version, index: index, lenient: d.lenient}
	e := b.build(root, EventType(start.Name.Local))
	if len(b.errs) > 0 {
		return nil, &ValidationError{Errors: b.errs}
	}
	if errs := Validate(e, index); len(errs) > 0 {
		return nil, &ValidationError{Errors: b.placeSemanticErrors(root, errs)}
	}
	return e, nil
}

// skip reads to the end of the element just opened (already pushed).
func (d *XMLDecoder) skip() error {
	depth := 1
	for depth > 0 {
		tok, _, err := d.token()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
			d.push("")
		case xml.EndElement:
			depth--
			d.pop()
		}
	}
	return nil
}

func (d *XMLDecoder) checkSpace(t xml.CharData, line int) error {
	// A byte order mark before the root element arrives as text.
	if len(bytes.TrimSpace(bytes.TrimPrefix(t, []byte("\ufeff")))) == 0 {
		return nil
	}
	return headerError(line, d.currentPath(), TruncateValue(strings.TrimSpace(string(t))), "EPCIS XML schema",
		"unexpected text between elements")
}

// token returns the next XML token with the line it starts on. It keeps
// the namespace scopes in step with the element structure and turns
// syntax errors into *ValidationError values carrying the line.
func (d *XMLDecoder) token() (xml.Token, int, error) {
	d.lines.advance(d.dec.InputOffset())
	line := d.lines.line
	tok, err := d.dec.Token()
	if err != nil {
		if err == io.EOF {
			return nil, line, io.EOF
		}
		var syn *xml.SyntaxError
		if errors.As(err, &syn) {
			return nil, syn.Line, &ValidationError{Errors: []FieldError{{
				EventIndex: d.treeEventIndex(), Pointer: d.errorPath(), Line: syn.Line,
				Rule: "XML well-formedness", Message: "malformed XML: " + syn.Msg,
			}}}
		}
		var enc errUnsupportedEncoding
		if errors.As(err, &enc) {
			return nil, line, &ValidationError{Errors: []FieldError{{
				EventIndex: -1, Pointer: d.errorPath(), Line: line, Value: enc.label,
				Rule: "XML encoding", Message: enc.Error(),
			}}}
		}
		return nil, line, fmt.Errorf("read XML: %w", err)
	}
	switch t := tok.(type) {
	case xml.StartElement:
		var bindings []xmlBinding
		for _, a := range t.Attr {
			switch {
			case a.Name.Space == "xmlns":
				bindings = append(bindings, xmlBinding{prefix: a.Name.Local, space: a.Value})
			case a.Name.Space == "" && a.Name.Local == "xmlns":
				bindings = append(bindings, xmlBinding{prefix: "", space: a.Value})
			}
		}
		d.scopes = append(d.scopes, bindings)
		if t.Name.Space != "" && t.Name.Space != xmlnsXML && !d.isBound(t.Name.Space) {
			return nil, line, &ValidationError{Errors: []FieldError{{
				EventIndex: -1, Pointer: d.errorPath() + "/" + t.Name.Space + ":" + t.Name.Local, Line: line, Value: t.Name.Space,
				Rule: "XML namespaces", Message: fmt.Sprintf("the namespace prefix %q is not declared: add an xmlns:%s declaration", t.Name.Space, t.Name.Space),
			}}}
		}
	case xml.EndElement:
		if len(d.scopes) > 0 {
			d.scopes = d.scopes[:len(d.scopes)-1]
		}
	}
	return tok, line, nil
}

func (d *XMLDecoder) isBound(space string) bool {
	for i := len(d.scopes) - 1; i >= 0; i-- {
		for _, b := range d.scopes[i] {
			if b.space == space {
				return true
			}
		}
	}
	return false
}

// prefixOf returns the prefix bound to the namespace space in the current
// scope, or "" when none is (or the namespace is the default one).
func (d *XMLDecoder) prefixOf(space string) string {
	if space == "" {
		return ""
	}
	if space == xmlnsXML {
		return "xml"
	}
	for i := len(d.scopes) - 1; i >= 0; i-- {
		for _, b := range d.scopes[i] {
			if b.space == space {
				return b.prefix
			}
		}
	}
	return ""
}

func (d *XMLDecoder) push(name string) {
	if len(d.path) > 0 {
		d.path[len(d.path)-1].counts[name]++
	}
	d.path = append(d.path, pathFrame{name: name, counts: map[string]int{}})
}

func (d *XMLDecoder) pop() {
	if len(d.path) > 0 {
		d.path = d.path[:len(d.path)-1]
	}
}

// treeEventIndex returns the index of the event being read, or -1
// between events.
func (d *XMLDecoder) treeEventIndex() int {
	if d.treeNode != nil {
		return d.eventIndex - 1
	}
	return -1
}

// errorPath returns the path of the element being read, inside an event
// or outside.
func (d *XMLDecoder) errorPath() string {
	if d.treeNode != nil {
		return d.treeNode.pathString()
	}
	return d.currentPath()
}

func (d *XMLDecoder) currentPath() string {
	if len(d.path) == 0 {
		return "/"
	}
	var b strings.Builder
	for i, f := range d.path {
		b.WriteByte('/')
		b.WriteString(f.name)
		if i > 0 {
			if n := d.path[i-1].counts[f.name]; n > 1 {
				b.WriteString("[" + strconv.Itoa(n) + "]")
			}
		}
	}
	return b.String()
}

// childPath returns the path of a child of the current element named
// name. With indexed set, the child counts as opened (for an event that
// is read as a tree) and the path always carries its position.
func (d *XMLDecoder) childPath(name string, indexed bool) string {
	base := d.currentPath()
	if base == "/" {
		base = ""
	}
	if !indexed {
		return base + "/" + name
	}
	n := 1
	if len(d.path) > 0 {
		d.path[len(d.path)-1].counts[name]++
		n = d.path[len(d.path)-1].counts[name]
	}
	return base + "/" + name + "[" + strconv.Itoa(n) + "]"
}

func headerError(line int, pointer, value, rule, message string) error {
	return &ValidationError{Errors: []FieldError{{
		EventIndex: -1, Pointer: pointer, Line: line, Value: TruncateValue(value), Rule: rule, Message: message,
	}}}
}

func qualifiedName(name xml.Name, prefix string) string {
	if prefix == "" {
		return name.Local
	}
	return prefix + ":" + name.Local
}

// lineCounter passes bytes through from r and counts the newlines before
// a given input offset. It keeps only the bytes read ahead of the last
// offset it was advanced to.
type lineCounter struct {
	r       io.Reader
	pending []byte // bytes at offsets base … base+len(pending)
	base    int64
	line    int
}

func (l *lineCounter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.pending = append(l.pending, p[:n]...)
	return n, err
}

// advance counts the lines up to input offset off.
func (l *lineCounter) advance(off int64) {
	n := off - l.base
	if n <= 0 {
		return
	}
	if n > int64(len(l.pending)) {
		n = int64(len(l.pending))
	}
	l.line += bytes.Count(l.pending[:n], []byte{'\n'})
	l.pending = l.pending[n:]
	l.base += n
}
