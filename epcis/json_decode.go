package epcis

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"strconv"
	"strings"
)

// JSONDecoder reads an EPCIS 2.0 JSON-LD document from a stream: an
// EPCISDocument, an EPCISQueryDocument or one bare event. It decodes one
// event at a time, so memory stays bounded by the largest event whatever
// the number of events, provided "@context" comes before "epcisBody" (when
// it does not, the body is held in memory until the context is known).
//
// A JSONDecoder is not safe for concurrent use.
type JSONDecoder struct {
	s      *jsonScanner
	ctx    *jsonContext
	header Header

	started bool
	// err is a fatal error: malformed JSON or a broken envelope. Once set,
	// every call returns it.
	err       error
	headerErr []FieldError

	// Streaming state: the objects entered on the way to the eventList, and
	// whether the list is open.
	frames   []*openObject
	inList   bool
	listPtr  string
	index    int
	finished bool
	// pending holds events already parsed into trees: a bare event, or the
	// events of a body read before "@context".
	pending    []*jsonNode
	pendingCtx *jsonContext
	// tail holds errors found after the last event, reported once by Next.
	tail []FieldError

	sawType, sawContext, sawSchemaVersion, sawCreationDate bool
}

// openObject is an object of the envelope whose members are being read.
type openObject struct {
	ptr   string
	first bool // no member read yet
	role  string
}

// NewJSONDecoder returns a decoder reading from r. It buffers r itself.
func NewJSONDecoder(r io.Reader) *JSONDecoder {
	return &JSONDecoder{s: newJSONScanner(r, 64<<10), ctx: newJSONContext()}
}

// Header reads the document up to its first event and returns the header
// fields the document declares. Members written after the eventList (a late
// queryName, say) are not in it. The error is a *ValidationError for a
// malformed or invalid envelope, or a wrapped read error from the
// underlying reader; Next then returns it too.
func (d *JSONDecoder) Header() (Header, error) {
	if !d.started {
		d.start()
	}
	if d.err != nil {
		return d.header, d.err
	}
	if len(d.headerErr) > 0 {
		return d.header, &ValidationError{Errors: d.headerErr}
	}
	return d.header, nil
}

// Next returns the next event, or io.EOF after the last one.
//
// An event that breaks a structural or semantic rule is returned as a nil
// event and a *ValidationError listing every problem in it; Next can then
// be called again to go on with the following event. Malformed JSON ends
// the stream: Next returns the same *ValidationError, with the line and byte
// offset, from then on. Problems found after the last event (such as a
// missing creationDate written after the body) are returned once, as a
// *ValidationError with EventIndex -1, before io.EOF.
func (d *JSONDecoder) Next() (*Event, error) {
	if _, err := d.Header(); err != nil {
		return nil, err
	}
	if len(d.pending) > 0 {
		n := d.pending[0]
		d.pending = d.pending[1:]
		ptr := d.listPtr + "/" + itoa(d.index)
		if d.header.Kind == KindBareEvent {
			ptr = ""
		}
		return d.decodeEvent(n, d.pendingCtx, ptr)
	}
	if d.inList {
		n, ok, err := d.nextItem()
		if err != nil {
			return nil, d.fatal(err)
		}
		if ok {
			return d.decodeEvent(n, d.ctx, d.listPtr+"/"+itoa(d.index))
		}
		d.inList = false
		if err := d.closeFrames(); err != nil {
			return nil, d.fatal(err)
		}
	}
	if !d.finished {
		d.finished = true
		d.tail = append(d.tail, d.checkHeaderRequired()...)
		if len(d.tail) > 0 {
			return nil, &ValidationError{Errors: d.tail}
		}
	}
	return nil, io.EOF
}

// decodeEvent maps and validates one event tree. ptr is its pointer in the
// document.
func (d *JSONDecoder) decodeEvent(n *jsonNode, ctx *jsonContext, ptr string) (*Event, error) {
	index := d.index
	d.index++
	r := &eventReader{ctx: ctx, index: index}
	e := r.event(ptr, n)
	if e == nil {
		return nil, &ValidationError{Errors: r.errs}
	}
	if d.header.Kind == KindBareEvent && n.member("@context") == nil {
		r.fail("/@context", n, "@context required",
			"missing @context; add \"@context\": \""+EPCISContextURL+"\" (缺少 @context)")
	}
	reported := make(map[string]bool, len(r.errs))
	for _, fe := range r.errs {
		reported[fe.Pointer] = true
	}
	for _, fe := range Validate(e, index) {
		fe.Pointer = ptr + fe.Pointer
		if reported[fe.Pointer] {
			continue
		}
		fe.Line = lineOf(n, fe.Pointer[len(ptr):])
		r.errs = append(r.errs, fe)
	}
	if len(r.errs) > 0 {
		return nil, &ValidationError{Errors: r.errs}
	}
	return e, nil
}

// lineOf returns the line of the value at the relative pointer rel inside
// n, or of its nearest existing ancestor.
func lineOf(n *jsonNode, rel string) int {
	line := n.line
	for _, tok := range strings.Split(strings.TrimPrefix(rel, "/"), "/") {
		if tok == "" {
			break
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		var next *jsonNode
		switch n.kind {
		case jsonObject:
			for _, m := range n.members {
				if m.key == tok {
					next, line = m.value, m.line
					break
				}
			}
		case jsonArray:
			if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(n.items) {
				next = n.items[i]
				line = next.line
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	return line
}

// fatal records a decoding error that ends the stream, converting syntax
// errors to a *ValidationError with line and offset.
func (d *JSONDecoder) fatal(err error) error {
	var se *jsonSyntaxError
	if errors.As(err, &se) {
		index, ptr := -1, ""
		if d.inList {
			index, ptr = d.index, d.listPtr+"/"+itoa(d.index)
		}
		err = &ValidationError{Errors: []FieldError{{
			EventIndex: index, Pointer: ptr, Line: se.Line, Rule: "JSON syntax",
			Message: fmt.Sprintf("malformed JSON at line %d, byte offset %d: %s (JSON 格式错误)", se.Line, se.Offset, se.Msg),
		}}}
	}
	d.err = err
	return err
}

func (d *JSONDecoder) headerFail(ptr string, n *jsonNode, rule, msg string) {
	d.headerErr = append(d.headerErr, fieldError(-1, ptr, n, rule, msg))
}

// start reads the top-level object up to the first event.
func (d *JSONDecoder) start() {
	d.started = true
	c, err := d.s.peek()
	if errors.Is(err, io.EOF) {
		d.err = &ValidationError{Errors: []FieldError{{EventIndex: -1, Rule: "JSON document",
			Message: "empty input; send an EPCISDocument, an EPCISQueryDocument or one event as JSON (输入为空)"}}}
		return
	}
	if err != nil {
		d.fatal(err)
		return
	}
	if c != '{' {
		d.err = &ValidationError{Errors: []FieldError{{EventIndex: -1, Line: d.s.line, Rule: "JSON object",
			Message: fmt.Sprintf("expected a JSON object at line %d, found %q; send an EPCISDocument, an EPCISQueryDocument or one event (须为 JSON 对象)", d.s.line, c)}}}
		return
	}
	top := &openObject{ptr: "", first: true, role: "document"}
	if err := d.s.expect('{'); err != nil {
		d.fatal(err)
		return
	}
	d.frames = []*openObject{top}
	var members []jsonMember // kept in case the object is a bare event
	var body *jsonNode
	for {
		key, line, ok, err := d.nextKey(top)
		if err != nil {
			d.fatal(err)
			return
		}
		if !ok {
			break
		}
		if key == "epcisBody" && d.sawContext && body == nil {
			if err := d.enterBody(); err != nil {
				d.fatal(err)
			}
			d.header.Namespaces = maps.Clone(d.ctx.declared)
			return
		}
		n, err := d.s.parseValue()
		if err != nil {
			d.fatal(err)
			return
		}
		if key == "epcisBody" {
			body = n
			continue
		}
		members = append(members, jsonMember{key: key, value: n, line: line})
		d.topMember(key, n)
	}
	d.frames = nil
	if err := d.checkEnd(); err != nil {
		d.fatal(err)
		return
	}
	d.header.Namespaces = maps.Clone(d.ctx.declared)
	d.finishBuffered(members, body)
}

// finishBuffered sets up Next for a document read whole: a bare event, or
// a document whose body came before its "@context".
func (d *JSONDecoder) finishBuffered(members []jsonMember, body *jsonNode) {
	d.pendingCtx = d.ctx
	if body == nil {
		if d.header.Kind == KindEPCISDocument || d.header.Kind == KindEPCISQueryDocument {
			d.headerFail("/epcisBody", nil, "epcisBody required",
				"missing epcisBody; put the events in epcisBody.eventList (缺少 epcisBody)")
			return
		}
		// A bare event: the top-level object itself. Its @context was
		// already applied to d.ctx, so the event reader starts from the
		// EPCIS context to avoid applying it twice.
		d.header.Kind = KindBareEvent
		d.headerErr = nil
		d.pendingCtx = newJSONContext()
		d.pending = []*jsonNode{{kind: jsonObject, members: members, line: 1}}
		return
	}
	list, ptr := d.findEventList(body)
	if list != nil {
		d.listPtr = ptr
		d.pending = list.items
	}
}

// findEventList locates the eventList in a body read whole, checking the
// members it passes on the way.
func (d *JSONDecoder) findEventList(body *jsonNode) (*jsonNode, string) {
	if body.kind != jsonObject {
		d.headerFail("/epcisBody", body, "JSON type object", "epcisBody must be an object (epcisBody 须为对象)")
		return nil, ""
	}
	node, ptr := body, "/epcisBody"
	if d.header.Kind == KindEPCISQueryDocument || body.member("queryResults") != nil {
		d.header.Kind = KindEPCISQueryDocument
		qr := body.member("queryResults")
		if qr == nil || qr.kind != jsonObject {
			d.headerFail(ptr+"/queryResults", qr, "queryResults required", "EPCISQueryDocument needs epcisBody.queryResults (查询文档须含 queryResults)")
			return nil, ""
		}
		for _, m := range qr.members {
			d.queryMember(m.key, m.value)
		}
		rb := qr.member("resultsBody")
		if rb == nil || rb.kind != jsonObject {
			d.headerFail(ptr+"/queryResults/resultsBody", rb, "resultsBody required", "queryResults needs resultsBody (缺少 resultsBody)")
			return nil, ""
		}
		node, ptr = rb, ptr+"/queryResults/resultsBody"
	}
	list := node.member("eventList")
	if list == nil {
		d.headerFail(ptr+"/eventList", nil, "eventList required", "missing eventList (缺少 eventList)")
		return nil, ""
	}
	if list.kind != jsonArray {
		d.headerFail(ptr+"/eventList", list, "JSON type array", "eventList must be an array (eventList 须为数组)")
		return nil, ""
	}
	return list, ptr + "/eventList"
}

// nextKey reads the next member name of the open object o and its colon.
// ok is false at the end of the object.
func (d *JSONDecoder) nextKey(o *openObject) (key string, line int, ok bool, err error) {
	if o.first {
		o.first = false
		c, err := d.s.peek()
		if err == nil && c == '}' {
			_, err = d.s.readByte()
			return "", 0, false, err
		}
	} else {
		c, err := d.s.next(",}", "',' or '}'")
		if err != nil || c == '}' {
			return "", 0, false, err
		}
	}
	if c, err := d.s.peek(); err == nil && c != '"' {
		return "", 0, false, d.s.errorf("invalid character %q, expected a member name in double quotes", c)
	}
	line = d.s.line
	d.s.budget = maxJSONValueBytes
	key, err = d.s.str()
	if err != nil {
		return "", 0, false, err
	}
	if err := d.s.expect(':'); err != nil {
		return "", 0, false, err
	}
	return key, line, true, nil
}

// enterBody descends from "epcisBody" to the opening bracket of its
// eventList, reading the members met on the way.
func (d *JSONDecoder) enterBody() error {
	path := []string{"epcisBody"}
	if err := d.s.expect('{'); err != nil {
		return err
	}
	o := &openObject{ptr: "/epcisBody", first: true, role: "epcisBody"}
	d.frames = append(d.frames, o)
	for {
		key, _, ok, err := d.nextKey(o)
		if err != nil {
			return err
		}
		if !ok {
			d.frames = d.frames[:len(d.frames)-1]
			d.headerFail(o.ptr+"/eventList", nil, "eventList required", "missing eventList in "+strings.Join(path, ".")+" (缺少 eventList)")
			return d.closeFrames()
		}
		switch {
		case key == "eventList" && o.role != "queryResults":
			if c, err := d.s.peek(); err == nil && c != '[' {
				n, err := d.s.parseValue()
				if err != nil {
					return err
				}
				d.headerFail(o.ptr+"/eventList", n, "JSON type array", "eventList must be an array (eventList 须为数组)")
				continue
			}
			if err := d.s.expect('['); err != nil {
				return err
			}
			d.inList, d.listPtr = true, o.ptr+"/eventList"
			if d.header.Kind == "" {
				d.header.Kind = KindEPCISDocument
			}
			return nil
		case key == "queryResults" && o.role == "epcisBody", key == "resultsBody" && o.role == "queryResults":
			if err := d.s.expect('{'); err != nil {
				return err
			}
			if key == "queryResults" {
				d.header.Kind = KindEPCISQueryDocument
			}
			path = append(path, key)
			o = &openObject{ptr: o.ptr + "/" + key, first: true, role: key}
			d.frames = append(d.frames, o)
		default:
			n, err := d.s.parseValue()
			if err != nil {
				return err
			}
			if o.role == "queryResults" {
				d.queryMember(key, n)
			}
		}
	}
}

// nextItem reads the next event of the open eventList. ok is false at the
// end of the list.
func (d *JSONDecoder) nextItem() (*jsonNode, bool, error) {
	// The event index counts the items read so far, so it is 0 exactly
	// before the first one.
	if d.index == 0 {
		c, err := d.s.peek()
		if err == nil && c == ']' {
			_, err = d.s.readByte()
			return nil, false, err
		}
	} else {
		c, err := d.s.next(",]", "',' or ']'")
		if err != nil || c == ']' {
			return nil, false, err
		}
	}
	n, err := d.s.parseValue()
	return n, err == nil, err
}

// closeFrames reads the rest of every object entered on the way to the
// eventList, innermost first, and then the end of input.
func (d *JSONDecoder) closeFrames() error {
	for len(d.frames) > 0 {
		o := d.frames[len(d.frames)-1]
		for {
			key, _, ok, err := d.nextKey(o)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			n, err := d.s.parseValue()
			if err != nil {
				return err
			}
			switch o.role {
			case "document":
				d.topMember(key, n)
				if key == "@context" {
					d.tail = append(d.tail, fieldError(-1, "/@context", n, "@context before epcisBody",
						"@context comes after epcisBody, so the events were read without it; put @context first (@context 须位于 epcisBody 之前)"))
				}
			case "queryResults":
				d.queryMember(key, n)
			}
		}
		d.frames = d.frames[:len(d.frames)-1]
	}
	d.tail = append(d.tail, d.headerErr...)
	d.headerErr = nil
	return d.checkEnd()
}

// checkEnd verifies that nothing but white space follows the document.
func (d *JSONDecoder) checkEnd() error {
	c, err := d.s.peek()
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return err
	}
	return d.s.errorf("unexpected %q after the end of the JSON document", c)
}

// topMember handles one member of the top-level object.
func (d *JSONDecoder) topMember(key string, n *jsonNode) {
	ptr := "/" + escapePointer(key)
	switch key {
	case "@context":
		var errs []FieldError
		d.ctx, errs = d.ctx.extend(n, ptr, -1)
		d.headerErr = append(d.headerErr, errs...)
		d.sawContext = true
	case "type":
		d.sawType = true
		if n.kind != jsonString {
			d.headerFail(ptr, n, "JSON type string", "type must be a string (type 须为字符串)")
			return
		}
		switch DocumentKind(n.text) {
		case KindEPCISDocument, KindEPCISQueryDocument:
			d.header.Kind = DocumentKind(n.text)
		default:
			if !EventType(n.text).Valid() {
				d.headerFail(ptr, n, "document or event type",
					"unknown type; a document is EPCISDocument or EPCISQueryDocument, an event one of the five EPCIS event types (未知的文档或事件类型)")
			}
		}
	case "schemaVersion":
		d.sawSchemaVersion = true
		if n.kind != jsonString {
			d.headerFail(ptr, n, "JSON type string", "schemaVersion must be a string such as \"2.0\" (schemaVersion 须为字符串)")
			return
		}
		if !schemaVersionPattern.MatchString(n.text) {
			d.headerFail(ptr, n, "schemaVersion format",
				"invalid schemaVersion; write a version number such as \"2.0\" (schemaVersion 须为版本号)")
			return
		}
		d.header.SchemaVersion = n.text
	case "creationDate":
		d.sawCreationDate = true
		if n.kind != jsonString {
			d.headerFail(ptr, n, "JSON type string", "creationDate must be an RFC 3339 string (creationDate 须为字符串)")
			return
		}
		t, err := parseTime(n.text)
		if err != nil {
			d.headerFail(ptr, n, "RFC 3339 date-time with offset",
				"invalid creationDate; write RFC 3339 with offset, like 2026-01-02T15:04:05Z (creationDate 格式无效)")
			return
		}
		d.header.CreationDate = t
	case "id", "instanceIdentifier", "sender", "receiver":
		if n.kind != jsonString {
			d.headerFail(ptr, n, "JSON type string", key+" must be a string ("+key+" 须为字符串)")
		}
	case "epcisHeader":
		// NOTE: master data in epcisHeader.epcisMasterData is not decoded;
		// Header has no place for it yet.
		if n.kind != jsonObject {
			d.headerFail(ptr, n, "JSON type object", "epcisHeader must be an object (epcisHeader 须为对象)")
		}
	default:
		// Namespaced members are document extensions, which Header does
		// not keep. A plain unknown name is an error in a document. The
		// members of a bare event also arrive here, and finishBuffered
		// drops these errors when the object turns out to be an event.
		if !strings.Contains(key, ":") {
			d.headerFail(ptr, n, "allowed members of the document",
				"unknown member "+strconv.Quote(key)+" in the document; extension fields need a namespace prefix declared in @context (文档中的未知字段)")
		}
	}
}

// schemaVersionPattern is the version form the EPCIS 2.0 JSON schema
// accepts.
var schemaVersionPattern = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*$`)

func (d *JSONDecoder) queryMember(key string, n *jsonNode) {
	if n.kind != jsonString {
		if key == "queryName" || key == "subscriptionID" {
			d.headerFail("/epcisBody/queryResults/"+key, n, "JSON type string", key+" must be a string ("+key+" 须为字符串)")
		}
		return
	}
	switch key {
	case "queryName":
		d.header.QueryName = n.text
	case "subscriptionID":
		d.header.SubscriptionID = n.text
	}
}

// checkHeaderRequired reports required document members that were absent.
func (d *JSONDecoder) checkHeaderRequired() []FieldError {
	var errs []FieldError
	need := func(ok bool, name string) {
		if !ok {
			errs = append(errs, FieldError{EventIndex: -1, Pointer: "/" + name, Rule: name + " required",
				Message: "missing " + name + " in " + string(d.header.Kind) + " (文档缺少 " + name + ")"})
		}
	}
	switch d.header.Kind {
	case KindEPCISDocument:
		need(d.sawContext, "@context")
		need(d.sawType, "type")
		need(d.sawSchemaVersion, "schemaVersion")
		need(d.sawCreationDate, "creationDate")
	case KindEPCISQueryDocument:
		need(d.sawContext, "@context")
		need(d.sawType, "type")
	}
	return errs
}

// UnmarshalEventJSON decodes one event object, as MarshalEventJSON writes
// it, and validates it. The error is a *ValidationError when the event is
// malformed or invalid.
func UnmarshalEventJSON(b []byte) (*Event, error) {
	// A buffer the size of the input keeps reading stored events cheap.
	d := &JSONDecoder{s: newJSONScanner(bytes.NewReader(b), min(len(b)+1, 64<<10)), ctx: newJSONContext()}
	h, err := d.Header()
	if err != nil {
		return nil, err
	}
	if h.Kind != KindBareEvent {
		return nil, &ValidationError{Errors: []FieldError{{EventIndex: -1, Pointer: "/type", Value: string(h.Kind), Rule: "single event",
			Message: "expected one event object, got a " + string(h.Kind) + " (须为单个事件对象)"}}}
	}
	e, err := d.Next()
	if err != nil {
		return nil, err
	}
	if _, err := d.Next(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("decode event: %w", err)
	}
	return e, nil
}
