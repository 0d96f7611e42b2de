package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// LineageBackend is a store with a lineage index.
type LineageBackend interface {
	store.Store
	store.LineageStore
}

// LineageOpen returns a new, empty store with a lineage index.
// RunLineage registers its Close.
type LineageOpen func(t *testing.T) LineageBackend

// RunLineage runs the lineage index suite against the backend that open
// creates: capture writes the edges, touches and step of each stored
// record, and the LineageStore methods read them back in order.
func RunLineage(t *testing.T, open LineageOpen) {
	fresh := func(t *testing.T) lineageStore {
		t.Helper()
		s := open(t)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	}
	t.Run("RoundTrip", func(t *testing.T) { testLineageRoundTrip(t, fresh(t)) })
	t.Run("Filters", func(t *testing.T) { testLineageFilters(t, fresh(t)) })
	t.Run("DuplicateWritesNothing", func(t *testing.T) { testLineageDuplicate(t, fresh(t)) })
	t.Run("Declared", func(t *testing.T) { testLineageDeclared(t, fresh(t)) })
	t.Run("ClassTouches", func(t *testing.T) { testLineageClassTouches(t, fresh(t)) })
	t.Run("Adjacent", func(t *testing.T) { testLineageAdjacent(t, fresh(t)) })
}

type lineageStore = LineageBackend

const (
	linPallet = "https://id.gs1.org/00/069500000000000019"
	linItem1  = "https://id.gs1.org/01/06950000000019/21/A1"
	linItem2  = "https://id.gs1.org/01/06950000000019/21/A2"
	linLot    = "https://id.gs1.org/01/06950000000019/10/L1"
	linOther  = "https://id.gs1.org/01/06950000000026/10/L9"
)

// lineageRecord returns a record of e with the given lineage edges, each
// given the event's time. Its document is EPCIS 2.0 JSON-LD, as the
// capture service stores it, because steps are read from it.
func lineageRecord(t *testing.T, e *epcis.Event, edges ...store.Edge) store.Record {
	t.Helper()
	r := record(e)
	doc, err := epcis.MarshalEventJSON(e)
	if err != nil {
		t.Fatalf("encode fixture event: %v", err)
	}
	r.Doc = doc
	for i := range edges {
		edges[i].Time = e.EventTime
	}
	r.Lineage = &store.Lineage{Edges: edges}
	return r
}

// aggregation returns an AggregationEvent at base plus minutes.
func aggregation(minutes int, action epcis.Action, parent string, children ...string) *epcis.Event {
	return &epcis.Event{
		Type: epcis.AggregationEvent, EventTime: base.Add(time.Duration(minutes) * time.Minute), EventTimeZoneOffset: "+08:00",
		Action: action, ParentID: parent, ChildEPCs: children, BizStep: "urn:epcglobal:cbv:bizstep:packing",
	}
}

func qty(v float64) *float64 { return &v }

func testLineageRoundTrip(t *testing.T, s lineageStore) {
	ctx := context.Background()
	// Captured out of time order: the later event first.
	unpack := aggregation(20, epcis.ActionDelete, linPallet)
	later := lineageRecord(t, unpack, store.Edge{From: linPallet, To: store.AllChildren, Kind: store.EdgeContains, Op: store.OpDelete})
	pack := aggregation(10, epcis.ActionAdd, linPallet, linItem1)
	pack.ChildQuantityList = []epcis.QuantityElement{{EPCClass: linLot, Quantity: 12.5, HasQuantity: true, UOM: "KGM"}}
	pack.BizTransactionList = []epcis.BizTransaction{{Type: "urn:epcglobal:cbv:btt:po", Value: "urn:example:po:1"}}
	pack.CertificationInfo = []string{"urn:example:cert:1"}
	earlier := lineageRecord(t, pack,
		store.Edge{From: linPallet, To: linItem1, Kind: store.EdgeContains, Op: store.OpAdd},
		store.Edge{From: linPallet, To: linLot, Kind: store.EdgeContains, Op: store.OpAdd, Quantity: qty(12.5), UOM: "KGM"})
	capture(t, s, "c1", later)
	capture(t, s, "c2", earlier)

	edges, err := s.Edges(ctx, store.EdgeFilter{From: []string{linPallet}})
	if err != nil {
		t.Fatalf("Edges: %v", err)
	}
	if len(edges) != 3 {
		t.Fatalf("Edges from the pallet: got %d, want 3: %+v", len(edges), edges)
	}
	// Order is (Time, Seq, From, To): the lot's /10/ sorts before the
	// item's /21/.
	if edges[0].To != linLot || edges[1].To != linItem1 || edges[2].To != store.AllChildren {
		t.Errorf("edge order: got %s, %s, %q; want lot, item, all children", edges[0].To, edges[1].To, edges[2].To)
	}
	if !edges[0].Time.Equal(pack.EventTime) || edges[0].Op != store.OpAdd || edges[0].Kind != store.EdgeContains {
		t.Errorf("first edge: got %+v", edges[0])
	}
	if edges[0].Quantity == nil || *edges[0].Quantity != 12.5 || edges[0].UOM != "KGM" {
		t.Errorf("lot edge quantity: got %v %s, want 12.5 KGM", edges[0].Quantity, edges[0].UOM)
	}
	if edges[1].Quantity != nil {
		t.Errorf("item edge quantity: got %v, want none", *edges[1].Quantity)
	}
	if edges[2].Op != store.OpDelete || !edges[2].Time.Equal(unpack.EventTime) {
		t.Errorf("unpacking edge: got %+v, want a delete at the unpacking time", edges[2])
	}
	if edges[0].Seq == edges[2].Seq || edges[0].Seq == 0 {
		t.Errorf("edge event numbers: got %d and %d, want distinct nonzero", edges[0].Seq, edges[2].Seq)
	}

	touches, err := s.Touches(ctx, []string{linPallet, linLot})
	if err != nil {
		t.Fatalf("Touches: %v", err)
	}
	if len(touches) != 3 {
		t.Fatalf("Touches: got %d, want 3: %+v", len(touches), touches)
	}
	for i := 1; i < len(touches); i++ {
		if touches[i].Time.Before(touches[i-1].Time) {
			t.Errorf("touches out of time order at %d: %v before %v", i, touches[i].Time, touches[i-1].Time)
		}
	}
	if last := touches[2]; last.ID != linPallet || last.Role != store.RoleParent || !last.Time.Equal(unpack.EventTime) {
		t.Errorf("latest touch: got %+v, want the pallet as parent of the unpacking", last)
	}
	var lotTouch store.Touch
	for _, tc := range touches {
		if tc.ID == linLot {
			lotTouch = tc
		}
	}
	if lotTouch.Quantity == nil || *lotTouch.Quantity != 12.5 || lotTouch.UOM != "KGM" || lotTouch.Role != store.RoleChildClass {
		t.Errorf("lot touch: got %+v, want 12.5 KGM as child_class", lotTouch)
	}

	steps, err := s.Steps(ctx, []int64{touches[0].Seq, touches[2].Seq, 999999})
	if err != nil {
		t.Fatalf("Steps: %v", err)
	}
	if len(steps) != 2 {
		t.Fatalf("Steps: got %d, want 2 (an unknown number is left out)", len(steps))
	}
	st := steps[touches[0].Seq]
	if st.EventID != pack.EventID || st.BizStep != "urn:epcglobal:cbv:bizstep:packing" || st.Seq != touches[0].Seq || st.EventType != "AggregationEvent" {
		t.Errorf("step: got %+v, want the packing event's", st)
	}
	if len(st.BizTransactions) != 1 || st.BizTransactions[0].Value != "urn:example:po:1" || len(st.CertificationInfo) != 1 {
		t.Errorf("step documents: got %+v %v", st.BizTransactions, st.CertificationInfo)
	}
	if !st.EventTime.Equal(pack.EventTime) || st.TimeZoneOffset != "+08:00" {
		t.Errorf("step time: got %v %s, want %v +08:00", st.EventTime, st.TimeZoneOffset, pack.EventTime)
	}
}

func testLineageFilters(t *testing.T, s lineageStore) {
	ctx := context.Background()
	capture(t, s, "c1",
		lineageRecord(t, objectEvent(1, epcis.ActionAdd, linItem1, linItem2),
			store.Edge{From: linLot, To: linItem1, Kind: store.EdgeSameLot, Op: store.OpAdd},
			store.Edge{From: linLot, To: linItem2, Kind: store.EdgeSameLot, Op: store.OpAdd},
			// Ignored: containment comes from the identifier index.
			store.Edge{From: linOther, To: linItem1, Kind: store.EdgeContains, Op: store.OpAdd}),
		lineageRecord(t, aggregation(2, epcis.ActionAdd, linPallet, linItem1)),
		lineageRecord(t, &epcis.Event{Type: epcis.AssociationEvent, EventTime: base.Add(4 * time.Minute), EventTimeZoneOffset: "+08:00",
			Action: epcis.ActionAdd, ParentID: linOther, ChildEPCs: []string{linItem2}}),
		// A TransactionEvent's parentID contains nothing.
		lineageRecord(t, &epcis.Event{Type: epcis.TransactionEvent, EventTime: base.Add(3 * time.Minute), EventTimeZoneOffset: "+08:00",
			Action: epcis.ActionAdd, ParentID: linPallet, EPCList: []string{linItem2},
			BizTransactionList: []epcis.BizTransaction{{Value: "urn:example:po:2"}}}),
	)
	for _, tc := range []struct {
		name string
		f    store.EdgeFilter
		want int
	}{
		{"empty filter", store.EdgeFilter{}, 0},
		{"from lot", store.EdgeFilter{From: []string{linLot}}, 2},
		{"from lot named twice", store.EdgeFilter{From: []string{linLot, linLot}}, 2},
		{"to item", store.EdgeFilter{To: []string{linItem1}}, 2},
		{"to item of one kind", store.EdgeFilter{To: []string{linItem1}, Kinds: []store.EdgeKind{store.EdgeContains}}, 1},
		{"from and to overlap once", store.EdgeFilter{From: []string{linLot}, To: []string{linItem1}}, 3},
		{"unknown id", store.EdgeFilter{From: []string{"urn:example:none"}}, 0},
		{"from pallet", store.EdgeFilter{From: []string{linPallet}}, 1},
		{"associated", store.EdgeFilter{To: []string{linItem2}, Kinds: []store.EdgeKind{store.EdgeAssociated}}, 1},
		{"same lot only", store.EdgeFilter{From: []string{linLot, linPallet}, Kinds: []store.EdgeKind{store.EdgeSameLot}}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			edges, err := s.Edges(ctx, tc.f)
			if err != nil {
				t.Fatalf("Edges(%+v): %v", tc.f, err)
			}
			if len(edges) != tc.want {
				t.Errorf("Edges(%+v): got %d edges, want %d", tc.f, len(edges), tc.want)
			}
		})
	}
	// Many identifiers in one call.
	var many []string
	for range 1200 {
		many = append(many, "urn:example:none")
	}
	many = append(many, linLot)
	edges, err := s.Edges(ctx, store.EdgeFilter{From: many})
	if err != nil {
		t.Fatalf("Edges with 1201 identifiers: %v", err)
	}
	if len(edges) != 2 {
		t.Errorf("Edges with 1201 identifiers: got %d, want 2", len(edges))
	}
}

func testLineageDuplicate(t *testing.T, s lineageStore) {
	r := lineageRecord(t, objectEvent(1, epcis.ActionAdd, linItem1), store.Edge{From: linLot, To: linItem1, Kind: store.EdgeSameLot, Op: store.OpAdd})
	capture(t, s, "c1", r)
	again := lineageRecord(t, objectEvent(1, epcis.ActionAdd, linItem1), store.Edge{From: linLot, To: linItem1, Kind: store.EdgeSameLot, Op: store.OpAdd})
	res := capture(t, s, "c2", again)
	checkOutcomes(t, res, store.Duplicate)
	ctx := context.Background()
	touches, err := s.Touches(ctx, []string{linItem1})
	if err != nil {
		t.Fatalf("Touches: %v", err)
	}
	if len(touches) != 1 {
		t.Errorf("touches after a duplicate: got %d, want 1", len(touches))
	}
	edges, err := s.Edges(ctx, store.EdgeFilter{To: []string{linItem1}})
	if err != nil {
		t.Fatalf("Edges: %v", err)
	}
	if len(edges) != 1 {
		t.Errorf("edges after a duplicate: got %d, want 1", len(edges))
	}
}

func testLineageDeclared(t *testing.T, s lineageStore) {
	ctx := context.Background()
	r := lineageRecord(t, aggregation(1, epcis.ActionAdd, linPallet, linItem1), store.Edge{From: linPallet, To: linItem1, Kind: store.EdgeContains, Op: store.OpAdd})
	capture(t, s, "c1", r)
	decl := declaration(r, "urn:epcglobal:cbv:er:incorrect_data", base.Add(time.Hour))
	decl.Lineage = r.Lineage
	checkOutcomes(t, capture(t, s, "c2", decl), store.Declared)
	edges, err := s.Edges(ctx, store.EdgeFilter{To: []string{linItem1}})
	if err != nil {
		t.Fatalf("Edges: %v", err)
	}
	if len(edges) != 1 || !edges[0].Declared {
		t.Errorf("edges of a declared event: got %+v, want one with Declared", edges)
	}
	touches, err := s.Touches(ctx, []string{linItem1})
	if err != nil || len(touches) != 1 {
		t.Fatalf("Touches: got %d, %v; want 1 (the declaration adds none)", len(touches), err)
	}
	steps, err := s.Steps(ctx, []int64{touches[0].Seq})
	if err != nil {
		t.Fatalf("Steps: %v", err)
	}
	if !steps[touches[0].Seq].Declared {
		t.Errorf("step of a declared event: Declared is false")
	}
}

func testLineageClassTouches(t *testing.T, s lineageStore) {
	ctx := context.Background()
	classEvent := func(minutes int, class string) *epcis.Event {
		e := objectEvent(minutes, epcis.ActionObserve)
		e.QuantityList = []epcis.QuantityElement{{EPCClass: class, Quantity: 1, HasQuantity: true, UOM: "KGM"}}
		return e
	}
	capture(t, s, "c1",
		lineageRecord(t, objectEvent(1, epcis.ActionObserve, linItem1)),
		lineageRecord(t, classEvent(2, linLot)),
		lineageRecord(t, classEvent(3, linOther)),
	)
	prefix := "https://id.gs1.org/01/06950000000019/"
	for _, tc := range []struct {
		name     string
		from, to time.Time
		want     []string
	}{
		{"no window", time.Time{}, time.Time{}, []string{linItem1, linLot}},
		{"from", base.Add(2 * time.Minute), time.Time{}, []string{linLot}},
		{"to", time.Time{}, base.Add(2 * time.Minute), []string{linItem1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			touches, err := s.ClassTouches(ctx, prefix, tc.from, tc.to)
			if err != nil {
				t.Fatalf("ClassTouches: %v", err)
			}
			var got []string
			for _, tc := range touches {
				got = append(got, tc.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("ClassTouches(%s): got %v, want %v", prefix, got, tc.want)
			}
		})
	}
	if _, err := s.ClassTouches(ctx, "", time.Time{}, time.Time{}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("ClassTouches with an empty prefix: got %v, want store.ErrInvalid", err)
	}
}

func testLineageAdjacent(t *testing.T, s lineageStore) {
	ctx := context.Background()
	const (
		linCase      = "https://id.gs1.org/00/069500000000000026"
		linContainer = "urn:epc:id:giai:0695000.C1"
		linOutput    = "https://id.gs1.org/01/06950000000033/10/P1"
	)
	pack := aggregation(2, epcis.ActionAdd, linCase, linItem1, linItem2)
	pack.ChildQuantityList = []epcis.QuantityElement{{EPCClass: linLot, Quantity: 3, HasQuantity: true, UOM: "KGM"}}
	transform := &epcis.Event{Type: epcis.TransformationEvent, EventTime: base.Add(9 * time.Minute), EventTimeZoneOffset: "+08:00",
		InputQuantityList:  []epcis.QuantityElement{{EPCClass: linLot, Quantity: 2, HasQuantity: true, UOM: "KGM"}},
		OutputQuantityList: []epcis.QuantityElement{{EPCClass: linOutput, Quantity: 5, HasQuantity: true, UOM: "KGM"}}}
	declared := lineageRecord(t, aggregation(7, epcis.ActionAdd, linContainer, linItem2))
	capture(t, s, "c1",
		lineageRecord(t, objectEvent(1, epcis.ActionAdd, linItem1, linItem2),
			store.Edge{From: linLot, To: linItem1, Kind: store.EdgeSameLot, Op: store.OpAdd},
			store.Edge{From: linLot, To: linItem2, Kind: store.EdgeSameLot, Op: store.OpAdd}),
		lineageRecord(t, pack),
		// The case on a pallet: the case is both a child and a parent.
		lineageRecord(t, aggregation(3, epcis.ActionAdd, linPallet, linCase)),
		lineageRecord(t, &epcis.Event{Type: epcis.AssociationEvent, EventTime: base.Add(4 * time.Minute), EventTimeZoneOffset: "+08:00",
			Action: epcis.ActionAdd, ParentID: linOther, ChildEPCs: []string{linItem2}}),
		// Unpacking without children takes out all of them.
		lineageRecord(t, aggregation(5, epcis.ActionDelete, linPallet)),
		lineageRecord(t, aggregation(6, epcis.ActionDelete, linCase, linItem1)),
		declared,
		lineageRecord(t, transform, store.Edge{From: linLot, To: linOutput, Kind: store.EdgeTransformedInto, Op: store.OpAdd, Quantity: qty(5), UOM: "KGM"}),
	)
	decl := declaration(declared, "urn:epcglobal:cbv:er:incorrect_data", base.Add(time.Hour))
	decl.Lineage = declared.Lineage
	checkOutcomes(t, capture(t, s, "c2", decl), store.Declared)

	all := []string{linPallet, linCase, linItem1, linItem2, linLot, linOther, linContainer, linOutput}
	sets := [][]string{nil, {"urn:example:none"}, all, {linItem1, linItem1, linCase}}
	for _, id := range all {
		sets = append(sets, []string{id})
	}
	for i, ids := range sets {
		for _, emptiedOnly := range []bool{false, true} {
			t.Run(fmt.Sprintf("set%d emptiedOnly=%v", i, emptiedOnly), func(t *testing.T) {
				testAdjacentSet(t, s, ids, emptiedOnly)
			})
		}
	}
	got, err := s.Adjacent(ctx, all, false)
	if err != nil {
		t.Fatalf("Adjacent: %v", err)
	}
	// EmptiedOnly keeps, of the edges leaving, the DELETEs of all
	// children: the pallet's, not the case's DELETE of one item.
	emptied, err := s.Edges(ctx, store.EdgeFilter{From: all, EmptiedOnly: true})
	if err != nil {
		t.Fatalf("Edges with EmptiedOnly: %v", err)
	}
	wantEmptied := slices.DeleteFunc(slices.Clone(got.Out), func(e store.Edge) bool { return e.To != store.AllChildren })
	if len(emptied) != 1 || !reflect.DeepEqual(emptied, wantEmptied) {
		t.Errorf("Edges with EmptiedOnly:\n got %+v\nwant the pallet's unpacking %+v", emptied, wantEmptied)
	}
	// The fixture has each kind of edge, so that the comparison above
	// covers them: out of the case, the pallet's DELETE of all, the
	// association, the lot's same-lot and transformation edges, and the
	// declared packing into the container.
	kinds := map[store.EdgeKind]bool{}
	deleteAll, declaredSeen := false, false
	for _, e := range append(slices.Clone(got.Out), got.In...) {
		kinds[e.Kind] = true
		deleteAll = deleteAll || (e.To == store.AllChildren && e.Op == store.OpDelete)
		declaredSeen = declaredSeen || e.Declared
	}
	if len(kinds) != 4 || !deleteAll || !declaredSeen {
		t.Errorf("Adjacent of every identifier: kinds %v, delete of all %v, declared %v; want 4 kinds, both true", kinds, deleteAll, declaredSeen)
	}
}

// testAdjacentSet compares Adjacent with AdjacentOf for one set of
// identifiers.
func testAdjacentSet(t *testing.T, s lineageStore, ids []string, emptiedOnly bool) {
	ctx := context.Background()
	got, err := s.Adjacent(ctx, ids, emptiedOnly)
	if err != nil {
		t.Fatalf("Adjacent(%v): %v", ids, err)
	}
	want, err := store.AdjacentOf(ctx, s, ids, emptiedOnly)
	if err != nil {
		t.Fatalf("AdjacentOf: %v", err)
	}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"touches", got.Touches, want.Touches},
		{"edges out", got.Out, want.Out},
		{"edges in", got.In, want.In},
	} {
		if !reflect.DeepEqual(c.got, c.want) && reflect.ValueOf(c.got).Len()+reflect.ValueOf(c.want).Len() > 0 {
			t.Errorf("Adjacent(%v) %s:\n got %+v\nwant %+v", ids, c.name, c.got, c.want)
		}
	}
}
