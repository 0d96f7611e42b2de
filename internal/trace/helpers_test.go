package trace_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/capture"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
	"github.com/suyuan-trace/suyuan/internal/store/testdb"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

// withCheck appends the GS1 check digit to digits.
func withCheck(tb testing.TB, digits string) string {
	tb.Helper()
	c, err := ident.CheckDigit(digits)
	if err != nil {
		tb.Fatalf("CheckDigit(%s): %v", digits, err)
	}
	return digits + string(c)
}

// chain builds EPCIS events for a test scenario and captures them.
type chain struct {
	tb     testing.TB
	base   time.Time
	events []*epcis.Event
}

func newChain(tb testing.TB) *chain {
	return &chain{tb: tb, base: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
}

// at returns the base time plus h hours.
func (c *chain) at(h int) time.Time { return c.base.Add(time.Duration(h) * time.Hour) }

func (c *chain) gtin(n int) string { return withCheck(c.tb, fmt.Sprintf("0695000000%03d", n)) }

func (c *chain) sgtin(g int, serial string) string {
	return "https://id.gs1.org/01/" + c.gtin(g) + "/21/" + serial
}

func (c *chain) lgtin(g int, lot string) string {
	return "https://id.gs1.org/01/" + c.gtin(g) + "/10/" + lot
}

func (c *chain) sscc(n int) string {
	return "https://id.gs1.org/00/" + withCheck(c.tb, fmt.Sprintf("06950000%09d", n))
}

func (c *chain) gln(n int) string {
	return "https://id.gs1.org/414/" + withCheck(c.tb, fmt.Sprintf("695000000%03d", n))
}

// party returns a party identifier: a GLN of the 900 range.
func (c *chain) party(n int) string { return c.gln(900 + n) }

const (
	cbvStep = "urn:epcglobal:cbv:bizstep:"
	cbvDisp = "urn:epcglobal:cbv:disp:"
	sdOwner = "urn:epcglobal:cbv:sdt:owning_party"
	sdLoc   = "urn:epcglobal:cbv:sdt:location"
)

func (c *chain) add(e *epcis.Event) *epcis.Event {
	if e.EventTimeZoneOffset == "" {
		e.EventTimeZoneOffset = "+08:00"
	}
	c.events = append(c.events, e)
	return e
}

// commission writes an ObjectEvent ADD commissioning epcs with ilmd
// lotNumber lot (none when empty) at location loc.
func (c *chain) commission(h int, loc int, lot string, epcs ...string) *epcis.Event {
	e := &epcis.Event{Type: epcis.ObjectEvent, EventTime: c.at(h), Action: epcis.ActionAdd, EPCList: epcs,
		BizStep: cbvStep + "commissioning", Disposition: cbvDisp + "active", BizLocation: &epcis.Location{ID: c.gln(loc)}}
	if lot != "" {
		e.ILMD = []epcis.Element{{Space: "urn:epcglobal:cbv:mda", Prefix: "cbvmda", Local: "lotNumber", Value: lot}}
	}
	return c.add(e)
}

// classEvent writes an ObjectEvent about a quantity of a class.
func (c *chain) classEvent(h int, action epcis.Action, step string, loc int, class string, qty float64, uom string) *epcis.Event {
	return c.add(&epcis.Event{Type: epcis.ObjectEvent, EventTime: c.at(h), Action: action, BizStep: cbvStep + step,
		QuantityList: []epcis.QuantityElement{{EPCClass: class, Quantity: qty, HasQuantity: true, UOM: uom}},
		BizLocation:  &epcis.Location{ID: c.gln(loc)}})
}

func (c *chain) aggregate(h int, action epcis.Action, loc int, parent string, children ...string) *epcis.Event {
	step := "packing"
	if action == epcis.ActionDelete {
		step = "unpacking"
	}
	return c.add(&epcis.Event{Type: epcis.AggregationEvent, EventTime: c.at(h), Action: action, ParentID: parent,
		ChildEPCs: children, BizStep: cbvStep + step, BizLocation: &epcis.Location{ID: c.gln(loc)}})
}

// ship writes a shipping ObjectEvent from party from to party to (and
// their locations of the same numbers).
func (c *chain) ship(h int, from, to int, epcs ...string) *epcis.Event {
	return c.add(&epcis.Event{Type: epcis.ObjectEvent, EventTime: c.at(h), Action: epcis.ActionObserve, EPCList: epcs,
		BizStep: cbvStep + "shipping", Disposition: cbvDisp + "in_transit", BizLocation: &epcis.Location{ID: c.gln(from)},
		SourceList:         []epcis.SourceDest{{Type: sdOwner, Value: c.party(from)}, {Type: sdLoc, Value: c.gln(from)}},
		DestinationList:    []epcis.SourceDest{{Type: sdOwner, Value: c.party(to)}, {Type: sdLoc, Value: c.gln(to)}},
		BizTransactionList: []epcis.BizTransaction{{Type: "urn:epcglobal:cbv:btt:desadv", Value: fmt.Sprintf("urn:epcglobal:cbv:bt:%s:DA%d", c.gln(from)[len("https://id.gs1.org/414/"):], h)}},
	})
}

func (c *chain) receive(h int, at int, epcs ...string) *epcis.Event {
	return c.add(&epcis.Event{Type: epcis.ObjectEvent, EventTime: c.at(h), Action: epcis.ActionObserve, EPCList: epcs,
		BizStep: cbvStep + "receiving", Disposition: cbvDisp + "in_progress", BizLocation: &epcis.Location{ID: c.gln(at)}})
}

// document encodes the events as one EPCIS 2.0 JSON-LD document.
func (c *chain) document(events []*epcis.Event) *bytes.Buffer {
	c.tb.Helper()
	var buf bytes.Buffer
	enc := epcis.NewJSONEncoder(&buf, epcis.Header{Kind: epcis.KindEPCISDocument, SchemaVersion: "2.0", CreationDate: c.base})
	for _, e := range events {
		if err := enc.Encode(e); err != nil {
			c.tb.Fatalf("encode event at %s: %v", e.EventTime, err)
		}
	}
	if err := enc.Close(); err != nil {
		c.tb.Fatalf("close encoder: %v", err)
	}
	return &buf
}

// openStore opens a fresh SQLite store in a temporary directory.
func openStore(tb testing.TB) *sqlite.Store {
	tb.Helper()
	return testdb.SQLite(tb, "trace")
}

// captureAll captures the chain's events through the capture service, in
// documents of at most batch events, and returns the tracer.
func (c *chain) captureAll(st store.Store, ls store.LineageStore, batch int) *trace.Tracer {
	c.tb.Helper()
	cs := capture.New(st, nil, nil)
	for i := 0; i < len(c.events); i += batch {
		part := c.events[i:min(i+batch, len(c.events))]
		if _, err := cs.Capture(context.Background(), epcis.NewJSONDecoder(c.document(part)), "test"); err != nil {
			c.tb.Fatalf("capture events %d..%d: %v", i, i+len(part)-1, err)
		}
	}
	return trace.New(ls)
}

// nodeIDs returns the sorted node identifiers of g.
func nodeIDs(g *trace.Graph) []string {
	var out []string
	for _, n := range g.Nodes {
		out = append(out, n.ID)
	}
	slices.Sort(out)
	return out
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// stepTimes returns the event times of a node's steps, as hours after
// base.
func (c *chain) stepHours(n *trace.Node) []int {
	var out []int
	for _, s := range n.Steps {
		out = append(out, int(s.EventTime.Sub(c.base)/time.Hour))
	}
	return out
}
