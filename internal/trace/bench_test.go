package trace_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/eventhash"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

// benchEvents returns the number of background events the trace
// benchmarks load: SUYUAN_TRACE_BENCH_EVENTS, default 20000.
func benchEvents(b *testing.B) int {
	if v := os.Getenv("SUYUAN_TRACE_BENCH_EVENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 {
			b.Fatalf("SUYUAN_TRACE_BENCH_EVENTS=%q: give a number of at least 100", v)
		}
		return n
	}
	return 20000
}

// benchRecord turns e into a store record the way the capture service
// does, for identifiers already in canonical form: identifier rows, CBV 2.0
// hash, JSON-LD document and, when lineage is set, the lineage rows.
func benchRecord(tb testing.TB, e *epcis.Event, lineage bool) store.Record {
	if e.EventTimeZoneOffset == "" {
		e.EventTimeZoneOffset = "+08:00"
	}
	var ids []store.IDRef
	add := func(role store.Role, typ string, vs ...string) {
		for _, v := range vs {
			ids = append(ids, store.IDRef{Canonical: v, Original: v, Role: role, Type: typ})
		}
	}
	addQ := func(role store.Role, qs []epcis.QuantityElement) {
		for _, q := range qs {
			ref := store.IDRef{Canonical: q.EPCClass, Original: q.EPCClass, Role: role, UOM: q.UOM}
			if q.HasQuantity {
				v := q.Quantity
				ref.Quantity = &v
			}
			ids = append(ids, ref)
		}
	}
	if e.ParentID != "" {
		add(store.RoleParent, "", e.ParentID)
	}
	add(store.RoleEPC, "", e.EPCList...)
	add(store.RoleChild, "", e.ChildEPCs...)
	add(store.RoleInput, "", e.InputEPCList...)
	add(store.RoleOutput, "", e.OutputEPCList...)
	addQ(store.RoleClass, e.QuantityList)
	addQ(store.RoleChildClass, e.ChildQuantityList)
	addQ(store.RoleInputClass, e.InputQuantityList)
	addQ(store.RoleOutputClass, e.OutputQuantityList)
	if e.BizLocation != nil {
		add(store.RoleBizLocation, "", e.BizLocation.ID)
	}
	for _, s := range e.SourceList {
		add(store.RoleSource, s.Type, s.Value)
	}
	for _, d := range e.DestinationList {
		add(store.RoleDestination, d.Type, d.Value)
	}
	hash, err := eventhash.Hash(e)
	if err != nil {
		tb.Fatalf("hash: %v", err)
	}
	e.EventID = hash
	doc, err := epcis.MarshalEventJSON(e)
	if err != nil {
		tb.Fatalf("encode: %v", err)
	}
	r := store.Record{Event: e, Doc: doc, Hash: hash, IDs: ids}
	if lineage {
		r.Lineage = trace.Derive(e, ids)
	}
	return r
}

// benchChain appends the events of supply chain k: a raw lot transformed
// six times, items of the last lot in cases on a pallet, shipped and
// received. It returns the events, one item and the raw lot.
func benchChain(c *chain, k, items int) (events []*epcis.Event, item, raw string) {
	h := k * 20
	lot := func(i int) string { return c.lgtin(1+k%900, fmt.Sprintf("K%dR%d", k, i)) }
	q := func(class string) []epcis.QuantityElement {
		return []epcis.QuantityElement{{EPCClass: class, Quantity: 100, HasQuantity: true, UOM: "KGM"}}
	}
	loc := &epcis.Location{ID: c.gln(k % 50)}
	events = append(events, &epcis.Event{Type: epcis.ObjectEvent, EventTime: c.at(h), Action: epcis.ActionAdd,
		QuantityList: q(lot(0)), BizStep: cbvStep + "commissioning", BizLocation: loc})
	for i := 1; i <= 6; i++ {
		events = append(events, &epcis.Event{Type: epcis.TransformationEvent, EventTime: c.at(h + i),
			InputQuantityList: q(lot(i - 1)), OutputQuantityList: q(lot(i)), BizLocation: loc})
	}
	var epcs []string
	for j := range items {
		epcs = append(epcs, c.sgtin(1+k%900, fmt.Sprintf("K%dI%d", k, j)))
	}
	commission := &epcis.Event{Type: epcis.ObjectEvent, EventTime: c.at(h + 7), Action: epcis.ActionAdd, EPCList: epcs,
		BizStep: cbvStep + "commissioning", BizLocation: loc,
		ILMD: []epcis.Element{{Space: "urn:epcglobal:cbv:mda", Prefix: "cbvmda", Local: "lotNumber", Value: fmt.Sprintf("K%dR6", k)}}}
	events = append(events, commission)
	pallet := c.sscc(k)
	var cases []string
	for j := 0; j < items; j += 10 {
		cs := c.sscc(10_000_000 + k*1000 + j/10)
		cases = append(cases, cs)
		events = append(events, &epcis.Event{Type: epcis.AggregationEvent, EventTime: c.at(h + 8), Action: epcis.ActionAdd,
			ParentID: cs, ChildEPCs: epcs[j:min(j+10, items)], BizStep: cbvStep + "packing", BizLocation: loc})
	}
	events = append(events, &epcis.Event{Type: epcis.AggregationEvent, EventTime: c.at(h + 9), Action: epcis.ActionAdd,
		ParentID: pallet, ChildEPCs: cases, BizStep: cbvStep + "packing", BizLocation: loc})
	e := c.ship(h+10, k%50, 50+k%20, pallet)
	c.events = c.events[:len(c.events)-1]
	events = append(events, e)
	r := c.receive(h+11, 50+k%20, pallet)
	c.events = c.events[:len(c.events)-1]
	events = append(events, r)
	return events, epcs[0], lot(0)
}

// loadBench captures chains until about n events are stored, in batches of
// 500, and returns the items and raw lots of the chains.
func loadBench(b *testing.B, st store.Store, n, items int) (itemIDs, raws []string) {
	c := newChain(b)
	var batch []store.Record
	flush := func() {
		if _, err := st.Capture(context.Background(), "bench", batch); err != nil {
			b.Fatalf("capture: %v", err)
		}
		batch = batch[:0]
	}
	total := 0
	for k := 0; total < n; k++ {
		events, item, raw := benchChain(c, k, items)
		for _, e := range events {
			batch = append(batch, benchRecord(b, e, true))
		}
		total += len(events)
		itemIDs, raws = append(itemIDs, item), append(raws, raw)
		if len(batch) >= 500 {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	return itemIDs, raws
}

// benchStore is a SQLite store opened for a benchmark, with its path.
type benchStore struct {
	*sqlite.Store
	path string
}

func openBenchStore(b *testing.B) benchStore {
	path := b.TempDir() + "/bench.db"
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		b.Fatalf("open: %v", err)
	}
	b.Cleanup(func() { st.Close() })
	return benchStore{st, path}
}

// dropContainmentIndexes removes the indexes that only traces use, so
// that a capture without lineage pays for none of the lineage index.
func dropContainmentIndexes(b *testing.B, st benchStore) {
	db, err := sql.Open("sqlite", st.path)
	if err != nil {
		b.Fatalf("open %s: %v", st.path, err)
	}
	defer db.Close()
	for _, idx := range []string{"identifiers_parent_event", "identifiers_child_event"} {
		if _, err := db.Exec("DROP INDEX " + idx); err != nil {
			b.Fatalf("drop index %s: %v", idx, err)
		}
	}
}

// reportPercentiles reports the 50th and 99th percentile of durations,
// and the mean process CPU time of the timed operations, which varies
// less than wall time when other processes load the machine.
func reportPercentiles(b *testing.B, d []time.Duration, cpu time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(d[len(d)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(cpu.Microseconds())/float64(len(d)), "cpu-µs/op")
}

// BenchmarkBackwardTrace traces one item back through case, pallet, its
// lot and six transformations to the raw lot (nine hops), in a store
// with SUYUAN_TRACE_BENCH_EVENTS events.
func BenchmarkBackwardTrace(b *testing.B) {
	st := openBenchStore(b)
	items, raws := loadBench(b, st, benchEvents(b), 20)
	tr := trace.New(st)
	rng := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	var (
		durations []time.Duration
		cpu       time.Duration
	)
	b.ResetTimer()
	for b.Loop() {
		k := rng.IntN(len(items))
		start, cpuStart := time.Now(), cpuTime(b)
		g, err := tr.Trace(ctx, items[k], trace.Options{})
		durations, cpu = append(durations, time.Since(start)), cpu+cpuTime(b)-cpuStart
		if err != nil {
			b.Fatalf("trace: %v", err)
		}
		if g.Node(raws[k]) == nil {
			b.Fatalf("backward trace of %s misses the raw lot %s", items[k], raws[k])
		}
	}
	reportPercentiles(b, durations, cpu)
}

// BenchmarkRecallScope scopes a recall of a raw lot whose chain reaches
// SUYUAN_TRACE_BENCH_ITEMS items (default 2000) in cases on one pallet.
func BenchmarkRecallScope(b *testing.B) {
	st := openBenchStore(b)
	loadBench(b, st, benchEvents(b)/2, 20)
	items := 2000
	if v := os.Getenv("SUYUAN_TRACE_BENCH_ITEMS"); v != "" {
		items, _ = strconv.Atoi(v)
	}
	c := newChain(b)
	events, _, raw := benchChain(c, 99_999, items)
	var recs []store.Record
	for _, e := range events {
		recs = append(recs, benchRecord(b, e, true))
	}
	if _, err := st.Capture(context.Background(), "big", recs); err != nil {
		b.Fatalf("capture: %v", err)
	}
	tr := trace.New(st)
	var (
		durations []time.Duration
		cpu       time.Duration
	)
	b.ResetTimer()
	for b.Loop() {
		start, cpuStart := time.Now(), cpuTime(b)
		sc, err := tr.RecallScope(context.Background(), []string{raw}, time.Time{}, time.Time{})
		durations, cpu = append(durations, time.Since(start)), cpu+cpuTime(b)-cpuStart
		if err != nil {
			b.Fatalf("recall scope: %v", err)
		}
		if n := len(sc.Affected); n < items {
			b.Fatalf("recall scope: got %d affected, want at least %d", n, items)
		}
	}
	reportPercentiles(b, durations, cpu)
}

// cpuTime returns the user and system CPU time of the process so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCapture compares capture of 500-event batches with and without
// the lineage index (deriving the lineage rows is timed too).
func BenchmarkCapture(b *testing.B) {
	for _, lineage := range []bool{false, true} {
		b.Run(fmt.Sprintf("lineage=%v", lineage), func(b *testing.B) {
			st := openBenchStore(b)
			if !lineage {
				dropContainmentIndexes(b, st)
			}
			c := newChain(b)
			k := 0
			var events int
			cpuStart := cpuTime(b)
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				var evs []*epcis.Event
				for len(evs) < 500 {
					chainEvents, _, _ := benchChain(c, k, 20)
					evs = append(evs, chainEvents...)
					k++
				}
				b.StartTimer()
				recs := make([]store.Record, len(evs))
				for i, e := range evs {
					recs[i] = benchRecord(b, e, lineage)
				}
				if _, err := st.Capture(context.Background(), "bench", recs); err != nil {
					b.Fatalf("capture: %v", err)
				}
				events += len(evs)
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			// Process CPU time per event also counts the untimed setup, but
			// stays comparable between the two runs when other processes
			// load the machine and wall time does not.
			b.ReportMetric(float64((cpuTime(b)-cpuStart).Microseconds())/float64(events), "cpu-µs/event")
		})
	}
}
