package postgres

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// fixtureBase is the eventTime of the first fixture event.
var fixtureBase = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// fixtureEPC returns the canonical SGTIN EPC URN of serial n of a test
// product (GS1 company prefix 0614141, a prefix GS1 uses in examples).
func fixtureEPC(n int) string {
	return fmt.Sprintf("urn:epc:id:sgtin:0614141.812345.%d", n)
}

// fixtureRecord returns an OBSERVE ObjectEvent record with a unique
// eventID and hash for key, two EPCs, a readPoint and a bizLocation: four
// identifier rows, the shape the capture benchmarks use.
func fixtureRecord(key string, n int) store.Record {
	sum := sha256.Sum256([]byte(key))
	hash := "ni:///sha-256;" + hex.EncodeToString(sum[:]) + "?ver=CBV2.0"
	readPoint := "urn:epc:id:sgln:0614141.00777.0"
	bizLocation := fmt.Sprintf("urn:epc:id:sgln:0614141.00888.%d", n%16)
	ev := &epcis.Event{
		Type:                epcis.ObjectEvent,
		EventID:             "urn:uuid:" + uuidFromSum(sum),
		EventTime:           fixtureBase.Add(time.Duration(n) * time.Second),
		EventTimeZoneOffset: "+08:00",
		Action:              epcis.ActionObserve,
		EPCList:             []string{fixtureEPC(2 * n), fixtureEPC(2*n + 1)},
		BizStep:             "urn:epcglobal:cbv:bizstep:shipping",
		Disposition:         "urn:epcglobal:cbv:disp:in_transit",
		ReadPoint:           &epcis.Location{ID: readPoint},
		BizLocation:         &epcis.Location{ID: bizLocation},
	}
	doc := fmt.Sprintf(`{"type":"ObjectEvent","eventID":%q,"eventTime":%q,"eventTimeZoneOffset":"+08:00",`+
		`"epcList":[%q,%q],"action":"OBSERVE","bizStep":"shipping","disposition":"in_transit",`+
		`"readPoint":{"id":%q},"bizLocation":{"id":%q}}`,
		ev.EventID, ev.EventTime.Format(time.RFC3339), ev.EPCList[0], ev.EPCList[1], readPoint, bizLocation)
	leaf := sha256.Sum256(append([]byte{0}, doc...))
	return store.Record{
		Event: ev,
		Doc:   []byte(doc),
		Hash:  hash,
		IDs: []store.IDRef{
			{Canonical: ev.EPCList[0], Original: ev.EPCList[0], Role: store.RoleEPC},
			{Canonical: ev.EPCList[1], Original: ev.EPCList[1], Role: store.RoleEPC},
			{Canonical: readPoint, Original: readPoint, Role: store.RoleReadPoint},
			{Canonical: bizLocation, Original: bizLocation, Role: store.RoleBizLocation},
		},
		LeafHash: leaf[:],
	}
}

// fixtureBatch returns n fixture records, numbered from first, whose keys
// start with prefix.
func fixtureBatch(prefix string, first, n int) []store.Record {
	records := make([]store.Record, n)
	for i := range records {
		records[i] = fixtureRecord(fmt.Sprintf("%s-%d", prefix, first+i), first+i)
	}
	return records
}

// fixtureDeclaration returns the error declaration of orig: the same event
// with an errorDeclaration, another hash and another document.
func fixtureDeclaration(orig store.Record, reason string) store.Record {
	ev := *orig.Event
	ev.ErrorDeclaration = &epcis.ErrorDeclaration{
		DeclarationTime: fixtureBase.Add(24 * time.Hour),
		Reason:          reason,
	}
	sum := sha256.Sum256([]byte(orig.Hash + reason))
	doc := fmt.Sprintf(`{"type":"ObjectEvent","eventID":%q,"errorDeclaration":{"reason":%q}}`, ev.EventID, reason)
	leaf := sha256.Sum256(append([]byte{0}, doc...))
	return store.Record{
		Event:    &ev,
		Doc:      []byte(doc),
		Hash:     "ni:///sha-256;" + hex.EncodeToString(sum[:]) + "?ver=CBV2.0",
		IDs:      orig.IDs,
		LeafHash: leaf[:],
	}
}

func uuidFromSum(sum [32]byte) string {
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
