package e2e

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/eventhash"
)

// semanticKey reduces an event to what must survive storage and export:
// its CBV 2.0 pre-hash (every semantic field, identifiers normalised), its
// eventID, the identifiers exactly as sent and its error declaration.
type semanticKey struct {
	PreHash  string
	EventID  string
	IDs      []string
	Declared bool
	Reason   string
}

func keyOf(t *testing.T, e *epcis.Event) semanticKey {
	t.Helper()
	pre, err := eventhash.PreHash(e)
	if err != nil {
		t.Fatalf("pre-hash: %v", err)
	}
	k := semanticKey{PreHash: pre, EventID: e.EventID}
	k.IDs = append(k.IDs, e.EPCList...)
	k.IDs = append(k.IDs, e.ChildEPCs...)
	k.IDs = append(k.IDs, e.InputEPCList...)
	k.IDs = append(k.IDs, e.OutputEPCList...)
	if e.ParentID != "" {
		k.IDs = append(k.IDs, e.ParentID)
	}
	if e.ErrorDeclaration != nil {
		k.Declared = true
		k.Reason = e.ErrorDeclaration.Reason
	}
	return k
}

func keysOf(t *testing.T, events []*epcis.Event) []semanticKey {
	keys := make([]semanticKey, len(events))
	for i, e := range events {
		keys[i] = keyOf(t, e)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].PreHash != keys[j].PreHash {
			return keys[i].PreHash < keys[j].PreHash
		}
		return keys[i].EventID < keys[j].EventID
	})
	return keys
}

func decodeAll(t *testing.T, body []byte, contentType string) []*epcis.Event {
	t.Helper()
	dec, err := epcis.NewDecoder(bytes.NewReader(body), contentType)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dec.Header(); err != nil {
		t.Fatalf("header: %v", err)
	}
	var out []*epcis.Event
	for {
		e, err := dec.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("decode exported document: %v\n%s", err, body)
		}
		out = append(out, e)
	}
}

// TestExamplesExportRoundTrip captures each example, exports it as JSON-LD
// and as XML, and checks that the exports validate and carry the same
// events; the XML export must also capture again into a fresh store.
func TestExamplesExportRoundTrip(t *testing.T) {
	dir := examplesDir(t)
	schema, err := epcis.NewSchemaValidator(filepath.Join(dir, "EPCIS-JSON-Schema.json"))
	if err != nil {
		t.Fatalf("load official JSON schema: %v", err)
	}
	docs, err := CaptureDocuments(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range docs {
		t.Run(rel, func(t *testing.T) {
			path := filepath.Join(dir, rel)
			e := newEnv(t)
			if resp := e.captureFile(path); resp.StatusCode != http.StatusAccepted {
				t.Fatalf("capture: status %d", resp.StatusCode)
			}
			want := keysOf(t, storedView(t, e))

			jsonDoc := e.body("/events?perPage=1000")
			if err := schema.Validate(jsonDoc); err != nil {
				if why, known := schemaConflicts[rel]; known && strings.Contains(err.Error(), why) {
					t.Logf("JSON-LD export fails the official JSON schema where the XML example is valid EPCIS 2.0 XML (%s), as expected", why)
				} else {
					t.Errorf("JSON-LD export fails the official schema: %v", err)
				}
			}
			if got := keysOf(t, decodeAll(t, jsonDoc, "application/ld+json")); !reflect.DeepEqual(got, want) {
				t.Errorf("JSON-LD export differs from the captured events:\n got %+v\nwant %+v", got, want)
			}

			xmlDoc := e.body("/events?perPage=1000", "Accept", "application/xml")
			if got := keysOf(t, decodeAll(t, xmlDoc, "application/xml")); !reflect.DeepEqual(got, want) {
				t.Errorf("XML export differs from the captured events:\n got %+v\nwant %+v", got, want)
			}
			again := newEnv(t)
			resp := again.post("/capture", "application/xml", xmlDoc)
			if resp.StatusCode != http.StatusAccepted {
				b, _ := io.ReadAll(resp.Body)
				t.Fatalf("capture of the XML export: status %d: %s", resp.StatusCode, b)
			}
			if got := keysOf(t, storedView(t, again)); !reflect.DeepEqual(got, want) {
				t.Errorf("XML export captured again differs:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// schemaConflicts lists the XML examples that are valid against the EPCIS
// 2.0 XSD but whose faithful JSON-LD form breaks a rule of the official
// JSON schema, with the text of the JSON schema error each one gives. The
// export keeps the data rather than dropping it to please the schema.
var schemaConflicts = map[string]string{
	// The XSD allows persistentDisposition on AggregationEvent; the JSON
	// schema lists it only for ObjectEvent and TransformationEvent.
	"XML/Example-PersistentDisposition.xml": "persistentDisposition",
	// The XSD makes sensorReport's type optional, and the example gives
	// only an exception; the JSON schema requires type.
	"XML/WithSensorData/SensorDataExamples.xml": "missing property 'type'",
}

// storedView returns the events a store serves, decoded.
func storedView(t *testing.T, e *env) []*epcis.Event {
	t.Helper()
	return decodeAll(t, e.body("/events?perPage=1000"), "application/ld+json")
}

func (e *env) body(path string, header ...string) []byte {
	e.t.Helper()
	resp := e.get(path, header...)
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s: status %d: %s", path, resp.StatusCode, b)
	}
	return b
}

// TestQueryURNFindsDigitalLink checks that identifiers match across forms:
// an event captured with a Digital Link is found by the equivalent EPC URN,
// and one captured with a URN by the Digital Link.
func TestQueryURNFindsDigitalLink(t *testing.T) {
	const doc = `{"@context":["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-03-01T08:00:00+08:00","epcisBody":{"eventList":[
{"type":"ObjectEvent","eventTime":"2026-03-01T08:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":["https://id.gs1.org/01/06901234000016/21/A100"],"action":"ADD","bizStep":"commissioning"},
{"type":"ObjectEvent","eventTime":"2026-03-02T08:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":["urn:epc:id:sgtin:6901234.000002.B200"],"action":"OBSERVE","bizStep":"shipping"},
{"type":"ObjectEvent","eventTime":"2026-03-03T08:00:00+08:00","eventTimeZoneOffset":"+08:00","quantityList":[{"epcClass":"https://id.gs1.org/01/6901234000016","quantity":12,"uom":"KGM"}],"action":"OBSERVE","bizStep":"receiving"}]}}`
	e := newEnv(t)
	if resp := e.post("/capture", "application/ld+json", []byte(doc)); resp.StatusCode != http.StatusAccepted {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("capture: status %d: %s", resp.StatusCode, b)
	}
	cases := []struct {
		param, value, bizStep string
	}{
		{"MATCH_epc", "urn:epc:id:sgtin:6901234.000001.A100", "commissioning"},
		{"MATCH_epc", "https://id.gs1.org/01/06901234000016/21/A100", "commissioning"},
		{"MATCH_epc", "https://id.gs1.org/01/06901234000023/21/B200", "shipping"},
		{"MATCH_epc", "https://example.cn/01/6901234000023/21/B200", "shipping"},
		{"MATCH_anyEPC", "urn:epc:id:sgtin:6901234.000002.B200", "shipping"},
		{"MATCH_epcClass", "https://id.gs1.org/01/06901234000016", "receiving"},
		{"MATCH_epcClass", "urn:epc:idpat:sgtin:6901234.000001.*", "receiving"},
	}
	for _, tc := range cases {
		t.Run(tc.param+" "+tc.value, func(t *testing.T) {
			events := decodeAll(t, e.body("/events?"+url.Values{tc.param: {tc.value}}.Encode()), "application/ld+json")
			if len(events) != 1 {
				t.Fatalf("found %d events, want 1", len(events))
			}
			if got := epcis.CompactCBV(epcis.VocabBizStep, events[0].BizStep); got != tc.bizStep {
				t.Errorf("found the %s event, want the %s one", got, tc.bizStep)
			}
		})
	}
}
