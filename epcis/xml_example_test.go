package epcis_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
)

func ExampleNewXMLDecoder() {
	doc := `<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:sy="https://suyuan.example.cn/ns/"
    schemaVersion="2.0" creationDate="2024-05-01T08:00:00+08:00">
  <EPCISBody>
    <EventList>
      <ObjectEvent>
        <eventTime>2024-05-01T08:30:00+08:00</eventTime>
        <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
        <epcList><epc>urn:epc:id:sgtin:6901234.012345.1001</epc></epcList>
        <action>OBSERVE</action>
        <bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>
        <sy:batch>B-2024-05</sy:batch>
      </ObjectEvent>
    </EventList>
  </EPCISBody>
</epcis:EPCISDocument>`
	d := epcis.NewXMLDecoder(strings.NewReader(doc))
	for {
		e, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(e.Type, e.BizStep, e.EPCList[0])
		fmt.Println(e.Extensions[0].Space+e.Extensions[0].Local, "=", e.Extensions[0].Value)
	}
	// Output:
	// ObjectEvent urn:epcglobal:cbv:bizstep:shipping urn:epc:id:sgtin:6901234.012345.1001
	// https://suyuan.example.cn/ns/batch = B-2024-05
}

func ExampleNewXMLEncoder() {
	enc := epcis.NewXMLEncoder(os.Stdout, epcis.Header{CreationDate: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)})
	err := enc.Encode(&epcis.Event{
		Type:                epcis.ObjectEvent,
		EventTime:           time.Date(2024, 5, 1, 8, 30, 0, 0, time.FixedZone("", 8*3600)),
		EventTimeZoneOffset: "+08:00",
		EPCList:             []string{"urn:epc:id:sgtin:6901234.012345.1001"},
		Action:              epcis.ActionObserve,
		BizStep:             "shipping",
	})
	if err == nil {
		err = enc.Close()
	}
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"
	// 	schemaVersion="2.0" creationDate="2024-05-01T00:00:00Z">
	// 	<EPCISBody>
	// 		<EventList>
	// 			<ObjectEvent>
	// 				<eventTime>2024-05-01T08:30:00+08:00</eventTime>
	// 				<eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
	// 				<epcList>
	// 					<epc>urn:epc:id:sgtin:6901234.012345.1001</epc>
	// 				</epcList>
	// 				<action>OBSERVE</action>
	// 				<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>
	// 			</ObjectEvent>
	// 		</EventList>
	// 	</EPCISBody>
	// </epcis:EPCISDocument>
}
