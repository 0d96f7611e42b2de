package trace_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

func trc(t *testing.T, tr *trace.Tracer, id string, opts trace.Options) *trace.Graph {
	t.Helper()
	g, err := tr.Trace(context.Background(), id, opts)
	if err != nil {
		t.Fatalf("Trace(%s, %+v): %v", id, opts, err)
	}
	return g
}

func wantNodes(t *testing.T, g *trace.Graph, want ...string) {
	t.Helper()
	got, w := nodeIDs(g), sortedCopy(want)
	if !slices.Equal(got, w) {
		t.Errorf("%s trace of %s: nodes\n got  %v\n want %v", g.Direction, g.Root, got, w)
	}
}

// TestScenarioPalletUnpackRepack: items in cases on a pallet that is
// shipped, unpacked, and one case re-packed onto another pallet.
func TestScenarioPalletUnpackRepack(t *testing.T) {
	eachBackend(t, runScenarioPalletUnpackRepack)
}

func runScenarioPalletUnpackRepack(t *testing.T, st backend) {
	c := newChain(t)
	i1, i2, i3 := c.sgtin(1, "I1"), c.sgtin(1, "I2"), c.sgtin(1, "I3")
	case1, case2 := c.sscc(11), c.sscc(12)
	p1, p2 := c.sscc(1), c.sscc(2)
	lot := c.lgtin(1, "L1")

	c.commission(1, 1, "L1", i1, i2, i3)
	c.aggregate(2, epcis.ActionAdd, 1, case1, i1, i2)
	c.aggregate(2, epcis.ActionAdd, 1, case2, i3)
	c.aggregate(3, epcis.ActionAdd, 1, p1, case1, case2)
	c.ship(4, 1, 2, p1)
	c.receive(5, 2, p1)
	c.aggregate(6, epcis.ActionDelete, 2, p1) // unpack everything
	c.aggregate(7, epcis.ActionAdd, 2, p2, case1)
	c.ship(8, 2, 3, p2)

	tr := c.captureAll(st, st, 4)

	t.Run("backward item", func(t *testing.T) {
		g := trc(t, tr, i1, trace.Options{})
		wantNodes(t, g, i1, case1, p1, p2, lot)
		if got, want := c.stepHours(g.Node(p1)), []int{3, 4, 5, 6}; !slices.Equal(got, want) {
			t.Errorf("steps of pallet 1 while the item was inside: got hours %v, want %v", got, want)
		}
		if got, want := c.stepHours(g.Node(p2)), []int{7, 8}; !slices.Equal(got, want) {
			t.Errorf("steps of pallet 2: got hours %v, want %v", got, want)
		}
		var link *trace.Link
		for i := range g.Links {
			if g.Links[i].From == p1 && g.Links[i].To == case1 {
				link = &g.Links[i]
			}
		}
		if link == nil || link.ValidFrom == nil || link.ValidTo == nil || !link.ValidFrom.Equal(c.at(3)) || !link.ValidTo.Equal(c.at(6)) {
			t.Errorf("pallet 1 to case 1 link: got %+v, want valid from hour 3 to hour 6", link)
		} else if link.EventID == "" {
			t.Errorf("pallet 1 to case 1 link has no eventID")
		}
		if n := g.Node(p1); n.Kind != trace.KindContainer {
			t.Errorf("kind of pallet: got %s, want container", n.Kind)
		}
		if n := g.Node(lot); n.Kind != trace.KindClass {
			t.Errorf("kind of lot: got %s, want class", n.Kind)
		}
		h := g.Node(i1).Holder
		if h == nil || h.Party != c.party(3) {
			t.Errorf("holder of item 1: got %+v, want party %s (pallet 2 shipped to it)", h, c.party(3))
		}
	})
	t.Run("backward item left behind", func(t *testing.T) {
		g := trc(t, tr, i3, trace.Options{})
		wantNodes(t, g, i3, case2, p1, lot)
		h := g.Node(i3).Holder
		if h == nil || h.Location != c.gln(2) {
			t.Errorf("holder of item 3: got %+v, want location %s (unpacked there)", h, c.gln(2))
		}
	})
	t.Run("forward pallet", func(t *testing.T) {
		g := trc(t, tr, p2, trace.Options{Direction: trace.Forward})
		wantNodes(t, g, p2, case1, i1, i2)
		g = trc(t, tr, p1, trace.Options{Direction: trace.Forward})
		wantNodes(t, g, p1, case1, case2, i1, i2, i3)
	})
	t.Run("time window before repack", func(t *testing.T) {
		g := trc(t, tr, i1, trace.Options{To: c.at(7)})
		wantNodes(t, g, i1, case1, p1, lot)
	})
	t.Run("node limit", func(t *testing.T) {
		g := trc(t, tr, i1, trace.Options{MaxNodes: 2})
		if !g.Truncated || len(g.Nodes) != 2 {
			t.Errorf("trace with 2 nodes at most: got %d nodes, truncated %v; want 2, true", len(g.Nodes), g.Truncated)
		}
		for _, l := range g.Links {
			if g.Node(l.From) == nil || g.Node(l.To) == nil {
				t.Errorf("link %s -> %s leaves the truncated graph", l.From, l.To)
			}
		}
		if g := trc(t, tr, i1, trace.Options{}); g.Truncated {
			t.Errorf("trace without limit: truncated")
		}
	})
	t.Run("depth limit", func(t *testing.T) {
		g := trc(t, tr, i1, trace.Options{Depth: 1})
		wantNodes(t, g, i1, case1, lot)
	})
	t.Run("unknown identifier", func(t *testing.T) {
		_, err := tr.Trace(context.Background(), c.sgtin(1, "NOPE"), trace.Options{})
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Trace of an unknown item: got %v, want store.ErrNotFound", err)
		}
	})
	t.Run("element string input", func(t *testing.T) {
		g := trc(t, tr, "(01)"+c.gtin(1)+"(21)I1", trace.Options{Depth: 1})
		if g.Root != i1 {
			t.Errorf("root: got %s, want %s", g.Root, i1)
		}
	})
}

// TestScenarioMixedLots: two lots mixed in one transformation, and a
// transformation split over two events sharing a transformationID.
func TestScenarioMixedLots(t *testing.T) {
	eachBackend(t, runScenarioMixedLots)
}

func runScenarioMixedLots(t *testing.T, st backend) {
	c := newChain(t)
	flourA, flourB := c.lgtin(2, "FA"), c.lgtin(2, "FB")
	bread1, bread2 := c.lgtin(3, "B1"), c.lgtin(3, "B2")
	c.classEvent(1, epcis.ActionAdd, "commissioning", 1, flourA, 100, "KGM")
	c.classEvent(1, epcis.ActionAdd, "commissioning", 1, flourB, 80, "KGM")
	q := func(class string, n float64) epcis.QuantityElement {
		return epcis.QuantityElement{EPCClass: class, Quantity: n, HasQuantity: true, UOM: "KGM"}
	}
	c.add(&epcis.Event{Type: epcis.TransformationEvent, EventTime: c.at(2),
		InputQuantityList:  []epcis.QuantityElement{q(flourA, 50), q(flourB, 30)},
		OutputQuantityList: []epcis.QuantityElement{q(bread1, 70)}, BizStep: cbvStep + "commissioning"})
	c.add(&epcis.Event{Type: epcis.TransformationEvent, EventTime: c.at(3),
		InputQuantityList:  []epcis.QuantityElement{q(flourA, 50)},
		OutputQuantityList: []epcis.QuantityElement{q(bread2, 45)}})
	// One transformation reported in two events.
	tid := "urn:uuid:6b7f0b4e-0b52-4c3a-9d7e-1c2a3b4c5d6e"
	dough, cake := c.lgtin(4, "D1"), c.lgtin(5, "K1")
	c.add(&epcis.Event{Type: epcis.TransformationEvent, EventTime: c.at(4), TransformationID: tid,
		InputQuantityList: []epcis.QuantityElement{q(bread2, 10), q(dough, 5)}})
	c.add(&epcis.Event{Type: epcis.TransformationEvent, EventTime: c.at(5), TransformationID: tid,
		OutputQuantityList: []epcis.QuantityElement{q(cake, 12)}})

	tr := c.captureAll(st, st, 10)

	wantNodes(t, trc(t, tr, bread1, trace.Options{}), bread1, flourA, flourB)
	wantNodes(t, trc(t, tr, flourA, trace.Options{Direction: trace.Forward}), flourA, bread1, bread2, tid, cake)
	wantNodes(t, trc(t, tr, cake, trace.Options{}), cake, tid, bread2, dough, flourA)
	g := trc(t, tr, cake, trace.Options{})
	if n := g.Node(tid); n.Kind != trace.KindTransformation {
		t.Errorf("kind of transformationID node: got %s, want transformation", n.Kind)
	}
	if n := g.Node(bread1); n != nil {
		t.Errorf("bread lot 1 is not upstream of the cake but was listed")
	}
	// The transformation before lot B existed keeps B out of bread 2.
	wantNodes(t, trc(t, tr, bread2, trace.Options{}), bread2, flourA)
}

// TestScenarioSplitShipment: a lot shipped in two parts to two customers.
func TestScenarioSplitShipment(t *testing.T) {
	eachBackend(t, runScenarioSplitShipment)
}

func runScenarioSplitShipment(t *testing.T, st backend) {
	c := newChain(t)
	lot := c.lgtin(6, "S1")
	c.classEvent(1, epcis.ActionAdd, "commissioning", 1, lot, 100, "KGM")
	shipPart := func(h, to int, qty float64) {
		e := c.classEvent(h, epcis.ActionObserve, "shipping", 1, lot, qty, "KGM")
		e.Disposition = cbvDisp + "in_transit"
		e.DestinationList = []epcis.SourceDest{{Type: sdOwner, Value: c.party(to)}, {Type: sdLoc, Value: c.gln(to)}}
	}
	shipPart(2, 2, 60)
	shipPart(3, 3, 40)
	c.classEvent(4, epcis.ActionObserve, "receiving", 2, lot, 60, "KGM")
	sale := c.classEvent(5, epcis.ActionObserve, "retail_selling", 3, lot, 40, "KGM")
	sale.Disposition = cbvDisp + "retail_sold"

	tr := c.captureAll(st, st, 100)
	sc, err := tr.RecallScope(context.Background(), []string{lot}, c.at(0), c.at(100))
	if err != nil {
		t.Fatalf("RecallScope: %v", err)
	}
	byHolder := map[string]trace.Bucket{}
	for _, b := range sc.ByHolder {
		byHolder[b.Key] = b
	}
	for _, tc := range []struct {
		party            int
		kgm              float64
		stock, delivered int
	}{{2, 60, 1, 0}, {3, 40, 0, 1}} {
		b := byHolder[c.party(tc.party)]
		if b.Quantities["KGM"] != tc.kgm {
			t.Errorf("holder %d: got %v KGM, want %v", tc.party, b.Quantities["KGM"], tc.kgm)
		}
		if b.InStock != tc.stock || b.Delivered != tc.delivered {
			t.Errorf("holder %d: got in stock %d delivered %d, want %d and %d", tc.party, b.InStock, b.Delivered, tc.stock, tc.delivered)
		}
	}
	if len(sc.Affected) != 2 {
		t.Errorf("affected shares: got %+v, want 2 (the producer shipped all 100 KGM)", sc.Affected)
	}
	if len(sc.Lots) != 1 || sc.Lots[0] != lot {
		t.Errorf("lots: got %v, want [%s]", sc.Lots, lot)
	}
	channels := map[string]int{}
	for _, b := range sc.ByChannel {
		channels[b.Key] = b.Objects
	}
	if channels["retail"] != 1 || channels["distribution"] != 1 {
		t.Errorf("channels: got %v, want one retail and one distribution share", channels)
	}
}

// TestScenarioReturnToSender: an item goes A to B, back to A in the same
// pallet (a containment that closes and opens again), then to C; the
// rework of a lot into itself makes a cycle.
func TestScenarioReturnToSender(t *testing.T) {
	eachBackend(t, runScenarioReturnToSender)
}

func runScenarioReturnToSender(t *testing.T, st backend) {
	c := newChain(t)
	item := c.sgtin(7, "R1")
	pallet := c.sscc(7)
	c.commission(1, 1, "", item)
	c.aggregate(2, epcis.ActionAdd, 1, pallet, item)
	c.ship(3, 1, 2, pallet)
	c.receive(4, 2, pallet)
	ret := c.ship(5, 2, 1, pallet)
	ret.Disposition = cbvDisp + "returned"
	c.receive(6, 1, pallet)
	c.aggregate(7, epcis.ActionDelete, 1, pallet, item)
	c.ship(8, 1, 3, item)
	c.aggregate(9, epcis.ActionAdd, 3, pallet, item)
	// Rework: lot X becomes lot Y, and Y is reworked into X again.
	x, y := c.lgtin(8, "X"), c.lgtin(8, "Y")
	qe := func(class string) []epcis.QuantityElement {
		return []epcis.QuantityElement{{EPCClass: class, Quantity: 1, HasQuantity: true, UOM: "KGM"}}
	}
	c.add(&epcis.Event{Type: epcis.TransformationEvent, EventTime: c.at(10), InputQuantityList: qe(x), OutputQuantityList: qe(y)})
	c.add(&epcis.Event{Type: epcis.TransformationEvent, EventTime: c.at(11), InputQuantityList: qe(y), OutputQuantityList: qe(x)})

	tr := c.captureAll(st, st, 3)

	g := trc(t, tr, item, trace.Options{})
	wantNodes(t, g, item, pallet)
	if got, want := c.stepHours(g.Node(pallet)), []int{2, 3, 4, 5, 6, 7, 9}; !slices.Equal(got, want) {
		t.Errorf("pallet steps while holding the item: got hours %v, want %v", got, want)
	}
	if h := g.Node(item).Holder; h == nil || h.Location != c.gln(3) {
		t.Errorf("holder of the returned item: got %+v, want location %s", h, c.gln(3))
	}
	wantNodes(t, trc(t, tr, x, trace.Options{Direction: trace.Both}), x, y)
	wantNodes(t, trc(t, tr, y, trace.Options{Direction: trace.Forward}), x, y)
}

// TestScenarioLotThenSerial: a harvest recorded at lot level, then packed
// into serialised items that carry the lot in ilmd.
func TestScenarioLotThenSerial(t *testing.T) {
	eachBackend(t, runScenarioLotThenSerial)
}

func runScenarioLotThenSerial(t *testing.T, st backend) {
	c := newChain(t)
	lot := c.lgtin(9, "H26")
	harvest := c.classEvent(1, epcis.ActionAdd, "commissioning", 1, lot, 500, "KGM")
	harvest.CertificationInfo = []string{"https://cert.example.cn/organic/123"}
	items := []string{c.sgtin(9, "P1"), c.sgtin(9, "P2")}
	c.commission(2, 2, "H26", items...)
	c.ship(3, 2, 4, items...)
	other := c.sgtin(9, "Q1") // listed next to the lot class, no ilmd
	c.add(&epcis.Event{Type: epcis.ObjectEvent, EventTime: c.at(4), Action: epcis.ActionAdd, EPCList: []string{other},
		QuantityList: []epcis.QuantityElement{{EPCClass: lot}}, BizStep: cbvStep + "commissioning"})

	tr := c.captureAll(st, st, 2)

	g := trc(t, tr, items[0], trace.Options{})
	wantNodes(t, g, items[0], lot)
	steps := g.Node(lot).Steps
	if len(steps) == 0 || len(steps[0].CertificationInfo) != 1 {
		t.Fatalf("lot steps: got %+v, want the harvest with its certification first", steps)
	}
	if got := g.Node(items[0]).Steps[0].ILMD["lotNumber"]; got != "H26" {
		t.Errorf("ilmd lotNumber of the commissioning step: got %q, want H26", got)
	}
	g = trc(t, tr, lot, trace.Options{Direction: trace.Forward})
	wantNodes(t, g, lot, items[0], items[1], other)
	if h := g.Node(items[1]).Holder; h == nil || h.Party != c.party(4) {
		t.Errorf("holder of item 2: got %+v, want %s", h, c.party(4))
	}
	sc, err := tr.RecallScope(context.Background(), []string{lot}, c.at(0), c.at(10))
	if err != nil {
		t.Fatalf("RecallScope: %v", err)
	}
	statuses := map[string]int{}
	for _, b := range sc.ByStatus {
		statuses[b.Key] = b.Objects
	}
	if statuses["in_transit"] != 2 {
		t.Errorf("statuses: got %v, want 2 items in transit", statuses)
	}
}

func TestTraceInvalidRequest(t *testing.T) {
	st := openStore(t)
	tr := trace.New(st)
	for _, tc := range []struct {
		name string
		id   string
		opts trace.Options
	}{
		{"empty id", "", trace.Options{}},
		{"garbage id", "not an identifier", trace.Options{}},
		{"bad direction", "https://id.gs1.org/01/09506000134352/21/1", trace.Options{Direction: "sideways"}},
		{"negative depth", "https://id.gs1.org/01/09506000134352/21/1", trace.Options{Depth: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tr.Trace(context.Background(), tc.id, tc.opts)
			if !errors.Is(err, trace.ErrInvalid) {
				t.Errorf("Trace(%q, %+v): got %v, want trace.ErrInvalid", tc.id, tc.opts, err)
			}
		})
	}
}

// TestScenarioChildAsEPCAndClass: one packing event names a lot both in
// childEPCs and in childQuantityList. Each backend gives the trace link
// of the EPC entry, without quantity, on every read.
func TestScenarioChildAsEPCAndClass(t *testing.T) {
	eachBackend(t, runScenarioChildAsEPCAndClass)
}

func runScenarioChildAsEPCAndClass(t *testing.T, st backend) {
	c := newChain(t)
	lot, pallet := c.lgtin(2, "L7"), c.sscc(7)
	c.classEvent(1, epcis.ActionAdd, "commissioning", 1, lot, 40, "KGM")
	pack := c.aggregate(2, epcis.ActionAdd, 1, pallet, lot)
	pack.ChildQuantityList = []epcis.QuantityElement{{EPCClass: lot, Quantity: 12, HasQuantity: true, UOM: "KGM"}}
	tr := c.captureAll(st, st, 10)

	for range 5 {
		g := trc(t, tr, lot, trace.Options{})
		wantNodes(t, g, lot, pallet)
		if len(g.Links) != 1 {
			t.Fatalf("links: got %d, want 1: %+v", len(g.Links), g.Links)
		}
		l := g.Links[0]
		if l.From != pallet {
			t.Errorf("link from: got %s, want the pallet %s", l.From, pallet)
		}
		if l.Quantity != nil {
			t.Errorf("link quantity: got %v %s, want none (the childEPCs entry)", *l.Quantity, l.UOM)
		}
	}
}
