package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
)

var _ store.LineageStore = (*Store)(nil)

// lineageEdgesTable is the lineage table written by Capture, with its
// columns in insert order.
var lineageEdgesTable = bulkTable{"lineage_edges", []string{"from_id", "to_id", "kind", "op", "event_time", "event_seq", "quantity", "uom"}}

// lineageRows holds the lineage edge rows of one capture transaction,
// flat as insertRows takes them.
type lineageRows struct {
	edges []any
}

// add queues the lineage rows of record r, stored as event seq. It
// returns an error for symmetry with the other row builders; it has none
// to report today.
func (l *lineageRows) add(seq int64, r *store.Record) error {
	lin := r.Lineage
	if lin == nil {
		return nil
	}
	for _, e := range lin.Edges {
		if e.Kind == store.EdgeContains || e.Kind == store.EdgeAssociated {
			continue // read from the identifier index instead
		}
		l.edges = append(l.edges, e.From, e.To, string(e.Kind), string(e.Op), e.Time.UnixNano(), seq, floatOrNull(e.Quantity), nullString(e.UOM))
	}
	return nil
}

// write inserts the queued rows. The caller must hold s.mu.
func (l *lineageRows) write(ctx context.Context, s *Store, tx *sql.Tx) error {
	return s.insertRows(ctx, tx, lineageEdgesTable, l.edges)
}

func floatOrNull(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// inJSON matches a column against the values of a JSON array bound as
// one parameter. A read of any number of identifiers is then one
// statement, which SQLite runs as one index search per value.
const inJSON = ` IN (SELECT value FROM json_each(?))`

// readQuery runs a query on the read pool with a statement prepared once
// per store.
func (s *Store) readQuery(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if v, ok := s.readStmts.Load(q); ok {
		return v.(*sql.Stmt).QueryContext(ctx, args...)
	}
	stmt, err := s.read.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if v, loaded := s.readStmts.LoadOrStore(q, stmt); loaded {
		stmt.Close()
		stmt = v.(*sql.Stmt)
	}
	return stmt.QueryContext(ctx, args...)
}

// distinctArray encodes ids as a JSON array parameter, each once and in
// ascending order, for the reads that join the array to an index. Those
// reads then return their rows grouped by identifier in that order, which
// spares most of the sorting that store.Adjacency requires.
func distinctArray(ids []string) (string, error) {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	return jsonArray(slices.Compact(sorted))
}

// jsonArray encodes values as the JSON array parameter of inJSON.
func jsonArray[T any](values []T) (string, error) {
	b, err := json.Marshal(values)
	return string(b), err
}

// Lineage reads fetch identifier and edge rows first, then the event
// rows they name, once per event. Many rows share a few events, such as
// the items of one commissioning or packing event, so joining each row to
// its event would search the events table again for every row.
//
// The reads of many identifiers join the JSON array of distinct
// identifiers (see distinctArray) to the index, array first. SQLite then
// searches the index once per element, where "IN (SELECT value FROM
// json_each(?))" would first build and balance a temporary index of the
// array.
const (
	sqlStoredEdges = `SELECT e.from_id, e.to_id, e.kind, e.op, e.event_time, e.event_seq, e.quantity, COALESCE(e.uom, '')
FROM json_each(?) j CROSS JOIN lineage_edges e ON e.`
	// Touches come from the identifier index, object roles only. The
	// role test is written +role so that SQLite reads each identifier's
	// rows in one range of the (canonical, role) index.
	sqlTouchRows = `SELECT i.canonical, i.role, i.event_seq, i.quantity, COALESCE(i.uom, '')
FROM json_each(?) j CROSS JOIN identifiers i ON i.canonical = j.value
WHERE +i.role IN ('epc', 'parent', 'child', 'input', 'output', 'class', 'child_class', 'input_class', 'output_class')`
	// Adjacent reads the touches and the edge_from marks in one search.
	sqlAdjacentRows = `SELECT i.canonical, i.role, i.event_seq, i.quantity, COALESCE(i.uom, '')
FROM json_each(?) j CROSS JOIN identifiers i ON i.canonical = j.value
WHERE +i.role IN ('epc', 'parent', 'child', 'input', 'output', 'class', 'child_class', 'input_class', 'output_class', 'edge_from')`
	sqlTouchColumns = `SELECT i.canonical, i.role, e.event_time, i.event_seq, i.quantity, COALESCE(i.uom, '')
FROM identifiers i JOIN events e INDEXED BY events_lineage ON e.seq = i.event_seq
WHERE i.role IN ('epc', 'parent', 'child', 'input', 'output', 'class', 'child_class', 'input_class', 'output_class') AND `
	sqlEventRows = `SELECT e.seq, e.event_type, COALESCE(e.action, ''), e.event_time, e.error_declared
FROM json_each(?) j CROSS JOIN events e INDEXED BY events_lineage ON e.seq = j.value`
	sqlStepColumns = `SELECT seq, doc, error_declared FROM events WHERE seq` + inJSON

	// Containment edges are read from the identifier index: the parentID
	// row and the child rows of each AggregationEvent and
	// AssociationEvent. A DELETE without children gives one edge to
	// store.AllChildren.
	sqlParentRowsByID = `SELECT canonical, event_seq, NULL, '' FROM identifiers WHERE role = 'parent' AND canonical` + inJSON
	sqlChildRowsByID  = `SELECT canonical, event_seq, quantity, COALESCE(uom, '') FROM identifiers
WHERE role IN ('child', 'child_class') AND canonical` + inJSON
	sqlParentRowsByEvent = `SELECT canonical, event_seq, NULL, '' FROM identifiers WHERE role = 'parent' AND event_seq` + inJSON
	sqlChildRowsByEvent  = `SELECT canonical, event_seq, quantity, COALESCE(uom, '') FROM identifiers
WHERE role IN ('child', 'child_class') AND event_seq` + inJSON
)

// wantsKind reports whether a filter's kinds include k; no kinds means all.
func wantsKind(kinds []store.EdgeKind, k store.EdgeKind) bool {
	return len(kinds) == 0 || slices.Contains(kinds, k)
}

// eventRow is the part of an events row that lineage reads use.
type eventRow struct {
	typ, action string
	time        int64
	declared    bool
}

// eventRows returns the event rows of seqs, keyed by seq.
func (s *Store) eventRows(ctx context.Context, seqs []int64) (map[int64]eventRow, error) {
	out := make(map[int64]eventRow, len(seqs))
	if len(seqs) == 0 {
		return out, nil
	}
	// The join reads each element of the array, so each number is given
	// once, in ascending order.
	sorted := slices.Clone(seqs)
	slices.Sort(sorted)
	arg, err := jsonArray(slices.Compact(sorted))
	if err != nil {
		return nil, err
	}
	rows, err := s.readQuery(ctx, sqlEventRows, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			seq      int64
			r        eventRow
			declared int64
		)
		if err := rows.Scan(&seq, &r.typ, &r.action, &r.time, &declared); err != nil {
			return nil, err
		}
		r.declared = declared != 0
		out[seq] = r
	}
	return out, rows.Err()
}

// idRow is one row of the identifier index.
type idRow struct {
	id  string
	seq int64
	qty sql.NullFloat64
	uom string
}

// idRows runs one of the sqlParentRows… and sqlChildRows… queries.
func (s *Store) idRows(ctx context.Context, q string, arg string) ([]idRow, error) {
	rows, err := s.readQuery(ctx, q, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []idRow
	for rows.Next() {
		var r idRow
		if err := rows.Scan(&r.id, &r.seq, &r.qty, &r.uom); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// distinctSeqs returns the event numbers of rows, each once.
func distinctSeqs(rows []idRow) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, r := range rows {
		if !seen[r.seq] {
			seen[r.seq] = true
			out = append(out, r.seq)
		}
	}
	return out
}

// containmentEdge returns the edge an aggregation or association event
// writes from parent to child, where child is store.AllChildren for a
// DELETE without children. It returns ok false for other event types.
func containmentEdge(ev eventRow, seq int64, parent string, child idRow) (store.Edge, bool) {
	kind := store.EdgeAssociated
	switch ev.typ {
	case "AggregationEvent":
		kind = store.EdgeContains
	case "AssociationEvent":
	default:
		return store.Edge{}, false
	}
	e := store.Edge{From: parent, To: child.id, Kind: kind, Op: store.EdgeOp(strings.ToLower(ev.action)),
		Time: time.Unix(0, ev.time).UTC(), Seq: seq, UOM: child.uom, Declared: ev.declared}
	if child.qty.Valid {
		q := child.qty.Float64
		e.Quantity = &q
	}
	return e, true
}

// containmentRows reads, for identifier rows matched in one containment
// role, the events they belong to and the rows of the other containment
// role in those events (byEvent), grouped by event seq. Event rows already
// in events are not read again; events may be nil.
func (s *Store) containmentRows(ctx context.Context, matched []idRow, byEvent string, events map[int64]eventRow) (map[int64]eventRow, map[int64][]idRow, error) {
	if len(matched) == 0 {
		return events, nil, nil
	}
	seqs := distinctSeqs(matched)
	var unread []int64
	for _, seq := range seqs {
		if _, ok := events[seq]; !ok {
			unread = append(unread, seq)
		}
	}
	if len(unread) > 0 {
		more, err := s.eventRows(ctx, unread)
		if err != nil {
			return nil, nil, err
		}
		// events may be read by another goroutine, so it is not written.
		for seq, ev := range events {
			more[seq] = ev
		}
		events = more
	}
	arg, err := jsonArray(seqs)
	if err != nil {
		return nil, nil, err
	}
	others, err := s.idRows(ctx, byEvent, arg)
	if err != nil {
		return nil, nil, err
	}
	bySeq := map[int64][]idRow{}
	for _, o := range others {
		bySeq[o.seq] = append(bySeq[o.seq], o)
	}
	return events, bySeq, nil
}

// containmentFromParents returns the containment edges leaving the
// parentID rows of parents.
func (s *Store) containmentFromParents(ctx context.Context, parents []idRow, events map[int64]eventRow) ([]store.Edge, error) {
	events, children, err := s.containmentRows(ctx, parents, sqlChildRowsByEvent, events)
	if err != nil {
		return nil, err
	}
	var out []store.Edge
	for _, p := range parents {
		ev := events[p.seq]
		n := 0
		for _, c := range children[p.seq] {
			if c.id == p.id {
				continue
			}
			if e, ok := containmentEdge(ev, p.seq, p.id, c); ok {
				out = append(out, e)
				n++
			}
		}
		if n == 0 && strings.EqualFold(ev.action, "DELETE") {
			if e, ok := containmentEdge(ev, p.seq, p.id, idRow{id: store.AllChildren}); ok {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// emptiedFrom returns the edges of the DELETEs without children of the
// parents in the JSON array ids. Only the child rows of DELETE events are
// read, to tell those that list children.
func (s *Store) emptiedFrom(ctx context.Context, ids string) ([]store.Edge, error) {
	parents, err := s.idRows(ctx, sqlParentRowsByID, ids)
	if err != nil || len(parents) == 0 {
		return nil, err
	}
	events, err := s.eventRows(ctx, distinctSeqs(parents))
	if err != nil {
		return nil, err
	}
	deletes := slices.DeleteFunc(parents, func(p idRow) bool { return !strings.EqualFold(events[p.seq].action, "DELETE") })
	edges, err := s.containmentFromParents(ctx, deletes, events)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(edges, func(e store.Edge) bool { return e.To != store.AllChildren }), nil
}

// containmentToChildren returns the containment edges reaching the child
// rows of children.
func (s *Store) containmentToChildren(ctx context.Context, children []idRow, events map[int64]eventRow) ([]store.Edge, error) {
	events, parents, err := s.containmentRows(ctx, children, sqlParentRowsByEvent, events)
	if err != nil {
		return nil, err
	}
	// Most children have one parent in each of their events.
	out := make([]store.Edge, 0, len(children))
	for _, c := range children {
		for _, p := range parents[c.seq] {
			if p.id == c.id {
				continue
			}
			if e, ok := containmentEdge(events[c.seq], c.seq, p.id, c); ok {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// storedEdges returns the edges of the lineage_edges table whose column
// (from_id or to_id) is one of ids, of the given kinds (all when none).
func (s *Store) storedEdges(ctx context.Context, column, ids string, kinds []store.EdgeKind) ([]store.Edge, error) {
	q := sqlStoredEdges + column + " = j.value"
	args := []any{ids}
	if len(kinds) > 0 {
		q += " WHERE e.kind IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(kinds)), ", ") + ")"
		for _, k := range kinds {
			args = append(args, string(k))
		}
	}
	rows, err := s.readQuery(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Edge
	for rows.Next() {
		var (
			r        store.Edge
			kind, op string
			t        int64
			qty      sql.NullFloat64
		)
		if err := rows.Scan(&r.From, &r.To, &kind, &op, &t, &r.Seq, &qty, &r.UOM); err != nil {
			return nil, err
		}
		r.Kind, r.Op, r.Time = store.EdgeKind(kind), store.EdgeOp(op), time.Unix(0, t).UTC()
		if qty.Valid {
			r.Quantity = &qty.Float64
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Edges returns the lineage edges matching f, as store.LineageStore
// documents.
func (s *Store) Edges(ctx context.Context, f store.EdgeFilter) ([]store.Edge, error) {
	out, err := s.edges(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("read lineage edges: %w", err)
	}
	return out, nil
}

func (s *Store) edges(ctx context.Context, f store.EdgeFilter) ([]store.Edge, error) {
	containment := wantsKind(f.Kinds, store.EdgeContains) || wantsKind(f.Kinds, store.EdgeAssociated)
	// Capture stores no containment edges in lineage_edges.
	readStored := len(f.Kinds) == 0 || slices.ContainsFunc(f.Kinds, func(k store.EdgeKind) bool {
		return k != store.EdgeContains && k != store.EdgeAssociated
	})
	var stored, built []store.Edge
	for _, side := range []struct {
		ids       []string
		column    string
		byID      string
		contained func(context.Context, []idRow, map[int64]eventRow) ([]store.Edge, error)
		emptied   bool
	}{
		{f.From, "from_id", sqlParentRowsByID, s.containmentFromParents, f.EmptiedOnly},
		{f.To, "to_id", sqlChildRowsByID, s.containmentToChildren, false},
	} {
		if len(side.ids) == 0 {
			continue
		}
		arg, err := distinctArray(side.ids)
		if err != nil {
			return nil, err
		}
		if side.emptied {
			if containment {
				rows, err := s.emptiedFrom(ctx, arg)
				if err != nil {
					return nil, err
				}
				built = append(built, rows...)
			}
			continue
		}
		if readStored {
			rows, err := s.storedEdges(ctx, side.column, arg, f.Kinds)
			if err != nil {
				return nil, err
			}
			stored = append(stored, rows...)
		}
		if containment {
			matched, err := s.idRows(ctx, side.byID, arg)
			if err != nil {
				return nil, err
			}
			rows, err := side.contained(ctx, matched, nil)
			if err != nil {
				return nil, err
			}
			built = append(built, rows...)
		}
	}
	return s.finishEdges(ctx, stored, built, nil, f.Kinds, len(f.From) > 0 && len(f.To) > 0, nil)
}

// finishEdges returns the stored and built (containment) edges of one
// read, in the order and with the duplicates dropped that Edges
// documents, or grouped by the identifier group returns when group is not
// nil, as Adjacency documents. Stored edges take error_declared from their
// event rows, read unless already in events. both reports that the read
// matched edges on either side, so that a stored edge can come back twice.
func (s *Store) finishEdges(ctx context.Context, stored, built []store.Edge, events map[int64]eventRow, kinds []store.EdgeKind, both bool, group func(store.Edge) string) ([]store.Edge, error) {

	seen := map[int64]bool{}
	var unread []int64
	for _, e := range stored {
		if _, ok := events[e.Seq]; !ok && !seen[e.Seq] {
			seen[e.Seq] = true
			unread = append(unread, e.Seq)
		}
	}
	if len(unread) > 0 {
		more, err := s.eventRows(ctx, unread)
		if err != nil {
			return nil, err
		}
		if events == nil {
			events = more
		} else {
			for seq, ev := range more {
				events[seq] = ev
			}
		}
	}
	type edgeKey struct {
		from, to string
		kind     store.EdgeKind
		seq      int64
	}
	// An edge matching both From and To comes back twice, and an event
	// listing a child twice gives its containment edge twice. Stored
	// edges of one side are unique by the table's key.
	dedup := map[edgeKey]bool{}
	// With one list empty, the other is filtered in place: an edge is
	// written at or before the place it was read from.
	var out []store.Edge
	switch {
	case len(stored) == 0:
		out = built[:0]
	case len(built) == 0:
		out = stored[:0]
	default:
		out = make([]store.Edge, 0, len(stored)+len(built))
	}
	for i, list := range [][]store.Edge{stored, built} {
		for _, e := range list {
			if i == 0 {
				ev, ok := events[e.Seq]
				if !ok {
					continue // as the join to events did
				}
				e.Declared = ev.declared
			}
			if !wantsKind(kinds, e.Kind) {
				continue
			}
			if both || i == 1 {
				key := edgeKey{e.From, e.To, e.Kind, e.Seq}
				if dedup[key] {
					continue
				}
				dedup[key] = true
			}
			out = append(out, e)
		}
	}
	sortGrouped(out, group != nil, group, func(a, b store.Edge) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		if a.Seq != b.Seq {
			return int(a.Seq - b.Seq)
		}
		if c := strings.Compare(a.From, b.From); c != 0 {
			return c
		}
		if c := strings.Compare(a.To, b.To); c != 0 {
			return c
		}
		return strings.Compare(string(a.Kind), string(b.Kind))
	})
	return out, nil
}

// Touches returns the touches of ids, as store.LineageStore documents.
func (s *Store) Touches(ctx context.Context, ids []string) ([]store.Touch, error) {
	out, err := s.touches(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("read lineage touches: %w", err)
	}
	return firstRoles(out), nil
}

func (s *Store) touches(ctx context.Context, ids []string) ([]store.Touch, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	arg, err := distinctArray(ids)
	if err != nil {
		return nil, err
	}
	out, err := s.touchRows(ctx, sqlTouchRows, arg, len(ids))
	if err != nil {
		return nil, err
	}
	events, err := s.eventRows(ctx, touchSeqs(out))
	if err != nil {
		return nil, err
	}
	timeTouches(out, events)
	return out, nil
}

// touchRows reads with q (sqlTouchRows or sqlAdjacentRows) the rows of
// the n identifiers in the JSON array ids, as touches without their time.
func (s *Store) touchRows(ctx context.Context, q, ids string, n int) ([]store.Touch, error) {
	rows, err := s.readQuery(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	// Most identifiers of a large read are items, named by about two
	// events each (commissioning and packing).
	out := make([]store.Touch, 0, 2*n)
	for rows.Next() {
		var (
			t    store.Touch
			role string
			qty  sql.NullFloat64
		)
		if err := rows.Scan(&t.ID, &role, &t.Seq, &qty, &t.UOM); err != nil {
			return nil, err
		}
		t.Role = store.Role(role)
		if qty.Valid {
			t.Quantity = &qty.Float64
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// touchSeqs returns the event numbers of touches, each once.
func touchSeqs(touches []store.Touch) []int64 {
	seen := make(map[int64]bool, len(touches)/4)
	var seqs []int64
	for _, t := range touches {
		if !seen[t.Seq] {
			seen[t.Seq] = true
			seqs = append(seqs, t.Seq)
		}
	}
	return seqs
}

// timeTouches sets the time of each touch from its event row.
func timeTouches(touches []store.Touch, events map[int64]eventRow) {
	for i := range touches {
		touches[i].Time = time.Unix(0, events[touches[i].Seq].time).UTC()
	}
}

// fewLeaving is the most identifiers whose stored edges edgesLeaving reads
// in two halves at the same time.
const fewLeaving = 1000

// edgesLeaving returns the stored edges leaving ids. A few identifiers
// can have many such edges, such as the lots of a production campaign
// with an edge to each of their items, so up to fewLeaving identifiers
// are read in two halves at the same time. A larger read is one of
// several that run at the same time already (see package trace).
func (s *Store) edgesLeaving(ctx context.Context, ids []string) ([]store.Edge, error) {
	halves := [][]string{ids}
	if len(ids) >= 2 && len(ids) <= fewLeaving {
		// Sorted halves give edges in the order of their From.
		ids = slices.Sorted(slices.Values(ids))
		halves = [][]string{ids[:len(ids)/2], ids[len(ids)/2:]}
	}
	parts := make([][]store.Edge, len(halves))
	errs := make([]error, len(halves))
	var wg sync.WaitGroup
	for i, half := range halves {
		wg.Go(func() {
			arg, err := distinctArray(half)
			if err == nil {
				parts[i], err = s.storedEdges(ctx, "from_id", arg, nil)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return slices.Concat(parts...), nil
}

// Adjacent returns the adjacency of ids, as store.LineageStore documents.
// One read of the identifier index gives the touches and also the parentID
// and child rows that containment edges start from. The stored edges
// leaving ids are read at the same time on another connection.
func (s *Store) Adjacent(ctx context.Context, ids []string, emptiedOnly bool) (*store.Adjacency, error) {
	a, err := s.adjacent(ctx, ids, emptiedOnly)
	if err != nil {
		return nil, fmt.Errorf("read lineage adjacency: %w", err)
	}
	return a, nil
}

func (s *Store) adjacent(ctx context.Context, ids []string, emptiedOnly bool) (*store.Adjacency, error) {
	a := &store.Adjacency{}
	if len(ids) == 0 {
		return a, nil
	}
	arg, err := distinctArray(ids)
	if err != nil {
		return nil, err
	}
	rows, err := s.touchRows(ctx, sqlAdjacentRows, arg, len(ids))
	if err != nil {
		return nil, err
	}
	// Stored edges are read only for the identifiers marked as their From.
	var sources []string
	touches := rows[:0]
	for _, t := range rows {
		if t.Role == store.RoleEdgeFrom {
			if n := len(sources); n == 0 || sources[n-1] != t.ID {
				sources = append(sources, t.ID)
			}
			continue
		}
		touches = append(touches, t)
	}
	var stored []store.Edge
	if !emptiedOnly && len(sources) > 0 {
		if stored, err = s.edgesLeaving(ctx, sources); err != nil {
			return nil, err
		}
	}

	var parents, children []idRow
	for _, t := range touches {
		r := idRow{id: t.ID, seq: t.Seq, uom: t.UOM}
		if t.Quantity != nil {
			r.qty = sql.NullFloat64{Float64: *t.Quantity, Valid: true}
		}
		switch t.Role {
		case store.RoleParent:
			parents = append(parents, r)
		case store.RoleChild, store.RoleChildClass:
			children = append(children, r)
		}
	}
	seqs := touchSeqs(touches)
	for _, e := range stored {
		seqs = append(seqs, e.Seq)
	}
	events, err := s.eventRows(ctx, seqs)
	if err != nil {
		return nil, err
	}
	timeTouches(touches, events)
	a.Touches = firstRolesByID(touches)
	if emptiedOnly {
		parents = slices.DeleteFunc(parents, func(p idRow) bool { return !strings.EqualFold(events[p.seq].action, "DELETE") })
	}

	// Every event the containment rows name is in events, so neither
	// goroutine reads the events table again or writes to the map.
	var out []store.Edge
	outErr := make(chan error, 1)
	go func() {
		var err error
		out, err = s.containmentFromParents(ctx, parents, events)
		outErr <- err
	}()
	in, err := s.containmentToChildren(ctx, children, events)
	if err := errors.Join(err, <-outErr); err != nil {
		return nil, err
	}
	if emptiedOnly {
		out = slices.DeleteFunc(out, func(e store.Edge) bool { return e.To != store.AllChildren })
	}
	if a.Out, err = s.finishEdges(ctx, stored, out, events, nil, false, func(e store.Edge) string { return e.From }); err != nil {
		return nil, err
	}
	if a.In, err = s.finishEdges(ctx, nil, in, events, nil, false, func(e store.Edge) string { return e.To }); err != nil {
		return nil, err
	}
	return a, nil
}

// ClassTouches returns the touches of identifiers starting with prefix, as
// store.LineageStore documents.
func (s *Store) ClassTouches(ctx context.Context, prefix string, from, to time.Time) ([]store.Touch, error) {
	if prefix == "" {
		return nil, fmt.Errorf("read lineage touches: identifier prefix is empty: %w", store.ErrInvalid)
	}
	q := sqlTouchColumns + `i.canonical >= ? AND i.canonical < ?`
	args := []any{prefix, prefixEnd(prefix)}
	if !from.IsZero() {
		q += ` AND e.event_time >= ?`
		args = append(args, from.UnixNano())
	}
	if !to.IsZero() {
		q += ` AND e.event_time < ?`
		args = append(args, to.UnixNano())
	}
	var out []store.Touch
	if err := s.scanTouches(ctx, q, args, &out); err != nil {
		return nil, fmt.Errorf("read lineage touches of %s: %w", prefix, err)
	}
	return firstRoles(out), nil
}

// prefixEnd returns the least string greater than every string starting
// with prefix, for a range scan of the index.
func prefixEnd(prefix string) string {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return string(append([]byte(prefix), 0xff))
}

func (s *Store) scanTouches(ctx context.Context, q string, args []any, out *[]store.Touch) error {
	rows, err := s.readQuery(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			t    store.Touch
			role string
			at   int64
			qty  sql.NullFloat64
		)
		if err := rows.Scan(&t.ID, &role, &at, &t.Seq, &qty, &t.UOM); err != nil {
			return err
		}
		t.Role, t.Time = store.Role(role), time.Unix(0, at).UTC()
		if qty.Valid {
			t.Quantity = &qty.Float64
		}
		*out = append(*out, t)
	}
	return rows.Err()
}

// firstRoles sorts touches by (Time, Seq) and keeps one per (identifier,
// event): the first in store.ObjectRoles order, as the event lists them.
func firstRoles(ts []store.Touch) []store.Touch {
	return firstRolesOrdered(ts, false)
}

// firstRolesByID is firstRoles with the touches grouped by identifier
// first, as store.Adjacency holds them.
func firstRolesByID(ts []store.Touch) []store.Touch {
	return firstRolesOrdered(ts, true)
}

func firstRolesOrdered(ts []store.Touch, byID bool) []store.Touch {
	rank := map[store.Role]int{}
	for i, r := range store.ObjectRoles {
		rank[r] = i
	}
	// The order is total, so that an unstable sort gives the same result
	// on every read: touches equal up to the role differ at most in
	// quantity and unit.
	sortGrouped(ts, byID, func(t store.Touch) string { return t.ID }, func(a, b store.Touch) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		if a.Seq != b.Seq {
			return int(a.Seq - b.Seq)
		}
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		if c := rank[a.Role] - rank[b.Role]; c != 0 {
			return c
		}
		if c := compareQuantity(a.Quantity, b.Quantity); c != 0 {
			return c
		}
		return strings.Compare(a.UOM, b.UOM)
	})
	out := ts[:0]
	for i, t := range ts {
		if i > 0 && t.Seq == ts[i-1].Seq && t.ID == ts[i-1].ID {
			continue
		}
		out = append(out, t)
	}
	return out
}

// sortGrouped sorts list by cmp, or, with grouped set, by key and then by
// cmp. Rows read by joining a sorted array of identifiers arrive in key
// order already, so then only each run of one key is sorted.
func sortGrouped[T any](list []T, grouped bool, key func(T) string, cmp func(a, b T) int) {
	if !grouped {
		slices.SortFunc(list, cmp)
		return
	}
	if !slices.IsSortedFunc(list, func(a, b T) int { return strings.Compare(key(a), key(b)) }) {
		slices.SortFunc(list, func(a, b T) int {
			if c := strings.Compare(key(a), key(b)); c != 0 {
				return c
			}
			return cmp(a, b)
		})
		return
	}
	for start := 0; start < len(list); {
		k := key(list[start])
		end := start + 1
		for end < len(list) && key(list[end]) == k {
			end++
		}
		if end-start > 1 {
			slices.SortFunc(list[start:end], cmp)
		}
		start = end
	}
}

// compareQuantity orders quantities with an absent one first.
func compareQuantity(a, b *float64) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return cmp.Compare(*a, *b)
}

// Steps returns the steps of the events seqs, as store.LineageStore
// documents.
func (s *Store) Steps(ctx context.Context, seqs []int64) (map[int64]store.Step, error) {
	out := make(map[int64]store.Step, len(seqs))
	if err := s.steps(ctx, seqs, out); err != nil {
		return nil, fmt.Errorf("read lineage steps: %w", err)
	}
	return out, nil
}

func (s *Store) steps(ctx context.Context, seqs []int64, out map[int64]store.Step) error {
	if len(seqs) == 0 {
		return nil
	}
	arg, err := jsonArray(seqs)
	if err != nil {
		return err
	}
	rows, err := s.readQuery(ctx, sqlStepColumns, arg)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			seq      int64
			doc      []byte
			declared int64
		)
		if err := rows.Scan(&seq, &doc, &declared); err != nil {
			return err
		}
		e, err := epcis.UnmarshalEventJSON(doc)
		if err != nil {
			return fmt.Errorf("decode stored event seq %d: %w", seq, err)
		}
		st := store.StepOf(e)
		st.Seq, st.Declared = seq, declared != 0
		out[seq] = st
	}
	return rows.Err()
}

// prepareLineage prepares the lineage INSERT statement in every chunk
// size on the write connection, once per store, so that captures bind
// them to their transaction instead of parsing them again. The caller
// must hold s.mu and no transaction may hold the write connection.
func (s *Store) prepareLineage(ctx context.Context) error {
	if _, ok := s.stmts[insertSQL(lineageEdgesTable, 1)]; ok {
		return nil
	}
	for size := maxChunkRows; size >= 1; size /= 2 {
		q := insertSQL(lineageEdgesTable, size)
		stmt, err := s.write.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare lineage statement: %w", err)
		}
		s.stmts[q] = stmt
	}
	return nil
}
