package eventhash

import (
	"strings"
	"testing"

	"github.com/suyuan-trace/suyuan/epcis"
)

// TestPreHashSameInJSONAndXML decodes one event written in both syntaxes,
// with the extension shapes that differ most between them: a JSON array
// against repeated XML elements, JSON numbers, booleans and null against
// XML text, an empty ilmd and a read point extension.
func TestPreHashSameInJSONAndXML(t *testing.T) {
	const jsonDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://ns.example.org/x/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-12-01T08:00:00Z",
  "epcisBody": {"eventList": [{
    "type": "ObjectEvent", "eventTime": "2026-12-01T08:30:00Z", "eventTimeZoneOffset": "+08:00",
    "epcList": ["urn:epc:id:sgtin:6901234.012345.1001"], "action": "ADD", "ilmd": {},
    "ex:list": ["b", "a"], "ex:obj": {"ex:n": 1.50, "ex:t": true, "ex:z": null},
    "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0", "ex:rp": "v"}}]}}`
	const xmlDoc = `<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:x="https://ns.example.org/x/"
    schemaVersion="2.0" creationDate="2026-12-01T08:00:00Z"><EPCISBody><EventList><ObjectEvent>
  <eventTime>2026-12-01T16:30:00+08:00</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
  <epcList><epc>urn:epc:id:sgtin:6901234.012345.1001</epc></epcList><action>ADD</action>
  <readPoint><id>urn:epc:id:sgln:6901234.00001.0</id><x:rp>v</x:rp></readPoint><ilmd/>
  <x:list>a</x:list><x:list>b</x:list><x:obj><x:n>1.5</x:n><x:t>true</x:t><x:z/></x:obj>
</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>`
	const want = "eventType=ObjectEventeventTime=2026-12-01T08:30:00.000ZeventTimeZoneOffset=+08:00" +
		"epcListepc=https://id.gs1.org/01/06901234123456/21/1001action=ADD" +
		"readPointid=https://id.gs1.org/414/6901234000016{https://ns.example.org/x/}rp=vilmd" +
		"{https://ns.example.org/x/}list=a{https://ns.example.org/x/}list=b" +
		"{https://ns.example.org/x/}obj{https://ns.example.org/x/}n=1.5{https://ns.example.org/x/}t=true{https://ns.example.org/x/}z"
	for _, tt := range []struct{ name, contentType, doc string }{
		{"JSON-LD", "application/ld+json", jsonDoc},
		{"XML", "application/xml", xmlDoc},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dec, err := epcis.NewDecoder(strings.NewReader(tt.doc), tt.contentType)
			if err != nil {
				t.Fatalf("NewDecoder: %v", err)
			}
			e, err := dec.Next()
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			got, err := PreHash(e)
			if err != nil {
				t.Fatalf("PreHash: %v", err)
			}
			if got != want {
				t.Errorf("PreHash:\n got %s\nwant %s", got, want)
			}
		})
	}
}
