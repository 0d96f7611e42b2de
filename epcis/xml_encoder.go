package epcis

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// XMLEncoder writes events as an EPCIS 2.0 XML document, one at a time,
// so that a document of any length needs memory for one event only.
//
// Header.Kind chooses the document: KindEPCISQueryDocument writes an
// EPCISQueryDocument with QueryName and SubscriptionID, KindBareEvent
// writes the single event as the root element, and anything else an
// EPCISDocument. Elements follow the order of the EPCIS 2.0 XSD, CBV values
// are written in their URN (or GS1 CURIE) form, and user extension
// namespaces are declared on the root element when Header.Namespaces names
// them and on each event element otherwise. User elements without a
// namespace, which EPCIS 1.2 documents carry, go into the extension
// wrapper that the XSD places before the namespaced user elements, so
// they come first when the document is read again.
//
// Encode returns ErrEncoderClosed after Close, and for a second event when
// Header.Kind is KindBareEvent. An XMLEncoder is not safe for
// concurrent use. After the first write error every call returns that
// error.
type XMLEncoder struct {
	w      *bufio.Writer
	header Header

	started bool
	closed  bool
	events  int
	err     error

	// rootPrefix maps namespace IRIs declared on the root element to
	// their prefix; rootSpace is the reverse.
	rootPrefix map[string]string
	rootSpace  map[string]string
}

// NewXMLEncoder returns an encoder writing to w. Nothing is written until
// the first Encode or Close. When h.CreationDate is zero the document's
// creationDate is the time of the first write.
func NewXMLEncoder(w io.Writer, h Header) *XMLEncoder {
	return &XMLEncoder{w: bufio.NewWriter(w), header: h}
}

// Encode writes one event. It returns an error without writing anything
// when the event lacks what the EPCIS 2.0 XSD requires (type, eventTime,
// eventTimeZoneOffset, action, bizTransactionList of a TransactionEvent,
// parentID of an AssociationEvent) or holds extension names that cannot
// be written as XML.
func (x *XMLEncoder) Encode(e *Event) error {
	if x.err != nil {
		return x.err
	}
	if x.closed || (x.header.Kind == KindBareEvent && x.events > 0) {
		return ErrEncoderClosed
	}
	if e == nil {
		return errors.New("encode XML: the event is nil")
	}
	if err := checkEncodable(e); err != nil {
		return fmt.Errorf("encode XML event %d: %w", x.events, err)
	}
	if !x.started {
		x.writeStart()
	}
	ew := &xmlEventWriter{enc: x, prefixes: map[string]string{}, spaces: map[string]string{}}
	if err := ew.declare(e); err != nil {
		return fmt.Errorf("encode XML event %d: %w", x.events, err)
	}
	ew.event(e)
	x.events++
	if x.err == nil && x.header.Kind == KindBareEvent {
		x.err = x.w.Flush()
	}
	return x.err
}

// Close writes the end of the document and flushes it. It does not close
// the underlying writer. Calling Close again does nothing.
func (x *XMLEncoder) Close() error {
	if x.err != nil {
		return x.err
	}
	if x.closed {
		return nil
	}
	x.closed = true
	if x.header.Kind == KindBareEvent {
		if x.events == 0 {
			return errors.New("close XML encoder: a bare event document needs exactly one event")
		}
		return nil
	}
	if !x.started {
		x.writeStart()
	}
	switch x.header.Kind {
	case KindEPCISQueryDocument:
		x.raw("\t\t\t\t</EventList>\n\t\t\t</resultsBody>\n\t\t</epcisq:QueryResults>\n\t</EPCISBody>\n</epcisq:EPCISQueryDocument>\n")
	default:
		x.raw("\t\t</EventList>\n\t</EPCISBody>\n</epcis:EPCISDocument>\n")
	}
	if x.err == nil {
		x.err = x.w.Flush()
	}
	return x.err
}

// raw writes s, remembering the first write error.
func (x *XMLEncoder) raw(s string) {
	if x.err != nil {
		return
	}
	_, x.err = x.w.WriteString(s)
}

func (x *XMLEncoder) text(s string) {
	if x.err != nil {
		return
	}
	x.err = xml.EscapeText(x.w, []byte(s))
}

// reservedPrefixes are bound by the encoder itself.
var reservedPrefixes = map[string]string{
	"epcis":  xmlnsEPCIS2,
	"epcisq": xmlnsQuery2,
	"xsi":    xmlnsXSI,
	"xsd":    "http://www.w3.org/2001/XMLSchema",
}

func (x *XMLEncoder) writeStart() {
	x.started = true
	x.rootPrefix = map[string]string{}
	x.rootSpace = map[string]string{}
	if x.header.Kind == KindBareEvent {
		// The event element is the root and declares every namespace.
		x.raw(xml.Header)
		return
	}
	for p, s := range reservedPrefixes {
		x.rootPrefix[s], x.rootSpace[p] = p, s
	}
	var extra []string
	for p, s := range x.header.Namespaces {
		if _, taken := x.rootSpace[p]; taken || !isNCName(p) || s == "" || isEPCISNamespace(s) || s == xmlnsXML || strings.HasPrefix(strings.ToLower(p), "xml") {
			continue
		}
		if _, bound := x.rootPrefix[s]; bound {
			continue
		}
		x.rootPrefix[s], x.rootSpace[p] = p, s
		extra = append(extra, p)
	}
	sort.Strings(extra)

	created := x.header.CreationDate
	if created.IsZero() {
		created = time.Now().UTC()
	}
	x.raw(xml.Header)
	if x.header.Kind == KindEPCISQueryDocument {
		x.raw("<epcisq:EPCISQueryDocument xmlns:epcisq=\"" + xmlnsQuery2 + "\"")
	} else {
		x.raw("<epcis:EPCISDocument")
	}
	x.raw(" xmlns:epcis=\"" + xmlnsEPCIS2 + "\" xmlns:xsi=\"" + xmlnsXSI + "\" xmlns:xsd=\"" + reservedPrefixes["xsd"] + "\"")
	for _, p := range extra {
		x.raw("\n\txmlns:" + p + "=\"")
		x.text(x.rootSpace[p])
		x.raw("\"")
	}
	x.raw("\n\tschemaVersion=\"2.0\" creationDate=\"" + formatDateTimeStamp(created) + "\">\n")
	x.raw("\t<EPCISBody>\n")
	if x.header.Kind == KindEPCISQueryDocument {
		x.raw("\t\t<epcisq:QueryResults>\n\t\t\t<queryName>")
		x.text(x.header.QueryName)
		x.raw("</queryName>\n")
		if x.header.SubscriptionID != "" {
			x.raw("\t\t\t<subscriptionID>")
			x.text(x.header.SubscriptionID)
			x.raw("</subscriptionID>\n")
		}
		x.raw("\t\t\t<resultsBody>\n\t\t\t\t<EventList>\n")
		return
	}
	x.raw("\t\t<EventList>\n")
}

// xmlEventWriter writes one event with the namespace prefixes chosen for
// it.
type xmlEventWriter struct {
	enc *XMLEncoder
	// prefixes maps namespace IRIs declared on the event element to their
	// prefix; spaces is the reverse.
	prefixes map[string]string
	spaces   map[string]string
	decls    []string
}

// declare chooses a prefix for every namespace that e's extensions use
// and that the root element does not declare.
func (w *xmlEventWriter) declare(e *Event) error {
	if w.enc.header.Kind == KindBareEvent {
		w.bind(xmlnsXSI, "xsi")
		w.bind(reservedPrefixes["xsd"], "xsd")
	}
	var err error
	visit := func(list []Element) {
		for i := range list {
			if err == nil {
				err = w.declareElement(&list[i])
			}
		}
	}
	visit(e.Extensions)
	visit(e.ILMD)
	for _, loc := range []*Location{e.ReadPoint, e.BizLocation} {
		if loc != nil {
			visit(loc.Extensions)
		}
	}
	if e.ErrorDeclaration != nil {
		visit(e.ErrorDeclaration.Extensions)
	}
	for _, se := range e.SensorElementList {
		visit(se.Extensions)
		if se.Metadata != nil {
			err = errors.Join(err, w.declareAttrElements(se.Metadata.Extensions))
		}
		for _, r := range se.Reports {
			err = errors.Join(err, w.declareAttrElements(r.Extensions))
		}
	}
	return err
}

func (w *xmlEventWriter) declareElement(el *Element) error {
	if !isNCName(el.Local) {
		return fmt.Errorf("extension name %q is not a valid XML name", el.Local)
	}
	if isEPCISNamespace(el.Space) {
		return fmt.Errorf("invalid extension %s: the EPCIS namespace %s is reserved for standard fields", el.Local, el.Space)
	}
	if el.Space != "" {
		w.bind(el.Space, el.Prefix)
	}
	for _, a := range el.Attrs {
		if !isNCName(a.Local) {
			return fmt.Errorf("attribute name %q on extension %s is not a valid XML name", a.Local, el.Local)
		}
		if a.Space != "" && a.Space != xmlnsXML {
			w.bind(a.Space, a.Prefix)
		}
	}
	for i := range el.Children {
		if err := w.declareElement(&el.Children[i]); err != nil {
			return err
		}
	}
	return nil
}

// declareAttrElements checks extensions that are written as attributes
// of sensorMetadata or sensorReport: each must be a namespaced leaf.
func (w *xmlEventWriter) declareAttrElements(list []Element) error {
	for _, el := range list {
		if el.Space == "" || isEPCISNamespace(el.Space) || !isNCName(el.Local) {
			return fmt.Errorf("sensor extension %q needs a user namespace and a valid XML name to be written as an attribute", el.Local)
		}
		if len(el.Children) > 0 {
			return fmt.Errorf("sensor extension %s has child elements, which an XML attribute cannot hold", el.Local)
		}
		w.bind(el.Space, el.Prefix)
	}
	return nil
}

// bind makes sure space has a prefix, preferring the one it had in the
// source document.
func (w *xmlEventWriter) bind(space, preferred string) {
	if _, ok := w.enc.rootPrefix[space]; ok {
		return
	}
	if _, ok := w.prefixes[space]; ok {
		return
	}
	isTaken := func(p string) bool {
		_, atRoot := w.enc.rootSpace[p]
		_, atEvent := w.spaces[p]
		return atRoot || atEvent
	}
	prefix := preferred
	if prefix == "" || !isNCName(prefix) || strings.HasPrefix(strings.ToLower(prefix), "xml") || isTaken(prefix) {
		for n := 1; ; n++ {
			prefix = "ns" + strconv.Itoa(n)
			if !isTaken(prefix) {
				break
			}
		}
	}
	w.prefixes[space], w.spaces[prefix] = prefix, space
	w.decls = append(w.decls, prefix)
}

func (w *xmlEventWriter) prefixFor(space string) string {
	if space == xmlnsXML {
		return "xml"
	}
	if p, ok := w.enc.rootPrefix[space]; ok {
		return p
	}
	return w.prefixes[space]
}

// isNCName reports whether s is an XML name without a colon.
func isNCName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= 0xC0 && r != 0xD7 && r != 0xF7 && r < 0x2000 || r >= 0x3001 && r <= 0xD7FF || r >= 0xF900 && r <= 0xFDCF:
		case i > 0 && (r == '-' || r == '.' || r >= '0' && r <= '9' || r == 0xB7):
		default:
			return false
		}
	}
	return true
}
