package epcis

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

func itoa(i int) string { return strconv.Itoa(i) }

// fieldError builds a FieldError for the value n at ptr.
func fieldError(index int, ptr string, n *jsonNode, rule, msg string) FieldError {
	fe := FieldError{EventIndex: index, Pointer: ptr, Rule: rule, Message: msg}
	if n != nil {
		fe.Line = n.line
		switch n.kind {
		case jsonObject, jsonArray:
		default:
			fe.Value = TruncateValue(n.text)
		}
	}
	return fe
}

// eventReader maps one parsed event object onto the model, collecting the
// structural problems it finds: wrong JSON types, malformed times and
// numbers, members that are neither EPCIS fields nor namespaced extensions.
type eventReader struct {
	ctx   *jsonContext
	index int
	errs  []FieldError
}

func (r *eventReader) fail(ptr string, n *jsonNode, rule, msg string) {
	r.errs = append(r.errs, fieldError(r.index, ptr, n, rule, msg))
}

func (r *eventReader) wrongType(ptr string, n *jsonNode, want string) {
	r.fail(ptr, n, "JSON type "+want,
		"expected "+want+", got "+n.kind.String()+" (类型错误，应为 "+want+")")
}

func (r *eventReader) str(ptr string, n *jsonNode) (string, bool) {
	if n.kind != jsonString {
		r.wrongType(ptr, n, "string")
		return "", false
	}
	return n.text, true
}

func (r *eventReader) strList(ptr string, n *jsonNode) []string {
	if n.kind != jsonArray {
		r.wrongType(ptr, n, "array")
		return nil
	}
	out := make([]string, 0, len(n.items))
	for i, item := range n.items {
		if s, ok := r.str(ptr+"/"+itoa(i), item); ok {
			out = append(out, s)
		}
	}
	return out
}

func (r *eventReader) timeValue(ptr string, n *jsonNode) time.Time {
	s, ok := r.str(ptr, n)
	if !ok {
		return time.Time{}
	}
	t, err := parseTime(s)
	if err != nil {
		r.fail(ptr, n, "RFC 3339 date-time with offset",
			"invalid time; write it as RFC 3339 with a time zone offset, like 2026-01-02T15:04:05.000+08:00 (时间格式无效，须为带时区偏移的 RFC 3339 格式)")
	}
	return t
}

// rfc3339Pattern is the date-time production of RFC 3339 section 5.6 with
// upper-case separators. time.Parse alone also takes one-digit hours.
var rfc3339Pattern = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$`)

// errTimeFormat reports a time that is not in RFC 3339 form.
var errTimeFormat = errors.New("time is not RFC 3339 with an offset")

// parseTime parses an xsd:dateTimeStamp as JSON carries it: RFC 3339 with
// a mandatory offset, keeping the fraction up to nanoseconds.
func parseTime(s string) (time.Time, error) {
	if !rfc3339Pattern.MatchString(s) {
		return time.Time{}, errTimeFormat
	}
	return time.Parse(time.RFC3339Nano, s)
}

func (r *eventReader) number(ptr string, n *jsonNode) (float64, bool) {
	if n.kind != jsonNumber {
		r.wrongType(ptr, n, "number")
		return 0, false
	}
	f, err := strconv.ParseFloat(n.text, 64)
	if err != nil || math.IsInf(f, 0) {
		r.fail(ptr, n, "decimal range", "number out of range for a 64-bit decimal (数值超出范围)")
		return 0, false
	}
	return f, true
}

func (r *eventReader) numberPtr(ptr string, n *jsonNode) *float64 {
	if f, ok := r.number(ptr, n); ok {
		return &f
	}
	return nil
}

func (r *eventReader) object(ptr string, n *jsonNode) bool {
	if n.kind != jsonObject {
		r.wrongType(ptr, n, "object")
		return false
	}
	return true
}

func (r *eventReader) array(ptr string, n *jsonNode) bool {
	if n.kind != jsonArray {
		r.wrongType(ptr, n, "array")
		return false
	}
	return true
}

// extension turns a member that is not an EPCIS field into extension
// elements, or reports it. where names the enclosing structure for the
// message.
func (r *eventReader) extension(ptr, key string, n *jsonNode, where string) []Element {
	name, undefined, ok := r.ctx.resolveKey(key)
	if !ok {
		if undefined != "" {
			r.fail(ptr, n, "namespace prefix declared in @context",
				"prefix "+strconv.Quote(undefined)+" of member "+strconv.Quote(key)+" is not declared; add it to @context, e.g. {\""+undefined+"\": \"https://example.com/ns/\"} (命名空间前缀未在 @context 中声明)")
			return nil
		}
		r.fail(ptr, n, "allowed members of "+where,
			"unknown member "+strconv.Quote(key)+" in "+where+"; extension fields need a namespace prefix declared in @context (未知字段，扩展字段须使用已声明的命名空间前缀)")
		return nil
	}
	return r.elements(ptr, name, n, false)
}

// elements converts an extension value. An array becomes one Element per
// item with InArray set. An empty array becomes a single KindNull element
// with an empty Value and InArray set, which the encoder writes back as [].
func (r *eventReader) elements(ptr string, name Element, n *jsonNode, inArray bool) []Element {
	e := name
	e.InArray = inArray
	switch n.kind {
	case jsonString:
		e.Kind, e.Value = KindString, n.text
	case jsonNumber:
		e.Kind, e.Value = KindNumber, n.text
	case jsonBool:
		e.Kind, e.Value = KindBool, n.text
	case jsonNull:
		e.Kind, e.Value = KindNull, n.text
	case jsonObject:
		e.Kind = KindObject
		e.Children = []Element{}
		var text *jsonNode
		for _, m := range n.members {
			p := ptr + "/" + escapePointer(m.key)
			if attr, ok := r.attribute(p, m.key, m.value); ok {
				e.Attrs = append(e.Attrs, attr)
				continue
			}
			if m.key == textMember && m.value.kind == jsonString {
				text = m.value
				continue
			}
			child, _, ok := r.ctx.resolveKey(m.key)
			if !ok {
				// Keywords such as @value and @type, and plain names inside
				// an extension, are kept as written.
				child = Element{Local: m.key}
			}
			e.Children = append(e.Children, r.elements(p, child, m.value, false)...)
		}
		if text != nil && len(e.Children) == 0 {
			e.Kind, e.Value, e.Children = KindString, text.text, nil
		}
	case jsonArray:
		if inArray {
			r.fail(ptr, n, "no nested arrays in extensions",
				"arrays directly inside arrays are not supported in extension fields; wrap the inner array in an object (扩展字段不支持数组直接嵌套数组)")
			return nil
		}
		if len(n.items) == 0 {
			e.Kind, e.InArray = KindNull, true
			return []Element{e}
		}
		var out []Element
		for i, item := range n.items {
			out = append(out, r.elements(ptr+"/"+itoa(i), name, item, true)...)
		}
		return out
	}
	return []Element{e}
}

// attribute reads a member that the encoder wrote for an XML attribute of
// an extension element: "-" followed by a prefixed or plain name, with a
// string value.
func (r *eventReader) attribute(ptr, key string, n *jsonNode) (Attr, bool) {
	name, ok := strings.CutPrefix(key, attrMarker)
	if !ok || name == "" || n.kind != jsonString {
		return Attr{}, false
	}
	if !strings.Contains(name, ":") {
		return Attr{Local: name, Value: n.text}, true
	}
	el, _, ok := r.ctx.resolveKey(name)
	if !ok {
		return Attr{}, false
	}
	return Attr{Space: el.Space, Prefix: el.Prefix, Local: el.Local, Value: n.text}, true
}

// event maps an event object; base is its JSON pointer.
func (r *eventReader) event(base string, n *jsonNode) *Event {
	if !r.object(base, n) {
		return nil
	}
	if c := n.member("@context"); c != nil {
		var errs []FieldError
		r.ctx, errs = r.ctx.extend(c, base+"/@context", r.index)
		r.errs = append(r.errs, errs...)
	}
	e := &Event{}
	typeNode := n.member("type")
	switch {
	case typeNode == nil:
		r.fail(base+"/type", nil, "type required",
			"missing event type; set \"type\" to ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent or AssociationEvent (缺少事件类型)")
	case typeNode.kind != jsonString:
		r.wrongType(base+"/type", typeNode, "string")
	case !EventType(typeNode.text).Valid():
		r.fail(base+"/type", typeNode, "EPCIS event type",
			"unknown event type; use ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent or AssociationEvent (未知事件类型)")
	default:
		e.Type = EventType(typeNode.text)
	}
	for _, m := range n.members {
		r.eventMember(e, base+"/"+escapePointer(m.key), m.key, m.value)
	}
	return e
}

func (r *eventReader) eventMember(e *Event, p, key string, v *jsonNode) {
	switch key {
	case "@context", "type":
	case "eventID":
		e.EventID, _ = r.str(p, v)
	case "eventTime":
		e.EventTime = r.timeValue(p, v)
	case "recordTime":
		e.RecordTime = r.timeValue(p, v)
	case "eventTimeZoneOffset":
		e.EventTimeZoneOffset, _ = r.str(p, v)
	case "certificationInfo":
		if v.kind == jsonString {
			e.CertificationInfo = []string{v.text}
		} else {
			e.CertificationInfo = r.strList(p, v)
		}
	case "errorDeclaration":
		e.ErrorDeclaration = r.errorDeclaration(p, v)
	case "action":
		if s, ok := r.str(p, v); ok {
			e.Action = Action(s)
		}
	case "parentID":
		e.ParentID, _ = r.str(p, v)
	case "epcList":
		e.EPCList = r.strList(p, v)
	case "childEPCs":
		e.ChildEPCs = r.strList(p, v)
	case "inputEPCList":
		e.InputEPCList = r.strList(p, v)
	case "outputEPCList":
		e.OutputEPCList = r.strList(p, v)
	case "quantityList":
		e.QuantityList = r.quantityList(p, v)
	case "childQuantityList":
		e.ChildQuantityList = r.quantityList(p, v)
	case "inputQuantityList":
		e.InputQuantityList = r.quantityList(p, v)
	case "outputQuantityList":
		e.OutputQuantityList = r.quantityList(p, v)
	case "transformationID":
		e.TransformationID, _ = r.str(p, v)
	case "bizStep":
		if s, ok := r.str(p, v); ok {
			e.BizStep = ExpandCBV(VocabBizStep, s)
		}
	case "disposition":
		if s, ok := r.str(p, v); ok {
			e.Disposition = ExpandCBV(VocabDisposition, s)
		}
	case "persistentDisposition":
		e.PersistentDisposition = r.persistentDisposition(p, v)
	case "readPoint":
		e.ReadPoint = r.location(p, v, "readPoint")
	case "bizLocation":
		e.BizLocation = r.location(p, v, "bizLocation")
	case "bizTransactionList":
		e.BizTransactionList = r.bizTransactions(p, v)
	case "sourceList":
		e.SourceList = r.sourceDests(p, v, "source")
	case "destinationList":
		e.DestinationList = r.sourceDests(p, v, "destination")
	case "sensorElementList":
		e.SensorElementList = r.sensorElements(p, v)
	case "ilmd":
		if r.object(p, v) {
			e.ILMD = []Element{}
			for _, m := range v.members {
				e.ILMD = append(e.ILMD, r.extension(p+"/"+escapePointer(m.key), m.key, m.value, "ilmd")...)
			}
		}
	default:
		e.Extensions = append(e.Extensions, r.extension(p, key, v, string(e.Type))...)
	}
}

func (r *eventReader) quantityList(ptr string, n *jsonNode) []QuantityElement {
	if !r.array(ptr, n) {
		return nil
	}
	out := make([]QuantityElement, 0, len(n.items))
	for i, item := range n.items {
		p := ptr + "/" + itoa(i)
		if !r.object(p, item) {
			continue
		}
		var q QuantityElement
		for _, m := range item.members {
			mp := p + "/" + escapePointer(m.key)
			switch m.key {
			case "epcClass":
				q.EPCClass, _ = r.str(mp, m.value)
			case "quantity":
				q.Quantity, q.HasQuantity = r.number(mp, m.value)
			case "uom":
				q.UOM, _ = r.str(mp, m.value)
			default:
				r.fail(mp, m.value, "allowed members of quantityElement",
					"unknown member "+strconv.Quote(m.key)+" in quantityElement; allowed are epcClass, quantity and uom (数量元素只允许 epcClass、quantity、uom)")
			}
		}
		out = append(out, q)
	}
	return out
}

func (r *eventReader) persistentDisposition(ptr string, n *jsonNode) *PersistentDisposition {
	if !r.object(ptr, n) {
		return nil
	}
	pd := &PersistentDisposition{}
	for _, m := range n.members {
		mp := ptr + "/" + escapePointer(m.key)
		var list *[]string
		switch m.key {
		case "set":
			list = &pd.Set
		case "unset":
			list = &pd.Unset
		default:
			r.fail(mp, m.value, "allowed members of persistentDisposition",
				"unknown member "+strconv.Quote(m.key)+" in persistentDisposition; allowed are set and unset (只允许 set 与 unset)")
			continue
		}
		for _, s := range r.strList(mp, m.value) {
			*list = append(*list, ExpandCBV(VocabDisposition, s))
		}
	}
	return pd
}

func (r *eventReader) location(ptr string, n *jsonNode, where string) *Location {
	if !r.object(ptr, n) {
		return nil
	}
	loc := &Location{}
	for _, m := range n.members {
		mp := ptr + "/" + escapePointer(m.key)
		if m.key == "id" {
			loc.ID, _ = r.str(mp, m.value)
			continue
		}
		loc.Extensions = append(loc.Extensions, r.extension(mp, m.key, m.value, where)...)
	}
	return loc
}

func (r *eventReader) bizTransactions(ptr string, n *jsonNode) []BizTransaction {
	if !r.array(ptr, n) {
		return nil
	}
	out := make([]BizTransaction, 0, len(n.items))
	for i, item := range n.items {
		p := ptr + "/" + itoa(i)
		if !r.object(p, item) {
			continue
		}
		var bt BizTransaction
		for _, m := range item.members {
			mp := p + "/" + escapePointer(m.key)
			switch m.key {
			case "type":
				if s, ok := r.str(mp, m.value); ok {
					bt.Type = ExpandCBV(VocabBizTransactionType, s)
				}
			case "bizTransaction":
				bt.Value, _ = r.str(mp, m.value)
			default:
				r.fail(mp, m.value, "allowed members of bizTransaction",
					"unknown member "+strconv.Quote(m.key)+" in bizTransaction; allowed are type and bizTransaction (只允许 type 与 bizTransaction)")
			}
		}
		out = append(out, bt)
	}
	return out
}

// sourceDests reads a sourceList or destinationList; valueKey is "source"
// or "destination".
func (r *eventReader) sourceDests(ptr string, n *jsonNode, valueKey string) []SourceDest {
	if !r.array(ptr, n) {
		return nil
	}
	out := make([]SourceDest, 0, len(n.items))
	for i, item := range n.items {
		p := ptr + "/" + itoa(i)
		if !r.object(p, item) {
			continue
		}
		var sd SourceDest
		for _, m := range item.members {
			mp := p + "/" + escapePointer(m.key)
			switch m.key {
			case "type":
				if s, ok := r.str(mp, m.value); ok {
					sd.Type = ExpandCBV(VocabSourceDestType, s)
				}
			case valueKey:
				sd.Value, _ = r.str(mp, m.value)
			default:
				r.fail(mp, m.value, "allowed members of "+valueKey,
					"unknown member "+strconv.Quote(m.key)+" in "+valueKey+"; allowed are type and "+valueKey+" (只允许 type 与 "+valueKey+")")
			}
		}
		out = append(out, sd)
	}
	return out
}

func (r *eventReader) errorDeclaration(ptr string, n *jsonNode) *ErrorDeclaration {
	if !r.object(ptr, n) {
		return nil
	}
	ed := &ErrorDeclaration{}
	for _, m := range n.members {
		mp := ptr + "/" + escapePointer(m.key)
		switch m.key {
		case "declarationTime":
			ed.DeclarationTime = r.timeValue(mp, m.value)
		case "reason":
			if s, ok := r.str(mp, m.value); ok {
				ed.Reason = ExpandCBV(VocabErrorReason, s)
			}
		case "correctiveEventIDs":
			ed.CorrectiveEventIDs = r.strList(mp, m.value)
		default:
			ed.Extensions = append(ed.Extensions, r.extension(mp, m.key, m.value, "errorDeclaration")...)
		}
	}
	return ed
}

func (r *eventReader) sensorElements(ptr string, n *jsonNode) []SensorElement {
	if !r.array(ptr, n) {
		return nil
	}
	out := make([]SensorElement, 0, len(n.items))
	for i, item := range n.items {
		p := ptr + "/" + itoa(i)
		if !r.object(p, item) {
			continue
		}
		var se SensorElement
		for _, m := range item.members {
			mp := p + "/" + escapePointer(m.key)
			switch m.key {
			case "sensorMetadata":
				se.Metadata = r.sensorMetadata(mp, m.value)
			case "sensorReport":
				if r.array(mp, m.value) {
					se.Reports = make([]SensorReport, 0, len(m.value.items))
					for j, rep := range m.value.items {
						if sr, ok := r.sensorReport(mp+"/"+itoa(j), rep); ok {
							se.Reports = append(se.Reports, sr)
						}
					}
				}
			default:
				se.Extensions = append(se.Extensions, r.extension(mp, m.key, m.value, "sensorElement")...)
			}
		}
		out = append(out, se)
	}
	return out
}

func (r *eventReader) sensorMetadata(ptr string, n *jsonNode) *SensorMetadata {
	if !r.object(ptr, n) {
		return nil
	}
	md := &SensorMetadata{}
	for _, m := range n.members {
		mp := ptr + "/" + escapePointer(m.key)
		switch m.key {
		case "time":
			md.Time = r.timeValue(mp, m.value)
		case "startTime":
			md.StartTime = r.timeValue(mp, m.value)
		case "endTime":
			md.EndTime = r.timeValue(mp, m.value)
		case "deviceID":
			md.DeviceID, _ = r.str(mp, m.value)
		case "deviceMetadata":
			md.DeviceMetadata, _ = r.str(mp, m.value)
		case "rawData":
			md.RawData, _ = r.str(mp, m.value)
		case "dataProcessingMethod":
			md.DataProcessingMethod, _ = r.str(mp, m.value)
		case "bizRules":
			md.BizRules, _ = r.str(mp, m.value)
		default:
			md.Extensions = append(md.Extensions, r.extension(mp, m.key, m.value, "sensorMetadata")...)
		}
	}
	return md
}

func (r *eventReader) sensorReport(ptr string, n *jsonNode) (SensorReport, bool) {
	var sr SensorReport
	if !r.object(ptr, n) {
		return sr, false
	}
	for _, m := range n.members {
		mp := ptr + "/" + escapePointer(m.key)
		v := m.value
		switch m.key {
		case "type":
			if s, ok := r.str(mp, v); ok {
				sr.Type = ExpandCBV(VocabSensorMeasurementType, s)
			}
		case "exception":
			if s, ok := r.str(mp, v); ok {
				sr.Exception = ExpandCBV(VocabSensorAlertType, s)
			}
		case "component":
			if s, ok := r.str(mp, v); ok {
				sr.Component = ExpandCBV(VocabComponent, s)
			}
		case "deviceID":
			sr.DeviceID, _ = r.str(mp, v)
		case "deviceMetadata":
			sr.DeviceMetadata, _ = r.str(mp, v)
		case "rawData":
			sr.RawData, _ = r.str(mp, v)
		case "dataProcessingMethod":
			sr.DataProcessingMethod, _ = r.str(mp, v)
		case "bizRules":
			sr.BizRules, _ = r.str(mp, v)
		case "time":
			sr.Time = r.timeValue(mp, v)
		case "microorganism":
			sr.Microorganism, _ = r.str(mp, v)
		case "chemicalSubstance":
			sr.ChemicalSubstance, _ = r.str(mp, v)
		case "coordinateReferenceSystem":
			sr.CoordinateReferenceSystem, _ = r.str(mp, v)
		case "value":
			sr.Value = r.numberPtr(mp, v)
		case "stringValue":
			sr.StringValue, _ = r.str(mp, v)
		case "booleanValue":
			if v.kind != jsonBool {
				r.wrongType(mp, v, "boolean")
				continue
			}
			b := v.text == "true"
			sr.BooleanValue = &b
		case "hexBinaryValue":
			sr.HexBinaryValue, _ = r.str(mp, v)
		case "uriValue":
			sr.URIValue, _ = r.str(mp, v)
		case "minValue":
			sr.MinValue = r.numberPtr(mp, v)
		case "maxValue":
			sr.MaxValue = r.numberPtr(mp, v)
		case "meanValue":
			sr.MeanValue = r.numberPtr(mp, v)
		case "sDev":
			sr.SDev = r.numberPtr(mp, v)
		case "percRank":
			sr.PercRank = r.numberPtr(mp, v)
		case "percValue":
			sr.PercValue = r.numberPtr(mp, v)
		case "uom":
			sr.UOM, _ = r.str(mp, v)
		default:
			sr.Extensions = append(sr.Extensions, r.extension(mp, m.key, v, "sensorReport")...)
		}
	}
	return sr, true
}
