package eventhash

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
)

const exampleNS = "https://ns.example.com/epcis/"

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("parse time %q: %v", s, err)
	}
	return tm
}

func ptr[T any](v T) *T { return &v }

// referenceEvent builds the ObjectEvent of the worked example of the CBV
// 2.0 event hash: three SSCCs, a read point with an extension, and nested
// user extensions.
func referenceEvent(t *testing.T) *epcis.Event {
	return &epcis.Event{
		Type:                epcis.ObjectEvent,
		EventTime:           mustTime(t, "2020-03-04T11:00:30.000+01:00"),
		RecordTime:          mustTime(t, "2020-03-04T11:00:30.999+01:00"),
		EventTimeZoneOffset: "+01:00",
		EPCList: []string{
			"urn:epc:id:sscc:4012345.0000000333",
			"urn:epc:id:sscc:4012345.0000000111",
			"urn:epc:id:sscc:4012345.0000000222",
		},
		Action:    epcis.ActionObserve,
		BizStep:   "urn:epcglobal:cbv:bizstep:departing",
		ReadPoint: &epcis.Location{ID: "urn:epc:id:sgln:4012345.00011.987"},
		Extensions: []epcis.Element{
			{Space: exampleNS, Local: "myField1", Kind: epcis.KindObject, Children: []epcis.Element{
				{Space: exampleNS, Local: "mySubField1", Value: "2"},
				{Space: exampleNS, Local: "mySubField2", Value: "5"},
			}},
			{Space: exampleNS, Local: "myField2", Value: "0"},
			{Space: exampleNS, Local: "myField3", Kind: epcis.KindObject, Children: []epcis.Element{
				{Space: exampleNS, Local: "mySubField3", Value: "3"},
				{Space: exampleNS, Local: "mySubField3", Value: "1"},
			}},
		},
	}
}

func TestPreHashReferenceExample(t *testing.T) {
	e := referenceEvent(t)
	want := "eventType=ObjectEventeventTime=2020-03-04T10:00:30.000ZeventTimeZoneOffset=+01:00" +
		"epcListepc=https://id.gs1.org/00/040123450000001112epc=https://id.gs1.org/00/040123450000002225" +
		"epc=https://id.gs1.org/00/040123450000003338action=OBSERVE" +
		"bizStep=https://ref.gs1.org/cbv/BizStep-departingreadPointid=https://id.gs1.org/414/4012345000115/254/987" +
		"{https://ns.example.com/epcis/}myField1{https://ns.example.com/epcis/}mySubField1=2" +
		"{https://ns.example.com/epcis/}mySubField2=5{https://ns.example.com/epcis/}myField2=0" +
		"{https://ns.example.com/epcis/}myField3{https://ns.example.com/epcis/}mySubField3=1" +
		"{https://ns.example.com/epcis/}mySubField3=3"
	got, err := PreHash(e)
	if err != nil {
		t.Fatalf("PreHash: %v", err)
	}
	if got != want {
		t.Errorf("PreHash:\n got %s\nwant %s", got, want)
	}
	// The CBV 2.0 worked example publishes this hash for the event.
	const wantHash = "ni:///sha-256;6ae96341e0acc6d7a261364751f60e68278a81cdf51da0abb6b4e617014e39d7?ver=CBV2.0"
	if h, err := Hash(e); err != nil || h != wantHash {
		t.Errorf("Hash: got %q, %v; want %q", h, err, wantHash)
	}
}

func TestPreHashIgnoresIdentityFields(t *testing.T) {
	base, err := PreHash(referenceEvent(t))
	if err != nil {
		t.Fatalf("PreHash: %v", err)
	}
	tests := []struct {
		name   string
		change func(*epcis.Event)
	}{
		{"eventID", func(e *epcis.Event) { e.EventID = "urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8" }},
		{"recordTime", func(e *epcis.Event) { e.RecordTime = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"errorDeclaration", func(e *epcis.Event) {
			e.ErrorDeclaration = &epcis.ErrorDeclaration{
				DeclarationTime: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
				Reason:          "urn:epcglobal:cbv:er:incorrect_data",
			}
		}},
		{"rdfs comment", func(e *epcis.Event) {
			e.Extensions = append(e.Extensions, epcis.Element{Space: rdfsNamespace, Local: "comment", Value: "note"})
		}},
		{"extension order", func(e *epcis.Event) {
			x := e.Extensions
			x[0], x[2] = x[2], x[0]
		}},
		{"epc order", func(e *epcis.Event) {
			e.EPCList[0], e.EPCList[2] = e.EPCList[2], e.EPCList[0]
		}},
		{"time zone of eventTime", func(e *epcis.Event) { e.EventTime = e.EventTime.UTC() }},
		{"Digital Link epc", func(e *epcis.Event) { e.EPCList[0] = "https://example.com/sscc/040123450000003338?x=1" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := referenceEvent(t)
			tt.change(e)
			got, err := PreHash(e)
			if err != nil {
				t.Fatalf("PreHash: %v", err)
			}
			if got != base {
				t.Errorf("PreHash changed:\n got %s\nwant %s", got, base)
			}
		})
	}
}

func TestPreHashChangesWithContent(t *testing.T) {
	base, err := PreHash(referenceEvent(t))
	if err != nil {
		t.Fatalf("PreHash: %v", err)
	}
	tests := []struct {
		name   string
		change func(*epcis.Event)
	}{
		{"eventTime by one millisecond", func(e *epcis.Event) { e.EventTime = e.EventTime.Add(time.Millisecond) }},
		{"extra epc", func(e *epcis.Event) { e.EPCList = append(e.EPCList, "urn:epc:id:sscc:4012345.0000000444") }},
		{"extension value", func(e *epcis.Event) { e.Extensions[1].Value = "1" }},
		{"extension namespace", func(e *epcis.Event) { e.Extensions[1].Space = "https://ns.example.org/" }},
		{"disposition added", func(e *epcis.Event) { e.Disposition = "urn:epcglobal:cbv:disp:in_transit" }},
		{"empty ilmd", func(e *epcis.Event) { e.ILMD = []epcis.Element{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := referenceEvent(t)
			tt.change(e)
			got, err := PreHash(e)
			if err != nil {
				t.Fatalf("PreHash: %v", err)
			}
			if got == base {
				t.Errorf("PreHash did not change: %s", got)
			}
		})
	}
}

func TestPreHashFieldOrder(t *testing.T) {
	e := &epcis.Event{
		Type:                epcis.TransactionEvent,
		EventTime:           mustTime(t, "2020-07-03T00:05:00-06:00"),
		EventTimeZoneOffset: "-06:00",
		CertificationInfo:   []string{"https://cert.example.org/b", "https://cert.example.org/a"},
		ParentID:            "urn:epc:id:sscc:4012345.0111111111",
		EPCList:             []string{"urn:epc:id:sgtin:0614141.107340.2", "urn:epc:id:sgtin:0614141.107340.1"},
		QuantityList: []epcis.QuantityElement{
			{EPCClass: "urn:epc:class:lgtin:4012345.011111.1234", Quantity: 52.50, HasQuantity: true, UOM: "KGM"},
			{EPCClass: "urn:epc:idpat:sgtin:4012345.011111.*"},
		},
		Action:      epcis.ActionAdd,
		BizStep:     "shipping",
		Disposition: "urn:epcglobal:cbv:disp:in_transit",
		PersistentDisposition: &epcis.PersistentDisposition{
			Set:   []string{"urn:epcglobal:cbv:disp:recalled"},
			Unset: []string{"urn:epcglobal:cbv:disp:active"},
		},
		ReadPoint:   &epcis.Location{ID: "urn:epc:id:sgln:4012345.00000.5"},
		BizLocation: &epcis.Location{ID: "urn:epc:id:sgln:4012345.00001.0", Extensions: []epcis.Element{{Space: exampleNS, Local: "floor", Value: "2"}}},
		BizTransactionList: []epcis.BizTransaction{
			{Type: "urn:epcglobal:cbv:btt:po", Value: "urn:epcglobal:cbv:bt:4012345123456:RE100099"},
			{Value: "http://transaction.example.com/x"},
		},
		SourceList:      []epcis.SourceDest{{Type: "urn:epcglobal:cbv:sdt:owning_party", Value: "urn:epc:id:pgln:4012345.00000"}},
		DestinationList: []epcis.SourceDest{{Type: "urn:epcglobal:cbv:sdt:location", Value: "urn:epc:id:sgln:4012345.00012.0"}},
		SensorElementList: []epcis.SensorElement{{
			Reports: []epcis.SensorReport{{Type: "https://gs1.org/voc/Temperature", Value: ptr(-1.50), UOM: "CEL"}},
		}},
		ILMD:       []epcis.Element{{Space: "urn:epcglobal:cbv:mda:", Local: "lotNumber", Value: "LOT1"}},
		Extensions: []epcis.Element{{Space: exampleNS, Local: "note", Value: "  padded  "}},
	}
	want := "eventType=TransactionEventeventTime=2020-07-03T06:05:00.000ZeventTimeZoneOffset=-06:00" +
		"certificationInfo=https://cert.example.org/acertificationInfo=https://cert.example.org/b" +
		"epcListepc=https://id.gs1.org/01/10614141073402/21/1epc=https://id.gs1.org/01/10614141073402/21/2" +
		"parentID=https://id.gs1.org/00/040123451111111110" +
		"quantityListquantityElementepcClass=https://id.gs1.org/01/04012345111118" +
		"quantityElementepcClass=https://id.gs1.org/01/04012345111118/10/1234quantity=52.5uom=KGM" +
		"action=ADDbizStep=https://ref.gs1.org/cbv/BizStep-shippingdisposition=https://ref.gs1.org/cbv/Disp-in_transit" +
		"persistentDispositionset=https://ref.gs1.org/cbv/Disp-recalledunset=https://ref.gs1.org/cbv/Disp-active" +
		"readPointid=https://id.gs1.org/414/4012345000009/254/5" +
		"bizLocationid=https://id.gs1.org/414/4012345000016{https://ns.example.com/epcis/}floor=2" +
		"sensorElementListsensorElementsensorReporttype=https://gs1.org/voc/Temperaturevalue=-1.5uom=CEL" +
		"bizTransactionListbizTransaction=http://transaction.example.com/x" +
		"type=https://ref.gs1.org/cbv/BTT-pobizTransaction=urn:epcglobal:cbv:bt:4012345123456:RE100099" +
		"destinationListtype=https://ref.gs1.org/cbv/SDT-locationdestination=https://id.gs1.org/414/4012345000122" +
		"ilmd{urn:epcglobal:cbv:mda:}lotNumber=LOT1" +
		"sourceListtype=https://ref.gs1.org/cbv/SDT-owning_partysource=https://id.gs1.org/417/4012345000009" +
		"{https://ns.example.com/epcis/}note=padded"
	got, err := PreHash(e)
	if err != nil {
		t.Fatalf("PreHash: %v", err)
	}
	if got != want {
		t.Errorf("PreHash:\n got %s\nwant %s", got, want)
	}
}

func TestPreHashSensorElement(t *testing.T) {
	e := &epcis.Event{
		Type:      epcis.ObjectEvent,
		EventTime: mustTime(t, "2019-04-02T15:00:00+01:00"),
		Action:    epcis.ActionObserve,
		SensorElementList: []epcis.SensorElement{{
			Metadata: &epcis.SensorMetadata{
				StartTime:  mustTime(t, "2019-04-01T15:00:00.000+01:00"),
				EndTime:    mustTime(t, "2019-04-02T14:59:59.999+01:00"),
				Extensions: []epcis.Element{{Space: exampleNS, Local: "someFurtherMetadata", Value: "someText"}},
			},
			Reports: []epcis.SensorReport{
				{Type: "https://gs1.org/voc/Temperature", MinValue: ptr(12.4), MaxValue: ptr(13.8), UOM: "CEL",
					Extensions: []epcis.Element{{Space: exampleNS, Local: "cv", Value: "123"}}},
				{Type: "example:someSensorProperty", StringValue: "someSensorOutput", BizRules: "https://example.org/253/4012345000054987"},
				{Type: "Speed", Value: ptr(0.0), Component: "x", BooleanValue: ptr(false)},
			},
			Extensions: []epcis.Element{{Space: exampleNS, Local: "furtherSensorData", Kind: epcis.KindObject, Children: []epcis.Element{
				{Space: exampleNS, Local: "measure2", Value: "0.987"},
				{Space: exampleNS, Local: "measure1", Value: "123.50"},
			}}},
		}},
	}
	want := "eventType=ObjectEventeventTime=2019-04-02T14:00:00.000Zaction=OBSERVE" +
		"sensorElementListsensorElementsensorMetadatastartTime=2019-04-01T14:00:00.000ZendTime=2019-04-02T13:59:59.999Z" +
		"{https://ns.example.com/epcis/}someFurtherMetadata=someText" +
		"sensorReporttype=example:someSensorPropertystringValue=someSensorOutput" +
		"sensorReporttype=https://gs1.org/voc/Speedvalue=0component=https://ref.gs1.org/cbv/Comp-xbooleanValue=false" +
		"sensorReporttype=https://gs1.org/voc/TemperatureminValue=12.4maxValue=13.8uom=CEL{https://ns.example.com/epcis/}cv=123" +
		"{https://ns.example.com/epcis/}furtherSensorData{https://ns.example.com/epcis/}measure1=123.5{https://ns.example.com/epcis/}measure2=0.987" +
		"sensorElementListsensorElementsensorReportbizRules=https://id.gs1.org/253/4012345000054987"
	got, err := PreHash(e)
	if err != nil {
		t.Fatalf("PreHash: %v", err)
	}
	if got != want {
		t.Errorf("PreHash:\n got %s\nwant %s", got, want)
	}
}

func TestPreHashXMLAttributesAndNull(t *testing.T) {
	e := &epcis.Event{
		Type:      epcis.ObjectEvent,
		EventTime: mustTime(t, "2020-09-29T14:00:00.000+02:00"),
		Extensions: []epcis.Element{
			{Space: "https://ns.example2.com/epcis", Local: "furtherData", Kind: epcis.KindObject, Attrs: []epcis.Attr{
				{Space: "https://ns.example2.com/epcis", Local: "workingShift", Value: "1"},
				{Space: "https://ns.example2.com/epcis", Local: "assemblyLine", Value: "2"},
				{Local: "plain", Value: "x"},
			}},
			{Space: exampleNS, Local: "nothing", Kind: epcis.KindNull, Value: "null"},
			{Space: exampleNS, Local: "machine", Value: "urn:epc:id:giai:4012345.ABC"},
		},
	}
	want := "eventType=ObjectEventeventTime=2020-09-29T12:00:00.000Z" +
		"{https://ns.example.com/epcis/}machine=https://id.gs1.org/8004/4012345ABC" +
		"{https://ns.example.com/epcis/}nothing" +
		"{https://ns.example2.com/epcis}furtherDataplain=x{https://ns.example2.com/epcis}assemblyLine=2" +
		"{https://ns.example2.com/epcis}workingShift=1"
	got, err := PreHash(e)
	if err != nil {
		t.Fatalf("PreHash: %v", err)
	}
	if got != want {
		t.Errorf("PreHash:\n got %s\nwant %s", got, want)
	}
}

func TestHasherIgnoreFields(t *testing.T) {
	e := referenceEvent(t)
	base, err := PreHash(e)
	if err != nil {
		t.Fatalf("PreHash: %v", err)
	}
	e.Extensions = append(e.Extensions,
		epcis.Element{Space: "https://repository-x.example.com/", Local: "hash", Value: "ni:///sha-256;00?ver=CBV2.0"},
		epcis.Element{Space: exampleNS, Local: "captureID", Value: "cc90bbe4"},
	)
	h := Hasher{IgnoreFields: []Name{
		{Space: "https://repository-x.example.com/", Local: "hash"},
		{Space: exampleNS, Local: "captureID"},
	}}
	got, err := h.PreHash(e)
	if err != nil {
		t.Fatalf("PreHash: %v", err)
	}
	if got != base {
		t.Errorf("PreHash with ignored fields:\n got %s\nwant %s", got, base)
	}
	withFields, err := PreHash(e)
	if err != nil {
		t.Fatalf("PreHash: %v", err)
	}
	if !strings.Contains(withFields, "captureID=cc90bbe4") {
		t.Errorf("PreHash without IgnoreFields lacks the field: %s", withFields)
	}
}

func TestPreHashRejects(t *testing.T) {
	tests := []struct {
		name  string
		event *epcis.Event
	}{
		{"nil event", nil},
		{"unknown type", &epcis.Event{Type: "ThingEvent", EventTime: time.Unix(0, 0)}},
		{"no eventTime", &epcis.Event{Type: epcis.ObjectEvent}},
		{"NaN quantity", &epcis.Event{Type: epcis.ObjectEvent, EventTime: time.Unix(0, 0),
			QuantityList: []epcis.QuantityElement{{EPCClass: "urn:epc:idpat:sgtin:4012345.011111.*", Quantity: math.NaN(), HasQuantity: true}}}},
		{"infinite sensor value", &epcis.Event{Type: epcis.ObjectEvent, EventTime: time.Unix(0, 0),
			SensorElementList: []epcis.SensorElement{{Reports: []epcis.SensorReport{{Type: "gs1:Temperature", Value: ptr(math.Inf(1))}}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Hash(tt.event)
			if !errors.Is(err, ErrInvalidEvent) {
				t.Errorf("Hash: got error %v, want ErrInvalidEvent", err)
			}
		})
	}
}

func TestHashPreHashForm(t *testing.T) {
	got := HashPreHash("")
	const want = "ni:///sha-256;e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855?ver=CBV2.0"
	if got != want {
		t.Errorf("HashPreHash(\"\"): got %s, want %s", got, want)
	}
}

func FuzzPreHash(f *testing.F) {
	f.Add("urn:epc:id:sgtin:0614141.812345.6789", "https://example.com/01/09506000134352/22/2A/10/ABC", "1_000.50", "urn:epcglobal:cbv:bizstep:shipping", int64(1700000000123456789))
	f.Add("", "", "", "", int64(0))
	f.Fuzz(func(t *testing.T, id, uri, value, vocab string, nanos int64) {
		e := &epcis.Event{
			Type:                epcis.AggregationEvent,
			EventTime:           time.Unix(0, nanos),
			EventTimeZoneOffset: value,
			ParentID:            id,
			ChildEPCs:           []string{uri, id},
			BizStep:             vocab,
			Disposition:         vocab,
			ReadPoint:           &epcis.Location{ID: uri, Extensions: []epcis.Element{{Space: uri, Local: value, Value: id}}},
			BizTransactionList:  []epcis.BizTransaction{{Type: vocab, Value: uri}},
			SensorElementList: []epcis.SensorElement{{Reports: []epcis.SensorReport{{
				Type: vocab, StringValue: value, Component: vocab, BizRules: uri,
			}}}},
			Extensions: []epcis.Element{{Space: uri, Local: id, Value: value, Attrs: []epcis.Attr{{Local: vocab, Value: value}}}},
		}
		first, err := PreHash(e)
		if err != nil {
			if !errors.Is(err, ErrInvalidEvent) {
				t.Fatalf("PreHash: error %v does not wrap ErrInvalidEvent", err)
			}
			return
		}
		second, err := PreHash(e)
		if err != nil || second != first {
			t.Errorf("PreHash is not deterministic: %q then %q (%v)", first, second, err)
		}
	})
}
