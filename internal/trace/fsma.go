package trace

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// CTE is a critical tracking event of the FDA Food Traceability Rule
// (21 CFR part 1 subpart S, "FSMA 204").
type CTE string

// Critical tracking events, spelled as the FDA's sortable spreadsheet
// template names them.
const (
	CTEHarvesting      CTE = "Harvesting"
	CTECooling         CTE = "Cooling"
	CTEInitialPacking  CTE = "Initial Packing"
	CTEFirstLandBased  CTE = "First Land-Based Receiving"
	CTEShipping        CTE = "Shipping"
	CTEReceiving       CTE = "Receiving"
	CTETransformation  CTE = "Transformation"
	cteNone            CTE = ""
	transformationType     = "TransformationEvent"
	aggregationType        = "AggregationEvent"
)

// cteOf maps an event to its critical tracking event by bizStep: the CBV
// 2.0 bizStep vocabulary, plus the harvesting, cooling and landing steps
// that food chains add in their own vocabulary. Events of other steps are
// no critical tracking event.
func cteOf(st store.Step, role store.Role) CTE {
	switch cbvLocal(st.BizStep) {
	case "harvesting":
		return CTEHarvesting
	case "cooling":
		return CTECooling
	case "first_land_based_receiving", "landing":
		return CTEFirstLandBased
	case "shipping", "departing":
		return CTEShipping
	case "receiving", "arriving", "accepting":
		return CTEReceiving
	case "transforming", "repackaging", "assembling":
		return CTETransformation
	}
	if st.EventType == transformationType {
		return CTETransformation
	}
	switch cbvLocal(st.BizStep) {
	case "commissioning", "packing", "creating_class_instance":
		if st.EventType == aggregationType {
			return cteNone // packing into cases and pallets is no CTE
		}
		if role == store.RoleOutput || role == store.RoleOutputClass {
			return CTETransformation
		}
		return CTEInitialPacking
	}
	return cteNone
}

// FSMARow is one row of the FSMA 204 electronic sortable spreadsheet: one
// critical tracking event of one traceability lot with its key data
// elements.
type FSMARow struct {
	CTE CTE
	// EventTime is the event time in the event's own time zone offset.
	EventTime time.Time
	// TLC is the traceability lot code (the GS1 batch/lot number) and
	// TLCID its full identifier (an LGTIN).
	TLC, TLCID string
	// TLCSource is the location where the lot code was assigned: the
	// location of the lot's earliest event.
	TLCSource string
	// GTIN is the product's GTIN-14; Description its description when a
	// product registry gave one.
	GTIN, Description string
	Quantity          float64
	UOM               string
	// Location is the place of the event (bizLocation, else readPoint).
	Location string
	// ShipFrom and ShipTo are the source and destination locations (or
	// owning parties when no location is given).
	ShipFrom, ShipTo string
	// RefDocType and RefDocNumber are the first business transaction of
	// the event, such as a despatch advice.
	RefDocType, RefDocNumber string
	EventID                  string
}

// FSMAQuery selects the lots of an export. Lots names them in any form
// CanonicalID reads, and an item stands for its lot. Product (a GTIN in
// any form) selects every lot of the product touched in [From, To). From
// and To bound the exported events in both cases; zero times do not bound.
type FSMAQuery struct {
	Product  string
	Lots     []string
	From, To time.Time
	// Describe returns the description of a GTIN-14, or ""; nil leaves
	// descriptions empty.
	Describe func(gtin string) string
}

// FSMA204 returns the spreadsheet rows of the lots q selects, ordered by
// event time and lot. A query naming neither product nor lots, or both,
// gives an error wrapping ErrInvalid; a product or lot with no event, one
// wrapping store.ErrNotFound.
func (t *Tracer) FSMA204(ctx context.Context, q FSMAQuery) ([]FSMARow, error) {
	if (q.Product == "") == (len(q.Lots) == 0) {
		return nil, fmt.Errorf("%w: give either a product GTIN or one or more lots", ErrInvalid)
	}
	window := spanOf(q.From, q.To)
	if window.empty() {
		return nil, fmt.Errorf("%w: time window from %s to %s is empty; give from before to", ErrInvalid, q.From.Format(time.RFC3339), q.To.Format(time.RFC3339))
	}
	lots, err := t.fsmaLots(ctx, q)
	if err != nil {
		return nil, err
	}
	var rows []FSMARow
	for _, lot := range lots {
		lr, err := t.fsmaLotRows(ctx, lot, window, q.Describe)
		if err != nil {
			return nil, fmt.Errorf("fsma 204 export of %s: %w", lot, err)
		}
		rows = append(rows, lr...)
	}
	slices.SortStableFunc(rows, func(a, b FSMARow) int {
		if c := a.EventTime.Compare(b.EventTime); c != 0 {
			return c
		}
		return strings.Compare(a.TLCID, b.TLCID)
	})
	return rows, nil
}

// fsmaLots returns the canonical LGTINs the query selects.
func (t *Tracer) fsmaLots(ctx context.Context, q FSMAQuery) ([]string, error) {
	var candidates []string
	if q.Product != "" {
		scan, err := ident.Parse(q.Product)
		if err != nil || scan.Product == "" {
			return nil, fmt.Errorf("%w: product %q is no GTIN; give 8 to 14 digits or a GS1 Digital Link", ErrInvalid, q.Product)
		}
		touches, err := t.ls.ClassTouches(ctx, scan.Product+"/", q.From, q.To)
		if err != nil {
			return nil, err
		}
		for _, tc := range touches {
			candidates = append(candidates, tc.ID)
		}
		if len(candidates) == 0 {
			return nil, fmt.Errorf("fsma 204 export: no event names product %s in the time window: %w", scan.Product, store.ErrNotFound)
		}
	} else {
		for _, l := range q.Lots {
			id, err := CanonicalID(l)
			if err != nil {
				return nil, err
			}
			candidates = append(candidates, id)
		}
	}
	seen := map[string]bool{}
	var lots, instances []string
	for _, id := range candidates {
		if seen[id] {
			continue
		}
		seen[id] = true
		if _, lot := gtinLot(id); lot != "" {
			lots = append(lots, id)
		} else {
			instances = append(instances, id)
		}
	}
	if len(instances) > 0 {
		edges, err := t.ls.Edges(ctx, store.EdgeFilter{To: instances, Kinds: []store.EdgeKind{store.EdgeSameLot}})
		if err != nil {
			return nil, err
		}
		for _, e := range edges {
			if !seen[e.From] && !e.Declared {
				seen[e.From] = true
				lots = append(lots, e.From)
			}
		}
	}
	if len(lots) == 0 {
		return nil, fmt.Errorf("fsma 204 export: no traceability lot found for %v; give LGTINs such as https://id.gs1.org/01/{gtin}/10/{lot}: %w", candidates, store.ErrNotFound)
	}
	slices.Sort(lots)
	return lots, nil
}

// fsmaEvent is one event of a lot: the event number, the role of the
// lot's object in it, and the quantity of the lot it moved.
type fsmaEvent struct {
	seq      int64
	role     store.Role
	quantity float64
	uom      string
}

// fsmaLotRows returns the rows of one lot: events naming the lot, its
// instances, or a container while it held them.
func (t *Tracer) fsmaLotRows(ctx context.Context, lot string, window span, describe func(string) string) ([]FSMARow, error) {
	edges := newEdgeCache(t.ls)
	if err := edges.load(ctx, []string{lot}, true); err != nil {
		return nil, err
	}
	objects := []string{lot}
	for _, e := range edges.from[lot] {
		if e.Kind == store.EdgeSameLot && !e.Declared && !slices.Contains(objects, e.To) {
			objects = append(objects, e.To)
		}
	}
	touches, err := t.ls.Touches(ctx, objects)
	if err != nil {
		return nil, err
	}
	events := map[int64]*fsmaEvent{}
	var order []int64
	note := func(tc store.Touch, qty float64, uom string) {
		if !window.contains(tc.Time.UnixNano()) {
			return
		}
		ev := events[tc.Seq]
		if ev == nil {
			ev = &fsmaEvent{seq: tc.Seq, role: tc.Role}
			events[tc.Seq] = ev
			order = append(order, tc.Seq)
		}
		if ev.uom == "" || ev.uom == uom {
			ev.quantity += qty
			ev.uom = uom
		}
	}
	for _, tc := range touches {
		if tc.ID == lot {
			q, uom := 0.0, tc.UOM
			if tc.Quantity != nil {
				q = *tc.Quantity
			}
			note(tc, q, uom)
			continue
		}
		note(tc, 1, "EA")
	}
	// Events of containers while they held instances of the lot.
	held, err := enclosing(ctx, edges, objects[1:])
	if err != nil {
		return nil, err
	}
	containers := make([]string, 0, len(held))
	for c := range held {
		containers = append(containers, c)
	}
	slices.Sort(containers)
	ctouches, err := t.ls.Touches(ctx, containers)
	if err != nil {
		return nil, err
	}
	for _, tc := range ctouches {
		if _, direct := events[tc.Seq]; direct {
			continue // the event lists the items themselves
		}
		n := 0
		for _, s := range held[tc.ID] {
			if at := tc.Time.UnixNano(); s.from <= at && at < s.to {
				n++
			}
		}
		if n > 0 {
			note(tc, float64(n), "EA")
		}
	}

	steps, err := t.ls.Steps(ctx, order)
	if err != nil {
		return nil, err
	}
	gtin, lotCode := gtinLot(lot)
	source := ""
	for _, tc := range touches {
		if st, ok := steps[tc.Seq]; ok && locationOf(st) != "" {
			source = locationOf(st)
			break
		}
	}
	desc := ""
	if describe != nil {
		desc = describe(gtin)
	}
	var rows []FSMARow
	for _, seq := range order {
		st, ok := steps[seq]
		if !ok || st.Declared {
			continue
		}
		ev := events[seq]
		cte := cteOf(st, ev.role)
		if cte == cteNone {
			continue
		}
		row := FSMARow{
			CTE: cte, EventTime: localTime(st), TLC: lotCode, TLCID: lot, TLCSource: source,
			GTIN: gtin, Description: desc, Quantity: ev.quantity, UOM: ev.uom,
			Location: locationOf(st), EventID: st.EventID,
		}
		row.ShipFrom = partyOrLocation(st.Sources)
		row.ShipTo = partyOrLocation(st.Destinations)
		if len(st.BizTransactions) > 0 {
			row.RefDocType = cbvLocal(st.BizTransactions[0].Type)
			row.RefDocNumber = st.BizTransactions[0].Value
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func locationOf(st store.Step) string {
	if st.BizLocation != "" {
		return st.BizLocation
	}
	return st.ReadPoint
}

// partyOrLocation returns the location entry of a source or destination
// list, else its owning party, else its first entry.
func partyOrLocation(list []epcis.SourceDest) string {
	for _, typ := range []string{sdLocation, sdOwningParty} {
		for _, e := range list {
			if e.Type == typ {
				return e.Value
			}
		}
	}
	if len(list) > 0 {
		return list[0].Value
	}
	return ""
}

// localTime returns the step's event time in its eventTimeZoneOffset, or
// UTC when the offset is absent or malformed.
func localTime(st store.Step) time.Time {
	off := st.TimeZoneOffset
	if len(off) == 6 && (off[0] == '+' || off[0] == '-') && off[3] == ':' {
		h, m := int(off[1]-'0')*10+int(off[2]-'0'), int(off[4]-'0')*10+int(off[5]-'0')
		secs := (h*60 + m) * 60
		if off[0] == '-' {
			secs = -secs
		}
		return st.EventTime.In(time.FixedZone(off, secs))
	}
	return st.EventTime.UTC()
}

// enclosing returns, for every container that held one of objects
// directly or through up to maxNesting levels of containers, the spans
// during which it held each of them (one span per object and path).
func enclosing(ctx context.Context, edges *edgeCache, objects []string) (map[string][]span, error) {
	held := map[string][]span{}
	type inside struct {
		id   string
		span span
	}
	level := make([]inside, len(objects))
	for i, o := range objects {
		level[i] = inside{o, everything}
	}
	for range maxNesting {
		ids := make([]string, len(level))
		for i, in := range level {
			ids[i] = in.id
		}
		if err := edges.load(ctx, ids, false); err != nil {
			return nil, err
		}
		var parents []string
		for _, id := range ids {
			for _, e := range edges.to[id] {
				if e.Kind == store.EdgeContains {
					parents = append(parents, e.From)
				}
			}
		}
		if len(parents) == 0 {
			break
		}
		if err := edges.load(ctx, parents, true); err != nil {
			return nil, err
		}
		var next []inside
		for _, in := range level {
			done := map[string]bool{}
			for _, e := range edges.to[in.id] {
				if e.Kind != store.EdgeContains || done[e.From] {
					continue
				}
				done[e.From] = true
				for _, s := range edges.spans(store.EdgeContains, e.From, in.id) {
					if both := s.intersect(in.span); !both.empty() {
						held[e.From] = append(held[e.From], both)
						next = append(next, inside{e.From, both})
					}
				}
			}
		}
		level = next
	}
	return held, nil
}
