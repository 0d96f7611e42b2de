package epcis_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/suyuan-trace/suyuan/epcis"
)

func ExampleJSONDecoder() {
	doc := `{
  "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"gd": "https://trace.example.gd.cn/ns/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-03-01T08:00:00Z",
  "epcisBody": {"eventList": [
    {"type": "ObjectEvent", "eventTime": "2026-03-01T09:30:00+08:00", "eventTimeZoneOffset": "+08:00",
     "epcList": ["urn:epc:id:sgtin:6923456.078901.A1"], "action": "OBSERVE", "bizStep": "shipping",
     "gd:truck": "粤B12345"},
    {"type": "ObjectEvent", "eventTime": "2026-03-01T19:30:00+08:00", "eventTimeZoneOffset": "+5:30",
     "epcList": ["urn:epc:id:sgtin:6923456.078901.A1"], "action": "OBSERVE", "bizStep": "receiving"}
  ]}
}`
	d := epcis.NewJSONDecoder(strings.NewReader(doc))
	for {
		e, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var ve *epcis.ValidationError
		if errors.As(err, &ve) {
			fe := ve.Errors[0]
			fmt.Printf("invalid: %s (line %d): %s\n", fe.Pointer, fe.Line, fe.Rule)
			continue
		}
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(e.Type, e.BizStep, e.Extensions[0].Space+e.Extensions[0].Local)
	}
	// Output:
	// ObjectEvent urn:epcglobal:cbv:bizstep:shipping https://trace.example.gd.cn/ns/truck
	// invalid: /epcisBody/eventList/1/eventTimeZoneOffset (line 8): eventTimeZoneOffset format ±hh:mm
}

func ExampleMarshalEventJSON() {
	e, err := epcis.UnmarshalEventJSON([]byte(`{"@context": "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
"type": "ObjectEvent", "eventTime": "2026-03-01T01:30:00Z", "eventTimeZoneOffset": "+08:00",
"epcList": ["urn:epc:id:sgtin:6923456.078901.A1"], "action": "OBSERVE", "bizStep": "urn:epcglobal:cbv:bizstep:shipping"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := epcis.MarshalEventJSON(e)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(b))
	// Output:
	// {"@context":"https://ref.gs1.org/standards/epcis/epcis-context.jsonld","type":"ObjectEvent","eventTime":"2026-03-01T09:30:00+08:00","eventTimeZoneOffset":"+08:00","epcList":["urn:epc:id:sgtin:6923456.078901.A1"],"action":"OBSERVE","bizStep":"shipping"}
}
