package epcis

import (
	"fmt"
	"slices"
	"time"
)

// commonXMLFields are the elements every event type starts with, in the
// order of EPCISEventType in the EPCIS 2.0 XSD.
var commonXMLFields = []string{"eventTime", "recordTime", "eventTimeZoneOffset", "eventID", "errorDeclaration", "certificationInfo", "baseExtension"}

// xmlFieldOrder lists the elements of each event type after the common
// ones, in the order of the EPCIS 2.0 XSD (section 12.1). The encoder
// writes this order and the decoder checks it.
var xmlFieldOrder = map[EventType][]string{
	ObjectEvent: {"epcList", "action", "bizStep", "disposition", "readPoint", "bizLocation", "bizTransactionList",
		"quantityList", "sourceList", "destinationList", "sensorElementList", "persistentDisposition", "ilmd", "extension"},
	AggregationEvent: {"parentID", "childEPCs", "action", "bizStep", "disposition", "readPoint", "bizLocation", "bizTransactionList",
		"childQuantityList", "sourceList", "destinationList", "sensorElementList", "persistentDisposition", "extension"},
	TransactionEvent: {"bizTransactionList", "parentID", "epcList", "action", "bizStep", "disposition", "readPoint", "bizLocation",
		"quantityList", "sourceList", "destinationList", "sensorElementList", "persistentDisposition", "extension"},
	TransformationEvent: {"inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList", "transformationID",
		"bizStep", "disposition", "readPoint", "bizLocation", "bizTransactionList", "sourceList", "destinationList",
		"sensorElementList", "persistentDisposition", "ilmd", "extension"},
	AssociationEvent: {"parentID", "childEPCs", "childQuantityList", "action", "bizStep", "disposition", "readPoint", "bizLocation",
		"bizTransactionList", "sourceList", "destinationList", "sensorElementList", "persistentDisposition", "extension"},
}

// xmlFieldRank maps each event type's element names to their position.
var xmlFieldRank = func() map[EventType]map[string]int {
	ranks := map[EventType]map[string]int{}
	for typ, fields := range xmlFieldOrder {
		m := map[string]int{}
		for i, f := range append(slices.Clone(commonXMLFields), fields...) {
			m[f] = i
		}
		ranks[typ] = m
	}
	return ranks
}()

// fieldLevel is the wrapper that a list of event children sits in.
type fieldLevel uint8

const (
	levelEvent         fieldLevel = iota // directly in the event element
	levelExtension                       // EPCIS 1.2 event extension: standard fields moved there
	levelBaseExtension                   // baseExtension
	levelUserExtension                   // an extension wrapper holding user elements only
)

// eventBuilder turns the element tree of one event into an Event,
// collecting every structural error on the way.
type eventBuilder struct {
	version int
	index   int
	// lenient accepts any element order and EPCIS 1.2 extension
	// wrappers in an EPCIS 2.0 event (see XMLDecoder.SetLenient).
	lenient bool
	typ     EventType
	errs    []FieldError
	seen    map[string]*xmlNode
}

func (b *eventBuilder) fail(n *xmlNode, value, rule, message string) {
	b.errs = append(b.errs, FieldError{
		EventIndex: b.index, Pointer: n.pathString(), Line: n.line,
		Value: TruncateValue(value), Rule: rule, Message: message,
	})
}

func (b *eventBuilder) build(root *xmlNode, typ EventType) *Event {
	b.typ = typ
	b.seen = map[string]*xmlNode{}
	e := &Event{Type: typ}
	b.checkAttrs(root)
	b.fields(e, root, levelEvent)

	required := []string{"eventTime", "eventTimeZoneOffset"}
	switch typ {
	case TransactionEvent:
		required = append(required, "bizTransactionList", "action")
	case AssociationEvent:
		required = append(required, "parentID", "action")
	case TransformationEvent:
	default:
		required = append(required, "action")
	}
	for _, name := range required {
		if b.seen[name] == nil {
			b.errs = append(b.errs, FieldError{
				EventIndex: b.index, Pointer: root.pathString() + "/" + name, Line: root.line,
				Rule:    "EPCIS XML schema " + string(typ),
				Message: fmt.Sprintf("the required element <%s> is missing from %s", name, typ),
			})
		}
	}
	return e
}

// fields reads the children of parent, which sits at the given level.
func (b *eventBuilder) fields(e *Event, parent *xmlNode, level fieldLevel) {
	ranks := xmlFieldRank[b.typ]
	userRank := len(ranks)
	last, lastName := -1, ""
	for _, c := range parent.children {
		if c.name.Space != "" {
			if isEPCISNamespace(c.name.Space) {
				b.fail(c, c.qname(), "EPCIS XML schema "+string(b.typ),
					fmt.Sprintf("element <%s> must not be in the EPCIS namespace: write EPCIS fields without a prefix and without a default xmlns declaration", c.qname()))
				continue
			}
			e.Extensions = append(e.Extensions, c.toElement())
			if level == levelEvent {
				last, lastName = userRank, c.qname()
			}
			continue
		}
		name := c.name.Local
		if level == levelUserExtension {
			if rank, standard := ranks[name]; standard && b.lenient && rank >= len(commonXMLFields) {
				// Lenient reading: a standard field in any extension
				// wrapper is read as if it were written in the event.
				if name == "extension" {
					b.checkAttrs(c)
					b.fields(e, c, levelUserExtension)
				} else if !b.duplicate(c) {
					b.field(e, c)
				}
				continue
			}
			if _, standard := ranks[name]; standard && b.version != 1 {
				// An EPCIS 1.2 layout, such as quantityList inside
				// extension, in an EPCIS 2.0 document.
				b.unknownField(c, levelExtension)
				continue
			}
			e.Extensions = append(e.Extensions, c.toElement())
			continue
		}
		if level == levelBaseExtension {
			b.baseExtensionField(e, c)
			continue
		}

		rank, known := ranks[name]
		if !known || (level == levelExtension && rank < len(commonXMLFields)) {
			b.unknownField(c, level)
			continue
		}
		// EPCIS 1.2 has no place for the fields EPCIS 2.0 added, so
		// documents put them anywhere: the order is checked for 2.0 only.
		if rank < last && b.version != 1 && !b.lenient {
			b.fail(c, name, "EPCIS XML schema "+string(b.typ)+" element order",
				fmt.Sprintf("element <%s> must come before <%s> in %s", name, lastName, b.typ))
		}
		last, lastName = rank, name

		switch {
		case name == "extension" && level == levelEvent && (b.version == 1 || b.lenient):
			b.checkAttrs(c)
			b.fields(e, c, levelExtension)
		case name == "extension":
			// EPCIS 2.0 event extension, or the innermost EPCIS 1.2
			// extension: user elements only.
			b.checkAttrs(c)
			b.fields(e, c, levelUserExtension)
		case name == "baseExtension":
			b.checkAttrs(c)
			b.fields(e, c, levelBaseExtension)
		default:
			if b.duplicate(c) {
				continue
			}
			b.field(e, c)
		}
	}
}

func (b *eventBuilder) baseExtensionField(e *Event, c *xmlNode) {
	switch c.name.Local {
	case "eventID", "errorDeclaration":
		if b.version != 1 && !b.lenient {
			b.fail(c, c.name.Local, "EPCIS 2.0 XML schema "+string(b.typ),
				fmt.Sprintf("in EPCIS 2.0 <%s> belongs directly in the event, not in baseExtension", c.name.Local))
			return
		}
		if !b.duplicate(c) {
			b.field(e, c)
		}
	case "extension":
		b.checkAttrs(c)
		b.fields(e, c, levelUserExtension)
	default:
		b.unknownField(c, levelBaseExtension)
	}
}

func (b *eventBuilder) unknownField(c *xmlNode, level fieldLevel) {
	name := c.name.Local
	rule := "EPCIS XML schema " + string(b.typ)
	for typ, ranks := range xmlFieldRank {
		if _, ok := ranks[name]; ok && typ != b.typ {
			b.fail(c, name, rule, fmt.Sprintf("element <%s> is not part of %s", name, b.typ))
			return
		}
	}
	if level == levelExtension {
		if _, ok := xmlFieldRank[b.typ][name]; ok {
			b.fail(c, name, rule, fmt.Sprintf("element <%s> belongs directly in %s, not inside <extension>", name, b.typ))
			return
		}
	}
	b.fail(c, name, rule, fmt.Sprintf("unknown element <%s> in %s: user extensions must be in their own XML namespace, such as <example:%s xmlns:example=\"https://example.com/ns/\">", name, b.typ, name))
}

// duplicate reports, as an error, a second occurrence of a field that
// the schema allows once.
func (b *eventBuilder) duplicate(c *xmlNode) bool {
	name := c.name.Local
	if name == "certificationInfo" {
		// NOTE: the EPCIS 2.0 XSD allows one certificationInfo but the
		// JSON binding allows a list, so repeated elements are accepted
		// to carry such a list through XML.
		b.seen[name] = c
		return false
	}
	if first := b.seen[name]; first != nil {
		b.fail(c, name, "EPCIS XML schema "+string(b.typ),
			fmt.Sprintf("element <%s> appears more than once; the first is on line %d", name, first.line))
		return true
	}
	b.seen[name] = c
	return false
}

// field parses one standard event field into e.
func (b *eventBuilder) field(e *Event, c *xmlNode) {
	b.checkAttrs(c)
	switch c.name.Local {
	case "eventTime":
		e.EventTime = b.dateTime(c)
	case "recordTime":
		e.RecordTime = b.dateTime(c)
	case "eventTimeZoneOffset":
		v := b.text(c)
		if _, err := parseTimeZoneOffset(v); err != nil {
			b.fail(c, v, "eventTimeZoneOffset format ±hh:mm", "eventTimeZoneOffset: "+err.Error())
		}
		e.EventTimeZoneOffset = v
	case "eventID":
		e.EventID = b.uri(c)
	case "certificationInfo":
		e.CertificationInfo = append(e.CertificationInfo, b.uri(c))
	case "errorDeclaration":
		e.ErrorDeclaration = b.errorDeclaration(c)
	case "action":
		v := b.text(c)
		switch Action(v) {
		case ActionAdd, ActionObserve, ActionDelete:
			e.Action = Action(v)
		default:
			b.fail(c, v, "EPCIS action ADD, OBSERVE or DELETE", "action must be ADD, OBSERVE or DELETE")
		}
	case "parentID":
		e.ParentID = b.uri(c)
	case "transformationID":
		e.TransformationID = b.uri(c)
	case "epcList":
		e.EPCList = b.epcs(c)
	case "childEPCs":
		e.ChildEPCs = b.epcs(c)
	case "inputEPCList":
		e.InputEPCList = b.epcs(c)
	case "outputEPCList":
		e.OutputEPCList = b.epcs(c)
	case "quantityList":
		e.QuantityList = b.quantities(c)
	case "childQuantityList":
		e.ChildQuantityList = b.quantities(c)
	case "inputQuantityList":
		e.InputQuantityList = b.quantities(c)
	case "outputQuantityList":
		e.OutputQuantityList = b.quantities(c)
	case "bizStep":
		e.BizStep = b.vocabulary(c, VocabBizStep)
	case "disposition":
		e.Disposition = b.vocabulary(c, VocabDisposition)
	case "persistentDisposition":
		e.PersistentDisposition = b.persistentDisposition(c)
	case "readPoint":
		e.ReadPoint = b.location(c)
	case "bizLocation":
		e.BizLocation = b.location(c)
	case "bizTransactionList":
		e.BizTransactionList = b.bizTransactions(c)
	case "sourceList":
		e.SourceList = b.sourceDests(c, "source")
	case "destinationList":
		e.DestinationList = b.sourceDests(c, "destination")
	case "sensorElementList":
		e.SensorElementList = b.sensorElements(c)
	case "ilmd":
		e.ILMD = b.userElements(c, "ilmd")
	}
}

// text returns the value of a text-only element.
func (b *eventBuilder) text(c *xmlNode) string {
	if len(c.children) > 0 {
		b.fail(c.children[0], c.children[0].qname(), "EPCIS XML schema "+c.name.Local,
			fmt.Sprintf("<%s> holds text only, not child elements", c.name.Local))
	}
	return c.value()
}

// uri returns the value of an xsd:anyURI element, which must not be empty.
func (b *eventBuilder) uri(c *xmlNode) string {
	v := b.text(c)
	if v == "" {
		b.fail(c, "", "EPCIS XML schema "+c.name.Local, fmt.Sprintf("<%s> is empty: it must hold a URI", c.name.Local))
	}
	return v
}

func (b *eventBuilder) dateTime(c *xmlNode) time.Time {
	v := b.text(c)
	t, err := parseDateTimeStamp(v)
	if err != nil {
		b.fail(c, v, "EPCIS DateTimeStamp", describeValueError(c.name.Local, err))
	}
	return t
}

// vocabulary returns the canonical form of a CBV vocabulary value.
func (b *eventBuilder) vocabulary(c *xmlNode, v Vocab) string {
	return ExpandCBV(v, b.uri(c))
}

func (b *eventBuilder) epcs(c *xmlNode) []string {
	list := []string{}
	for _, child := range b.children(c, "epc") {
		b.checkAttrs(child)
		list = append(list, b.uri(child))
	}
	return list
}

// children returns the children of c, reporting any whose name is not
// one of allowed (or which lies in a namespace).
func (b *eventBuilder) children(c *xmlNode, allowed ...string) []*xmlNode {
	var out []*xmlNode
	for _, child := range c.children {
		if child.name.Space != "" || !slices.Contains(allowed, child.name.Local) {
			b.fail(child, child.qname(), "EPCIS XML schema "+c.name.Local,
				fmt.Sprintf("unexpected element <%s> in <%s>: expected %s", child.qname(), c.name.Local, listNames(allowed)))
			continue
		}
		out = append(out, child)
	}
	if text := c.value(); text != "" && len(c.children) > 0 {
		b.fail(c, text, "EPCIS XML schema "+c.name.Local, fmt.Sprintf("<%s> holds elements only, not text", c.name.Local))
	}
	return out
}

func listNames(names []string) string {
	s := ""
	for i, n := range names {
		switch {
		case i == 0:
		case i == len(names)-1:
			s += " or "
		default:
			s += ", "
		}
		s += "<" + n + ">"
	}
	return s
}

func (b *eventBuilder) quantities(c *xmlNode) []QuantityElement {
	list := []QuantityElement{}
	for _, qe := range b.children(c, "quantityElement") {
		b.checkAttrs(qe)
		var q QuantityElement
		seen := map[string]bool{}
		order := 0
		for _, part := range b.children(qe, "epcClass", "quantity", "uom") {
			name := part.name.Local
			rank := slices.Index([]string{"epcClass", "quantity", "uom"}, name)
			switch {
			case seen[name]:
				b.fail(part, name, "EPCIS XML schema quantityElement", fmt.Sprintf("<%s> appears more than once in quantityElement", name))
				continue
			case rank < order:
				b.fail(part, name, "EPCIS XML schema quantityElement", "quantityElement holds epcClass, quantity and uom in this order")
			}
			seen[name], order = true, rank
			switch name {
			case "epcClass":
				b.checkAttrs(part)
				q.EPCClass = b.uri(part)
			case "quantity":
				b.checkAttrs(part)
				if nilValue, ok := part.attrIn(xmlnsXSI, "nil"); ok && (nilValue == "true" || nilValue == "1") {
					if part.value() != "" {
						b.fail(part, part.value(), "XML Schema xsi:nil", "a quantity marked xsi:nil=\"true\" must be empty")
					}
					continue
				}
				v := b.text(part)
				f, err := parseDecimal(v)
				if err != nil {
					b.fail(part, v, "EPCIS XML schema quantity xsd:decimal", describeValueError("quantity", err))
				}
				q.Quantity, q.HasQuantity = f, true
			case "uom":
				b.checkAttrs(part)
				q.UOM = b.text(part)
				if !seen["quantity"] {
					b.fail(part, q.UOM, "EPCIS XML schema quantityElement", "uom is allowed only together with quantity")
				}
			}
		}
		if !seen["epcClass"] {
			b.fail(qe, "", "EPCIS XML schema quantityElement", "the required element <epcClass> is missing from quantityElement")
		}
		list = append(list, q)
	}
	return list
}

func (b *eventBuilder) persistentDisposition(c *xmlNode) *PersistentDisposition {
	pd := &PersistentDisposition{}
	setSeen := false
	for _, child := range b.children(c, "unset", "set") {
		b.checkAttrs(child)
		v := b.vocabulary(child, VocabDisposition)
		if child.name.Local == "set" {
			pd.Set = append(pd.Set, v)
			setSeen = true
			continue
		}
		if setSeen {
			b.fail(child, v, "EPCIS XML schema persistentDisposition", "every <unset> must come before the first <set>")
		}
		pd.Unset = append(pd.Unset, v)
	}
	return pd
}

func (b *eventBuilder) location(c *xmlNode) *Location {
	loc := &Location{}
	hasID := false
	for i, child := range c.children {
		switch {
		case child.name.Space != "":
			if isEPCISNamespace(child.name.Space) {
				b.fail(child, child.qname(), "EPCIS XML schema "+c.name.Local, fmt.Sprintf("unexpected element <%s> in <%s>", child.qname(), c.name.Local))
				continue
			}
			loc.Extensions = append(loc.Extensions, child.toElement())
		case child.name.Local == "id" && !hasID:
			if i != 0 {
				b.fail(child, "id", "EPCIS XML schema "+c.name.Local, fmt.Sprintf("<id> must be the first element of <%s>", c.name.Local))
			}
			b.checkAttrs(child)
			hasID = true
			loc.ID = b.uri(child)
		case child.name.Local == "extension":
			b.checkAttrs(child)
			for _, ext := range child.children {
				loc.Extensions = append(loc.Extensions, ext.toElement())
			}
		default:
			b.fail(child, child.qname(), "EPCIS XML schema "+c.name.Local,
				fmt.Sprintf("unexpected element <%s> in <%s>: expected one <id>, then user extensions in their own namespace", child.qname(), c.name.Local))
		}
	}
	if !hasID {
		b.fail(c, "", "EPCIS XML schema "+c.name.Local, fmt.Sprintf("the required element <id> is missing from <%s>", c.name.Local))
	}
	return loc
}

func (b *eventBuilder) bizTransactions(c *xmlNode) []BizTransaction {
	list := []BizTransaction{}
	for _, child := range b.children(c, "bizTransaction") {
		b.checkAttrs(child, "type")
		bt := BizTransaction{Value: b.uri(child)}
		if typ, ok := child.attr("type"); ok {
			bt.Type = ExpandCBV(VocabBizTransactionType, typ)
		}
		list = append(list, bt)
	}
	if len(list) == 0 && len(c.children) == 0 {
		b.fail(c, "", "EPCIS XML schema bizTransactionList", "bizTransactionList must hold at least one <bizTransaction>")
	}
	return list
}

func (b *eventBuilder) sourceDests(c *xmlNode, item string) []SourceDest {
	list := []SourceDest{}
	for _, child := range b.children(c, item) {
		b.checkAttrs(child, "type")
		sd := SourceDest{Value: b.uri(child)}
		typ, ok := child.attr("type")
		if !ok || typ == "" {
			b.fail(child, "", "EPCIS XML schema "+item, fmt.Sprintf("<%s> needs a type attribute, such as type=\"urn:epcglobal:cbv:sdt:owning_party\"", item))
		}
		sd.Type = ExpandCBV(VocabSourceDestType, typ)
		list = append(list, sd)
	}
	if len(c.children) == 0 {
		b.fail(c, "", "EPCIS XML schema "+c.name.Local, fmt.Sprintf("<%s> must hold at least one <%s>", c.name.Local, item))
	}
	return list
}

// userElements reads an element made only of user extensions (ilmd): its
// namespaced children, and the children of its extension wrapper.
func (b *eventBuilder) userElements(c *xmlNode, element string) []Element {
	list := []Element{}
	for _, child := range c.children {
		switch {
		case child.name.Space != "" && !isEPCISNamespace(child.name.Space):
			list = append(list, child.toElement())
		case child.name.Space == "" && child.name.Local == "extension":
			b.checkAttrs(child)
			for _, ext := range child.children {
				list = append(list, ext.toElement())
			}
		default:
			b.fail(child, child.qname(), "EPCIS XML schema "+element,
				fmt.Sprintf("unexpected element <%s> in <%s>: its content must be user extensions in their own namespace", child.qname(), element))
		}
	}
	return list
}

// checkAttrs reports attributes of a standard element that the EPCIS XSD
// does not define. allowed names the unqualified attributes the element
// has. Attributes in the XML Schema instance and XML namespaces
// (xsi:schemaLocation, xsi:nil, xml:lang) are always accepted.
func (b *eventBuilder) checkAttrs(c *xmlNode, allowed ...string) {
	for _, a := range c.attrs {
		if a.name.Space == xmlnsXSI || a.name.Space == xmlnsXML {
			continue
		}
		if a.name.Space == "" && slices.Contains(allowed, a.name.Local) {
			continue
		}
		name := a.name.Local
		if a.prefix != "" {
			name = a.prefix + ":" + name
		}
		b.fail(c, name, "EPCIS XML schema "+c.name.Local,
			fmt.Sprintf("unexpected attribute %s on <%s>: user data belongs in extension elements in their own namespace", name, c.name.Local))
	}
}

// attrIn returns the attribute local in namespace space.
func (n *xmlNode) attrIn(space, local string) (string, bool) {
	for _, a := range n.attrs {
		if a.name.Space == space && a.name.Local == local {
			return a.value, true
		}
	}
	return "", false
}

func isEPCISNamespace(space string) bool {
	switch space {
	case xmlnsEPCIS2, xmlnsEPCIS1, xmlnsQuery2, xmlnsQuery1:
		return true
	}
	return false
}
