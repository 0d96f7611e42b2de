package epcis

import (
	"bytes"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// checkGolden compares got with the golden file, or rewrites the file
// when -update is set.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "json", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update after checking):\n got %s\nwant %s", path, got, want)
	}
}

// constructedEvent is an event built in Go rather than decoded: UTC time,
// a namespace without prefix, a prefix that clashes with the EPCIS context
// and repeated elements as the XML decoder produces them.
func constructedEvent() *Event {
	temp := 4.25
	return &Event{
		Type:                ObjectEvent,
		EventTime:           time.Date(2026, 5, 1, 1, 2, 3, 400000000, time.UTC),
		EventTimeZoneOffset: "+08:00",
		RecordTime:          time.Date(2026, 5, 1, 1, 5, 0, 0, time.UTC),
		EPCList:             []string{"urn:epc:id:sgtin:6923456.078901.A1"},
		Action:              ActionObserve,
		BizStep:             "urn:epcglobal:cbv:bizstep:storing",
		Disposition:         "urn:epcglobal:cbv:disp:sellable_accessible",
		ReadPoint:           &Location{ID: "urn:epc:id:sgln:6923456.00001.0"},
		SensorElementList: []SensorElement{{Reports: []SensorReport{{
			Type: "https://gs1.org/voc/Temperature", Value: &temp, UOM: "CEL",
		}}}},
		Extensions: []Element{
			{Space: "https://trace.example.gd.cn/ns/", Local: "plain", Kind: KindString, Value: "no prefix"},
			{Space: "https://clash.example.cn/", Prefix: "cbv", Local: "x", Kind: KindString, Value: "clash"},
			{Space: "https://xml.example.cn/", Prefix: "xe", Local: "item", Kind: KindString, Value: "1"},
			{Space: "https://xml.example.cn/", Prefix: "xe", Local: "other", Kind: KindString, Value: "between"},
			{Space: "https://xml.example.cn/", Prefix: "xe", Local: "item", Kind: KindString, Value: "2"},
			{Space: "https://xml.example.cn/", Prefix: "xe", Local: "nested", Kind: KindObject, Children: []Element{
				{Space: "https://xml.example.cn/", Prefix: "xe", Local: "leaf", Kind: KindString, Value: "\"quoted\"\n<tag>"},
			}},
		},
	}
}

func TestMarshalEventJSONGolden(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "json", "document_all_fields.jsonld"))
	if err != nil {
		t.Fatal(err)
	}
	_, events := decodeAll(t, raw)
	events = append(events, constructedEvent())
	var out bytes.Buffer
	for i, e := range events {
		b, err := MarshalEventJSON(e)
		if err != nil {
			t.Fatalf("MarshalEventJSON event %d: %v", i, err)
		}
		out.Write(b)
		out.WriteByte('\n')
	}
	checkGolden(t, "events_all_fields.jsonl", out.Bytes())
}

func TestJSONEncoderGolden(t *testing.T) {
	for _, name := range []string{"document_all_fields.jsonld", "query_document.jsonld"} {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "json", name))
			if err != nil {
				t.Fatal(err)
			}
			h, events := decodeAll(t, raw)
			var out bytes.Buffer
			enc := NewJSONEncoder(&out, h)
			for _, e := range events {
				if err := enc.Encode(e); err != nil {
					t.Fatalf("Encode: %v", err)
				}
			}
			if err := enc.Encode(constructedEvent()); err != nil {
				t.Fatalf("Encode constructed event: %v", err)
			}
			if err := enc.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			checkGolden(t, name, out.Bytes())
			if schema := optionalSchema(t); schema != nil {
				if err := schema.Validate(out.Bytes()); err != nil {
					t.Errorf("encoded document fails the EPCIS JSON schema: %v", err)
				}
			}

			h2, again := decodeAll(t, out.Bytes())
			if h2.Kind != h.Kind {
				t.Errorf("Kind: got %q, want %q", h2.Kind, h.Kind)
			}
			if len(again) != len(events)+1 {
				t.Fatalf("events: got %d, want %d", len(again), len(events)+1)
			}
		})
	}
}

func TestMarshalEventJSONEventTimeInOffset(t *testing.T) {
	b, err := MarshalEventJSON(constructedEvent())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"eventTime":"2026-05-01T09:02:03.4+08:00"`)) {
		t.Errorf("eventTime not written in the event's offset: %s", b)
	}
	if !bytes.Contains(b, []byte(`"recordTime":"2026-05-01T01:05:00Z"`)) {
		t.Errorf("recordTime not written in UTC: %s", b)
	}
	if !bytes.Contains(b, []byte(`"ns1":"https://clash.example.cn/"`)) {
		t.Errorf("clashing prefix not replaced by ns1: %s", b)
	}
	if !bytes.Contains(b, []byte(`"xe:item":["1","2"]`)) {
		t.Errorf("repeated elements not merged into one array: %s", b)
	}
}

func TestJSONEncoderEmptyDocument(t *testing.T) {
	var out bytes.Buffer
	enc := NewJSONEncoder(&out, Header{CreationDate: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err := enc.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	h, events := decodeAll(t, out.Bytes())
	if h.Kind != KindEPCISDocument || len(events) != 0 {
		t.Errorf("empty document: got kind %q and %d events", h.Kind, len(events))
	}
	if err := enc.Encode(constructedEvent()); !errors.Is(err, ErrEncoderClosed) {
		t.Errorf("Encode after Close: got %v, want ErrEncoderClosed", err)
	}
}

func TestMarshalEventJSONRejectsUnencodable(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name   string
		change func(e *Event)
		want   string
	}{
		{"invalid type", func(e *Event) { e.Type = "Event" }, "invalid event type"},
		{"NaN sensor value", func(e *Event) { e.SensorElementList[0].Reports[0].Value = &nan }, "no JSON form"},
		{"bad number extension", func(e *Event) {
			e.Extensions = []Element{{Space: "https://x.example/", Prefix: "x", Local: "n", Kind: KindNumber, Value: "12a"}}
		}, "invalid number"},
		{"bad boolean extension", func(e *Event) {
			e.Extensions = []Element{{Space: "https://x.example/", Prefix: "x", Local: "b", Kind: KindBool, Value: "yes"}}
		}, "invalid boolean"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := constructedEvent()
			tt.change(e)
			_, err := MarshalEventJSON(e)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestSchemaValidatorRejectsLongCBVForm(t *testing.T) {
	schema := schemaValidator(t)
	good, err := MarshalEventJSON(constructedEvent())
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(good); err != nil {
		t.Fatalf("encoded event fails the schema: %v", err)
	}
	// The schema forbids CBV URNs where the short form exists, which is
	// why the encoder compacts them.
	bad := bytes.Replace(good, []byte(`"bizStep":"storing"`), []byte(`"bizStep":"urn:epcglobal:cbv:bizstep:storing"`), 1)
	if bytes.Equal(bad, good) {
		t.Fatal("test setup: bizStep not found in encoded event")
	}
	if err := schema.Validate(bad); err == nil {
		t.Error("schema accepted a CBV URN for bizStep")
	}
}

// optionalSchema returns the official schema validator, or nil when the
// conformance data is absent.
func optionalSchema(t *testing.T) *SchemaValidator {
	t.Helper()
	var v *SchemaValidator
	t.Run("load schema", func(t *testing.T) { v = schemaValidator(t) })
	return v
}
