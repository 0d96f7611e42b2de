package epcis

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// xmlNode is one element of an event read into memory: the decoder reads
// each event element as a small tree and then interprets it.
type xmlNode struct {
	name     xml.Name
	prefix   string
	attrs    []xmlAttr // without namespace declarations
	text     strings.Builder
	children []*xmlNode
	parent   *xmlNode
	line     int
	// path is the element path of the event element; children compute
	// theirs from it.
	path string
}

type xmlAttr struct {
	name   xml.Name
	prefix string
	value  string
}

// readTree reads the element that start opened, with everything inside
// it, into an xmlNode tree.
func (d *XMLDecoder) readTree(start xml.StartElement, line int, path string) (*xmlNode, error) {
	root := d.newNode(start, line, nil)
	root.path = path
	current := root
	d.treeNode = root
	defer func() { d.treeNode = nil }()
	depth, count := 1, 1
	startOffset := d.dec.InputOffset()
	for current != nil {
		tok, tline, err := d.token()
		if err != nil {
			return nil, err
		}
		if d.dec.InputOffset()-startOffset > maxXMLEventBytes {
			return nil, &ValidationError{Errors: []FieldError{{
				EventIndex: d.eventIndex - 1, Pointer: root.pathString(), Line: line, Rule: "event size limit",
				Message: fmt.Sprintf("the event is longer than %d bytes: split it or move large data out of the event", maxXMLEventBytes),
			}}}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			count++
			if depth > maxXMLDepth || count > maxXMLEventElements {
				return nil, &ValidationError{Errors: []FieldError{{
					EventIndex: d.eventIndex - 1, Pointer: current.pathString(), Line: tline, Rule: "event size limit",
					Message: fmt.Sprintf("the event nests deeper than %d elements or holds more than %d elements: split or simplify it", maxXMLDepth, maxXMLEventElements),
				}}}
			}
			child := d.newNode(t, tline, current)
			current.children = append(current.children, child)
			current = child
		case xml.EndElement:
			depth--
			current = current.parent
		case xml.CharData:
			current.text.Write(t)
		}
		if current != nil {
			d.treeNode = current
		}
	}
	return root, nil
}

func (d *XMLDecoder) newNode(start xml.StartElement, line int, parent *xmlNode) *xmlNode {
	n := &xmlNode{name: start.Name, prefix: d.prefixOf(start.Name.Space), line: line, parent: parent}
	for _, a := range start.Attr {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			continue
		}
		n.attrs = append(n.attrs, xmlAttr{name: a.Name, prefix: d.attrPrefixOf(a.Name.Space), value: a.Value})
	}
	return n
}

// attrPrefixOf is prefixOf for attributes, which cannot use the default
// namespace: it prefers a prefix that is not empty.
func (d *XMLDecoder) attrPrefixOf(space string) string {
	if space == "" {
		return ""
	}
	if space == xmlnsXML {
		return "xml"
	}
	for i := len(d.scopes) - 1; i >= 0; i-- {
		for _, b := range d.scopes[i] {
			if b.space == space && b.prefix != "" {
				return b.prefix
			}
		}
	}
	return ""
}

// qname returns the element name as written, with its prefix.
func (n *xmlNode) qname() string {
	if n.prefix == "" {
		return n.name.Local
	}
	return n.prefix + ":" + n.name.Local
}

// pathString returns the element path of n, such as
// /EPCISDocument/EPCISBody/EventList/ObjectEvent[2]/epcList/epc[3]. A
// position is written for children only where siblings share the name.
func (n *xmlNode) pathString() string {
	if n.parent == nil {
		return n.path
	}
	same, pos := 0, 0
	for _, s := range n.parent.children {
		if s.name == n.name {
			same++
			if s == n {
				pos = same
			}
		}
	}
	p := n.parent.pathString() + "/" + n.qname()
	if same > 1 {
		p += "[" + strconv.Itoa(pos) + "]"
	}
	return p
}

// value returns the text of a simple element with the white space that
// XML Schema collapses for URIs, decimals and the like removed.
func (n *xmlNode) value() string {
	return strings.TrimSpace(n.text.String())
}

// attr returns the unqualified attribute named local.
func (n *xmlNode) attr(local string) (string, bool) {
	for _, a := range n.attrs {
		if a.name.Space == "" && a.name.Local == local {
			return a.value, true
		}
	}
	return "", false
}

// toElement converts a user extension element to an Element. Leaf
// elements keep their text as written; an element with children keeps
// them in order and drops white space between them.
func (n *xmlNode) toElement() Element {
	el := Element{Space: n.name.Space, Prefix: n.prefix, Local: n.name.Local}
	for _, a := range n.attrs {
		el.Attrs = append(el.Attrs, Attr{Space: a.name.Space, Prefix: a.prefix, Local: a.name.Local, Value: a.value})
	}
	if len(n.children) == 0 {
		el.Kind = KindString
		el.Value = n.text.String()
		return el
	}
	el.Kind = KindObject
	// Mixed content: text beside child elements is kept in Value.
	el.Value = strings.TrimSpace(n.text.String())
	for _, c := range n.children {
		el.Children = append(el.Children, c.toElement())
	}
	return el
}

// placeSemanticErrors gives the errors that Validate returns for an event
// decoded from XML an element path and a line. Validate points at fields
// with JSON pointers relative to the event ("/epcList/0") or to the whole
// document ("/epcisBody/eventList/3/epcList/0"). Each segment is matched
// to the child element of that name, or to the n-th child element for an
// array index. Segments that match nothing are kept as written.
func (b *eventBuilder) placeSemanticErrors(root *xmlNode, errs []FieldError) []FieldError {
	out := make([]FieldError, 0, len(errs))
	for _, fe := range errs {
		fe.EventIndex = b.index
		fe.Pointer, fe.Line = locateField(root, fe.Pointer)
		out = append(out, fe)
	}
	return out
}

func locateField(root *xmlNode, pointer string) (string, int) {
	segments := strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	if pointer == "" || pointer == "/" {
		segments = nil
	}
	// Drop a document prefix such as /epcisBody/eventList/3.
	for i := 0; i+2 < len(segments); i++ {
		if segments[i] == "eventList" {
			if _, err := strconv.Atoi(segments[i+1]); err == nil {
				segments = segments[i+2:]
				break
			}
		}
	}
	n := root
	for i := 0; i < len(segments); i++ {
		seg := strings.ReplaceAll(strings.ReplaceAll(segments[i], "~1", "/"), "~0", "~")
		if _, err := strconv.Atoi(seg); err != nil && i+1 < len(segments) {
			// A JSON array of repeated XML elements, such as
			// /sensorReport/1: pick the element at that position.
			if pos, err := strconv.Atoi(segments[i+1]); err == nil {
				if same := n.childrenNamed(seg); len(same) > 1 || (len(same) == 1 && repeatedXMLElements[seg]) {
					if pos >= 0 && pos < len(same) {
						n = same[pos]
						i++
						continue
					}
				}
			}
		}
		if next := n.findChild(seg); next != nil {
			n = next
			continue
		}
		if _, ok := n.attr(seg); ok && i == len(segments)-1 {
			return n.pathString() + "/@" + seg, n.line
		}
		return n.pathString() + "/" + strings.Join(segments[i:], "/"), n.line
	}
	return n.pathString(), n.line
}

// repeatedXMLElements are the elements that a JSON array stands for
// directly, without a list element around them.
var repeatedXMLElements = map[string]bool{"sensorReport": true, "certificationInfo": true}

func (n *xmlNode) childrenNamed(name string) []*xmlNode {
	var out []*xmlNode
	for _, c := range n.children {
		if c.name.Local == name || c.qname() == name {
			out = append(out, c)
		}
	}
	return out
}

// findChild returns the child element named seg, the element holding a
// child of that name through an extension wrapper, or, for a number, the
// child element at that 0-based position.
func (n *xmlNode) findChild(seg string) *xmlNode {
	if i, err := strconv.Atoi(seg); err == nil {
		if i >= 0 && i < len(n.children) {
			return n.children[i]
		}
		return nil
	}
	for _, c := range n.children {
		if c.name.Local == seg || c.qname() == seg {
			return c
		}
	}
	for _, c := range n.children {
		if c.name.Space == "" && (c.name.Local == "extension" || c.name.Local == "baseExtension") {
			if found := c.findChild(seg); found != nil {
				return found
			}
		}
	}
	return nil
}
