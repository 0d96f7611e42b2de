package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
)

var _ store.LineageStore = (*Store)(nil)

// Lineage tables written by Capture, with their columns in insert order.
var (
	lineageEdgesTable   = bulkTable{"lineage_edges", []string{"from_id", "to_id", "kind", "op", "event_time", "event_seq", "quantity", "uom"}}
	lineageTouchesTable = bulkTable{"lineage_touches", []string{"canonical", "role", "event_time", "event_seq", "quantity", "uom"}}
	lineageStepsTable   = bulkTable{"lineage_steps", []string{"event_seq", "step"}}
)

// lineageRows holds the lineage rows of one capture transaction, flat as
// insertRows takes them.
type lineageRows struct {
	edges, touches, steps []any
}

// add queues the lineage rows of record r, stored as event seq.
func (l *lineageRows) add(seq int64, r *store.Record) error {
	lin := r.Lineage
	if lin == nil {
		return nil
	}
	for _, e := range lin.Edges {
		l.edges = append(l.edges, e.From, e.To, string(e.Kind), string(e.Op), e.Time.UnixNano(), seq, floatOrNull(e.Quantity), nullString(e.UOM))
	}
	for _, t := range lin.Touches {
		l.touches = append(l.touches, t.ID, string(t.Role), t.Time.UnixNano(), seq, floatOrNull(t.Quantity), nullString(t.UOM))
	}
	step, err := json.Marshal(lin.Step)
	if err != nil {
		return fmt.Errorf("encode lineage step of event %s: %w", r.Event.EventID, err)
	}
	l.steps = append(l.steps, seq, step)
	return nil
}

// write inserts the queued rows. The caller must hold s.mu.
func (l *lineageRows) write(ctx context.Context, s *Store, tx *sql.Tx) error {
	for _, b := range []struct {
		table bulkTable
		args  []any
	}{{lineageEdgesTable, l.edges}, {lineageTouchesTable, l.touches}, {lineageStepsTable, l.steps}} {
		if err := s.insertRows(ctx, tx, b.table, b.args); err != nil {
			return err
		}
	}
	return nil
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
	sqlEdgeColumns = `SELECT e.rowid, e.from_id, e.to_id, e.kind, e.op, e.event_time, e.event_seq, e.quantity, COALESCE(e.uom, ''), ev.error_declared
FROM lineage_edges e JOIN events ev ON ev.seq = e.event_seq WHERE `
	sqlTouchColumns = `SELECT canonical, role, event_time, event_seq, quantity, COALESCE(uom, '') FROM lineage_touches WHERE `
	sqlStepColumns  = `SELECT s.event_seq, s.step, ev.error_declared FROM lineage_steps s JOIN events ev ON ev.seq = s.event_seq WHERE s.event_seq IN `
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
	seen := map[int64]bool{}
	var out []edgeRow
	for _, side := range []struct {
		column string
		ids    []string
	}{{"e.from_id", f.From}, {"e.to_id", f.To}} {
		err := eachChunk(side.ids, func(ids []string) error {
			q := sqlEdgeColumns + side.column + " IN " + params(len(ids)) + kinds
			rows, err := s.read.QueryContext(ctx, q, append(anys(ids), kindArgs...)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var (
					r        edgeRow
					kind, op string
					t        int64
					qty      sql.NullFloat64
					declared int64
				)
				if err := rows.Scan(&r.rowid, &r.From, &r.To, &kind, &op, &t, &r.Seq, &qty, &r.UOM, &declared); err != nil {
					return err
				}
				if seen[r.rowid] {
					continue
				}
				seen[r.rowid] = true
				r.Kind, r.Op, r.Time, r.Declared = store.EdgeKind(kind), store.EdgeOp(op), time.Unix(0, t).UTC(), declared != 0
				if qty.Valid {
					r.Quantity = &qty.Float64
				}
				out = append(out, r)
			}
			return rows.Err()
		})
		if err != nil {
			return nil, fmt.Errorf("read lineage edges: %w", err)
		}
	}
	slices.SortFunc(out, func(a, b edgeRow) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		if a.Seq != b.Seq {
			return int(a.Seq - b.Seq)
		}
		return int(a.rowid - b.rowid)
	})
	edges := make([]store.Edge, len(out))
	for i := range out {
		edges[i] = out[i].Edge
	}
	return edges, nil
}

type edgeRow struct {
	store.Edge
	rowid int64
}

// Touches returns the touches of ids, as store.LineageStore documents.
func (s *Store) Touches(ctx context.Context, ids []string) ([]store.Touch, error) {
	var out []store.Touch
	err := eachChunk(ids, func(ids []string) error {
		return s.scanTouches(ctx, sqlTouchColumns+"canonical IN "+params(len(ids)), anys(ids), &out)
	})
	if err != nil {
		return nil, fmt.Errorf("read lineage touches: %w", err)
	}
	sortTouches(out)
	return out, nil
}

// ClassTouches returns the touches of identifiers starting with prefix, as
// store.LineageStore documents.
func (s *Store) ClassTouches(ctx context.Context, prefix string, from, to time.Time) ([]store.Touch, error) {
	if prefix == "" {
		return nil, fmt.Errorf("read lineage touches: identifier prefix is empty: %w", store.ErrInvalid)
	}
	q := sqlTouchColumns + `canonical >= ? AND canonical < ?`
	args := []any{prefix, prefixEnd(prefix)}
	if !from.IsZero() {
		q += ` AND event_time >= ?`
		args = append(args, from.UnixNano())
	}
	if !to.IsZero() {
		q += ` AND event_time < ?`
		args = append(args, to.UnixNano())
	}
	var out []store.Touch
	if err := s.scanTouches(ctx, q, args, &out); err != nil {
		return nil, fmt.Errorf("read lineage touches of %s: %w", prefix, err)
	}
	sortTouches(out)
	return out, nil
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

func sortTouches(ts []store.Touch) {
	slices.SortStableFunc(ts, func(a, b store.Touch) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return int(a.Seq - b.Seq)
	})
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
				st       store.Step
			)
			if err := rows.Scan(&seq, &doc, &declared); err != nil {
				return err
			}
			if err := json.Unmarshal(doc, &st); err != nil {
				return fmt.Errorf("decode step of event seq %d: %w", seq, err)
			}
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
