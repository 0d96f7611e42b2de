package epcis

import (
	"fmt"
	"strings"
	"time"
)

func (b *eventBuilder) errorDeclaration(c *xmlNode) *ErrorDeclaration {
	ed := &ErrorDeclaration{}
	seen := map[string]bool{}
	for _, child := range c.children {
		if child.name.Space != "" {
			if isEPCISNamespace(child.name.Space) {
				b.fail(child, child.qname(), "EPCIS XML schema errorDeclaration", fmt.Sprintf("unexpected element <%s> in <errorDeclaration>", child.qname()))
				continue
			}
			ed.Extensions = append(ed.Extensions, child.toElement())
			continue
		}
		name := child.name.Local
		switch name {
		case "declarationTime", "reason", "correctiveEventIDs":
			if seen[name] {
				b.fail(child, name, "EPCIS XML schema errorDeclaration", fmt.Sprintf("<%s> appears more than once in <errorDeclaration>", name))
				continue
			}
			seen[name] = true
		}
		b.checkAttrs(child)
		switch name {
		case "declarationTime":
			ed.DeclarationTime = b.dateTime(child)
		case "reason":
			ed.Reason = b.vocabulary(child, VocabErrorReason)
		case "correctiveEventIDs":
			ed.CorrectiveEventIDs = []string{}
			for _, id := range b.children(child, "correctiveEventID") {
				b.checkAttrs(id)
				ed.CorrectiveEventIDs = append(ed.CorrectiveEventIDs, b.uri(id))
			}
		case "extension":
			for _, ext := range child.children {
				ed.Extensions = append(ed.Extensions, ext.toElement())
			}
		default:
			b.fail(child, name, "EPCIS XML schema errorDeclaration",
				fmt.Sprintf("unexpected element <%s> in <errorDeclaration>: expected declarationTime, reason, correctiveEventIDs or user extensions in their own namespace", name))
		}
	}
	if !seen["declarationTime"] {
		b.fail(c, "", "EPCIS 2.0 section 7.4.1.2 errorDeclaration", "the required element <declarationTime> is missing from <errorDeclaration>")
	}
	return ed
}

func (b *eventBuilder) sensorElements(c *xmlNode) []SensorElement {
	list := []SensorElement{}
	for _, child := range c.children {
		if child.name.Space == "" && child.name.Local == "sensorElement" {
			b.checkAttrs(child)
			list = append(list, b.sensorElement(child))
			continue
		}
		if child.name.Space == "" && child.name.Local == "extension" {
			// NOTE: the model has no place for extensions of the list
			// itself, so they are rejected rather than dropped.
			b.fail(child, "extension", "EPCIS XML schema sensorElementList",
				"an <extension> of sensorElementList cannot be stored: put user data inside <sensorElement> instead")
			continue
		}
		b.fail(child, child.qname(), "EPCIS XML schema sensorElementList",
			fmt.Sprintf("unexpected element <%s> in <sensorElementList>: expected <sensorElement>", child.qname()))
	}
	if len(list) == 0 && len(c.children) == 0 {
		b.fail(c, "", "EPCIS XML schema sensorElementList", "sensorElementList must hold at least one <sensorElement>")
	}
	return list
}

func (b *eventBuilder) sensorElement(c *xmlNode) SensorElement {
	var se SensorElement
	for _, child := range c.children {
		if child.name.Space != "" {
			if isEPCISNamespace(child.name.Space) {
				b.fail(child, child.qname(), "EPCIS XML schema sensorElement", fmt.Sprintf("unexpected element <%s> in <sensorElement>", child.qname()))
				continue
			}
			se.Extensions = append(se.Extensions, child.toElement())
			continue
		}
		switch name := child.name.Local; {
		case name == "sensorMetadata" || (name == "sensorMetaData" && b.version == 1):
			// sensorMetaData is a spelling found in EPCIS 1.2 documents
			// written before sensor data became part of EPCIS 2.0.
			if se.Metadata != nil {
				b.fail(child, name, "EPCIS XML schema sensorElement", "<sensorMetadata> appears more than once in <sensorElement>")
				continue
			}
			if len(se.Reports) > 0 {
				b.fail(child, name, "EPCIS XML schema sensorElement", "<sensorMetadata> must come before the first <sensorReport>")
			}
			se.Metadata = b.sensorMetadata(child)
		case name == "sensorReport":
			se.Reports = append(se.Reports, b.sensorReport(child))
		case name == "extension":
			b.checkAttrs(child)
			for _, ext := range child.children {
				se.Extensions = append(se.Extensions, ext.toElement())
			}
		default:
			b.fail(child, name, "EPCIS XML schema sensorElement",
				fmt.Sprintf("unexpected element <%s> in <sensorElement>: expected sensorMetadata, sensorReport or user extensions in their own namespace", name))
		}
	}
	if len(se.Reports) == 0 {
		b.fail(c, "", "EPCIS XML schema sensorElement", "sensorElement must hold at least one <sensorReport>")
	}
	return se
}

// sensorAttrs walks the attributes of sensorMetadata or sensorReport.
// Unqualified ones go to set, which reports whether the name is a standard
// attribute, and attributes in other namespaces become user extensions.
func (b *eventBuilder) sensorAttrs(c *xmlNode, set func(name, value string) bool) []Element {
	var ext []Element
	for _, a := range c.attrs {
		switch {
		case a.name.Space == xmlnsXSI:
		case a.name.Space != "" && !isEPCISNamespace(a.name.Space):
			ext = append(ext, Element{Space: a.name.Space, Prefix: a.prefix, Local: a.name.Local, Kind: KindString, Value: a.value})
		case a.name.Space == "" && set(a.name.Local, a.value):
		default:
			b.fail(c, a.name.Local, "EPCIS XML schema "+c.name.Local,
				fmt.Sprintf("unknown attribute %s on <%s>: user attributes must be in their own namespace", a.name.Local, c.name.Local))
		}
	}
	if text := c.value(); text != "" || len(c.children) > 0 {
		b.fail(c, text, "EPCIS XML schema "+c.name.Local, fmt.Sprintf("<%s> carries its data in attributes only: remove its content", c.name.Local))
	}
	return ext
}

func (b *eventBuilder) sensorMetadata(c *xmlNode) *SensorMetadata {
	m := &SensorMetadata{}
	m.Extensions = b.sensorAttrs(c, func(name, value string) bool {
		switch name {
		case "time":
			m.Time = b.attrTime(c, name, value)
		case "startTime":
			m.StartTime = b.attrTime(c, name, value)
		case "endTime":
			m.EndTime = b.attrTime(c, name, value)
		case "deviceID":
			m.DeviceID = b.attrURI(c, name, value)
		case "deviceMetadata":
			m.DeviceMetadata = b.attrURI(c, name, value)
		case "rawData":
			m.RawData = b.attrURI(c, name, value)
		case "dataProcessingMethod":
			m.DataProcessingMethod = b.attrURI(c, name, value)
		case "bizRules":
			m.BizRules = b.attrURI(c, name, value)
		default:
			return false
		}
		return true
	})
	return m
}

func (b *eventBuilder) sensorReport(c *xmlNode) SensorReport {
	var r SensorReport
	r.Extensions = b.sensorAttrs(c, func(name, value string) bool {
		switch name {
		case "type":
			r.Type = ExpandCBV(VocabSensorMeasurementType, b.attrURI(c, name, value))
		case "exception":
			r.Exception = ExpandCBV(VocabSensorAlertType, b.attrURI(c, name, value))
		case "component":
			r.Component = ExpandCBV(VocabComponent, b.attrURI(c, name, value))
		case "deviceID":
			r.DeviceID = b.attrURI(c, name, value)
		case "deviceMetadata":
			r.DeviceMetadata = b.attrURI(c, name, value)
		case "rawData":
			r.RawData = b.attrURI(c, name, value)
		case "dataProcessingMethod":
			r.DataProcessingMethod = b.attrURI(c, name, value)
		case "bizRules":
			r.BizRules = b.attrURI(c, name, value)
		case "time":
			r.Time = b.attrTime(c, name, value)
		case "microorganism":
			r.Microorganism = b.attrURI(c, name, value)
		case "chemicalSubstance":
			r.ChemicalSubstance = b.attrURI(c, name, value)
		case "coordinateReferenceSystem":
			r.CoordinateReferenceSystem = b.attrURI(c, name, value)
		case "uriValue":
			r.URIValue = b.attrURI(c, name, value)
		case "stringValue":
			r.StringValue = value
		case "uom":
			r.UOM = strings.TrimSpace(value)
		case "hexBinaryValue":
			v := strings.TrimSpace(value)
			if err := checkHexBinary(v); err != nil {
				b.failAttr(c, name, v, "xsd:hexBinary", err)
			}
			r.HexBinaryValue = v
		case "booleanValue":
			v := strings.TrimSpace(value)
			flag, err := parseBoolean(v)
			if err != nil {
				b.failAttr(c, name, v, "xsd:boolean", err)
			}
			r.BooleanValue = &flag
		case "value":
			r.Value = b.attrDouble(c, name, value)
		case "minValue":
			r.MinValue = b.attrDouble(c, name, value)
		case "maxValue":
			r.MaxValue = b.attrDouble(c, name, value)
		case "meanValue":
			r.MeanValue = b.attrDouble(c, name, value)
		case "sDev":
			r.SDev = b.attrDouble(c, name, value)
		case "percRank":
			r.PercRank = b.attrDouble(c, name, value)
		case "percValue":
			r.PercValue = b.attrDouble(c, name, value)
		default:
			return false
		}
		return true
	})
	return r
}

func (b *eventBuilder) failAttr(c *xmlNode, name, value, rule string, err error) {
	b.errs = append(b.errs, FieldError{
		EventIndex: b.index, Pointer: c.pathString() + "/@" + name, Line: c.line,
		Value: TruncateValue(value), Rule: "EPCIS XML schema " + c.name.Local + " " + rule,
		Message: describeValueError(name, err),
	})
}

func (b *eventBuilder) attrTime(c *xmlNode, name, value string) time.Time {
	v := strings.TrimSpace(value)
	t, err := parseDateTimeStamp(v)
	if err != nil {
		b.failAttr(c, name, v, "DateTimeStamp", err)
	}
	return t
}

func (b *eventBuilder) attrURI(c *xmlNode, name, value string) string {
	v := strings.TrimSpace(value)
	if v == "" {
		b.failAttr(c, name, v, "xsd:anyURI", errEmptyURI)
	}
	return v
}

func (b *eventBuilder) attrDouble(c *xmlNode, name, value string) *float64 {
	v := strings.TrimSpace(value)
	f, err := parseDouble(v)
	if err != nil {
		b.failAttr(c, name, v, "xsd:double", err)
		return nil
	}
	return &f
}
