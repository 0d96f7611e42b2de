package epcis

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// xmlTestHead is the start of a test document; its first event starts on
// line 5.
const xmlTestHead = `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:ex="https://example.com/ns/" schemaVersion="2.0" creationDate="2024-01-01T00:00:00Z">
<EPCISBody>
<EventList>
`

// xmlTestEvent is a valid ObjectEvent spanning lines 5 to 11 of a test
// document.
const xmlTestEvent = `<ObjectEvent>
<eventTime>2024-01-01T08:00:00+08:00</eventTime>
<eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
<epcList><epc>urn:epc:id:sgtin:6901234.012345.1</epc></epcList>
<action>OBSERVE</action>
<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>
</ObjectEvent>`

func xmlTestDoc(events ...string) string {
	return xmlTestHead + strings.Join(events, "\n") + "\n</EventList>\n</EPCISBody>\n</epcis:EPCISDocument>\n"
}

// firstXMLError decodes doc and returns the first FieldError reported.
func firstXMLError(t *testing.T, doc string) FieldError {
	t.Helper()
	d := NewXMLDecoder(strings.NewReader(doc))
	_, err := d.Header()
	for err == nil {
		_, err = d.Next()
	}
	if errors.Is(err, io.EOF) {
		t.Fatalf("document decoded without errors, want one")
	}
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Errors) == 0 {
		t.Fatalf("error %v (%T), want a *ValidationError", err, err)
	}
	return ve.Errors[0]
}

const eventPath = "/EPCISDocument/EPCISBody/EventList/ObjectEvent[1]"

func TestXMLDecoderRejectsMalformedInput(t *testing.T) {
	replace := func(old, new string) string {
		return xmlTestDoc(strings.Replace(xmlTestEvent, old, new, 1))
	}
	tests := []struct {
		name        string
		doc         string
		wantPointer string
		wantLine    int
		wantRule    string
	}{
		{"broken end tag", replace("</eventTime>", "</eventTim>"), eventPath + "/eventTime", 6, "XML well-formedness"},
		{"unclosed root", strings.TrimSuffix(xmlTestDoc(xmlTestEvent), "</epcis:EPCISDocument>\n"), "/EPCISDocument", 14, "XML well-formedness"},
		{"offset without leading zero", replace("<eventTimeZoneOffset>+08:00", "<eventTimeZoneOffset>+5:30"), eventPath + "/eventTimeZoneOffset", 7, "eventTimeZoneOffset format ±hh:mm"},
		{"offset Z", replace("<eventTimeZoneOffset>+08:00", "<eventTimeZoneOffset>Z"), eventPath + "/eventTimeZoneOffset", 7, "eventTimeZoneOffset format ±hh:mm"},
		{"offset beyond 14:00", replace("<eventTimeZoneOffset>+08:00", "<eventTimeZoneOffset>+14:30"), eventPath + "/eventTimeZoneOffset", 7, "eventTimeZoneOffset format ±hh:mm"},
		{"eventTime without zone", replace("08:00:00+08:00</eventTime>", "08:00:00</eventTime>"), eventPath + "/eventTime", 6, "EPCIS DateTimeStamp"},
		{"eventTime with space", replace("2024-01-01T08:00:00+08:00</eventTime>", "2024-01-01 08:00:00+08:00</eventTime>"), eventPath + "/eventTime", 6, "EPCIS DateTimeStamp"},
		{"eventTime on 30 February", replace("2024-01-01T08", "2024-02-30T08"), eventPath + "/eventTime", 6, "EPCIS DateTimeStamp"},
		{"missing eventTime", replace("<eventTime>2024-01-01T08:00:00+08:00</eventTime>\n", ""), eventPath + "/eventTime", 5, "EPCIS XML schema ObjectEvent"},
		{"missing action", replace("<action>OBSERVE</action>\n", ""), eventPath + "/action", 5, "EPCIS XML schema ObjectEvent"},
		{"unknown action", replace(">OBSERVE<", ">UPDATE<"), eventPath + "/action", 9, "EPCIS action ADD, OBSERVE or DELETE"},
		{"unknown element", replace("<bizStep>", "<colour>red</colour>\n<bizStep>"), eventPath + "/colour", 10, "EPCIS XML schema ObjectEvent"},
		{"element in EPCIS namespace", replace("<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>", "<epcis:bizStep>urn:epcglobal:cbv:bizstep:shipping</epcis:bizStep>"), eventPath + "/epcis:bizStep", 10, "EPCIS XML schema ObjectEvent"},
		{"field of another type", replace("<action>", "<childEPCs/>\n<action>"), eventPath + "/childEPCs", 9, "EPCIS XML schema ObjectEvent"},
		{"duplicate bizStep", replace("</ObjectEvent>", "<bizStep>urn:epcglobal:cbv:bizstep:receiving</bizStep>\n</ObjectEvent>"), eventPath + "/bizStep[2]", 11, "EPCIS XML schema ObjectEvent"},
		{"wrong order", replace("<action>OBSERVE</action>\n<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>", "<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>\n<action>OBSERVE</action>"), eventPath + "/action", 10, "EPCIS XML schema ObjectEvent element order"},
		{"standard field after user extension", replace("<bizStep>", "<ex:note>x</ex:note>\n<bizStep>"), eventPath + "/bizStep", 11, "EPCIS XML schema ObjectEvent element order"},
		{"undeclared prefix", replace("<bizStep>", "<zz:note>x</zz:note>\n<bizStep>"), eventPath + "/zz:note", 10, "XML namespaces"},
		{"text in epcList", replace("<epcList><epc>", "<epcList>loose<epc>"), eventPath + "/epcList", 8, "EPCIS XML schema epcList"},
		{"empty epc", replace("<epc>urn:epc:id:sgtin:6901234.012345.1</epc>", "<epc> </epc>"), eventPath + "/epcList/epc", 8, "EPCIS XML schema epc"},
		{"quantity not decimal", replace("</ObjectEvent>", "<quantityList><quantityElement><epcClass>urn:epc:class:lgtin:6901234.012345.L1</epcClass><quantity>1e3</quantity></quantityElement></quantityList>\n</ObjectEvent>"), eventPath + "/quantityList/quantityElement/quantity", 11, "EPCIS XML schema quantity xsd:decimal"},
		{"readPoint without id", replace("</ObjectEvent>", "<readPoint><ex:gate>7</ex:gate></readPoint>\n</ObjectEvent>"), eventPath + "/readPoint", 11, "EPCIS XML schema readPoint"},
		{"source without type", replace("</ObjectEvent>", "<sourceList><source>urn:epc:id:pgln:6901234.00000</source></sourceList>\n</ObjectEvent>"), eventPath + "/sourceList/source", 11, "EPCIS XML schema source"},
		{"sensor value not a number", replace("</ObjectEvent>", "<sensorElementList><sensorElement><sensorReport type=\"gs1:Temperature\" value=\"warm\"/></sensorElement></sensorElementList>\n</ObjectEvent>"), eventPath + "/sensorElementList/sensorElement/sensorReport/@value", 11, "EPCIS XML schema sensorReport xsd:double"},
		{"sensor boolean yes", replace("</ObjectEvent>", "<sensorElementList><sensorElement><sensorReport type=\"gs1:Temperature\" booleanValue=\"yes\"/></sensorElement></sensorElementList>\n</ObjectEvent>"), eventPath + "/sensorElementList/sensorElement/sensorReport/@booleanValue", 11, "EPCIS XML schema sensorReport xsd:boolean"},
		{"sensorElement without report", replace("</ObjectEvent>", "<sensorElementList><sensorElement><sensorMetadata deviceID=\"urn:epc:id:giai:6901234.1\"/></sensorElement></sensorElementList>\n</ObjectEvent>"), eventPath + "/sensorElementList/sensorElement", 11, "EPCIS XML schema sensorElement"},
		{"unknown sensor attribute", replace("</ObjectEvent>", "<sensorElementList><sensorElement><sensorReport type=\"gs1:Temperature\" colour=\"red\"/></sensorElement></sensorElementList>\n</ObjectEvent>"), eventPath + "/sensorElementList/sensorElement/sensorReport", 11, "EPCIS XML schema sensorReport"},
		{"errorDeclaration without time", replace("<epcList>", "<errorDeclaration><reason>urn:epcglobal:cbv:er:incorrect_data</reason></errorDeclaration>\n<epcList>"), eventPath + "/errorDeclaration", 8, "EPCIS 2.0 section 7.4.1.2 errorDeclaration"},
		{"EPCIS 1.2 layout in 2.0", replace("</ObjectEvent>", "<extension><quantityList/></extension>\n</ObjectEvent>"), eventPath + "/extension/quantityList", 11, "EPCIS XML schema ObjectEvent"},
		{"unknown event type", xmlTestDoc("<QuantityEvent><eventTime>2024-01-01T08:00:00Z</eventTime></QuantityEvent>"), "/EPCISDocument/EPCISBody/EventList/QuantityEvent", 5, "EPCIS 2.0 event types"},
		{"prefixed event", xmlTestDoc("<epcis:ObjectEvent/>"), "/EPCISDocument/EPCISBody/EventList/epcis:ObjectEvent", 5, "EPCIS XML schema EventList"},
		{"unknown element in EventList", xmlTestDoc("<Event/>"), "/EPCISDocument/EPCISBody/EventList/Event", 5, "EPCIS XML schema EventList"},
		{"vendor event type", xmlTestDoc("<extension><ex:RecallEvent/></extension>"), "/EPCISDocument/EPCISBody/EventList/extension/ex:RecallEvent", 5, "EPCIS 2.0 event types"},
		{"semantic rule from Validate", replace("bizstep:shipping", "bizstep:shippping"), eventPath + "/bizStep", 10, ""},
		{"TransactionEvent without bizTransactionList", xmlTestDoc(strings.ReplaceAll(xmlTestEvent, "ObjectEvent", "TransactionEvent")), "/EPCISDocument/EPCISBody/EventList/TransactionEvent[1]/bizTransactionList", 5, "EPCIS XML schema TransactionEvent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := firstXMLError(t, tt.doc)
			if fe.Pointer != tt.wantPointer {
				t.Errorf("pointer: got %q, want %q (error %v)", fe.Pointer, tt.wantPointer, fe)
			}
			if fe.Line != tt.wantLine {
				t.Errorf("line: got %d, want %d (error %v)", fe.Line, tt.wantLine, fe)
			}
			if tt.wantRule != "" && fe.Rule != tt.wantRule {
				t.Errorf("rule: got %q, want %q (error %v)", fe.Rule, tt.wantRule, fe)
			}
			if fe.Message == "" {
				t.Errorf("message is empty")
			}
		})
	}
}

func TestXMLDecoderRejectsBadDocuments(t *testing.T) {
	tests := []struct {
		name        string
		doc         string
		wantPointer string
		wantLine    int
	}{
		{"empty input", "", "/", 0},
		{"not EPCIS", "<order xmlns=\"https://example.com/\"/>", "/order", 1},
		{"master data document", "<epcismd:EPCISMasterDataDocument xmlns:epcismd=\"urn:epcglobal:epcis-masterdata:xsd:2\" schemaVersion=\"2.0\" creationDate=\"2024-01-01T00:00:00Z\"/>", "/EPCISMasterDataDocument", 1},
		{"missing schemaVersion", strings.Replace(xmlTestDoc(xmlTestEvent), ` schemaVersion="2.0"`, "", 1), "/EPCISDocument/@schemaVersion", 2},
		{"missing creationDate", strings.Replace(xmlTestDoc(xmlTestEvent), ` creationDate="2024-01-01T00:00:00Z"`, "", 1), "/EPCISDocument/@creationDate", 2},
		{"bad creationDate", strings.Replace(xmlTestDoc(xmlTestEvent), `2024-01-01T00:00:00Z`, "yesterday", 1), "/EPCISDocument/@creationDate", 2},
		{"missing EPCISBody", "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" schemaVersion=\"2.0\" creationDate=\"2024-01-01T00:00:00Z\">\n</epcis:EPCISDocument>", "/EPCISDocument/EPCISBody", 1},
		{"second root element", xmlTestDoc(xmlTestEvent) + "<again/>\n", "/again", 15},
		{"text after EventList", strings.Replace(xmlTestDoc(xmlTestEvent), "</EventList>", "</EventList>stray", 1), "/EPCISDocument/EPCISBody", 12},
		{"prefixed EPCISBody", strings.Replace(strings.Replace(xmlTestDoc(xmlTestEvent), "<EPCISBody>", "<epcis:EPCISBody>", 1), "</EPCISBody>", "</epcis:EPCISBody>", 1), "/EPCISDocument/EPCISBody", 3},
		{"unsupported encoding", "<?xml version=\"1.0\" encoding=\"EBCDIC-XYZ\"?>\n<a/>", "/", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := firstXMLError(t, tt.doc)
			if fe.Pointer != tt.wantPointer {
				t.Errorf("pointer: got %q, want %q (error %v)", fe.Pointer, tt.wantPointer, fe)
			}
			if fe.Line != tt.wantLine {
				t.Errorf("line: got %d, want %d (error %v)", fe.Line, tt.wantLine, fe)
			}
			if fe.EventIndex != -1 {
				t.Errorf("event index: got %d, want -1", fe.EventIndex)
			}
		})
	}
}

func TestXMLDecoderContinuesAfterInvalidEvent(t *testing.T) {
	bad := strings.Replace(xmlTestEvent, "+08:00</eventTimeZoneOffset>", "8</eventTimeZoneOffset>", 1)
	second := strings.Replace(xmlTestEvent, ".1</epc>", ".2</epc>", 1)
	d := NewXMLDecoder(strings.NewReader(xmlTestDoc(xmlTestEvent, bad, second)))

	var got []string
	var errs []FieldError
	for {
		e, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var ve *ValidationError
		if errors.As(err, &ve) {
			errs = append(errs, ve.Errors...)
			continue
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		got = append(got, e.EPCList[0])
	}
	if len(got) != 2 || got[0] != "urn:epc:id:sgtin:6901234.012345.1" || got[1] != "urn:epc:id:sgtin:6901234.012345.2" {
		t.Errorf("valid events: got %v, want the first and third", got)
	}
	if len(errs) != 1 {
		t.Fatalf("errors: got %d (%v), want 1", len(errs), errs)
	}
	if errs[0].EventIndex != 1 {
		t.Errorf("event index: got %d, want 1", errs[0].EventIndex)
	}
	if want := "/EPCISDocument/EPCISBody/EventList/ObjectEvent[2]/eventTimeZoneOffset"; errs[0].Pointer != want {
		t.Errorf("pointer: got %q, want %q", errs[0].Pointer, want)
	}
	if errs[0].Line != 14 {
		t.Errorf("line: got %d, want 14", errs[0].Line)
	}
}

func TestXMLDecoderSkipsUnknownEventElement(t *testing.T) {
	unknown := "<QuantityEvent>\n<epcClass>urn:epc:class:lgtin:6901234.012345.L1</epcClass>\n</QuantityEvent>"
	invalid := strings.Replace(xmlTestEvent, ">OBSERVE<", ">UPDATE<", 1)
	d := NewXMLDecoder(strings.NewReader(xmlTestDoc(unknown, invalid, xmlTestEvent)))

	_, err := d.Next()
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Errors[0].Line != 5 {
		t.Fatalf("first Next: got %v, want a validation error on line 5", err)
	}
	_, err = d.Next()
	if !errors.As(err, &ve) {
		t.Fatalf("second Next: got %v, want a validation error", err)
	}
	if want := eventPath + "/action"; ve.Errors[0].Pointer != want {
		t.Errorf("pointer after the unknown element: got %q, want %q", ve.Errors[0].Pointer, want)
	}
	if ve.Errors[0].EventIndex != 1 {
		t.Errorf("event index after the unknown element: got %d, want 1", ve.Errors[0].EventIndex)
	}
	if e, err := d.Next(); err != nil || e.Action != ActionObserve {
		t.Fatalf("third Next: got %+v, %v", e, err)
	}
	if _, err := d.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("fourth Next: got %v, want io.EOF", err)
	}
}

func TestXMLDecoderSyntaxErrorIsSticky(t *testing.T) {
	d := NewXMLDecoder(strings.NewReader(xmlTestDoc(xmlTestEvent, "<ObjectEvent><eventTime>")))
	if _, err := d.Next(); err != nil {
		t.Fatalf("first event: %v", err)
	}
	_, first := d.Next()
	_, second := d.Next()
	if first == nil || first != second {
		t.Errorf("errors after malformed XML: got %v then %v, want the same error twice", first, second)
	}
	var ve *ValidationError
	if errors.As(first, &ve) && ve.Errors[0].EventIndex != 1 {
		t.Errorf("event index of a syntax error inside the second event: got %d, want 1", ve.Errors[0].EventIndex)
	}
}

func TestXMLDecoderQueryDocument(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "xml", "query-2.0.xml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, events := xmlDecodeAll(t, f)

	if h.Kind != KindEPCISQueryDocument {
		t.Errorf("kind: got %q, want %q", h.Kind, KindEPCISQueryDocument)
	}
	if h.QueryName != "SimpleEventQuery" {
		t.Errorf("queryName: got %q, want SimpleEventQuery", h.QueryName)
	}
	if h.SubscriptionID != "sub-42" {
		t.Errorf("subscriptionID: got %q, want sub-42", h.SubscriptionID)
	}
	if want := time.Date(2024, 3, 1, 1, 0, 0, 0, time.UTC); !h.CreationDate.Equal(want) {
		t.Errorf("creationDate: got %v, want %v", h.CreationDate, want)
	}
	if h.Namespaces["sy"] != "https://suyuan.example.cn/ns/" {
		t.Errorf("namespace sy: got %q", h.Namespaces["sy"])
	}
	if len(events) != 2 {
		t.Fatalf("events: got %d, want 2", len(events))
	}
	if events[1].Type != AggregationEvent || events[1].ParentID != "urn:epc:id:sscc:6901234.0000000001" {
		t.Errorf("second event: got %s with parent %q", events[1].Type, events[1].ParentID)
	}
	ext := events[0].Extensions
	if len(ext) != 1 || ext[0].Space != "https://suyuan.example.cn/ns/" || ext[0].Prefix != "sy" || ext[0].Local != "batch" || ext[0].Value != "B-2024-03" {
		t.Errorf("extension: got %+v", ext)
	}
}

func TestXMLDecoderEPCIS12Layout(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "xml", "legacy-1.2.xml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, events := xmlDecodeAll(t, f)
	if h.SchemaVersion != "1.2" {
		t.Errorf("schemaVersion: got %q, want 1.2", h.SchemaVersion)
	}
	if len(events) != 3 {
		t.Fatalf("events: got %d, want 3", len(events))
	}

	obj := events[0]
	if obj.EventID != "urn:uuid:0b6c2f6e-6a3c-4d7e-9a55-5c0f1d2e3a41" {
		t.Errorf("eventID from baseExtension: got %q", obj.EventID)
	}
	if obj.ErrorDeclaration == nil || obj.ErrorDeclaration.Reason != "urn:epcglobal:cbv:er:incorrect_data" || len(obj.ErrorDeclaration.CorrectiveEventIDs) != 1 {
		t.Errorf("errorDeclaration from baseExtension: got %+v", obj.ErrorDeclaration)
	}
	if obj.EPCList == nil || len(obj.EPCList) != 0 {
		t.Errorf("empty epcList: got %#v, want an empty non-nil list", obj.EPCList)
	}
	if len(obj.QuantityList) != 1 || obj.QuantityList[0].Quantity != 12.5 || !obj.QuantityList[0].HasQuantity || obj.QuantityList[0].UOM != "KGM" {
		t.Errorf("quantityList from extension: got %+v", obj.QuantityList)
	}
	if len(obj.SourceList) != 1 || obj.SourceList[0].Type != "urn:epcglobal:cbv:sdt:owning_party" {
		t.Errorf("sourceList from extension: got %+v", obj.SourceList)
	}
	if len(obj.ILMD) != 1 || obj.ILMD[0].Local != "bestBefore" || obj.ILMD[0].Value != "2020-06-01" {
		t.Errorf("ilmd from extension: got %+v", obj.ILMD)
	}
	if len(obj.Extensions) != 2 {
		t.Fatalf("extensions: got %+v, want the inner extension field and sy:grade", obj.Extensions)
	}
	if e := obj.Extensions[0]; e.Space != "" || e.Local != "note" || e.Value != "vendor field without namespace" {
		t.Errorf("inner extension field: got %+v", e)
	}
	if e := obj.Extensions[1]; e.Space != "https://suyuan.example.cn/ns/" || e.Local != "grade" {
		t.Errorf("namespaced extension: got %+v", e)
	}

	if events[1].Type != TransformationEvent || len(events[1].OutputEPCList) != 1 {
		t.Errorf("TransformationEvent in EventList/extension: got %s %v", events[1].Type, events[1].OutputEPCList)
	}
	assoc := events[2]
	if assoc.Type != AssociationEvent || len(assoc.SensorElementList) != 1 {
		t.Fatalf("AssociationEvent in extension/extension: got %s with %d sensor elements", assoc.Type, len(assoc.SensorElementList))
	}
	se := assoc.SensorElementList[0]
	if se.Metadata == nil || !se.Metadata.StartTime.Equal(time.Date(2019, 6, 4, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("sensorMetaData spelling: got %+v", se.Metadata)
	}
	if len(se.Reports) != 1 || se.Reports[0].Type != "https://gs1.org/voc/Temperature" || se.Reports[0].Value == nil || *se.Reports[0].Value != 4.5 {
		t.Errorf("sensorReport: got %+v", se.Reports)
	}
}

func TestXMLDecoderExtensionsAndTypes(t *testing.T) {
	event := `<ObjectEvent xmlns:ex2="https://example.com/other/">
<eventTime>2024-01-01T08:00:00.123456789+08:00</eventTime>
<recordTime>2024-01-01T00:00:01Z</recordTime>
<eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
<eventID>urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427</eventID>
<errorDeclaration>
<declarationTime>2024-01-02T00:00:00Z</declarationTime>
<reason>incorrect_data</reason>
<ex:ticket>T-9</ex:ticket>
</errorDeclaration>
<certificationInfo>https://cert.example.com/1</certificationInfo>
<epcList><epc>urn:epc:id:sgtin:6901234.012345.1</epc></epcList>
<action>ADD</action>
<bizStep>urn:epcglobal:cbv:bizstep:inspecting</bizStep>
<disposition>urn:epcglobal:cbv:disp:conformant</disposition>
<readPoint><id>urn:epc:id:sgln:6901234.00001.0</id><ex:gate door="north">7</ex:gate></readPoint>
<bizTransactionList><bizTransaction>urn:epc:id:gdti:6901234.00001.1</bizTransaction></bizTransactionList>
<quantityList><quantityElement><epcClass>urn:epc:class:lgtin:6901234.012345.L1</epcClass><quantity xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/></quantityElement></quantityList>
<sensorElementList><sensorElement>
<sensorMetadata time="2024-01-01T07:00:00Z" deviceID="urn:epc:id:giai:6901234.9" ex:calibrated="2023-12-01"/>
<sensorReport type="gs1:Temperature" exception="gs1:ALARM_CONDITION" value="-1.5E1" minValue="3" booleanValue="0" hexBinaryValue="0aFF" time="2024-01-01T07:30:00+08:00" uom="CEL"/>
<ex:probe><ex2:serial>P-1</ex2:serial><ex2:serial>P-2</ex2:serial></ex:probe>
</sensorElement></sensorElementList>
<persistentDisposition><unset>urn:epcglobal:cbv:disp:in_transit</unset><set>urn:epcglobal:cbv:disp:conformant</set></persistentDisposition>
<ilmd><ex:harvest>2023-10-01</ex:harvest></ilmd>
<ex:origin ex2:grade="A">广东</ex:origin>
</ObjectEvent>`
	_, events := xmlDecodeAll(t, strings.NewReader(xmlTestDoc(event)))
	if len(events) != 1 {
		t.Fatalf("events: got %d, want 1", len(events))
	}
	e := events[0]

	if e.EventTime.Nanosecond() != 123456789 {
		t.Errorf("eventTime nanoseconds: got %d", e.EventTime.Nanosecond())
	}
	if !e.RecordTime.Equal(time.Date(2024, 1, 1, 0, 0, 1, 0, time.UTC)) {
		t.Errorf("recordTime: got %v", e.RecordTime)
	}
	if e.ErrorDeclaration.Reason != "urn:epcglobal:cbv:er:incorrect_data" {
		t.Errorf("error reason canonical form: got %q", e.ErrorDeclaration.Reason)
	}
	if x := e.ErrorDeclaration.Extensions; len(x) != 1 || x[0].Local != "ticket" {
		t.Errorf("errorDeclaration extension: got %+v", x)
	}
	if len(e.CertificationInfo) != 1 {
		t.Errorf("certificationInfo: got %v", e.CertificationInfo)
	}
	if g := e.ReadPoint.Extensions; len(g) != 1 || g[0].Value != "7" || len(g[0].Attrs) != 1 || g[0].Attrs[0].Local != "door" || g[0].Attrs[0].Space != "" {
		t.Errorf("readPoint extension: got %+v", g)
	}
	if q := e.QuantityList[0]; q.HasQuantity {
		t.Errorf("nil quantity: got %+v, want HasQuantity false", q)
	}

	se := e.SensorElementList[0]
	if m := se.Metadata.Extensions; len(m) != 1 || m[0].Space != "https://example.com/ns/" || m[0].Prefix != "ex" || m[0].Local != "calibrated" || m[0].Value != "2023-12-01" {
		t.Errorf("sensorMetadata attribute extension: got %+v", m)
	}
	r := se.Reports[0]
	if r.Type != "https://gs1.org/voc/Temperature" {
		t.Errorf("sensor type: got %q", r.Type)
	}
	if r.Exception != ExpandCBV(VocabSensorAlertType, "gs1:ALARM_CONDITION") {
		t.Errorf("sensor exception: got %q", r.Exception)
	}
	if r.Value == nil || *r.Value != -15 {
		t.Errorf("value: got %v, want -15", r.Value)
	}
	if r.MinValue == nil || *r.MinValue != 3 {
		t.Errorf("minValue: got %v, want 3", r.MinValue)
	}
	if r.MaxValue != nil {
		t.Errorf("maxValue: got %v, want nil", *r.MaxValue)
	}
	if r.BooleanValue == nil || *r.BooleanValue {
		t.Errorf("booleanValue: got %v, want false", r.BooleanValue)
	}
	if r.HexBinaryValue != "0aFF" {
		t.Errorf("hexBinaryValue: got %q", r.HexBinaryValue)
	}
	if _, offset := r.Time.Zone(); offset != 8*3600 {
		t.Errorf("report time offset: got %d, want %d", offset, 8*3600)
	}
	if p := se.Extensions; len(p) != 1 || p[0].Kind != KindObject || len(p[0].Children) != 2 || p[0].Children[1].Value != "P-2" || p[0].Children[1].Prefix != "ex2" {
		t.Errorf("sensorElement extension: got %+v", p)
	}
	if pd := e.PersistentDisposition; len(pd.Unset) != 1 || len(pd.Set) != 1 || pd.Set[0] != "urn:epcglobal:cbv:disp:conformant" {
		t.Errorf("persistentDisposition: got %+v", pd)
	}
	if len(e.ILMD) != 1 || e.ILMD[0].Value != "2023-10-01" {
		t.Errorf("ilmd: got %+v", e.ILMD)
	}
	if x := e.Extensions; len(x) != 1 || x[0].Value != "广东" || x[0].Attrs[0].Space != "https://example.com/other/" || x[0].Attrs[0].Prefix != "ex2" {
		t.Errorf("event extension: got %+v", x)
	}
}

func TestXMLDecoderBareEvent(t *testing.T) {
	doc := strings.Replace(xmlTestEvent, "<ObjectEvent>", `<ObjectEvent xmlns:ex="https://example.com/ns/">`, 1)
	h, events := xmlDecodeAll(t, strings.NewReader(doc))
	if h.Kind != KindBareEvent {
		t.Errorf("kind: got %q, want %q", h.Kind, KindBareEvent)
	}
	if len(events) != 1 || events[0].Action != ActionObserve {
		t.Errorf("events: got %+v", events)
	}
}

func TestXMLDecoderGB18030Document(t *testing.T) {
	doc := strings.Replace(xmlTestDoc(strings.Replace(xmlTestEvent, "</ObjectEvent>", "<ex:产地>广东省\n潮州市</ex:产地>\n<action>ADD</action>\n</ObjectEvent>", 1)),
		`encoding="UTF-8"`, `encoding="GB18030"`, 1)
	encoded, err := simplifiedchinese.GB18030.NewEncoder().String(doc)
	if err != nil {
		t.Fatal(err)
	}
	fe := firstXMLError(t, encoded)
	if fe.Line != 13 || fe.Pointer != eventPath+"/action[2]" {
		t.Errorf("error after Chinese text: got line %d at %q, want line 13 at %s/action[2]", fe.Line, fe.Pointer, eventPath)
	}

	encoded, err = simplifiedchinese.GB18030.NewEncoder().String(strings.Replace(doc, "<action>ADD</action>\n", "", 1))
	if err != nil {
		t.Fatal(err)
	}
	_, events := xmlDecodeAll(t, strings.NewReader(encoded))
	if len(events) != 1 || len(events[0].Extensions) != 1 || events[0].Extensions[0].Value != "广东省\n潮州市" || events[0].Extensions[0].Local != "产地" {
		t.Errorf("extension in GB18030: got %+v", events)
	}
}

func TestXMLDecoderLineNumbersWithCRLF(t *testing.T) {
	doc := strings.ReplaceAll(xmlTestDoc(strings.Replace(xmlTestEvent, ">OBSERVE<", ">SEEN<", 1)), "\n", "\r\n")
	fe := firstXMLError(t, doc)
	if fe.Line != 9 {
		t.Errorf("line: got %d, want 9", fe.Line)
	}
}

func TestXMLDecoderByteOrderMark(t *testing.T) {
	_, events := xmlDecodeAll(t, strings.NewReader("\ufeff"+xmlTestDoc(xmlTestEvent)))
	if len(events) != 1 {
		t.Errorf("events: got %d, want 1", len(events))
	}
}

func TestXMLDecoderDepthLimit(t *testing.T) {
	deep := strings.Repeat("<ex:a>", maxXMLDepth) + strings.Repeat("</ex:a>", maxXMLDepth)
	fe := firstXMLError(t, xmlTestDoc(strings.Replace(xmlTestEvent, "</ObjectEvent>", deep+"</ObjectEvent>", 1)))
	if fe.Rule != "event size limit" {
		t.Errorf("rule: got %q, want event size limit", fe.Rule)
	}
}

func TestXMLDecoderHeaderBeforeNext(t *testing.T) {
	d := NewXMLDecoder(bytes.NewReader([]byte(xmlTestDoc(xmlTestEvent))))
	h1, err := d.Header()
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := d.Header()
	if h1.SchemaVersion != "2.0" || h2.SchemaVersion != "2.0" {
		t.Errorf("schemaVersion: got %q then %q", h1.SchemaVersion, h2.SchemaVersion)
	}
	if _, err := d.Next(); err != nil {
		t.Fatalf("Next: %v", err)
	}
	for i := 0; i < 2; i++ {
		if _, err := d.Next(); !errors.Is(err, io.EOF) {
			t.Errorf("Next after the last event: got %v, want io.EOF", err)
		}
	}
}

func TestXMLDecoderEventSizeLimit(t *testing.T) {
	part := "<ex:part>" + strings.Repeat("x", 1024) + "</ex:part>"
	big := "<ex:blob>" + strings.Repeat(part, maxXMLEventBytes/1024+1) + "</ex:blob>"
	fe := firstXMLError(t, xmlTestDoc(strings.Replace(xmlTestEvent, "</ObjectEvent>", big+"</ObjectEvent>", 1)))
	if fe.Rule != "event size limit" || fe.Line != 5 {
		t.Errorf("got rule %q on line %d, want event size limit on line 5", fe.Rule, fe.Line)
	}
}

func TestXMLDecoderDocumentWithoutEventList(t *testing.T) {
	doc := `<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:ex="https://example.com/ns/" schemaVersion="2.0" creationDate="2024-01-01T00:00:00Z">
<EPCISHeader><ex:anything><nested/></ex:anything></EPCISHeader>
<EPCISBody><ex:note>no events</ex:note></EPCISBody>
<ex:trailer/>
</epcis:EPCISDocument>`
	h, events := xmlDecodeAll(t, strings.NewReader(doc))
	if h.Kind != KindEPCISDocument || len(events) != 0 {
		t.Errorf("got kind %q and %d events, want an EPCISDocument with none", h.Kind, len(events))
	}
}
