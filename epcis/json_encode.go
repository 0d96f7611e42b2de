package epcis

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"
)

// ErrEncoderClosed is returned by Encode of JSONEncoder and XMLEncoder
// after Close.
var ErrEncoderClosed = errors.New("epcis: encoder already closed")

// MarshalEventJSON encodes one event as a self-contained JSON-LD object:
// its "@context" names the EPCIS 2.0 context and binds every extension
// namespace the event uses, so the bytes can be stored and read back alone
// with UnmarshalEventJSON.
//
// The output is compact and deterministic. Members come in a fixed order,
// with extensions last in their own order. CBV values take their short
// JSON form where standard. eventTime is written in the event's
// eventTimeZoneOffset when that is a valid ±hh:mm offset, as the EPCIS 2.0
// examples do, and other times in the offset they carry ("Z" for UTC). The event is not
// validated; call Validate first when it comes from an untrusted source.
func MarshalEventJSON(e *Event) ([]byte, error) {
	w := &jsonWriter{ns: newJSONNSAlloc(nil)}
	if err := w.event(e, true); err != nil {
		return nil, err
	}
	return w.out.Bytes(), nil
}

// JSONEncoder writes an EPCISDocument, or an EPCISQueryDocument when the
// header's Kind is KindEPCISQueryDocument, one event at a time. Nothing is buffered beyond
// one event. A JSONEncoder is not safe for concurrent use.
type JSONEncoder struct {
	w       io.Writer
	h       Header
	ns      *jsonNSAlloc
	started bool
	closed  bool
	count   int
	err     error
}

// NewJSONEncoder returns an encoder writing a document with header h to w.
// A zero h.CreationDate is replaced by the current time when the document
// starts; h.Namespaces are bound in the document's "@context". The schema
// version written is always "2.0". A query document without QueryName
// gets "SimpleEventQuery", the only query EPCIS 2.0 defines.
func NewJSONEncoder(w io.Writer, h Header) *JSONEncoder {
	return &JSONEncoder{w: w, h: h}
}

// Encode writes one event to the document.
func (enc *JSONEncoder) Encode(e *Event) error {
	if enc.closed {
		return ErrEncoderClosed
	}
	if enc.err != nil {
		return enc.err
	}
	if !enc.started {
		enc.writeStart()
	}
	w := &jsonWriter{ns: newJSONNSAlloc(enc.ns.bound)}
	if enc.count > 0 {
		w.out.WriteString(",\n")
	}
	w.out.WriteString(enc.eventIndent())
	if err := w.event(e, false); err != nil {
		return fmt.Errorf("encode event %d: %w", enc.count, err)
	}
	enc.count++
	enc.write(w.out.Bytes())
	return enc.err
}

// Close ends the document. It does not close the underlying writer.
func (enc *JSONEncoder) Close() error {
	if enc.closed {
		return enc.err
	}
	if !enc.started {
		enc.writeStart()
	}
	enc.closed = true
	if enc.count > 0 {
		enc.write([]byte("\n"))
	}
	if enc.h.Kind == KindEPCISQueryDocument {
		enc.write([]byte("        ]\n      }\n    }\n  }\n}\n"))
	} else {
		enc.write([]byte("    ]\n  }\n}\n"))
	}
	return enc.err
}

// eventIndent returns the indentation of events inside the eventList.
func (enc *JSONEncoder) eventIndent() string {
	if enc.h.Kind == KindEPCISQueryDocument {
		return "          "
	}
	return "      "
}

func (enc *JSONEncoder) write(b []byte) {
	if enc.err != nil {
		return
	}
	if _, err := enc.w.Write(b); err != nil {
		enc.err = fmt.Errorf("write JSON document: %w", err)
	}
}

func (enc *JSONEncoder) writeStart() {
	enc.started = true
	enc.ns = newJSONNSAlloc(nil)
	prefixes := make([]string, 0, len(enc.h.Namespaces))
	for p := range enc.h.Namespaces {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	for _, p := range prefixes {
		enc.ns.bindIfFree(p, enc.h.Namespaces[p])
	}
	created := enc.h.CreationDate
	if created.IsZero() {
		created = time.Now().UTC()
	}
	var b bytes.Buffer
	b.WriteString("{\n  \"@context\": ")
	writeContext(&b, enc.ns.added, true)
	kind := KindEPCISDocument
	if enc.h.Kind == KindEPCISQueryDocument {
		kind = KindEPCISQueryDocument
	}
	b.WriteString(",\n  \"type\": ")
	writeJSONString(&b, string(kind))
	b.WriteString(",\n  \"schemaVersion\": \"2.0\",\n  \"creationDate\": ")
	writeJSONString(&b, formatTime(created))
	b.WriteString(",\n  \"epcisBody\": {\n")
	if kind == KindEPCISQueryDocument {
		name := enc.h.QueryName
		if name == "" {
			name = "SimpleEventQuery"
		}
		b.WriteString("    \"queryResults\": {\n      \"queryName\": ")
		writeJSONString(&b, name)
		if enc.h.SubscriptionID != "" {
			b.WriteString(",\n      \"subscriptionID\": ")
			writeJSONString(&b, enc.h.SubscriptionID)
		}
		b.WriteString(",\n      \"resultsBody\": {\n        \"eventList\": [\n")
	} else {
		b.WriteString("    \"eventList\": [\n")
	}
	// The bindings written so far belong to the document; events add
	// their own.
	enc.ns.added = nil
	enc.write(b.Bytes())
}

// writeContext writes a "@context" value: the EPCIS context URL, with an
// object of bindings after it when there are any. Without the URL
// (withURL false) only the object is written.
func writeContext(b *bytes.Buffer, bindings []jsonBinding, withURL bool) {
	if withURL && len(bindings) == 0 {
		writeJSONString(b, EPCISContextURL)
		return
	}
	if withURL {
		b.WriteByte('[')
		writeJSONString(b, EPCISContextURL)
		b.WriteByte(',')
	}
	b.WriteByte('{')
	for i, nb := range bindings {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(b, nb.prefix)
		b.WriteByte(':')
		writeJSONString(b, nb.iri)
	}
	b.WriteByte('}')
	if withURL {
		b.WriteByte(']')
	}
}

// jsonBinding is one prefix bound in a "@context".
type jsonBinding struct{ prefix, iri string }

// jsonNSAlloc chooses the prefix of every extension namespace written, reusing
// the prefix of the source document where it is free.
type jsonNSAlloc struct {
	bound map[string]string // prefix → IRI, including the EPCIS context's
	byIRI map[string]string // IRI → prefix
	added []jsonBinding     // bindings to write, in order of first use
}

func newJSONNSAlloc(parent map[string]string) *jsonNSAlloc {
	a := &jsonNSAlloc{bound: map[string]string{}, byIRI: map[string]string{}}
	for p, iri := range standardPrefixes {
		a.bound[p] = iri
		a.byIRI[iri] = p
	}
	for p, iri := range parent {
		a.bound[p] = iri
		if _, ok := a.byIRI[iri]; !ok {
			a.byIRI[iri] = p
		}
	}
	return a
}

func (a *jsonNSAlloc) bindIfFree(prefix, iri string) {
	if _, taken := a.bound[prefix]; taken || prefix == "" || !validScheme(prefix) {
		return
	}
	a.bound[prefix] = iri
	if _, ok := a.byIRI[iri]; !ok {
		a.byIRI[iri] = prefix
	}
	a.added = append(a.added, jsonBinding{prefix, iri})
}

// key returns the member name for an extension element: prefix:local with
// a bound prefix, or the full IRI when the source used no prefix. An element
// without a namespace gets a prefix bound to NoNamespaceIRI.
func (a *jsonNSAlloc) key(el *Element) string {
	space, prefix := el.Space, el.Prefix
	if space == "" {
		space, prefix = NoNamespaceIRI, "nons"
	}
	if p, ok := a.byIRI[space]; ok {
		return p + ":" + el.Local
	}
	if prefix == "" {
		return space + el.Local
	}
	if _, taken := a.bound[prefix]; taken || !validScheme(prefix) {
		for i := 1; ; i++ {
			prefix = "ns" + strconv.Itoa(i)
			if _, taken := a.bound[prefix]; !taken {
				break
			}
		}
	}
	a.bindIfFree(prefix, space)
	return prefix + ":" + el.Local
}

// jsonWriter builds the JSON text of one event.
type jsonWriter struct {
	out bytes.Buffer
	ns  *jsonNSAlloc
}

// jsonMembers writes the members of an object, separating them with commas.
type jsonMembers struct {
	b *bytes.Buffer
	n int
}

func (o *jsonMembers) key(k string) {
	if o.n > 0 {
		o.b.WriteByte(',')
	}
	o.n++
	writeJSONString(o.b, k)
	o.b.WriteByte(':')
}

func (o *jsonMembers) str(k, v string) {
	if v == "" {
		return
	}
	o.key(k)
	writeJSONString(o.b, v)
}

func (o *jsonMembers) time(k string, t time.Time) {
	if t.IsZero() {
		return
	}
	o.key(k)
	writeJSONString(o.b, formatTime(t))
}

func (o *jsonMembers) strList(k string, list []string) {
	if list == nil {
		return
	}
	o.key(k)
	o.b.WriteByte('[')
	for i, s := range list {
		if i > 0 {
			o.b.WriteByte(',')
		}
		writeJSONString(o.b, s)
	}
	o.b.WriteByte(']')
}

func (o *jsonMembers) float(k string, f *float64) error {
	if f == nil {
		return nil
	}
	o.key(k)
	return writeFloat(o.b, *f)
}

// event writes e. With standalone set it adds the full "@context";
// otherwise it adds an event-level "@context" only for namespaces that the
// document does not bind.
func (w *jsonWriter) event(e *Event, standalone bool) error {
	if !e.Type.Valid() {
		return fmt.Errorf("encode event: invalid event type %q", e.Type)
	}
	// Extensions go into a separate buffer first, so that the namespaces
	// they need are known when "@context" is written.
	var body bytes.Buffer
	o := &jsonMembers{b: &body, n: 1}
	if err := w.eventMembers(o, e); err != nil {
		return err
	}
	w.out.WriteByte('{')
	if standalone || len(w.ns.added) > 0 {
		writeJSONString(&w.out, "@context")
		w.out.WriteByte(':')
		writeContext(&w.out, w.ns.added, standalone)
		w.out.WriteByte(',')
	}
	writeJSONString(&w.out, "type")
	w.out.WriteByte(':')
	writeJSONString(&w.out, string(e.Type))
	w.out.Write(body.Bytes())
	w.out.WriteByte('}')
	return nil
}

func (w *jsonWriter) eventMembers(o *jsonMembers, e *Event) error {
	o.str("eventID", e.EventID)
	if !e.EventTime.IsZero() {
		t := e.EventTime
		if loc, ok := offsetLocation(e.EventTimeZoneOffset); ok {
			t = t.In(loc)
		}
		o.time("eventTime", t)
	}
	o.str("eventTimeZoneOffset", e.EventTimeZoneOffset)
	o.time("recordTime", e.RecordTime)
	switch len(e.CertificationInfo) {
	case 0:
	case 1:
		o.str("certificationInfo", e.CertificationInfo[0])
	default:
		o.strList("certificationInfo", e.CertificationInfo)
	}
	if ed := e.ErrorDeclaration; ed != nil {
		o.key("errorDeclaration")
		if err := w.errorDeclaration(o.b, ed); err != nil {
			return err
		}
	}
	o.str("parentID", e.ParentID)
	o.strList("epcList", e.EPCList)
	o.strList("childEPCs", e.ChildEPCs)
	o.strList("inputEPCList", e.InputEPCList)
	if err := w.quantities(o, "inputQuantityList", e.InputQuantityList); err != nil {
		return err
	}
	o.strList("outputEPCList", e.OutputEPCList)
	if err := w.quantities(o, "outputQuantityList", e.OutputQuantityList); err != nil {
		return err
	}
	o.str("transformationID", e.TransformationID)
	if err := w.quantities(o, "quantityList", e.QuantityList); err != nil {
		return err
	}
	if err := w.quantities(o, "childQuantityList", e.ChildQuantityList); err != nil {
		return err
	}
	o.str("action", string(e.Action))
	o.str("bizStep", CompactCBV(VocabBizStep, e.BizStep))
	o.str("disposition", CompactCBV(VocabDisposition, e.Disposition))
	if pd := e.PersistentDisposition; pd != nil {
		o.key("persistentDisposition")
		po := &jsonMembers{b: o.b}
		o.b.WriteByte('{')
		po.strList("set", compactAll(VocabDisposition, pd.Set))
		po.strList("unset", compactAll(VocabDisposition, pd.Unset))
		o.b.WriteByte('}')
	}
	if err := w.location(o, "readPoint", e.ReadPoint); err != nil {
		return err
	}
	if err := w.location(o, "bizLocation", e.BizLocation); err != nil {
		return err
	}
	if e.BizTransactionList != nil {
		o.key("bizTransactionList")
		o.b.WriteByte('[')
		for i, bt := range e.BizTransactionList {
			if i > 0 {
				o.b.WriteByte(',')
			}
			bo := &jsonMembers{b: o.b}
			o.b.WriteByte('{')
			bo.str("type", CompactCBV(VocabBizTransactionType, bt.Type))
			bo.key("bizTransaction")
			writeJSONString(o.b, bt.Value)
			o.b.WriteByte('}')
		}
		o.b.WriteByte(']')
	}
	w.sourceDests(o, "sourceList", "source", e.SourceList)
	w.sourceDests(o, "destinationList", "destination", e.DestinationList)
	if e.SensorElementList != nil {
		o.key("sensorElementList")
		o.b.WriteByte('[')
		for i := range e.SensorElementList {
			if i > 0 {
				o.b.WriteByte(',')
			}
			if err := w.sensorElement(o.b, &e.SensorElementList[i]); err != nil {
				return err
			}
		}
		o.b.WriteByte(']')
	}
	if e.ILMD != nil {
		o.key("ilmd")
		o.b.WriteByte('{')
		if err := w.elements(&jsonMembers{b: o.b}, e.ILMD); err != nil {
			return err
		}
		o.b.WriteByte('}')
	}
	return w.elements(o, e.Extensions)
}

func compactAll(v Vocab, list []string) []string {
	if list == nil {
		return nil
	}
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = CompactCBV(v, s)
	}
	return out
}

func (w *jsonWriter) quantities(o *jsonMembers, k string, list []QuantityElement) error {
	if list == nil {
		return nil
	}
	o.key(k)
	o.b.WriteByte('[')
	for i, q := range list {
		if i > 0 {
			o.b.WriteByte(',')
		}
		o.b.WriteByte('{')
		qo := &jsonMembers{b: o.b}
		qo.key("epcClass")
		writeJSONString(o.b, q.EPCClass)
		if q.HasQuantity {
			qty := q.Quantity
			if err := qo.float("quantity", &qty); err != nil {
				return fmt.Errorf("%s %d: %w", k, i, err)
			}
		}
		qo.str("uom", q.UOM)
		o.b.WriteByte('}')
	}
	o.b.WriteByte(']')
	return nil
}

func (w *jsonWriter) location(o *jsonMembers, k string, loc *Location) error {
	if loc == nil {
		return nil
	}
	o.key(k)
	o.b.WriteByte('{')
	lo := &jsonMembers{b: o.b}
	lo.key("id")
	writeJSONString(o.b, loc.ID)
	if err := w.elements(lo, loc.Extensions); err != nil {
		return err
	}
	o.b.WriteByte('}')
	return nil
}

func (w *jsonWriter) sourceDests(o *jsonMembers, k, valueKey string, list []SourceDest) {
	if list == nil {
		return
	}
	o.key(k)
	o.b.WriteByte('[')
	for i, sd := range list {
		if i > 0 {
			o.b.WriteByte(',')
		}
		o.b.WriteByte('{')
		so := &jsonMembers{b: o.b}
		so.str("type", CompactCBV(VocabSourceDestType, sd.Type))
		so.key(valueKey)
		writeJSONString(o.b, sd.Value)
		o.b.WriteByte('}')
	}
	o.b.WriteByte(']')
}

func (w *jsonWriter) errorDeclaration(b *bytes.Buffer, ed *ErrorDeclaration) error {
	b.WriteByte('{')
	o := &jsonMembers{b: b}
	o.time("declarationTime", ed.DeclarationTime)
	o.str("reason", CompactCBV(VocabErrorReason, ed.Reason))
	o.strList("correctiveEventIDs", ed.CorrectiveEventIDs)
	if err := w.elements(o, ed.Extensions); err != nil {
		return err
	}
	b.WriteByte('}')
	return nil
}

func (w *jsonWriter) sensorElement(b *bytes.Buffer, se *SensorElement) error {
	b.WriteByte('{')
	o := &jsonMembers{b: b}
	if md := se.Metadata; md != nil {
		o.key("sensorMetadata")
		b.WriteByte('{')
		mo := &jsonMembers{b: b}
		mo.time("time", md.Time)
		mo.time("startTime", md.StartTime)
		mo.time("endTime", md.EndTime)
		mo.str("deviceID", md.DeviceID)
		mo.str("deviceMetadata", md.DeviceMetadata)
		mo.str("rawData", md.RawData)
		mo.str("dataProcessingMethod", md.DataProcessingMethod)
		mo.str("bizRules", md.BizRules)
		if err := w.elements(mo, md.Extensions); err != nil {
			return err
		}
		b.WriteByte('}')
	}
	if se.Reports != nil {
		o.key("sensorReport")
		b.WriteByte('[')
		for i := range se.Reports {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := w.sensorReport(b, &se.Reports[i]); err != nil {
				return fmt.Errorf("sensorReport %d: %w", i, err)
			}
		}
		b.WriteByte(']')
	}
	if err := w.elements(o, se.Extensions); err != nil {
		return err
	}
	b.WriteByte('}')
	return nil
}

func (w *jsonWriter) sensorReport(b *bytes.Buffer, sr *SensorReport) error {
	b.WriteByte('{')
	o := &jsonMembers{b: b}
	o.str("type", CompactCBV(VocabSensorMeasurementType, sr.Type))
	o.str("exception", CompactCBV(VocabSensorAlertType, sr.Exception))
	o.str("deviceID", sr.DeviceID)
	o.str("deviceMetadata", sr.DeviceMetadata)
	o.str("rawData", sr.RawData)
	o.str("dataProcessingMethod", sr.DataProcessingMethod)
	o.str("bizRules", sr.BizRules)
	o.time("time", sr.Time)
	o.str("microorganism", sr.Microorganism)
	o.str("chemicalSubstance", sr.ChemicalSubstance)
	o.str("coordinateReferenceSystem", sr.CoordinateReferenceSystem)
	if err := o.float("value", sr.Value); err != nil {
		return fmt.Errorf("value: %w", err)
	}
	o.str("component", CompactCBV(VocabComponent, sr.Component))
	o.str("stringValue", sr.StringValue)
	if sr.BooleanValue != nil {
		o.key("booleanValue")
		b.WriteString(strconv.FormatBool(*sr.BooleanValue))
	}
	o.str("hexBinaryValue", sr.HexBinaryValue)
	o.str("uriValue", sr.URIValue)
	for _, f := range []struct {
		k string
		v *float64
	}{{"minValue", sr.MinValue}, {"maxValue", sr.MaxValue}, {"meanValue", sr.MeanValue},
		{"sDev", sr.SDev}, {"percRank", sr.PercRank}, {"percValue", sr.PercValue}} {
		if err := o.float(f.k, f.v); err != nil {
			return fmt.Errorf("%s: %w", f.k, err)
		}
	}
	o.str("uom", sr.UOM)
	if err := w.elements(o, sr.Extensions); err != nil {
		return err
	}
	b.WriteByte('}')
	return nil
}

// elements writes extension elements as members of o. Elements sharing a
// name become one array at the position of the first of them, because a
// JSON object cannot repeat a member name. An element with XML attributes
// is written as described at attributed.
func (w *jsonWriter) elements(o *jsonMembers, els []Element) error {
	type name struct{ space, local string }
	done := make(map[name]bool)
	for i := range els {
		n := name{els[i].Space, els[i].Local}
		if done[n] {
			continue
		}
		done[n] = true
		group := []*Element{&els[i]}
		for j := i + 1; j < len(els); j++ {
			if els[j].Space == n.space && els[j].Local == n.local {
				group = append(group, &els[j])
			}
		}
		o.key(w.ns.key(group[0]))
		if len(group) == 1 && !group[0].InArray {
			if err := w.element(o.b, group[0]); err != nil {
				return err
			}
			continue
		}
		o.b.WriteByte('[')
		if len(group) == 1 && group[0].Kind == KindNull && group[0].Value == "" {
			// An empty array, as the decoder records it.
			o.b.WriteByte(']')
			continue
		}
		for k, el := range group {
			if k > 0 {
				o.b.WriteByte(',')
			}
			if err := w.element(o.b, el); err != nil {
				return err
			}
		}
		o.b.WriteByte(']')
	}
	return nil
}

func (w *jsonWriter) element(b *bytes.Buffer, el *Element) error {
	if len(el.Attrs) > 0 {
		return w.attributed(b, el)
	}
	switch el.Kind {
	case KindString:
		writeJSONString(b, el.Value)
	case KindNumber:
		if !validJSONNumber(el.Value) {
			return fmt.Errorf("extension %s%s: invalid number %q", el.Space, el.Local, el.Value)
		}
		b.WriteString(el.Value)
	case KindBool:
		if el.Value != "true" && el.Value != "false" {
			return fmt.Errorf("extension %s%s: invalid boolean %q", el.Space, el.Local, el.Value)
		}
		b.WriteString(el.Value)
	case KindNull:
		b.WriteString("null")
	case KindObject:
		b.WriteByte('{')
		if err := w.elements(&jsonMembers{b: b}, el.Children); err != nil {
			return err
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("extension %s%s: unknown value kind %d", el.Space, el.Local, el.Kind)
	}
	return nil
}

// attributed writes an extension element that carries XML attributes.
// EPCIS 2.0 JSON-LD has no form for them, so the element becomes an object
// whose members are the attributes, named "-" followed by the attribute's
// prefixed name, then the element's children, or its text as member
// "#text", as common XML-to-JSON mappings do. JSON-LD processors drop such
// members because no context defines them.
// The JSON decoder reads this form back into Attrs.
func (w *jsonWriter) attributed(b *bytes.Buffer, el *Element) error {
	b.WriteByte('{')
	o := &jsonMembers{b: b}
	for i := range el.Attrs {
		a := &el.Attrs[i]
		key := a.Local
		if a.Space != "" {
			key = w.ns.key(&Element{Space: a.Space, Prefix: a.Prefix, Local: a.Local})
		}
		o.key(attrMarker + key)
		writeJSONString(b, a.Value)
	}
	if el.Kind == KindObject {
		if err := w.elements(o, el.Children); err != nil {
			return err
		}
	} else if el.Kind != KindNull || el.Value != "" {
		o.key(textMember)
		writeJSONString(b, el.Value)
	}
	b.WriteByte('}')
	return nil
}

// textMember holds the text of an extension element written as an object
// because it carries XML attributes.
const textMember = "#text"

// attrMarker starts the member name of an XML attribute.
const attrMarker = "-"

// validJSONNumber checks the number grammar of RFC 8259 section 6.
func validJSONNumber(s string) bool {
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return false
	}
	var v json.Number
	return json.Unmarshal([]byte(s), &v) == nil
}

// writeFloat writes f as a JSON number, in plain notation unless its
// magnitude needs an exponent, as encoding/json does.
func writeFloat(b *bytes.Buffer, f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("number %v has no JSON form", f)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b.Write(strconv.AppendFloat(nil, f, format, -1, 64))
	return nil
}

// formatTime writes t in RFC 3339 with its own offset, keeping the
// fraction without trailing zeros.
func formatTime(t time.Time) string {
	return t.Format(time.RFC3339Nano)
}

// offsetLocation returns a fixed zone for a valid ±hh:mm offset.
func offsetLocation(off string) (*time.Location, bool) {
	if !timeZoneOffsetPattern.MatchString(off) {
		return nil, false
	}
	h, _ := strconv.Atoi(off[1:3])
	m, _ := strconv.Atoi(off[4:6])
	secs := (h*60 + m) * 60
	if off[0] == '-' {
		secs = -secs
	}
	if secs == 0 {
		return time.UTC, true
	}
	return time.FixedZone("", secs), true
}

// writeJSONString writes s as a JSON string. Invalid UTF-8 becomes U+FFFD;
// HTML characters are left as they are.
func writeJSONString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\r':
				b.WriteString(`\r`)
			case c == '\t':
				b.WriteString(`\t`)
			case c < 0x20 || c == 0x7f:
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&0xf])
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\ufffd`)
		case r == '\u2028' || r == '\u2029':
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
}
