package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
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

// lineageChunk is the most identifiers one lineage read binds.
const lineageChunk = 500

const (
	sqlEdgeColumns = `SELECT e.from_id, e.to_id, e.kind, e.op, e.event_time, e.event_seq, e.quantity, COALESCE(e.uom, ''), ev.error_declared
FROM lineage_edges e JOIN events ev ON ev.seq = e.event_seq WHERE `
	// Touches come from the identifier index: object roles only, with the
	// event time from the events row.
	sqlTouchColumns = `SELECT i.canonical, i.role, e.event_time, i.event_seq, i.quantity, COALESCE(i.uom, '')
FROM identifiers i JOIN events e ON e.seq = i.event_seq
WHERE i.role IN ('epc', 'parent', 'child', 'input', 'output', 'class', 'child_class', 'input_class', 'output_class') AND `
	sqlStepColumns = `SELECT seq, doc, error_declared FROM events WHERE seq IN `
)

// params returns "(?, ?, ?)" for n parameters.
func params(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

// eachChunk calls f with consecutive chunks of at most lineageChunk values.
func eachChunk[T any](values []T, f func([]T) error) error {
	for len(values) > 0 {
		n := min(len(values), lineageChunk)
		if err := f(values[:n]); err != nil {
			return err
		}
		values = values[n:]
	}
	return nil
}

func anys[T any](values []T) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

// Containment edges are read from the identifier index: the parentID row
// and the child rows of each AggregationEvent and AssociationEvent. A
// DELETE without children gives one edge to store.AllChildren.
const (
	sqlContainmentColumns = `SELECT p.canonical, COALESCE(c.canonical, ''),
    CASE e.event_type WHEN 'AggregationEvent' THEN 'contains' ELSE 'associated' END,
    lower(e.action), e.event_time, e.seq, c.quantity, COALESCE(c.uom, ''), e.error_declared `
	sqlContainmentFromParents = sqlContainmentColumns + `FROM identifiers p
JOIN events e ON e.seq = p.event_seq
LEFT JOIN identifiers c ON c.event_seq = p.event_seq AND c.role IN ('child', 'child_class') AND c.canonical <> p.canonical
WHERE p.role = 'parent' AND e.event_type IN ('AggregationEvent', 'AssociationEvent')
    AND (c.canonical IS NOT NULL OR e.action = 'DELETE') AND p.canonical IN `
	sqlContainmentToChildren = sqlContainmentColumns + `FROM identifiers c
JOIN events e ON e.seq = c.event_seq
JOIN identifiers p ON p.event_seq = c.event_seq AND p.role = 'parent'
WHERE c.role IN ('child', 'child_class') AND e.event_type IN ('AggregationEvent', 'AssociationEvent')
    AND c.canonical <> p.canonical AND c.canonical IN `
)

// wantsKind reports whether a filter's kinds include k; no kinds means all.
func wantsKind(kinds []store.EdgeKind, k store.EdgeKind) bool {
	return len(kinds) == 0 || slices.Contains(kinds, k)
}

// Edges returns the lineage edges matching f, as store.LineageStore
// documents.
func (s *Store) Edges(ctx context.Context, f store.EdgeFilter) ([]store.Edge, error) {
	kinds := ""
	var kindArgs []any
	if len(f.Kinds) > 0 {
		kinds = " AND e.kind IN " + params(len(f.Kinds))
		kindArgs = anys(f.Kinds)
		for i, k := range f.Kinds {
			kindArgs[i] = string(k)
		}
	}
	containment := wantsKind(f.Kinds, store.EdgeContains) || wantsKind(f.Kinds, store.EdgeAssociated)
	type edgeKey struct {
		from, to, kind string
		seq            int64
	}
	seen := map[edgeKey]bool{}
	var out []store.Edge
	for _, side := range []struct {
		ids           []string
		stored, built string
	}{
		{f.From, sqlEdgeColumns + "e.from_id IN ", sqlContainmentFromParents},
		{f.To, sqlEdgeColumns + "e.to_id IN ", sqlContainmentToChildren},
	} {
		err := eachChunk(side.ids, func(ids []string) error {
			queries := []struct {
				sql  string
				args []any
			}{{side.stored + params(len(ids)) + kinds, append(anys(ids), kindArgs...)}}
			if containment {
				queries = append(queries, struct {
					sql  string
					args []any
				}{side.built + params(len(ids)), anys(ids)})
			}
			for _, q := range queries {
				if err := s.scanEdges(ctx, q.sql, q.args, func(r store.Edge) {
					// An edge matching both From and To comes back twice.
					key := edgeKey{r.From, r.To, string(r.Kind), r.Seq}
					if !seen[key] && wantsKind(f.Kinds, r.Kind) {
						seen[key] = true
						out = append(out, r)
					}
				}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read lineage edges: %w", err)
		}
	}
	slices.SortFunc(out, func(a, b store.Edge) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		if a.Seq != b.Seq {
			return int(a.Seq - b.Seq)
		}
		if c := strings.Compare(a.From, b.From); c != 0 {
			return c
		}
		return strings.Compare(a.To, b.To)
	})
	return out, nil
}

// scanEdges runs an edge query and calls add for every row.
func (s *Store) scanEdges(ctx context.Context, q string, args []any, add func(store.Edge)) error {
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r        store.Edge
			kind, op string
			t        int64
			qty      sql.NullFloat64
			declared int64
		)
		if err := rows.Scan(&r.From, &r.To, &kind, &op, &t, &r.Seq, &qty, &r.UOM, &declared); err != nil {
			return err
		}
		r.Kind, r.Op, r.Time, r.Declared = store.EdgeKind(kind), store.EdgeOp(op), time.Unix(0, t).UTC(), declared != 0
		if qty.Valid {
			r.Quantity = &qty.Float64
		}
		add(r)
	}
	return rows.Err()
}

// Touches returns the touches of ids, as store.LineageStore documents.
func (s *Store) Touches(ctx context.Context, ids []string) ([]store.Touch, error) {
	var out []store.Touch
	err := eachChunk(ids, func(ids []string) error {
		return s.scanTouches(ctx, sqlTouchColumns+"i.canonical IN "+params(len(ids)), anys(ids), &out)
	})
	if err != nil {
		return nil, fmt.Errorf("read lineage touches: %w", err)
	}
	return firstRoles(out), nil
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
	rows, err := s.read.QueryContext(ctx, q, args...)
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
	rank := map[store.Role]int{}
	for i, r := range store.ObjectRoles {
		rank[r] = i
	}
	slices.SortStableFunc(ts, func(a, b store.Touch) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		if a.Seq != b.Seq {
			return int(a.Seq - b.Seq)
		}
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return rank[a.Role] - rank[b.Role]
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

// Steps returns the steps of the events seqs, as store.LineageStore
// documents.
func (s *Store) Steps(ctx context.Context, seqs []int64) (map[int64]store.Step, error) {
	out := make(map[int64]store.Step, len(seqs))
	err := eachChunk(seqs, func(seqs []int64) error {
		rows, err := s.read.QueryContext(ctx, sqlStepColumns+params(len(seqs)), anys(seqs)...)
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
	})
	if err != nil {
		return nil, fmt.Errorf("read lineage steps: %w", err)
	}
	return out, nil
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
