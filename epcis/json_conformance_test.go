package epcis

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// decodeAll reads every event of a JSON document, failing the test on any
// error.
func decodeAll(t *testing.T, raw []byte) (Header, []*Event) {
	t.Helper()
	d := NewJSONDecoder(bytes.NewReader(raw))
	h, err := d.Header()
	if err != nil {
		t.Fatalf("Header: %v", err)
	}
	var events []*Event
	for {
		e, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				for _, fe := range ve.Errors {
					t.Errorf("event %d: %s line %d: %s (value %q, rule %s)", fe.EventIndex, fe.Pointer, fe.Line, fe.Message, fe.Value, fe.Rule)
				}
				if fe := ve.Errors; len(fe) > 0 && fe[0].Rule == "JSON syntax" {
					t.FailNow()
				}
				continue
			}
			t.Fatalf("Next: %v", err)
		}
		events = append(events, e)
	}
	return h, events
}

// conformanceJSONFiles lists the JSON-LD examples of the conformance data.
func conformanceJSONFiles(t *testing.T) []string {
	t.Helper()
	root := filepath.Join(conformanceDir(t), "JSON")
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".jsonld") || strings.HasSuffix(path, ".json")) {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", root, err)
	}
	if len(files) == 0 {
		t.Skipf("no JSON examples under %s", root)
	}
	return files
}

// referenceEventCount counts the events of a document with
// encoding/json, as a naive reference for the streaming decoder.
func referenceEventCount(t *testing.T, raw []byte) int {
	t.Helper()
	var doc struct {
		Type      string `json:"type"`
		EPCISBody struct {
			EventList    []json.RawMessage `json:"eventList"`
			QueryResults struct {
				ResultsBody struct {
					EventList []json.RawMessage `json:"eventList"`
				} `json:"resultsBody"`
			} `json:"queryResults"`
		} `json:"epcisBody"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("reference decode: %v", err)
	}
	switch doc.Type {
	case "EPCISDocument":
		return len(doc.EPCISBody.EventList)
	case "EPCISQueryDocument":
		return len(doc.EPCISBody.QueryResults.ResultsBody.EventList)
	}
	return 1
}

func TestJSONDecodeConformanceExamples(t *testing.T) {
	files := conformanceJSONFiles(t)
	total := 0
	for _, path := range files {
		rel, _ := filepath.Rel(filepath.Join(conformanceDir(t), "JSON"), path)
		t.Run(rel, func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, events := decodeAll(t, raw)
			if want := referenceEventCount(t, raw); len(events) != want {
				t.Errorf("events: got %d, want %d", len(events), want)
			}
			total += len(events)
		})
	}
	// The GS1 EPCIS 2.0 JSON example set holds 56 events in 47 files.
	if len(files) == 47 && total != 56 {
		t.Errorf("total events: got %d, want 56", total)
	}
	t.Logf("%d files, %d events", len(files), total)
}

// normalizeEvent returns a copy of e that compares with reflect.DeepEqual
// by meaning: times in UTC, and extension prefixes dropped, because a
// prefix is not part of an element's identity.
func normalizeEvent(e *Event) *Event {
	c := *e
	utc := func(t time.Time) time.Time {
		if t.IsZero() {
			return time.Time{}
		}
		return t.UTC()
	}
	c.EventTime, c.RecordTime = utc(c.EventTime), utc(c.RecordTime)
	if ed := c.ErrorDeclaration; ed != nil {
		edc := *ed
		edc.DeclarationTime = utc(edc.DeclarationTime)
		edc.Extensions = normalizeElements(edc.Extensions)
		c.ErrorDeclaration = &edc
	}
	if c.ReadPoint != nil {
		rp := *c.ReadPoint
		rp.Extensions = normalizeElements(rp.Extensions)
		c.ReadPoint = &rp
	}
	if c.BizLocation != nil {
		bl := *c.BizLocation
		bl.Extensions = normalizeElements(bl.Extensions)
		c.BizLocation = &bl
	}
	if c.SensorElementList != nil {
		c.SensorElementList = append([]SensorElement(nil), c.SensorElementList...)
		for i := range c.SensorElementList {
			se := &c.SensorElementList[i]
			se.Extensions = normalizeElements(se.Extensions)
			if se.Metadata != nil {
				md := *se.Metadata
				md.Time, md.StartTime, md.EndTime = utc(md.Time), utc(md.StartTime), utc(md.EndTime)
				md.Extensions = normalizeElements(md.Extensions)
				se.Metadata = &md
			}
			if se.Reports != nil {
				se.Reports = append([]SensorReport(nil), se.Reports...)
				for j := range se.Reports {
					se.Reports[j].Time = utc(se.Reports[j].Time)
					se.Reports[j].Extensions = normalizeElements(se.Reports[j].Extensions)
				}
			}
		}
	}
	c.ILMD = normalizeElements(c.ILMD)
	c.Extensions = normalizeElements(c.Extensions)
	return &c
}

func normalizeElements(els []Element) []Element {
	if els == nil {
		return nil
	}
	out := make([]Element, len(els))
	for i, el := range els {
		el.Prefix = ""
		el.Children = normalizeElements(el.Children)
		out[i] = el
	}
	return out
}

// schemaValidator loads the official EPCIS JSON schema from the
// conformance data.
func schemaValidator(t *testing.T) *SchemaValidator {
	t.Helper()
	v, err := NewSchemaValidator(filepath.Join(conformanceDir(t), "EPCIS-JSON-Schema.json"))
	if err != nil {
		t.Fatalf("NewSchemaValidator: %v", err)
	}
	return v
}

func TestJSONRoundTripConformanceExamples(t *testing.T) {
	files := conformanceJSONFiles(t)
	schema := schemaValidator(t)
	for _, path := range files {
		rel, _ := filepath.Rel(filepath.Join(conformanceDir(t), "JSON"), path)
		t.Run(rel, func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			h, events := decodeAll(t, raw)
			for i, e := range events {
				b, err := MarshalEventJSON(e)
				if err != nil {
					t.Fatalf("MarshalEventJSON event %d: %v", i, err)
				}
				if err := schema.Validate(b); err != nil {
					t.Errorf("event %d does not match the schema: %v\n%s", i, err, b)
				}
				back, err := UnmarshalEventJSON(b)
				if err != nil {
					t.Fatalf("UnmarshalEventJSON event %d: %v\n%s", i, err, b)
				}
				if got, want := normalizeEvent(back), normalizeEvent(e); !reflect.DeepEqual(got, want) {
					t.Errorf("event %d changed in round trip:\n got %+v\nwant %+v\njson %s", i, got, want, b)
				}
			}

			var doc bytes.Buffer
			enc := NewJSONEncoder(&doc, h)
			for i, e := range events {
				if err := enc.Encode(e); err != nil {
					t.Fatalf("Encode event %d: %v", i, err)
				}
			}
			if err := enc.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if err := schema.Validate(doc.Bytes()); err != nil {
				t.Errorf("re-encoded document does not match the schema: %v\n%s", err, doc.Bytes())
			}
			h2, again := decodeAll(t, doc.Bytes())
			if h2.Kind != h.Kind && h.Kind != KindBareEvent {
				t.Errorf("document kind: got %v, want %v", h2.Kind, h.Kind)
			}
			if len(again) != len(events) {
				t.Fatalf("re-encoded document: got %d events, want %d", len(again), len(events))
			}
			for i := range events {
				if got, want := normalizeEvent(again[i]), normalizeEvent(events[i]); !reflect.DeepEqual(got, want) {
					t.Errorf("document event %d changed in round trip:\n got %+v\nwant %+v", i, got, want)
				}
			}
		})
	}
}

func TestSchemaValidatorConformanceExamples(t *testing.T) {
	schema := schemaValidator(t)
	for _, path := range conformanceJSONFiles(t) {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(raw); err != nil {
			t.Errorf("%s: official example fails the schema: %v", filepath.Base(path), err)
		}
	}
}
