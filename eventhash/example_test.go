package eventhash_test

import (
	"fmt"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/eventhash"
)

func ExampleHash() {
	e := &epcis.Event{
		Type:                epcis.ObjectEvent,
		EventTime:           time.Date(2026, 12, 1, 16, 30, 0, 0, time.FixedZone("CST", 8*3600)),
		EventTimeZoneOffset: "+08:00",
		EPCList:             []string{"urn:epc:id:sgtin:6901234.012345.1001"},
		Action:              epcis.ActionObserve,
		BizStep:             "urn:epcglobal:cbv:bizstep:shipping",
	}
	pre, err := eventhash.PreHash(e)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(pre)
	fmt.Println(eventhash.HashPreHash(pre))
	// Output:
	// eventType=ObjectEventeventTime=2026-12-01T08:30:00.000ZeventTimeZoneOffset=+08:00epcListepc=https://id.gs1.org/01/06901234123456/21/1001action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-shipping
	// ni:///sha-256;2626fac907205693be15bb98f0692208c1f77a8abb215545ef0596c97b20ba78?ver=CBV2.0
}
