package sqlite_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

// benchRecord returns the n-th record of a synthetic workload: an
// ObjectEvent with two EPCs, one EPC class with a quantity, a read point
// and a business location (five identifier rows), and a JSON document of
// about 600 bytes. Like the events of one document from one site, each
// run of 100 consecutive records shares its read point; there are 100
// read points. The eventID is the hash, as when the client sent none.
func benchRecord(n int) store.Record {
	epc1 := fmt.Sprintf("https://id.gs1.org/01/09521234500019/21/%d", 2*n)
	epc2 := fmt.Sprintf("https://id.gs1.org/01/09521234500019/21/%d", 2*n+1)
	class := fmt.Sprintf("https://id.gs1.org/01/09521234500040/10/LOT%d", n/1000)
	rp := fmt.Sprintf("https://id.gs1.org/414/952123450%04d", (n/100)%100)
	qty := float64(n%50 + 1)
	e := &epcis.Event{
		Type:                epcis.ObjectEvent,
		EventTime:           time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Second),
		EventTimeZoneOffset: "+08:00",
		Action:              epcis.ActionObserve,
		EPCList:             []string{epc1, epc2},
		QuantityList:        []epcis.QuantityElement{{EPCClass: class, Quantity: qty, HasQuantity: true, UOM: "KGM"}},
		BizStep:             "urn:epcglobal:cbv:bizstep:shipping",
		Disposition:         "urn:epcglobal:cbv:disp:in_transit",
		ReadPoint:           &epcis.Location{ID: rp},
		BizLocation:         &epcis.Location{ID: rp},
	}
	doc := fmt.Appendf(nil, `{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+08:00","epcList":[%q,%q],`+
		`"action":"OBSERVE","bizStep":"shipping","disposition":"in_transit","readPoint":{"id":%q},"bizLocation":{"id":%q},`+
		`"extension":{"quantityList":[{"epcClass":%q,"quantity":%v,"uom":"KGM"}]}}`,
		e.EventTime.Format(time.RFC3339Nano), epc1, epc2, rp, rp, class, qty)
	sum := sha256.Sum256(doc)
	hash := "ni:///sha-256;" + hex.EncodeToString(sum[:]) + "?ver=CBV2.0"
	e.EventID = hash
	leaf := sha256.Sum256(append([]byte{0}, doc...))
	return store.Record{
		Event: e, Doc: doc, Hash: hash, LeafHash: leaf[:],
		IDs: []store.IDRef{
			{Canonical: epc1, Original: epc1, Role: store.RoleEPC},
			{Canonical: epc2, Original: epc2, Role: store.RoleEPC},
			{Canonical: class, Original: class, Role: store.RoleClass, Quantity: &qty, UOM: "KGM"},
			{Canonical: rp, Original: rp, Role: store.RoleReadPoint},
			{Canonical: rp, Original: rp, Role: store.RoleBizLocation},
		},
	}
}

func benchStore(b *testing.B) *sqlite.Store {
	b.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkCapture captures batches of 100 new events; events/s is the
// throughput.
func BenchmarkCapture(b *testing.B) {
	const batch = 100
	s := benchStore(b)
	ctx := context.Background()
	n := 0
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		recs := make([]store.Record, batch)
		for i := range recs {
			recs[i] = benchRecord(n)
			n++
		}
		b.StartTimer()
		res, err := s.Capture(ctx, "bench", recs)
		if err != nil {
			b.Fatalf("Capture: %v", err)
		}
		if res.Outcomes[batch-1] != store.Stored {
			b.Fatalf("Capture: last outcome %v, want Stored", res.Outcomes[batch-1])
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkQueryByEPC runs MATCH_epc queries for one EPC each on a store
// of 100,000 events.
func BenchmarkQueryByEPC(b *testing.B) {
	const events, batch = 100_000, 1000
	s := benchStore(b)
	ctx := context.Background()
	start := time.Now()
	for n := 0; n < events; n += batch {
		recs := make([]store.Record, batch)
		for i := range recs {
			recs[i] = benchRecord(n + i)
		}
		if _, err := s.Capture(ctx, "setup", recs); err != nil {
			b.Fatalf("Capture: %v", err)
		}
	}
	b.Logf("setup: %d events in %v", events, time.Since(start).Round(time.Millisecond))
	i := 0
	b.ResetTimer()
	for b.Loop() {
		epc := fmt.Sprintf("https://id.gs1.org/01/09521234500019/21/%d", (i*7919)%(2*events))
		i++
		p, err := s.QueryEvents(ctx, store.Query{Matches: []store.IDMatch{{Roles: []store.Role{store.RoleEPC}, Values: []string{epc}}}})
		if err != nil {
			b.Fatalf("QueryEvents: %v", err)
		}
		if len(p.Events) != 1 {
			b.Fatalf("QueryEvents(%s): got %d events, want 1", epc, len(p.Events))
		}
	}
}
