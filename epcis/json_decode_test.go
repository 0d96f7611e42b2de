package epcis

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// docWith wraps event members in a one-event EPCISDocument. The event
// starts on line 3.
func docWith(members string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"gd": "https://trace.example.gd.cn/ns/"}],
"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-01-01T00:00:00Z", "epcisBody": {"eventList": [
{` + members + `}
]}}`
}

const validObject = `"type": "ObjectEvent", "eventTime": "2026-01-01T08:00:00+08:00", "eventTimeZoneOffset": "+08:00",
"epcList": ["urn:epc:id:sgtin:6923456.078901.A1"], "action": "OBSERVE"`

// firstError decodes doc and returns the first FieldError that the
// decoder reports, from Header or Next.
func firstError(t *testing.T, doc string) FieldError {
	t.Helper()
	d := NewJSONDecoder(strings.NewReader(doc))
	_, err := d.Header()
	for err == nil {
		_, err = d.Next()
	}
	if errors.Is(err, io.EOF) {
		t.Fatalf("no error for input:\n%s", doc)
	}
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Errors) == 0 {
		t.Fatalf("error %v (%T) is not a *ValidationError with entries", err, err)
	}
	return ve.Errors[0]
}

func TestJSONDecodeRejectsBadInput(t *testing.T) {
	tests := []struct {
		name     string
		doc      string
		pointer  string
		rule     string
		line     int
		value    string
		contains string
	}{
		{
			name:     "broken JSON",
			doc:      "{\"type\": \"EPCISDocument\",\n \"epcisBody\": {\"eventList\": [\n {\"type\": \"ObjectEvent\",, }]}}",
			rule:     "JSON syntax",
			line:     3,
			contains: "byte offset 80",
		},
		{
			name:     "broken literal inside an event",
			doc:      docWith(validObject + `, "gd:ok": tru}`),
			pointer:  "/epcisBody/eventList/0",
			rule:     "JSON syntax",
			line:     4,
			contains: "in literal true",
		},
		{
			name:     "truncated JSON",
			doc:      docWith(validObject)[:120],
			rule:     "JSON syntax",
			contains: "unexpected end of input",
		},
		{
			name:     "garbage after document",
			doc:      docWith(validObject) + "\n{}",
			rule:     "JSON syntax",
			line:     6,
			contains: "after the end",
		},
		{
			name:    "epcList not an array",
			doc:     docWith(strings.Replace(validObject, `["urn:epc:id:sgtin:6923456.078901.A1"]`, `"urn:epc:id:sgtin:6923456.078901.A1"`, 1)),
			pointer: "/epcisBody/eventList/0/epcList",
			rule:    "JSON type array",
			line:    4,
			value:   "urn:epc:id:sgtin:6923456.078901.A1",
		},
		{
			name:    "quantity as string",
			doc:     docWith(validObject + `, "quantityList": [{"epcClass": "urn:epc:class:lgtin:6923456.078901.L1", "quantity": "5"}]`),
			pointer: "/epcisBody/eventList/0/quantityList/0/quantity",
			rule:    "JSON type number",
			value:   "5",
		},
		{
			name:    "offset without leading zero",
			doc:     docWith(strings.Replace(validObject, `"+08:00"`, `"+5:30"`, 1)),
			pointer: "/epcisBody/eventList/0/eventTimeZoneOffset",
			rule:    "eventTimeZoneOffset format ±hh:mm",
			line:    3,
			value:   "+5:30",
		},
		{
			name:    "offset Z",
			doc:     docWith(strings.Replace(validObject, `"+08:00"`, `"Z"`, 1)),
			pointer: "/epcisBody/eventList/0/eventTimeZoneOffset",
			rule:    "eventTimeZoneOffset format ±hh:mm",
			value:   "Z",
		},
		{
			name:    "offset beyond 14 hours",
			doc:     docWith(strings.Replace(validObject, `"+08:00"`, `"+15:00"`, 1)),
			pointer: "/epcisBody/eventList/0/eventTimeZoneOffset",
			rule:    "eventTimeZoneOffset range -14:00 to +14:00",
			value:   "+15:00",
		},
		{
			name:    "misspelt bizStep",
			doc:     docWith(validObject + `, "bizStep": "shippping"`),
			pointer: "/epcisBody/eventList/0/bizStep",
			rule:    "CBV bizStep vocabulary",
			line:    4,
			value:   "shippping",
		},
		{
			name:    "unknown CBV URN",
			doc:     docWith(validObject + `, "disposition": "urn:epcglobal:cbv:disp:lost"`),
			pointer: "/epcisBody/eventList/0/disposition",
			rule:    "CBV disposition vocabulary",
			value:   "urn:epcglobal:cbv:disp:lost",
		},
		{
			name:    "missing action",
			doc:     docWith(strings.Replace(validObject, `, "action": "OBSERVE"`, "", 1)),
			pointer: "/epcisBody/eventList/0/action",
			rule:    "action required",
			line:    3,
		},
		{
			name:    "lowercase action",
			doc:     docWith(strings.Replace(validObject, `"OBSERVE"`, `"observe"`, 1)),
			pointer: "/epcisBody/eventList/0/action",
			rule:    "action ADD, OBSERVE or DELETE",
			value:   "observe",
		},
		{
			name:    "missing eventTime",
			doc:     docWith(strings.Replace(validObject, `"eventTime": "2026-01-01T08:00:00+08:00", `, "", 1)),
			pointer: "/epcisBody/eventList/0/eventTime",
			rule:    "eventTime required",
		},
		{
			name:    "eventTime without offset",
			doc:     docWith(strings.Replace(validObject, `2026-01-01T08:00:00+08:00`, `2026-01-01T08:00:00`, 1)),
			pointer: "/epcisBody/eventList/0/eventTime",
			rule:    "RFC 3339 date-time with offset",
			value:   "2026-01-01T08:00:00",
		},
		{
			name:    "eventTime with one-digit hour",
			doc:     docWith(strings.Replace(validObject, `2026-01-01T08:00:00+08:00`, `2026-01-01T8:00:00+08:00`, 1)),
			pointer: "/epcisBody/eventList/0/eventTime",
			rule:    "RFC 3339 date-time with offset",
			value:   "2026-01-01T8:00:00+08:00",
		},
		{
			name:    "prefix bound to empty IRI",
			doc:     strings.Replace(docWith(validObject), `"https://trace.example.gd.cn/ns/"`, `""`, 1),
			pointer: "/@context/1/gd",
			rule:    "@context term definition",
		},
		{
			name:    "action in TransformationEvent",
			doc:     docWith(`"type": "TransformationEvent", "eventTime": "2026-01-01T08:00:00+08:00", "eventTimeZoneOffset": "+08:00", "inputEPCList": ["urn:epc:id:sgtin:6923456.078901.A1"], "outputEPCList": ["urn:epc:id:sgtin:6923456.078901.A2"], "action": "ADD"`),
			pointer: "/epcisBody/eventList/0/action",
			rule:    "no action in TransformationEvent",
			value:   "ADD",
		},
		{
			name:    "aggregation ADD without parentID",
			doc:     docWith(`"type": "AggregationEvent", "eventTime": "2026-01-01T08:00:00+08:00", "eventTimeZoneOffset": "+08:00", "childEPCs": ["urn:epc:id:sgtin:6923456.078901.A1"], "action": "ADD"`),
			pointer: "/epcisBody/eventList/0/parentID",
			rule:    "parentID required for ADD and DELETE",
		},
		{
			name:    "undeclared prefix",
			doc:     docWith(validObject + `, "acme:batch": "B1"`),
			pointer: "/epcisBody/eventList/0/acme:batch",
			rule:    "namespace prefix declared in @context",
			value:   "B1",
		},
		{
			name:    "unknown plain member",
			doc:     docWith(validObject + `, "bizstep": "shipping"`),
			pointer: "/epcisBody/eventList/0/bizstep",
			rule:    "allowed members of ObjectEvent",
			value:   "shipping",
		},
		{
			name:    "bad unit of measure",
			doc:     docWith(validObject + `, "quantityList": [{"epcClass": "urn:epc:class:lgtin:6923456.078901.L1", "quantity": 5, "uom": "kg"}]`),
			pointer: "/epcisBody/eventList/0/quantityList/0/uom",
			rule:    "UN/CEFACT Rec 20 unit code",
			value:   "kg",
		},
		{
			name:    "uom without quantity",
			doc:     docWith(validObject + `, "quantityList": [{"epcClass": "urn:epc:class:lgtin:6923456.078901.L1", "uom": "KGM"}]`),
			pointer: "/epcisBody/eventList/0/quantityList/0/uom",
			rule:    "uom only with quantity",
			value:   "KGM",
		},
		{
			name:    "EPC not a URI",
			doc:     docWith(strings.Replace(validObject, `urn:epc:id:sgtin:6923456.078901.A1`, `6923456078901`, 1)),
			pointer: "/epcisBody/eventList/0/epcList/0",
			rule:    "absolute URI",
			value:   "6923456078901",
		},
		{
			name:    "errorDeclaration without declarationTime",
			doc:     docWith(validObject + `, "errorDeclaration": {"reason": "incorrect_data"}`),
			pointer: "/epcisBody/eventList/0/errorDeclaration/declarationTime",
			rule:    "declarationTime required",
		},
		{
			name:    "sensorReport without type",
			doc:     docWith(validObject + `, "sensorElementList": [{"sensorReport": [{"value": 3}]}]`),
			pointer: "/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/type",
			rule:    "sensorReport type required",
		},
		{
			name:    "field of another type",
			doc:     docWith(validObject + `, "childEPCs": ["urn:epc:id:sgtin:6923456.078901.A2"]`),
			pointer: "/epcisBody/eventList/0/childEPCs",
			rule:    "fields of ObjectEvent",
		},
		{
			name:    "unknown event type",
			doc:     docWith(strings.Replace(validObject, `"ObjectEvent"`, `"ObjectEvnt"`, 1)),
			pointer: "/epcisBody/eventList/0/type",
			rule:    "EPCIS event type",
			value:   "ObjectEvnt",
		},
		{
			name:    "missing creationDate",
			doc:     strings.Replace(docWith(validObject), `"creationDate": "2026-01-01T00:00:00Z", `, "", 1),
			pointer: "/creationDate",
			rule:    "creationDate required",
		},
		{
			name:    "unknown document member",
			doc:     strings.Replace(docWith(validObject), `"schemaVersion": "2.0",`, `"schemaVersion": "2.0", "sendr": "x",`, 1),
			pointer: "/sendr",
			rule:    "allowed members of the document",
			value:   "x",
		},
		{
			name:    "schemaVersion not a number",
			doc:     strings.Replace(docWith(validObject), `"schemaVersion": "2.0"`, `"schemaVersion": "v2"`, 1),
			pointer: "/schemaVersion",
			rule:    "schemaVersion format",
			value:   "v2",
		},
		{
			name:    "eventList not an array",
			doc:     `{"@context": "https://ref.gs1.org/standards/epcis/epcis-context.jsonld", "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-01-01T00:00:00Z", "epcisBody": {"eventList": {}}}`,
			pointer: "/epcisBody/eventList",
			rule:    "JSON type array",
		},
		{
			name:     "top-level array",
			doc:      "\n[1]",
			rule:     "JSON object",
			line:     2,
			contains: "EPCISDocument",
		},
		{
			name: "empty input",
			doc:  "  ",
			rule: "JSON document",
		},
		{
			name:    "bare event without context",
			doc:     "{" + validObject + "}",
			pointer: "/@context",
			rule:    "@context required",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := firstError(t, tt.doc)
			if fe.Rule != tt.rule {
				t.Errorf("Rule: got %q, want %q (error: %v)", fe.Rule, tt.rule, fe)
			}
			if fe.Pointer != tt.pointer {
				t.Errorf("Pointer: got %q, want %q (error: %v)", fe.Pointer, tt.pointer, fe)
			}
			if tt.line != 0 && fe.Line != tt.line {
				t.Errorf("Line: got %d, want %d (error: %v)", fe.Line, tt.line, fe)
			}
			if fe.Value != tt.value {
				t.Errorf("Value: got %q, want %q (error: %v)", fe.Value, tt.value, fe)
			}
			if !strings.Contains(fe.Message, tt.contains) {
				t.Errorf("Message: got %q, want it to contain %q", fe.Message, tt.contains)
			}
		})
	}
}

func TestJSONDecodeContinuesAfterInvalidEvent(t *testing.T) {
	bad := strings.Replace(validObject, `"+08:00"`, `"Z"`, 1)
	doc := docWith(validObject + "},\n{" + bad + "},\n{" + validObject)
	d := NewJSONDecoder(strings.NewReader(doc))
	var got []string
	for {
		e, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var ve *ValidationError
		switch {
		case errors.As(err, &ve):
			got = append(got, "invalid@"+itoa(ve.Errors[0].EventIndex))
		case err != nil:
			t.Fatalf("Next: %v", err)
		default:
			got = append(got, string(e.Type))
		}
	}
	want := "ObjectEvent invalid@1 ObjectEvent"
	if strings.Join(got, " ") != want {
		t.Errorf("sequence: got %q, want %q", strings.Join(got, " "), want)
	}
}

func TestJSONDecodeContextAfterBody(t *testing.T) {
	doc := `{"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-01-01T00:00:00Z",
"epcisBody": {"eventList": [{` + validObject + `, "gd:grade": "A"}]},
"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"gd": "https://trace.example.gd.cn/ns/"}]}`
	h, events := decodeAll(t, []byte(doc))
	if h.Kind != KindEPCISDocument {
		t.Errorf("Kind: got %q, want %q", h.Kind, KindEPCISDocument)
	}
	if len(events) != 1 {
		t.Fatalf("events: got %d, want 1", len(events))
	}
	if got := events[0].Extensions[0].Space; got != "https://trace.example.gd.cn/ns/" {
		t.Errorf("extension namespace: got %q, want the gd IRI", got)
	}
}

func TestJSONDecodeQueryHeader(t *testing.T) {
	doc := `{"@context": "https://ref.gs1.org/standards/epcis/epcis-context.jsonld", "type": "EPCISQueryDocument", "schemaVersion": "2.0",
"creationDate": "2026-01-01T00:00:00.5+08:00",
"epcisBody": {"queryResults": {"queryName": "SimpleEventQuery", "subscriptionID": "s-9", "resultsBody": {"eventList": [{` + validObject + `}]}}}}`
	d := NewJSONDecoder(strings.NewReader(doc))
	h, err := d.Header()
	if err != nil {
		t.Fatalf("Header: %v", err)
	}
	if h.Kind != KindEPCISQueryDocument || h.QueryName != "SimpleEventQuery" || h.SubscriptionID != "s-9" || h.SchemaVersion != "2.0" {
		t.Errorf("header: got %+v", h)
	}
	want := time.Date(2026, 1, 1, 0, 0, 0, 5e8, time.FixedZone("", 8*3600))
	if !h.CreationDate.Equal(want) {
		t.Errorf("CreationDate: got %v, want %v", h.CreationDate, want)
	}
	if e, err := d.Next(); err != nil || e.Type != ObjectEvent {
		t.Fatalf("Next: got %v, %v", e, err)
	}
	if _, err := d.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("second Next: got %v, want io.EOF", err)
	}
}

func TestJSONDecodeEventValues(t *testing.T) {
	e, err := UnmarshalEventJSON([]byte(`{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"gd": "https://trace.example.gd.cn/ns/"}],
"type": "ObjectEvent", "eventTime": "2026-01-01T08:00:00.123456789+08:00", "eventTimeZoneOffset": "+08:00",
"epcList": ["urn:epc:id:sgtin:6923456.078901.A1"], "action": "ADD", "bizStep": "https://ref.gs1.org/cbv/BizStep-shipping",
"disposition": "cbv:Disp-in_transit", "bizTransactionList": [{"type": "po", "bizTransaction": "urn:x:po:1"}],
"sensorElementList": [{"sensorReport": [{"type": "gs1:Temperature", "value": -18.5, "uom": "CEL", "component": "latitude"}]}],
"ilmd": {"gd:lot": "L\u00e91", "gd:tags": ["a"], "gd:none": []},
"gd:count": 3, "gd:ok": true}`))
	if err != nil {
		t.Fatalf("UnmarshalEventJSON: %v", err)
	}
	checks := []struct{ name, got, want string }{
		{"bizStep", e.BizStep, "urn:epcglobal:cbv:bizstep:shipping"},
		{"disposition", e.Disposition, "urn:epcglobal:cbv:disp:in_transit"},
		{"btt", e.BizTransactionList[0].Type, "urn:epcglobal:cbv:btt:po"},
		{"sensor type", e.SensorElementList[0].Reports[0].Type, "https://gs1.org/voc/Temperature"},
		{"component", e.SensorElementList[0].Reports[0].Component, "https://ref.gs1.org/cbv/Comp-latitude"},
		{"nanoseconds", itoa(e.EventTime.Nanosecond()), "123456789"},
		{"ilmd escape", e.ILMD[0].Value, "Lé1"},
		{"ilmd array flag", boolString(e.ILMD[1].InArray), "true"},
		{"empty array kind", itoa(int(e.ILMD[2].Kind)), itoa(int(KindNull))},
		{"number kind", itoa(int(e.Extensions[0].Kind)), itoa(int(KindNumber))},
		{"bool value", e.Extensions[1].Value, "true"},
		{"prefix", e.Extensions[0].Prefix, "gd"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if v := e.SensorElementList[0].Reports[0].Value; v == nil || *v != -18.5 {
		t.Errorf("sensor value: got %v, want -18.5", v)
	}
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func TestUnmarshalEventJSONRejectsDocument(t *testing.T) {
	_, err := UnmarshalEventJSON([]byte(docWith(validObject)))
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Errors[0].Rule != "single event" {
		t.Errorf("got %v, want a single event ValidationError", err)
	}
}

func TestJSONDecodeDuplicateMemberLastWins(t *testing.T) {
	e, err := UnmarshalEventJSON([]byte(`{"@context": "https://ref.gs1.org/standards/epcis/epcis-context.jsonld", ` + validObject + `, "action": "ADD"}`))
	if err != nil {
		t.Fatalf("UnmarshalEventJSON: %v", err)
	}
	if e.Action != ActionAdd {
		t.Errorf("Action: got %q, want ADD", e.Action)
	}
}

func TestJSONDecodeLimits(t *testing.T) {
	deep := strings.Repeat("[", maxJSONDepth+2) + strings.Repeat("]", maxJSONDepth+2)
	fe := firstError(t, docWith(validObject+`, "gd:deep": `+deep))
	if fe.Rule != "JSON syntax" || !strings.Contains(fe.Message, "nesting deeper") {
		t.Errorf("deep nesting: got %v", fe)
	}
	var b bytes.Buffer
	b.WriteString(`"gd:s": "`)
	b.WriteString(strings.Repeat("x", 100))
	b.WriteString("\x01\"")
	fe = firstError(t, docWith(validObject+", "+b.String()))
	if fe.Rule != "JSON syntax" || !strings.Contains(fe.Message, "control character") {
		t.Errorf("control character: got %v", fe)
	}
}

func TestJSONDecodeContextTerms(t *testing.T) {
	e, err := UnmarshalEventJSON([]byte(`{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
  {"gd": "https://trace.example.gd.cn/ns/", "grade": "gd:grade", "origin": {"@id": "https://terms.example.org/origin", "@type": "@id"},
   "gd:score": {"@type": "xsd:integer"}, "@vocab": "https://ignored.example/"}],
"type": "ObjectEvent", "eventTime": "2026-01-01T08:00:00+08:00", "eventTimeZoneOffset": "+08:00",
"epcList": ["urn:epc:id:sgtin:6923456.078901.A1"], "action": "OBSERVE",
"grade": "A", "origin": "https://farm.example.cn/1", "gd:score": 9, "urn:example:flag": true}`))
	if err != nil {
		t.Fatalf("UnmarshalEventJSON: %v", err)
	}
	want := []struct{ space, prefix, local string }{
		{"https://trace.example.gd.cn/ns/", "", "grade"},
		{"https://terms.example.org/", "", "origin"},
		{"https://trace.example.gd.cn/ns/", "gd", "score"},
		{"urn:example:", "", "flag"},
	}
	if len(e.Extensions) != len(want) {
		t.Fatalf("extensions: got %d, want %d: %+v", len(e.Extensions), len(want), e.Extensions)
	}
	for i, w := range want {
		got := e.Extensions[i]
		if got.Space != w.space || got.Prefix != w.prefix || got.Local != w.local {
			t.Errorf("extension %d: got %q %q %q, want %q %q %q", i, got.Space, got.Prefix, got.Local, w.space, w.prefix, w.local)
		}
	}
	b, err := MarshalEventJSON(e)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"https://trace.example.gd.cn/ns/grade":"A"`, `"https://terms.example.org/origin":`, `"gd:score":9`, `"urn:example:flag":true`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("encoded event lacks %s: %s", key, b)
		}
	}
}
