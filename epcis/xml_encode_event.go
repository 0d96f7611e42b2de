package epcis

import (
	"strings"
	"time"
)

// event writes e in the element order of the EPCIS 2.0 XSD.
func (w *xmlEventWriter) event(e *Event) {
	x := w.enc
	depth := 3
	switch x.header.Kind {
	case KindEPCISQueryDocument:
		depth = 5
	case KindBareEvent:
		depth = 0
	}
	x.raw(indent(depth) + "<" + string(e.Type))
	for _, p := range w.decls {
		x.raw(" xmlns:" + p + "=\"")
		x.text(w.spaces[p])
		x.raw("\"")
	}
	x.raw(">\n")
	d := depth + 1

	w.simple(d, "eventTime", formatDateTimeStamp(e.EventTime))
	if !e.RecordTime.IsZero() {
		w.simple(d, "recordTime", formatDateTimeStamp(e.RecordTime))
	}
	w.simple(d, "eventTimeZoneOffset", e.EventTimeZoneOffset)
	w.optional(d, "eventID", e.EventID)
	if e.ErrorDeclaration != nil {
		w.errorDeclaration(d, e.ErrorDeclaration)
	}
	for _, c := range e.CertificationInfo {
		w.simple(d, "certificationInfo", c)
	}
	for _, field := range xmlFieldOrder[e.Type] {
		w.field(d, e, field)
	}
	w.namespacedElements(d, e.Extensions)
	x.raw(indent(depth) + "</" + string(e.Type) + ">\n")
}

func (w *xmlEventWriter) field(d int, e *Event, name string) {
	switch name {
	case "epcList":
		w.epcs(d, name, e.EPCList)
	case "childEPCs":
		w.epcs(d, name, e.ChildEPCs)
	case "inputEPCList":
		w.epcs(d, name, e.InputEPCList)
	case "outputEPCList":
		w.epcs(d, name, e.OutputEPCList)
	case "action":
		w.optional(d, name, string(e.Action))
	case "parentID":
		w.optional(d, name, e.ParentID)
	case "transformationID":
		w.optional(d, name, e.TransformationID)
	case "bizStep":
		w.optional(d, name, xmlVocabulary(VocabBizStep, e.BizStep))
	case "disposition":
		w.optional(d, name, xmlVocabulary(VocabDisposition, e.Disposition))
	case "readPoint":
		w.location(d, name, e.ReadPoint)
	case "bizLocation":
		w.location(d, name, e.BizLocation)
	case "bizTransactionList":
		w.bizTransactions(d, e.BizTransactionList)
	case "quantityList":
		w.quantities(d, name, e.QuantityList)
	case "childQuantityList":
		w.quantities(d, name, e.ChildQuantityList)
	case "inputQuantityList":
		w.quantities(d, name, e.InputQuantityList)
	case "outputQuantityList":
		w.quantities(d, name, e.OutputQuantityList)
	case "sourceList":
		w.sourceDests(d, name, "source", e.SourceList)
	case "destinationList":
		w.sourceDests(d, name, "destination", e.DestinationList)
	case "sensorElementList":
		w.sensorElements(d, e.SensorElementList)
	case "persistentDisposition":
		w.persistentDisposition(d, e.PersistentDisposition)
	case "ilmd":
		if e.ILMD != nil {
			w.open(d, "ilmd")
			w.userElements(d+1, e.ILMD)
			w.close(d, "ilmd")
		}
	case "extension":
		// Elements without a namespace, which EPCIS 1.2 documents carry in
		// their innermost extension, keep that wrapper.
		var local []Element
		for _, el := range e.Extensions {
			if el.Space == "" {
				local = append(local, el)
			}
		}
		w.localExtension(d, local)
	}
}

// xmlVocabulary returns the XML form of a CBV value held in any form.
func xmlVocabulary(v Vocab, value string) string {
	if value == "" {
		return ""
	}
	return XMLForm(v, ExpandCBV(v, value))
}

func indent(depth int) string { return strings.Repeat("\t", depth) }

func (w *xmlEventWriter) open(d int, name string) { w.enc.raw(indent(d) + "<" + name + ">\n") }

func (w *xmlEventWriter) close(d int, name string) { w.enc.raw(indent(d) + "</" + name + ">\n") }

// simple writes <name>value</name>.
func (w *xmlEventWriter) simple(d int, name, value string) {
	w.enc.raw(indent(d) + "<" + name + ">")
	w.enc.text(value)
	w.enc.raw("</" + name + ">\n")
}

// optional writes <name>value</name> when value is not empty.
func (w *xmlEventWriter) optional(d int, name, value string) {
	if value != "" {
		w.simple(d, name, value)
	}
}

func (w *xmlEventWriter) epcs(d int, name string, list []string) {
	if list == nil {
		return
	}
	if len(list) == 0 {
		w.enc.raw(indent(d) + "<" + name + "/>\n")
		return
	}
	w.open(d, name)
	for _, epc := range list {
		w.simple(d+1, "epc", epc)
	}
	w.close(d, name)
}

func (w *xmlEventWriter) location(d int, name string, loc *Location) {
	if loc == nil {
		return
	}
	w.open(d, name)
	w.simple(d+1, "id", loc.ID)
	w.userElements(d+1, loc.Extensions)
	w.close(d, name)
}

func (w *xmlEventWriter) bizTransactions(d int, list []BizTransaction) {
	// The XSD requires at least one entry in a list that is written.
	if len(list) == 0 {
		return
	}
	w.open(d, "bizTransactionList")
	for _, bt := range list {
		w.enc.raw(indent(d+1) + "<bizTransaction")
		if bt.Type != "" {
			w.attr("type", xmlVocabulary(VocabBizTransactionType, bt.Type))
		}
		w.enc.raw(">")
		w.enc.text(bt.Value)
		w.enc.raw("</bizTransaction>\n")
	}
	w.close(d, "bizTransactionList")
}

func (w *xmlEventWriter) quantities(d int, name string, list []QuantityElement) {
	if list == nil {
		return
	}
	if len(list) == 0 {
		w.enc.raw(indent(d) + "<" + name + "/>\n")
		return
	}
	w.open(d, name)
	for _, q := range list {
		w.open(d+1, "quantityElement")
		w.simple(d+2, "epcClass", q.EPCClass)
		if q.HasQuantity {
			w.simple(d+2, "quantity", formatDecimal(q.Quantity))
			w.optional(d+2, "uom", q.UOM)
		}
		w.close(d+1, "quantityElement")
	}
	w.close(d, name)
}

func (w *xmlEventWriter) sourceDests(d int, name, item string, list []SourceDest) {
	if len(list) == 0 {
		return
	}
	w.open(d, name)
	for _, sd := range list {
		w.enc.raw(indent(d+1) + "<" + item)
		w.attr("type", xmlVocabulary(VocabSourceDestType, sd.Type))
		w.enc.raw(">")
		w.enc.text(sd.Value)
		w.enc.raw("</" + item + ">\n")
	}
	w.close(d, name)
}

func (w *xmlEventWriter) persistentDisposition(d int, pd *PersistentDisposition) {
	if pd == nil {
		return
	}
	if len(pd.Unset) == 0 && len(pd.Set) == 0 {
		w.enc.raw(indent(d) + "<persistentDisposition/>\n")
		return
	}
	w.open(d, "persistentDisposition")
	for _, v := range pd.Unset {
		w.simple(d+1, "unset", xmlVocabulary(VocabDisposition, v))
	}
	for _, v := range pd.Set {
		w.simple(d+1, "set", xmlVocabulary(VocabDisposition, v))
	}
	w.close(d, "persistentDisposition")
}

func (w *xmlEventWriter) errorDeclaration(d int, ed *ErrorDeclaration) {
	w.open(d, "errorDeclaration")
	if !ed.DeclarationTime.IsZero() {
		w.simple(d+1, "declarationTime", formatDateTimeStamp(ed.DeclarationTime))
	}
	w.optional(d+1, "reason", xmlVocabulary(VocabErrorReason, ed.Reason))
	if ed.CorrectiveEventIDs != nil {
		w.open(d+1, "correctiveEventIDs")
		for _, id := range ed.CorrectiveEventIDs {
			w.simple(d+2, "correctiveEventID", id)
		}
		w.close(d+1, "correctiveEventIDs")
	}
	w.userElements(d+1, ed.Extensions)
	w.close(d, "errorDeclaration")
}

func (w *xmlEventWriter) sensorElements(d int, list []SensorElement) {
	if len(list) == 0 {
		return
	}
	w.open(d, "sensorElementList")
	for _, se := range list {
		w.open(d+1, "sensorElement")
		if m := se.Metadata; m != nil {
			w.enc.raw(indent(d+2) + "<sensorMetadata")
			w.timeAttr("time", m.Time)
			w.optionalAttr("deviceID", m.DeviceID)
			w.optionalAttr("deviceMetadata", m.DeviceMetadata)
			w.optionalAttr("rawData", m.RawData)
			w.timeAttr("startTime", m.StartTime)
			w.timeAttr("endTime", m.EndTime)
			w.optionalAttr("bizRules", m.BizRules)
			w.optionalAttr("dataProcessingMethod", m.DataProcessingMethod)
			w.extensionAttrs(m.Extensions)
			w.enc.raw("/>\n")
		}
		for _, r := range se.Reports {
			w.sensorReport(d+2, r)
		}
		w.userElements(d+2, se.Extensions)
		w.close(d+1, "sensorElement")
	}
	w.close(d, "sensorElementList")
}

func (w *xmlEventWriter) sensorReport(d int, r SensorReport) {
	w.enc.raw(indent(d) + "<sensorReport")
	w.optionalAttr("type", xmlVocabulary(VocabSensorMeasurementType, r.Type))
	w.optionalAttr("exception", xmlVocabulary(VocabSensorAlertType, r.Exception))
	w.optionalAttr("deviceID", r.DeviceID)
	w.optionalAttr("deviceMetadata", r.DeviceMetadata)
	w.optionalAttr("rawData", r.RawData)
	w.optionalAttr("dataProcessingMethod", r.DataProcessingMethod)
	w.optionalAttr("bizRules", r.BizRules)
	w.timeAttr("time", r.Time)
	w.optionalAttr("microorganism", r.Microorganism)
	w.optionalAttr("chemicalSubstance", r.ChemicalSubstance)
	w.optionalAttr("coordinateReferenceSystem", r.CoordinateReferenceSystem)
	w.doubleAttr("value", r.Value)
	w.optionalAttr("component", xmlVocabulary(VocabComponent, r.Component))
	w.optionalAttr("stringValue", r.StringValue)
	if r.BooleanValue != nil {
		if *r.BooleanValue {
			w.attr("booleanValue", "true")
		} else {
			w.attr("booleanValue", "false")
		}
	}
	w.optionalAttr("hexBinaryValue", r.HexBinaryValue)
	w.optionalAttr("uriValue", r.URIValue)
	w.doubleAttr("minValue", r.MinValue)
	w.doubleAttr("maxValue", r.MaxValue)
	w.doubleAttr("meanValue", r.MeanValue)
	w.doubleAttr("sDev", r.SDev)
	w.doubleAttr("percRank", r.PercRank)
	w.doubleAttr("percValue", r.PercValue)
	w.optionalAttr("uom", r.UOM)
	w.extensionAttrs(r.Extensions)
	w.enc.raw("/>\n")
}

// attr writes name="value" inside a start tag.
func (w *xmlEventWriter) attr(name, value string) {
	w.enc.raw(" " + name + "=\"")
	w.enc.text(value)
	w.enc.raw("\"")
}

func (w *xmlEventWriter) optionalAttr(name, value string) {
	if value != "" {
		w.attr(name, value)
	}
}

func (w *xmlEventWriter) timeAttr(name string, t time.Time) {
	if !t.IsZero() {
		w.attr(name, formatDateTimeStamp(t))
	}
}

func (w *xmlEventWriter) doubleAttr(name string, v *float64) {
	if v != nil {
		w.attr(name, formatDouble(*v))
	}
}

// extensionAttrs writes user extensions of sensorMetadata or sensorReport
// as namespaced attributes.
func (w *xmlEventWriter) extensionAttrs(list []Element) {
	for _, el := range list {
		w.attr(w.prefixFor(el.Space)+":"+el.Local, el.Value)
	}
}

// userElements writes extension elements: those without a namespace
// inside an extension wrapper, which precedes the user elements in every
// EPCIS 2.0 type, then those in a namespace, each group in document order.
func (w *xmlEventWriter) userElements(d int, list []Element) {
	var local []Element
	for _, el := range list {
		if el.Space == "" {
			local = append(local, el)
		}
	}
	w.localExtension(d, local)
	w.namespacedElements(d, list)
}

func (w *xmlEventWriter) namespacedElements(d int, list []Element) {
	for _, el := range list {
		if el.Space != "" {
			w.element(d, el)
		}
	}
}

func (w *xmlEventWriter) localExtension(d int, local []Element) {
	if len(local) == 0 {
		return
	}
	w.open(d, "extension")
	for _, el := range local {
		w.element(d+1, el)
	}
	w.close(d, "extension")
}

// element writes one user extension element with its attributes and
// children.
func (w *xmlEventWriter) element(d int, el Element) {
	name := el.Local
	if el.Space != "" {
		name = w.prefixFor(el.Space) + ":" + el.Local
	}
	w.enc.raw(indent(d) + "<" + name)
	for _, a := range el.Attrs {
		an := a.Local
		if a.Space != "" {
			an = w.prefixFor(a.Space) + ":" + a.Local
		}
		w.attr(an, a.Value)
	}
	switch {
	case el.Kind == KindNull:
		w.enc.raw(" xsi:nil=\"true\"/>\n")
		return
	case len(el.Children) == 0 && el.Value == "":
		w.enc.raw("/>\n")
		return
	case len(el.Children) == 0:
		w.enc.raw(">")
		w.enc.text(el.Value)
		w.enc.raw("</" + name + ">\n")
		return
	}
	w.enc.raw(">")
	w.enc.text(el.Value)
	w.enc.raw("\n")
	for _, c := range el.Children {
		w.element(d+1, c)
	}
	w.enc.raw(indent(d) + "</" + name + ">\n")
}
