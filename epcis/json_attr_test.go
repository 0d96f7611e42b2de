package epcis

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestJSONKeepsXMLAttributes(t *testing.T) {
	e := &Event{
		Type:                ObjectEvent,
		EventTime:           time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC),
		EventTimeZoneOffset: "+08:00",
		Action:              ActionAdd,
		EPCList:             []string{"urn:epc:id:sgtin:6901234.000001.S1"},
		ILMD: []Element{
			{Space: "urn:epcglobal:cbv:mda", Prefix: "cbvmda", Local: "netWeight", Kind: KindString, Value: "3.5",
				Attrs: []Attr{{Local: "measurementUnitCode", Value: "KGM"}}},
		},
		Extensions: []Element{
			{Space: "https://ns.example.com/a", Prefix: "a", Local: "line", Kind: KindNull,
				Attrs: []Attr{{Space: "https://ns.example.com/a", Prefix: "a", Local: "shift", Value: "1"}}},
			{Space: "https://ns.example.com/a", Prefix: "a", Local: "box", Kind: KindObject,
				Attrs:    []Attr{{Local: "id", Value: "B7"}},
				Children: []Element{{Space: "https://ns.example.com/a", Prefix: "a", Local: "size", Kind: KindString, Value: "L"}}},
		},
	}
	doc, err := MarshalEventJSON(e)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"-measurementUnitCode":"KGM"`, `"#text":"3.5"`, `"-a:shift":"1"`, `"-id":"B7"`} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("JSON lacks %s: %s", want, doc)
		}
	}
	back, err := UnmarshalEventJSON(doc)
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, doc)
	}
	if !reflect.DeepEqual(back.ILMD[0].Attrs, e.ILMD[0].Attrs) || back.ILMD[0].Value != "3.5" || back.ILMD[0].Kind != KindString {
		t.Errorf("ilmd element %+v, want %+v", back.ILMD[0], e.ILMD[0])
	}
	if got := back.Extensions[0].Attrs; len(got) != 1 || got[0].Space != "https://ns.example.com/a" || got[0].Local != "shift" || got[0].Value != "1" {
		t.Errorf("empty element attributes %+v, want a:shift=1", got)
	}
	if got := back.Extensions[1]; len(got.Attrs) != 1 || len(got.Children) != 1 || got.Children[0].Value != "L" {
		t.Errorf("object element %+v, want one attribute and one child", got)
	}
}
