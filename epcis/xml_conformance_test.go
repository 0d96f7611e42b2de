package epcis

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// xmlConformanceCounts lists the XML capture documents of the GS1
// conformance data with the number of events each holds. Capture job
// responses and master data documents are left out.
var xmlConformanceCounts = map[string]int{
	"XML/AssociationEvent/AssociationEventExamples.xml":                            8,
	"XML/CBV/CBV-11.1-2020-06-16a.xml":                                             1,
	"XML/CBV/CBV-11.2-2020-06-16a.xml":                                             1,
	"XML/CBV/CBV-11.3-2020-06-16a.xml":                                             1,
	"XML/Example-PersistentDisposition.xml":                                        2,
	"XML/Example-TransactionEvent-2020_07_03y.xml":                                 2,
	"XML/Example_9.6.1-ObjectEvent-2020_06_18a.xml":                                2,
	"XML/Mimasu/Example-associatonEvent-sensor.xml":                                8,
	"XML/Mimasu/Example1.xml":                                                      2,
	"XML/Mimasu/Example2.xml":                                                      1,
	"XML/Mimasu/Example3.xml":                                                      1,
	"XML/Mimasu/Example4.xml":                                                      1,
	"XML/WithErrorDeclaration/ErrorDeclarationAndCorrectiveEvent.xml":              2,
	"XML/WithEventHashID/event_with_identical_hash_id_1.xml":                       1,
	"XML/WithEventHashID/event_with_identical_hash_id_2.xml":                       1,
	"XML/WithEventHashID/event_with_identical_hash_id_3.xml":                       1,
	"XML/WithEventHashID/event_with_identical_hash_id_4.xml":                       1,
	"XML/WithEventHashID/event_with_identical_hash_id_5.xml":                       1,
	"XML/WithEventHashID/event_with_identical_hash_id_6.xml":                       1,
	"XML/WithExtension/AggregationEvent.xml":                                       1,
	"XML/WithExtension/AssociationEvent.xml":                                       1,
	"XML/WithExtension/ObjectEvent.xml":                                            2,
	"XML/WithExtension/TransactionEvent.xml":                                       1,
	"XML/WithExtension/TransformationEvent.xml":                                    1,
	"XML/WithFullCombinationOfFields/aggregation_event_all_possible_fields.xml":    1,
	"XML/WithFullCombinationOfFields/association_event_all_possible_fields.xml":    1,
	"XML/WithFullCombinationOfFields/object_event_all_possible_fields.xml":         1,
	"XML/WithFullCombinationOfFields/transaction_event_all_possible_fields.xml":    1,
	"XML/WithFullCombinationOfFields/transformation_event_all_possible_fields.xml": 1,
	"XML/WithSensorData/SensorDataExamples.xml":                                    14,
	"XML-1.2/AggregationEvent.xml":                                                 1,
	"XML-1.2/AssociationEvent.xml":                                                 8,
	"XML-1.2/ObjectEvent.xml":                                                      2,
	"XML-1.2/TransactionEvent.xml":                                                 2,
	"XML-1.2/TransformationEvent.xml":                                              1,
}

// xmlDecodeAll reads every event of an XML document, failing the test on
// any error.
func xmlDecodeAll(t *testing.T, r io.Reader) (Header, []*Event) {
	t.Helper()
	d := NewXMLDecoder(r)
	h, err := d.Header()
	if err != nil {
		t.Fatalf("Header: %v", err)
	}
	var events []*Event
	for {
		e, err := d.Next()
		if errors.Is(err, io.EOF) {
			return h, events
		}
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Next: %v", err)
			}
			for _, fe := range ve.Errors {
				t.Errorf("%v (rule %s)", fe, fe.Rule)
			}
			if d.fatal != nil {
				t.FailNow()
			}
			continue
		}
		events = append(events, e)
	}
}

func readConformanceXML(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(conformanceDir(t), filepath.FromSlash(name)))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return raw
}

func TestXMLDecodeConformanceExamples(t *testing.T) {
	conformanceDir(t)
	totals := map[string]int{}
	for name, want := range xmlConformanceCounts {
		t.Run(name, func(t *testing.T) {
			h, events := xmlDecodeAll(t, bytes.NewReader(readConformanceXML(t, name)))
			if len(events) != want {
				t.Errorf("events: got %d, want %d", len(events), want)
			}
			wantVersion := "2.0"
			if filepath.Dir(name) == "XML-1.2" {
				wantVersion = "1.2"
			}
			if h.SchemaVersion != wantVersion {
				t.Errorf("schemaVersion: got %q, want %q", h.SchemaVersion, wantVersion)
			}
			if h.Kind != KindEPCISDocument {
				t.Errorf("kind: got %q, want %q", h.Kind, KindEPCISDocument)
			}
			totals[wantVersion] += len(events)
		})
	}
	if totals["2.0"] != 63 {
		t.Errorf("EPCIS 2.0 XML events in all: got %d, want 63", totals["2.0"])
	}
	if totals["1.2"] != 14 {
		t.Errorf("EPCIS 1.2 XML events in all: got %d, want 14", totals["1.2"])
	}
}

func TestXMLRoundTripConformanceExamples(t *testing.T) {
	conformanceDir(t)
	for name := range xmlConformanceCounts {
		t.Run(name, func(t *testing.T) {
			h, events := xmlDecodeAll(t, bytes.NewReader(readConformanceXML(t, name)))
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
			h2, again := xmlDecodeAll(t, &buf)
			if h2.SchemaVersion != "2.0" {
				t.Errorf("schemaVersion written: got %q, want 2.0", h2.SchemaVersion)
			}
			if !h2.CreationDate.Equal(h.CreationDate) {
				t.Errorf("creationDate: got %v, want %v", h2.CreationDate, h.CreationDate)
			}
			if len(again) != len(events) {
				t.Fatalf("events read back: got %d, want %d", len(again), len(events))
			}
			for i := range events {
				if diff := eventDiff(events[i], again[i]); diff != "" {
					t.Errorf("event %d differs after the round trip: %s", i, diff)
				}
			}
		})
	}
}

// xmlJSONPairs names the examples that the conformance data gives in both
// syntaxes. The two files of a pair do not carry quite the same content.
// The JSON examples add eventIDs and error declarations, and use other
// extension values, another readPoint or a namespace IRI with a trailing
// slash. ignore lists those fields, and every other field must decode to
// the same value.
var xmlJSONPairs = []struct {
	xml, json string
	ignore    []string
}{
	{"XML/WithFullCombinationOfFields/object_event_all_possible_fields.xml", "JSON/WithFullCombinationOfFields/object_event_all_possible_fields.jsonld",
		[]string{".EventID", ".CertificationInfo", ".ErrorDeclaration", ".Action", ".SensorElementList[*].Extensions", ".ILMD", ".Extensions"}},
	{"XML/WithFullCombinationOfFields/aggregation_event_all_possible_fields.xml", "JSON/WithFullCombinationOfFields/aggregation_event_all_possible_fields.jsonld",
		[]string{".EventID", ".CertificationInfo", ".ErrorDeclaration", ".SensorElementList[*].Extensions", ".SensorElementList[*].Reports[*].Component", ".Extensions"}},
	{"XML/WithFullCombinationOfFields/transaction_event_all_possible_fields.xml", "JSON/WithFullCombinationOfFields/transaction_event_all_possible_fields.jsonld",
		[]string{".EventID", ".CertificationInfo", ".ErrorDeclaration", ".SensorElementList[*].Extensions", ".SensorElementList[*].Reports[*].Component", ".Extensions"}},
	{"XML/WithFullCombinationOfFields/transformation_event_all_possible_fields.xml", "JSON/WithFullCombinationOfFields/transformation_event_all_possible_fields.jsonld",
		[]string{".EventID", ".CertificationInfo", ".ErrorDeclaration", ".SensorElementList[*].Extensions", ".SensorElementList[*].Reports[*].Component", ".ILMD", ".Extensions"}},
	{"XML/WithFullCombinationOfFields/association_event_all_possible_fields.xml", "JSON/WithFullCombinationOfFields/association_event_all_possible_fields.jsonld",
		[]string{".EventID", ".CertificationInfo", ".ErrorDeclaration", ".SensorElementList[*].Extensions", ".SensorElementList[*].Reports[*].Component", ".Extensions"}},
	{"XML/WithErrorDeclaration/ErrorDeclarationAndCorrectiveEvent.xml", "JSON/WithErrorDeclaration/ErrorDeclarationAndCorrectiveEvent.jsonld",
		[]string{".ErrorDeclaration.Extensions[*].Space", ".InputQuantityList[*]", ".ReadPoint.ID"}},
	{"XML/Example-TransactionEvent-2020_07_03y.xml", "JSON/Example-TransactionEvents-2020_07_03y.jsonld",
		[]string{".Extensions"}},
	{"XML/Example_9.6.1-ObjectEvent-2020_06_18a.xml", "JSON/Example_9.6.1-ObjectEvent.jsonld",
		[]string{".EventID", ".Extensions[*].Space"}},
}

func TestXMLAndJSONDecodersAgree(t *testing.T) {
	conformanceDir(t)
	for _, pair := range xmlJSONPairs {
		t.Run(filepath.Base(pair.xml), func(t *testing.T) {
			_, fromXML := xmlDecodeAll(t, bytes.NewReader(readConformanceXML(t, pair.xml)))
			_, fromJSON := decodeAll(t, readConformanceXML(t, pair.json))
			if len(fromXML) != len(fromJSON) {
				t.Fatalf("events: XML %d, JSON %d", len(fromXML), len(fromJSON))
			}
			for i := range fromXML {
				if diff := eventDiff(fromXML[i], fromJSON[i], pair.ignore...); diff != "" {
					t.Errorf("event %d: XML and JSON differ: %s", i, diff)
				}
			}
		})
	}
}

// xmlEventPairs matches single events of XML examples to JSON examples
// that hold one event each: the sensor data examples and the association
// examples (in EPCIS 2.0 and in EPCIS 1.2 syntax). ignore lists the fields
// whose values the two examples write differently. The JSON examples carry
// eventIDs that the XML examples lack.
type xmlEventPair struct {
	xml    string
	index  int
	json   string
	ignore []string
}

var xmlSensorEventPairs = []xmlEventPair{
	{"XML/WithSensorData/SensorDataExamples.xml", 0, "JSON/WithSensorData/SensorDataExample1.jsonld", []string{".EventID"}},
	{"XML/WithSensorData/SensorDataExamples.xml", 1, "JSON/WithSensorData/SensorDataExample2.jsonld", []string{".EventID"}},
	{"XML/WithSensorData/SensorDataExamples.xml", 2, "JSON/WithSensorData/SensorDataExample3.jsonld", []string{".EventID"}},
	{"XML/WithSensorData/SensorDataExamples.xml", 3, "JSON/WithSensorData/SensorDataExample4.jsonld", []string{".EventID", ".SensorElementList[*].Reports[*].RawData"}},
	{"XML/WithSensorData/SensorDataExamples.xml", 4, "JSON/WithSensorData/SensorDataExample5.jsonld", []string{".EventID"}},
	// The XML writes f0f0f0 where the JSON writes F0F0F0, the same
	// xsd:hexBinary value.
	{"XML/WithSensorData/SensorDataExamples.xml", 6, "JSON/WithSensorData/SensorDataExample7.jsonld", []string{".EventID", ".SensorElementList[*].Reports[*].HexBinaryValue"}},
	{"XML/WithSensorData/SensorDataExamples.xml", 10, "JSON/WithSensorData/SensorDataExample11.jsonld", []string{".EventID", ".SensorElementList[*].Reports[*].Type"}},
	// The XML spells the bizStep web URI "Bizstep-sensor_reporting", which
	// is not the CBV 2.0 form "BizStep-", so it stays as written.
	{"XML/WithSensorData/SensorDataExamples.xml", 12, "JSON/WithSensorData/SensorDataExample14.jsonld", []string{".BizStep"}},
	{"XML/WithSensorData/SensorDataExamples.xml", 13, "JSON/WithSensorData/SensorDataExample15.jsonld", []string{".BizStep"}},
}

func xmlEventPairs() []xmlEventPair {
	pairs := append([]xmlEventPair(nil), xmlSensorEventPairs...)
	for _, doc := range []string{"XML/AssociationEvent/AssociationEventExamples.xml", "XML-1.2/AssociationEvent.xml"} {
		for i := 0; i < 8; i++ {
			ignore := []string{".EventID"}
			switch {
			case i == 5 && doc == "XML-1.2/AssociationEvent.xml":
				// The EPCIS 1.2 example of case (f) has no childQuantityList.
				ignore = append(ignore, ".ChildQuantityList")
			case i == 6:
				// The JSON example names its corrective event by hash ID.
				ignore = append(ignore, ".ErrorDeclaration.CorrectiveEventIDs")
			}
			json := fmt.Sprintf("JSON/AssociationEvent/AssociationEvent-%c.jsonld", 'a'+i)
			pairs = append(pairs, xmlEventPair{doc, i, json, ignore})
		}
	}
	return pairs
}

func TestXMLAndJSONExampleEventsAgree(t *testing.T) {
	conformanceDir(t)
	for _, pair := range xmlEventPairs() {
		t.Run(fmt.Sprintf("%s[%d]", pair.xml, pair.index), func(t *testing.T) {
			_, fromXML := xmlDecodeAll(t, bytes.NewReader(readConformanceXML(t, pair.xml)))
			_, fromJSON := decodeAll(t, readConformanceXML(t, pair.json))
			if len(fromJSON) != 1 || pair.index >= len(fromXML) {
				t.Fatalf("events: JSON %d, want 1; XML %d, want more than %d", len(fromJSON), len(fromXML), pair.index)
			}
			if diff := eventDiff(fromXML[pair.index], fromJSON[0], pair.ignore...); diff != "" {
				t.Errorf("XML event %d and %s differ: %s", pair.index, pair.json, diff)
			}
		})
	}
}

// TestXMLThroughJSONCodec writes the events of every XML example with the
// JSON encoder and reads them back with the JSON decoder: both codecs must
// map every field of the model the same way. What JSON cannot carry is
// left out of the comparison: XML attributes on extension elements, the
// difference between one element and a repeated one (InArray), and the
// prefixes, which are not part of an element's identity.
func TestXMLThroughJSONCodec(t *testing.T) {
	conformanceDir(t)
	for name := range xmlConformanceCounts {
		t.Run(name, func(t *testing.T) {
			if name == "XML-1.2/ObjectEvent.xml" {
				// NOTE: this EPCIS 1.2 example has a user element without a
				// namespace (extension/extension/myField), which the JSON-LD
				// binding has no way to write.
				t.Skip("user extension element without a namespace has no JSON-LD form")
			}
			h, events := xmlDecodeAll(t, bytes.NewReader(readConformanceXML(t, name)))
			var buf bytes.Buffer
			enc := NewJSONEncoder(&buf, h)
			for i, e := range events {
				if err := enc.Encode(e); err != nil {
					t.Fatalf("JSON Encode event %d: %v", i, err)
				}
			}
			if err := enc.Close(); err != nil {
				t.Fatalf("JSON Close: %v", err)
			}
			_, again := decodeAll(t, buf.Bytes())
			if len(again) != len(events) {
				t.Fatalf("events read back: got %d, want %d", len(again), len(events))
			}
			for i := range events {
				if diff := eventDiff(events[i], again[i], "*.Attrs", "*.InArray", "*.Prefix"); diff != "" {
					t.Errorf("event %d differs after JSON: %s", i, diff)
				}
			}
		})
	}
}

// TestJSONThroughXMLCodec writes the events of every JSON example with the
// XML encoder and reads them back with the XML decoder. XML keeps no value
// types (numbers, booleans) or JSON arrays on extension elements, so Kind
// and InArray are left out of the comparison, as are prefixes.
func TestJSONThroughXMLCodec(t *testing.T) {
	for _, path := range conformanceJSONFiles(t) {
		name, _ := filepath.Rel(conformanceDir(t), path)
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			h, events := decodeAll(t, raw)
			var buf bytes.Buffer
			enc := NewXMLEncoder(&buf, h)
			for i, e := range events {
				if err := enc.Encode(e); err != nil {
					t.Fatalf("XML Encode event %d: %v", i, err)
				}
			}
			if err := enc.Close(); err != nil {
				t.Fatalf("XML Close: %v", err)
			}
			_, again := xmlDecodeAll(t, &buf)
			if len(again) != len(events) {
				t.Fatalf("events read back: got %d, want %d", len(again), len(events))
			}
			for i := range events {
				if diff := eventDiff(events[i], again[i], "*.Kind", "*.InArray", "*.Prefix"); diff != "" {
					t.Errorf("event %d differs after XML: %s", i, diff)
				}
			}
		})
	}
}

// eventDiff compares two events field by field, with times compared as
// instants, and describes the differences it finds. ignore lists field
// paths to skip, such as ".EventID" or ".SensorElementList[*].Extensions".
// A leading "*" matches any path ending in the rest ("*.Kind").
func eventDiff(a, b *Event, ignore ...string) string {
	return valueDiff("", reflect.ValueOf(*a), reflect.ValueOf(*b), ignore)
}

var indexPattern = regexp.MustCompile(`\[\d+\]`)

func ignored(path string, ignore []string) bool {
	general := indexPattern.ReplaceAllString(path, "[*]")
	for _, pattern := range ignore {
		if strings.HasPrefix(pattern, "*") && strings.HasSuffix(general, pattern[1:]) {
			return true
		}
		if general == pattern {
			return true
		}
	}
	return false
}

func valueDiff(path string, a, b reflect.Value, ignore []string) string {
	if ignored(path, ignore) {
		return ""
	}
	if a.Type() == timeType {
		ta, tb := a.Interface().(time.Time), b.Interface().(time.Time)
		if !ta.Equal(tb) {
			return fmt.Sprintf("%s: %v != %v", path, ta, tb)
		}
		return ""
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return fmt.Sprintf("%s: nil %v != nil %v", path, a.IsNil(), b.IsNil())
			}
			return ""
		}
		return valueDiff(path, a.Elem(), b.Elem(), ignore)
	case reflect.Struct:
		out := ""
		for i := 0; i < a.NumField(); i++ {
			if d := valueDiff(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i), ignore); d != "" {
				out += d + "; "
			}
		}
		return out
	case reflect.Slice:
		if a.Len() != b.Len() || a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: %#v != %#v", path, a.Interface(), b.Interface())
		}
		out := ""
		for i := 0; i < a.Len(); i++ {
			if d := valueDiff(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i), ignore); d != "" {
				out += d
			}
		}
		return out
	}
	if !reflect.DeepEqual(a.Interface(), b.Interface()) {
		return fmt.Sprintf("%s: %#v != %#v", path, a.Interface(), b.Interface())
	}
	return ""
}
