package epcis

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func float(v float64) *float64 { return &v }

func boolean(v bool) *bool { return &v }

// fullXMLTestEvents returns one event of each type with every field the
// type allows set, extensions included.
func fullXMLTestEvents() []*Event {
	cst := time.FixedZone("", 8*3600)
	when := time.Date(2024, 5, 1, 8, 30, 0, 250000000, cst)
	ext := []Element{
		{Space: "https://suyuan.example.cn/ns/", Prefix: "sy", Local: "origin", Value: "广东 & 潮州 <一级>"},
		{Space: "https://suyuan.example.cn/ns/", Prefix: "sy", Local: "lab", Kind: KindObject, Children: []Element{
			{Space: "https://suyuan.example.cn/ns/", Prefix: "sy", Local: "name", Value: "检测中心"},
			{Space: "https://other.example.com/", Prefix: "sy2", Local: "score", Value: "98.5",
				Attrs: []Attr{{Space: "", Local: "unit", Value: "%"}, {Space: "https://other.example.com/", Prefix: "sy2", Local: "scale", Value: "100"}}},
			{Local: "plain", Value: "child without namespace"},
		}},
		// Same preferred prefix as sy, other namespace: the encoder must
		// pick another prefix.
		{Space: "https://conflict.example.com/", Prefix: "sy", Local: "flag", Value: "true"},
		{Space: "https://empty.example.com/", Local: "empty"},
	}
	common := func(t EventType) *Event {
		return &Event{
			Type:                t,
			EventID:             "urn:uuid:3f0c2b1a-1d2e-4f50-8a6b-7c8d9e0f1a2b",
			EventTime:           when,
			EventTimeZoneOffset: "+08:00",
			RecordTime:          time.Date(2024, 5, 1, 0, 31, 0, 0, time.UTC),
			CertificationInfo:   []string{"https://cert.example.cn/GB-2763"},
			ErrorDeclaration: &ErrorDeclaration{
				DeclarationTime:    time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC),
				Reason:             "urn:epcglobal:cbv:er:incorrect_data",
				CorrectiveEventIDs: []string{"urn:uuid:00000000-0000-4000-8000-000000000001"},
				Extensions:         []Element{{Space: "https://suyuan.example.cn/ns/", Prefix: "sy", Local: "ticket", Value: "T-1"}},
			},
			BizStep:     "urn:epcglobal:cbv:bizstep:inspecting",
			Disposition: "urn:epcglobal:cbv:disp:conformant",
			PersistentDisposition: &PersistentDisposition{
				Set:   []string{"urn:epcglobal:cbv:disp:conformant"},
				Unset: []string{"urn:epcglobal:cbv:disp:in_transit"},
			},
			ReadPoint: &Location{ID: "urn:epc:id:sgln:6901234.00001.0", Extensions: []Element{
				{Local: "door", Value: "north"},
				{Space: "https://suyuan.example.cn/ns/", Prefix: "sy", Local: "gate", Value: "7"},
			}},
			BizLocation:        &Location{ID: "urn:epc:id:sgln:6901234.00002.0"},
			BizTransactionList: []BizTransaction{{Type: "urn:epcglobal:cbv:btt:po", Value: "urn:epc:id:gdti:6901234.00001.1"}, {Value: "https://erp.example.cn/po/9"}},
			SourceList:         []SourceDest{{Type: "urn:epcglobal:cbv:sdt:owning_party", Value: "urn:epc:id:pgln:6901234.00000"}},
			DestinationList:    []SourceDest{{Type: "urn:epcglobal:cbv:sdt:location", Value: "urn:epc:id:sgln:6909876.00001.0"}},
			SensorElementList: []SensorElement{{
				Metadata: &SensorMetadata{
					Time: when, StartTime: when.Add(-time.Hour), EndTime: when,
					DeviceID: "urn:epc:id:giai:6901234.1", DeviceMetadata: "https://id.example.cn/8004/1",
					RawData: "https://data.example.cn/raw/1", DataProcessingMethod: "https://method.example.cn/1", BizRules: "https://rules.example.cn/1",
					Extensions: []Element{{Space: "https://suyuan.example.cn/ns/", Prefix: "sy", Local: "calibrated", Value: "2024-01-01"}},
				},
				Reports: []SensorReport{{
					Type: "https://gs1.org/voc/Temperature", Exception: ExpandCBV(VocabSensorAlertType, "gs1:ALARM_CONDITION"),
					DeviceID: "urn:epc:id:giai:6901234.1", DeviceMetadata: "https://id.example.cn/8004/1", RawData: "https://data.example.cn/raw/2",
					DataProcessingMethod: "https://method.example.cn/2", BizRules: "https://rules.example.cn/2", Time: when,
					Microorganism: "https://www.ncbi.nlm.nih.gov/taxonomy/1280", ChemicalSubstance: "https://identifiers.org/inchikey:XLYOFNOQVPJJNP-UHFFFAOYSA-N",
					CoordinateReferenceSystem: "http://www.opengis.net/def/crs/EPSG/0/4326",
					Value:                     float(-18.25), Component: ExpandCBV(VocabComponent, "x"), StringValue: "冷冻 \"正常\"", BooleanValue: boolean(false),
					HexBinaryValue: "0AFF", URIValue: "https://example.cn/v", MinValue: float(-20), MaxValue: float(1e21), MeanValue: float(-18.5),
					SDev: float(0.25), PercRank: float(50), PercValue: float(-18.4), UOM: "CEL",
					Extensions: []Element{{Space: "https://other.example.com/", Prefix: "sy2", Local: "probe", Value: "P-1"}},
				}, {Type: "https://gs1.org/voc/Humidity", Value: float(0.5), UOM: "P1"}},
				Extensions: []Element{{Local: "note", Value: "local"}, {Space: "https://suyuan.example.cn/ns/", Prefix: "sy", Local: "box", Value: "B1"}},
			}},
			Extensions: ext,
		}
	}

	object := common(ObjectEvent)
	object.Action = ActionAdd
	object.EPCList = []string{"urn:epc:id:sgtin:6901234.012345.1", "urn:epc:id:sgtin:6901234.012345.2"}
	object.QuantityList = []QuantityElement{{EPCClass: "urn:epc:class:lgtin:6901234.012345.L1", Quantity: 12.5, HasQuantity: true, UOM: "KGM"}, {EPCClass: "urn:epc:idpat:sgtin:6901234.012345.*"}}
	// XML writes elements without a namespace inside an extension wrapper
	// ahead of the namespaced ones, so they come first here.
	object.ILMD = []Element{{Local: "grade", Value: "A"}, {Space: "https://suyuan.example.cn/ns/", Prefix: "sy", Local: "harvest", Value: "2024-04-20"}}

	aggregation := common(AggregationEvent)
	aggregation.Action = ActionAdd
	aggregation.ParentID = "urn:epc:id:sscc:6901234.0000000001"
	aggregation.ChildEPCs = []string{"urn:epc:id:sgtin:6901234.012345.1"}
	aggregation.ChildQuantityList = []QuantityElement{{EPCClass: "urn:epc:class:lgtin:6901234.012345.L1", Quantity: 3, HasQuantity: true}}

	transaction := common(TransactionEvent)
	transaction.Action = ActionObserve
	transaction.ParentID = "urn:epc:id:sscc:6901234.0000000001"
	transaction.EPCList = []string{}
	transaction.QuantityList = []QuantityElement{{EPCClass: "urn:epc:class:lgtin:6901234.012345.L1", Quantity: 0.001, HasQuantity: true, UOM: "TNE"}}

	transformation := common(TransformationEvent)
	transformation.InputEPCList = []string{"urn:epc:id:sgtin:6901234.012345.1"}
	transformation.InputQuantityList = []QuantityElement{{EPCClass: "urn:epc:class:lgtin:6901234.012345.L1", Quantity: 100, HasQuantity: true, UOM: "KGM"}}
	transformation.OutputEPCList = []string{"urn:epc:id:sgtin:6901234.054321.9"}
	transformation.OutputQuantityList = []QuantityElement{{EPCClass: "urn:epc:class:lgtin:6901234.054321.L9", Quantity: 80, HasQuantity: true, UOM: "KGM"}}
	transformation.TransformationID = "urn:epc:id:gdti:6901234.00002.7"
	transformation.ILMD = []Element{}

	association := common(AssociationEvent)
	association.Action = ActionDelete
	association.ParentID = "urn:epc:id:grai:6901234.55555.1"
	association.ChildEPCs = []string{"urn:epc:id:giai:6901234.7"}
	association.ChildQuantityList = []QuantityElement{{EPCClass: "urn:epc:class:lgtin:6901234.012345.L1", Quantity: 1, HasQuantity: true}}

	return []*Event{object, aggregation, transaction, transformation, association}
}

func encodeXMLTest(t *testing.T, h Header, events []*Event) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := NewXMLEncoder(&buf, h)
	for i, e := range events {
		if err := enc.Encode(e); err != nil {
			t.Fatalf("Encode event %d: %v", i, err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return buf.Bytes()
}

func TestXMLEncoderRoundTripEveryField(t *testing.T) {
	h := Header{Kind: KindEPCISDocument, CreationDate: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC),
		Namespaces: map[string]string{"sy": "https://suyuan.example.cn/ns/", "1bad": "https://ignored.example/"}}
	events := fullXMLTestEvents()
	out := encodeXMLTest(t, h, events)

	h2, again := xmlDecodeAll(t, bytes.NewReader(out))
	if !h2.CreationDate.Equal(h.CreationDate) {
		t.Errorf("creationDate: got %v, want %v", h2.CreationDate, h.CreationDate)
	}
	if h2.Namespaces["sy"] != "https://suyuan.example.cn/ns/" {
		t.Errorf("root declares sy as %q", h2.Namespaces["sy"])
	}
	if _, ok := h2.Namespaces["1bad"]; ok {
		t.Errorf("root declares the invalid prefix 1bad")
	}
	if len(again) != len(events) {
		t.Fatalf("events: got %d, want %d", len(again), len(events))
	}
	for i := range events {
		// The conflicting prefix and the missing one are replaced.
		if diff := eventDiff(events[i], again[i], "*.Prefix"); diff != "" {
			t.Errorf("%s differs after the round trip: %s", events[i].Type, diff)
		}
	}
	if got := again[0].Extensions[2].Prefix; got == "sy" || got == "" {
		t.Errorf("prefix for a second namespace wanting sy: got %q", got)
	}
}

func TestXMLEncoderGoldenDocument(t *testing.T) {
	h := Header{Kind: KindEPCISDocument, CreationDate: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC),
		Namespaces: map[string]string{"sy": "https://suyuan.example.cn/ns/"}}
	got := encodeXMLTest(t, h, fullXMLTestEvents()[:1])
	// The -update flag is declared with the JSON golden files.
	golden := filepath.Join("testdata", "xml", "object-event.golden.xml")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden file (run go test -run TestXMLEncoderGoldenDocument -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("encoded document differs from %s:\n%s", golden, got)
	}
}

func TestXMLEncoderWritesCBVInURNForm(t *testing.T) {
	e := &Event{Type: ObjectEvent, EventTime: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), EventTimeZoneOffset: "+00:00",
		Action: ActionObserve, EPCList: []string{"urn:epc:id:sgtin:6901234.012345.1"},
		BizStep: "shipping", Disposition: "in_transit",
		BizTransactionList: []BizTransaction{{Type: "po", Value: "urn:epc:id:gdti:6901234.00001.1"}},
		SourceList:         []SourceDest{{Type: "owning_party", Value: "urn:epc:id:pgln:6901234.00000"}},
		SensorElementList:  []SensorElement{{Reports: []SensorReport{{Type: "Temperature", Value: float(4)}}}},
	}
	out := string(encodeXMLTest(t, Header{}, []*Event{e}))
	for _, want := range []string{
		"<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>",
		"<disposition>urn:epcglobal:cbv:disp:in_transit</disposition>",
		`<bizTransaction type="urn:epcglobal:cbv:btt:po">`,
		`<source type="urn:epcglobal:cbv:sdt:owning_party">`,
		`<sensorReport type="gs1:Temperature" value="4"/>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
}

func TestXMLEncoderQueryDocument(t *testing.T) {
	h := Header{Kind: KindEPCISQueryDocument, QueryName: "SimpleEventQuery", SubscriptionID: "sub & 1",
		CreationDate: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)}
	out := encodeXMLTest(t, h, fullXMLTestEvents()[:2])
	h2, events := xmlDecodeAll(t, bytes.NewReader(out))
	if h2.Kind != KindEPCISQueryDocument || h2.QueryName != "SimpleEventQuery" || h2.SubscriptionID != "sub & 1" {
		t.Errorf("header: got %+v", h2)
	}
	if len(events) != 2 {
		t.Errorf("events: got %d, want 2", len(events))
	}
}

func TestXMLEncoderEmptyDocument(t *testing.T) {
	out := encodeXMLTest(t, Header{CreationDate: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)}, nil)
	h, events := xmlDecodeAll(t, bytes.NewReader(out))
	if h.Kind != KindEPCISDocument || len(events) != 0 {
		t.Errorf("empty document: got kind %q and %d events", h.Kind, len(events))
	}
}

func TestXMLEncoderBareEvent(t *testing.T) {
	var buf bytes.Buffer
	enc := NewXMLEncoder(&buf, Header{Kind: KindBareEvent})
	events := fullXMLTestEvents()
	if err := enc.Encode(events[0]); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if err := enc.Encode(events[1]); !errors.Is(err, ErrEncoderClosed) {
		t.Errorf("second bare event: got %v, want ErrEncoderClosed", err)
	}
	if err := enc.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	h, again := xmlDecodeAll(t, &buf)
	if h.Kind != KindBareEvent || len(again) != 1 {
		t.Fatalf("bare event: got kind %q and %d events", h.Kind, len(again))
	}
	if diff := eventDiff(events[0], again[0], "*.Prefix"); diff != "" {
		t.Errorf("bare event differs: %s", diff)
	}
}

func TestXMLEncoderRejectsIncompleteEvents(t *testing.T) {
	valid := func() *Event { return fullXMLTestEvents()[0] }
	tests := []struct {
		name   string
		change func(e *Event)
	}{
		{"unknown type", func(e *Event) { e.Type = "QuantityEvent" }},
		{"missing eventTime", func(e *Event) { e.EventTime = time.Time{} }},
		{"bad offset", func(e *Event) { e.EventTimeZoneOffset = "+8" }},
		{"missing action", func(e *Event) { e.Action = "" }},
		{"uom without quantity", func(e *Event) {
			e.QuantityList = []QuantityElement{{EPCClass: "urn:epc:class:lgtin:6901234.012345.L1", UOM: "KGM"}}
		}},
		{"source without type", func(e *Event) { e.SourceList = []SourceDest{{Value: "urn:epc:id:pgln:6901234.00000"}} }},
		{"invalid extension name", func(e *Event) { e.Extensions = []Element{{Space: "https://x.example/", Local: "1st"}} }},
		{"extension in EPCIS namespace", func(e *Event) { e.Extensions = []Element{{Space: xmlnsEPCIS2, Local: "bizStep"}} }},
		{"sensor attribute with children", func(e *Event) {
			e.SensorElementList[0].Reports[0].Extensions = []Element{{Space: "https://x.example/", Local: "a", Children: []Element{{Local: "b"}}}}
		}},
		{"sensor attribute without namespace", func(e *Event) {
			e.SensorElementList[0].Metadata.Extensions = []Element{{Local: "a", Value: "1"}}
		}},
		{"sensorElement without report", func(e *Event) { e.SensorElementList[0].Reports = nil }},
		{"infinite sensor value", func(e *Event) { e.SensorElementList[0].Reports[0].MaxValue = float(math.Inf(1)) }},
		{"NaN quantity", func(e *Event) { e.QuantityList[0].Quantity = math.NaN() }},
		{"errorDeclaration without time", func(e *Event) { e.ErrorDeclaration.DeclarationTime = time.Time{} }},
		{"readPoint without id", func(e *Event) { e.ReadPoint.ID = "" }},
		{"control character in extension", func(e *Event) { e.Extensions[0].Value = "a\x1bb" }},
		{"invalid UTF-8 in epc", func(e *Event) { e.EPCList[0] = "urn:epc:\xff" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := valid()
			tt.change(e)
			enc := NewXMLEncoder(&bytes.Buffer{}, Header{})
			if err := enc.Encode(e); err == nil {
				t.Errorf("Encode: got nil error, want one")
			}
		})
	}
	t.Run("TransactionEvent without bizTransaction", func(t *testing.T) {
		e := fullXMLTestEvents()[2]
		e.BizTransactionList = nil
		if err := NewXMLEncoder(&bytes.Buffer{}, Header{}).Encode(e); err == nil {
			t.Errorf("Encode: got nil error, want one")
		}
	})
	t.Run("AssociationEvent without parentID", func(t *testing.T) {
		e := fullXMLTestEvents()[4]
		e.ParentID = ""
		if err := NewXMLEncoder(&bytes.Buffer{}, Header{}).Encode(e); err == nil {
			t.Errorf("Encode: got nil error, want one")
		}
	})
	t.Run("nil event", func(t *testing.T) {
		if err := NewXMLEncoder(&bytes.Buffer{}, Header{}).Encode(nil); err == nil {
			t.Errorf("Encode: got nil error, want one")
		}
	})
}

func TestXMLEncoderAfterClose(t *testing.T) {
	enc := NewXMLEncoder(&bytes.Buffer{}, Header{})
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Errorf("second Close: got %v, want nil", err)
	}
	if err := enc.Encode(fullXMLTestEvents()[0]); !errors.Is(err, ErrEncoderClosed) {
		t.Errorf("Encode after Close: got %v, want ErrEncoderClosed", err)
	}
}

type failingWriter struct{}

var errDiskFull = errors.New("disk full")

func (failingWriter) Write(p []byte) (int, error) { return 0, errDiskFull }

func TestXMLEncoderReportsWriteError(t *testing.T) {
	enc := NewXMLEncoder(failingWriter{}, Header{})
	_ = enc.Encode(fullXMLTestEvents()[0])
	if err := enc.Close(); !errors.Is(err, errDiskFull) {
		t.Errorf("Close: got %v, want the write error", err)
	}
	if err := enc.Encode(fullXMLTestEvents()[0]); !errors.Is(err, errDiskFull) {
		t.Errorf("Encode after a write error: got %v, want the write error", err)
	}
}

func TestXMLEncoderOmitsEmptyLists(t *testing.T) {
	e := fullXMLTestEvents()[0]
	e.BizTransactionList = []BizTransaction{}
	e.SourceList = []SourceDest{}
	e.DestinationList = []SourceDest{}
	e.SensorElementList = []SensorElement{}
	out := encodeXMLTest(t, Header{}, []*Event{e})
	for _, name := range []string{"bizTransactionList", "sourceList", "destinationList", "sensorElementList"} {
		if bytes.Contains(out, []byte("<"+name)) {
			t.Errorf("output holds an empty <%s>", name)
		}
	}
	if _, events := xmlDecodeAll(t, bytes.NewReader(out)); len(events) != 1 {
		t.Errorf("events read back: got %d, want 1", len(events))
	}
}

func TestXMLEncoderNamesBadCharacter(t *testing.T) {
	e := fullXMLTestEvents()[0]
	e.ReadPoint.Extensions[1].Value = "gate\x00"
	err := NewXMLEncoder(&bytes.Buffer{}, Header{}).Encode(e)
	if err == nil || !strings.Contains(err.Error(), "event.ReadPoint.Extensions[1].Value") || !strings.Contains(err.Error(), "U+0000") {
		t.Errorf("error: got %v, want one naming event.ReadPoint.Extensions[1].Value and U+0000", err)
	}
}
