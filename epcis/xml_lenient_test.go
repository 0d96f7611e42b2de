package epcis

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// decodeXMLMode decodes doc strictly or leniently and returns its header,
// its events and the first error other than io.EOF.
func decodeXMLMode(doc string, lenient bool) (Header, []*Event, error) {
	d := NewXMLDecoder(strings.NewReader(doc))
	d.SetLenient(lenient)
	h, err := d.Header()
	if err != nil {
		return h, nil, err
	}
	var events []*Event
	for {
		e, err := d.Next()
		if errors.Is(err, io.EOF) {
			return h, events, nil
		}
		if err != nil {
			return h, events, err
		}
		events = append(events, e)
	}
}

// xmlQueryDoc wraps body in an EPCIS 2.0 query document root.
func xmlQueryDoc(body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<epcisq:EPCISQueryDocument xmlns:epcisq="urn:epcglobal:epcis-query:xsd:2" xmlns:ex="https://example.com/ns/" schemaVersion="2.0" creationDate="2024-01-01T00:00:00Z">
` + body + "\n</epcisq:EPCISQueryDocument>\n"
}

// xmlTestQuantity is a quantityList for xmlTestEvent.
const xmlTestQuantity = `<quantityList><quantityElement><epcClass>urn:epc:class:lgtin:6901234.012345.L1</epcClass><quantity>5.5</quantity><uom>KGM</uom></quantityElement></quantityList>`

// TestXMLDecoderLenientDeviations checks each deviation from the EPCIS 2.0
// XML schema that lenient reading accepts: strict reading rejects the
// document with its usual error, and lenient reading gives the same events
// as strict reading of the document written by the schema.
func TestXMLDecoderLenientDeviations(t *testing.T) {
	withEvent := func(old, new string) string { return strings.Replace(xmlTestEvent, old, new, 1) }
	// withILMD is an event whose action allows ilmd (EPCIS 2.0 section 7.4.1).
	withILMD := func(old, new string) string {
		return strings.Replace(withEvent(old, new), "<action>OBSERVE</action>", "<action>ADD</action>", 1)
	}
	tests := []struct {
		name        string
		doc         string // breaks the schema
		valid       string // the same content written by the schema
		wantPointer string // of the strict error
		wantLine    int
		wantMessage string
	}{
		{
			name:        "element order",
			doc:         xmlTestDoc(withEvent("<action>OBSERVE</action>\n<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>", "<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>\n<action>OBSERVE</action>")),
			valid:       xmlTestDoc(xmlTestEvent),
			wantPointer: eventPath + "/action", wantLine: 10,
			wantMessage: "element <action> must come before <bizStep> in ObjectEvent",
		},
		{
			name:        "sensorElementList after ilmd",
			doc:         xmlTestDoc(withILMD("</ObjectEvent>", "<ilmd><ex:lot>L1</ex:lot></ilmd>\n<sensorElementList><sensorElement><sensorReport type=\"Temperature\" value=\"4\" uom=\"CEL\"/></sensorElement></sensorElementList>\n</ObjectEvent>")),
			valid:       xmlTestDoc(withILMD("</ObjectEvent>", "<sensorElementList><sensorElement><sensorReport type=\"Temperature\" value=\"4\" uom=\"CEL\"/></sensorElement></sensorElementList>\n<ilmd><ex:lot>L1</ex:lot></ilmd>\n</ObjectEvent>")),
			wantPointer: eventPath + "/sensorElementList", wantLine: 12,
			wantMessage: "element <sensorElementList> must come before <ilmd> in ObjectEvent",
		},
		{
			name:        "quantityList in an EPCIS 1.2 extension",
			doc:         xmlTestDoc(withEvent("</ObjectEvent>", "<extension>"+xmlTestQuantity+"</extension>\n<ex:note>n</ex:note>\n</ObjectEvent>")),
			valid:       xmlTestDoc(withEvent("</ObjectEvent>", xmlTestQuantity+"\n<ex:note>n</ex:note>\n</ObjectEvent>")),
			wantPointer: eventPath + "/extension/quantityList", wantLine: 11,
			wantMessage: "element <quantityList> is not part of ObjectEvent",
		},
		{
			name:        "ilmd and user element in nested EPCIS 1.2 extensions",
			doc:         xmlTestDoc(withILMD("</ObjectEvent>", "<extension><extension><ilmd><ex:lot>L1</ex:lot></ilmd><ex:note>n</ex:note></extension></extension>\n</ObjectEvent>")),
			valid:       xmlTestDoc(withILMD("</ObjectEvent>", "<ilmd><ex:lot>L1</ex:lot></ilmd>\n<ex:note>n</ex:note>\n</ObjectEvent>")),
			wantPointer: eventPath + "/extension/extension", wantLine: 11,
			wantMessage: "element <extension> is not part of ObjectEvent",
		},
		{
			name:        "eventID in baseExtension",
			doc:         xmlTestDoc(withEvent("<eventTimeZoneOffset>+08:00</eventTimeZoneOffset>", "<eventTimeZoneOffset>+08:00</eventTimeZoneOffset>\n<baseExtension><eventID>urn:uuid:6f2b1c1e-8a5e-4d3b-9f0a-2b7c9d1e4f50</eventID></baseExtension>")),
			valid:       xmlTestDoc(withEvent("<eventTimeZoneOffset>+08:00</eventTimeZoneOffset>", "<eventTimeZoneOffset>+08:00</eventTimeZoneOffset>\n<eventID>urn:uuid:6f2b1c1e-8a5e-4d3b-9f0a-2b7c9d1e4f50</eventID>")),
			wantPointer: eventPath + "/baseExtension/eventID", wantLine: 8,
			wantMessage: "in EPCIS 2.0 <eventID> belongs directly in the event, not in baseExtension",
		},
		{
			name:        "QueryResults without namespace",
			doc:         xmlQueryDoc("<EPCISBody><QueryResults><queryName>SimpleEventQuery</queryName><resultsBody><EventList>\n" + xmlTestEvent + "\n</EventList></resultsBody></QueryResults></EPCISBody>"),
			valid:       xmlQueryDoc("<EPCISBody><epcisq:QueryResults><queryName>SimpleEventQuery</queryName><resultsBody><EventList>\n" + xmlTestEvent + "\n</EventList></resultsBody></epcisq:QueryResults></EPCISBody>"),
			wantPointer: "/EPCISQueryDocument/EPCISBody/QueryResults", wantLine: 3,
			wantMessage: "the query document holds no QueryResults, so it has no events to capture",
		},
		{
			name:        "query results directly under the root",
			doc:         xmlQueryDoc("<ex:ignoreFields><ex:captureID/></ex:ignoreFields>\n<queryName>SimpleEventQuery</queryName>\n<resultsBody><EventList>\n" + xmlTestEvent + "\n</EventList></resultsBody>"),
			valid:       xmlQueryDoc("<EPCISBody><epcisq:QueryResults><queryName>SimpleEventQuery</queryName><resultsBody><EventList>\n" + xmlTestEvent + "\n</EventList></resultsBody></epcisq:QueryResults></EPCISBody>"),
			wantPointer: "/EPCISQueryDocument/queryName", wantLine: 4,
			wantMessage: "unexpected element <queryName>: expected <EPCISBody>",
		},
		{
			name:        "EventList without EPCISBody",
			doc:         strings.Replace(strings.Replace(xmlTestDoc(xmlTestEvent), "<EPCISBody>\n", "", 1), "</EPCISBody>\n", "", 1),
			valid:       xmlTestDoc(xmlTestEvent),
			wantPointer: "/EPCISDocument/EventList", wantLine: 3,
			wantMessage: "unexpected element <EventList>: expected <EPCISBody>",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := firstXMLError(t, tt.doc)
			if fe.Pointer != tt.wantPointer || fe.Line != tt.wantLine || fe.Message != tt.wantMessage {
				t.Errorf("strict error: got %s (line %d): %s\nwant %s (line %d): %s", fe.Pointer, fe.Line, fe.Message, tt.wantPointer, tt.wantLine, tt.wantMessage)
			}
			wantHeader, want, err := decodeXMLMode(tt.valid, false)
			if err != nil {
				t.Fatalf("strict decode of the schema-valid document: %v", err)
			}
			h, got, err := decodeXMLMode(tt.doc, true)
			if err != nil {
				t.Fatalf("lenient decode: %v", err)
			}
			if h.Kind != wantHeader.Kind || h.QueryName != wantHeader.QueryName || h.SubscriptionID != wantHeader.SubscriptionID {
				t.Errorf("header: got %s %q %q, want %s %q %q", h.Kind, h.QueryName, h.SubscriptionID, wantHeader.Kind, wantHeader.QueryName, wantHeader.SubscriptionID)
			}
			if len(got) != len(want) {
				t.Fatalf("events: got %d, want %d", len(got), len(want))
			}
			for i := range want {
				if diff := eventDiff(got[i], want[i]); diff != "" {
					t.Errorf("event %d differs from the schema-valid document: %s", i, diff)
				}
			}
		})
	}
}

// TestXMLDecoderLenientStillRejects checks that lenient reading rejects
// what it cannot read, with the errors of strict reading.
func TestXMLDecoderLenientStillRejects(t *testing.T) {
	withEvent := func(old, new string) string { return xmlTestDoc(strings.Replace(xmlTestEvent, old, new, 1)) }
	tests := []struct {
		name        string
		doc         string
		wantPointer string
		wantRule    string
	}{
		{"malformed XML", withEvent("</eventTime>", "</eventTim>"), eventPath + "/eventTime", "XML well-formedness"},
		{"unknown root", "<order xmlns=\"https://example.com/\"/>", "/order", "EPCIS capture document"},
		{"unknown envelope element", strings.Replace(xmlTestDoc(xmlTestEvent), "<EPCISBody>", "<colour/><EPCISBody>", 1), "/EPCISDocument/colour", "EPCIS XML schema"},
		{"unknown event element", withEvent("<bizStep>", "<colour>red</colour>\n<bizStep>"), eventPath + "/colour", "EPCIS XML schema ObjectEvent"},
		{"bad quantity in extension", withEvent("</ObjectEvent>", "<extension>"+strings.Replace(xmlTestQuantity, "5.5", "lots", 1)+"</extension>\n</ObjectEvent>"), eventPath + "/extension/quantityList/quantityElement/quantity", "EPCIS XML schema quantity xsd:decimal"},
		{"quantityList twice", withEvent("</ObjectEvent>", xmlTestQuantity+"\n<extension>"+xmlTestQuantity+"</extension>\n</ObjectEvent>"), eventPath + "/extension/quantityList", "EPCIS XML schema ObjectEvent"},
		{"missing action", withEvent("<action>OBSERVE</action>\n", ""), eventPath + "/action", "EPCIS XML schema ObjectEvent"},
		{"eventTime in extension", withEvent("</ObjectEvent>", "<extension><eventTime>2024-01-01T08:00:00+08:00</eventTime></extension>\n</ObjectEvent>"), eventPath + "/extension/eventTime", "EPCIS XML schema ObjectEvent"},
		{"bad queryName content", xmlQueryDoc("<queryName><x/></queryName>"), "/EPCISQueryDocument/queryName/x", "EPCIS XML schema"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := decodeXMLMode(tt.doc, true)
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Errors) == 0 {
				t.Fatalf("error %v (%T), want a *ValidationError", err, err)
			}
			fe := ve.Errors[0]
			if fe.Pointer != tt.wantPointer || fe.Rule != tt.wantRule {
				t.Errorf("error: got %s [%s]: %s, want %s [%s]", fe.Pointer, fe.Rule, fe.Message, tt.wantPointer, tt.wantRule)
			}
		})
	}
}

func TestXMLDecoderLenientDocumentWithoutEventList(t *testing.T) {
	h, events, err := decodeXMLMode(xmlQueryDoc("<EPCISBody><epcisq:QueryResults><queryName>SimpleEventQuery</queryName></epcisq:QueryResults></EPCISBody>"), true)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if len(events) != 0 || h.QueryName != "SimpleEventQuery" {
		t.Errorf("got %d events and queryName %q, want none and SimpleEventQuery", len(events), h.QueryName)
	}
}

func TestXMLDecoderSetLenientAfterStart(t *testing.T) {
	d := NewXMLDecoder(strings.NewReader(xmlQueryDoc("<queryName>q</queryName><resultsBody><EventList>\n" + xmlTestEvent + "\n</EventList></resultsBody>")))
	_, err := d.Header()
	if err == nil {
		t.Fatal("strict Header accepted a query document without EPCISBody")
	}
	d.SetLenient(true)
	if _, err2 := d.Next(); err2 != err {
		t.Errorf("Next after SetLenient: got %v, want the strict error %v", err2, err)
	}
}
