package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/suyuan-trace/suyuan/internal/store"
)

var _ store.LineageStore = (*Store)(nil)

// Columns of the lineage tables, in copy order.
var (
	lineageEdgeColumns  = []string{"from_id", "to_id", "kind", "op", "event_time", "event_seq", "quantity", "uom"}
	lineageTouchColumns = []string{"canonical", "role", "event_time", "event_seq", "quantity", "uom"}
	lineageStepColumns  = []string{"event_seq", "step"}
)

// copyLineage copies the lineage rows of new events into the database,
// inside the capture transaction.
func copyLineage(ctx context.Context, tx pgx.Tx, rows []*eventRow) error {
	var edges, touches, steps [][]any
	for _, row := range rows {
		lin := row.record.Lineage
		if lin == nil {
			continue
		}
		for _, e := range lin.Edges {
			edges = append(edges, []any{e.From, e.To, string(e.Kind), string(e.Op), e.Time.UnixNano(), row.seq, e.Quantity, nullable(e.UOM)})
		}
		for _, t := range lin.Touches {
			touches = append(touches, []any{t.ID, string(t.Role), t.Time.UnixNano(), row.seq, t.Quantity, nullable(t.UOM)})
		}
		step, err := json.Marshal(lin.Step)
		if err != nil {
			return fmt.Errorf("capture: encode lineage step of event %s: %w", row.record.Event.EventID, err)
		}
		steps = append(steps, []any{row.seq, string(step)})
	}
	for _, c := range []copySet{
		{"lineage_edges", lineageEdgeColumns, edges},
		{"lineage_touches", lineageTouchColumns, touches},
		{"lineage_steps", lineageStepColumns, steps},
	} {
		if len(c.rows) == 0 {
			continue
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.columns, pgx.CopyFromRows(c.rows)); err != nil {
			return fmt.Errorf("capture: copy %s: %w", c.table, err)
		}
	}
	return nil
}

const (
	sqlLineageEdges = `SELECT e.id, e.from_id, e.to_id, e.kind, e.op, e.event_time, e.event_seq, e.quantity, COALESCE(e.uom, ''), ev.error_declared
FROM lineage_edges e JOIN events ev ON ev.seq = e.event_seq
WHERE (e.from_id = ANY($1) OR e.to_id = ANY($2)) AND (cardinality($3::text[]) = 0 OR e.kind = ANY($3))
ORDER BY e.event_time, e.event_seq, e.id`
	sqlLineageTouches = `SELECT canonical, role, event_time, event_seq, quantity, COALESCE(uom, '')
FROM lineage_touches WHERE canonical = ANY($1) ORDER BY event_time, event_seq`
	sqlLineageClassTouches = `SELECT canonical, role, event_time, event_seq, quantity, COALESCE(uom, '')
FROM lineage_touches WHERE canonical >= $1 AND canonical < $2 AND event_time >= $3 AND event_time < $4
ORDER BY event_time, event_seq`
	sqlLineageSteps = `SELECT s.event_seq, s.step::text, ev.error_declared
FROM lineage_steps s JOIN events ev ON ev.seq = s.event_seq WHERE s.event_seq = ANY($1)`
)

// Edges returns the lineage edges matching f, as store.LineageStore
// documents.
func (s *Store) Edges(ctx context.Context, f store.EdgeFilter) ([]store.Edge, error) {
	if len(f.From) == 0 && len(f.To) == 0 {
		return nil, nil
	}
	kinds := make([]string, len(f.Kinds))
	for i, k := range f.Kinds {
		kinds[i] = string(k)
	}
	from, to := nonNil(f.From), nonNil(f.To)
	rows, err := s.pool.Query(ctx, sqlLineageEdges, from, to, kinds)
	if err != nil {
		return nil, fmt.Errorf("read lineage edges: %w", err)
	}
	defer rows.Close()
	var out []store.Edge
	for rows.Next() {
		var (
			e        store.Edge
			id, t    int64
			kind, op string
		)
		if err := rows.Scan(&id, &e.From, &e.To, &kind, &op, &t, &e.Seq, &e.Quantity, &e.UOM, &e.Declared); err != nil {
			return nil, fmt.Errorf("read lineage edges: %w", err)
		}
		e.Kind, e.Op, e.Time = store.EdgeKind(kind), store.EdgeOp(op), time.Unix(0, t).UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read lineage edges: %w", err)
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Touches returns the touches of ids, as store.LineageStore documents.
func (s *Store) Touches(ctx context.Context, ids []string) ([]store.Touch, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	out, err := s.scanTouches(ctx, sqlLineageTouches, ids)
	if err != nil {
		return nil, fmt.Errorf("read lineage touches: %w", err)
	}
	return out, nil
}

// ClassTouches returns the touches of identifiers starting with prefix,
// as store.LineageStore documents.
func (s *Store) ClassTouches(ctx context.Context, prefix string, from, to time.Time) ([]store.Touch, error) {
	if prefix == "" {
		return nil, fmt.Errorf("read lineage touches: identifier prefix is empty: %w", store.ErrInvalid)
	}
	lo, hi := int64(-1<<63), int64(1<<63-1)
	if !from.IsZero() {
		lo = from.UnixNano()
	}
	if !to.IsZero() {
		hi = to.UnixNano()
	}
	out, err := s.scanTouches(ctx, sqlLineageClassTouches, prefix, prefixEnd(prefix), lo, hi)
	if err != nil {
		return nil, fmt.Errorf("read lineage touches of %s: %w", prefix, err)
	}
	return out, nil
}

// prefixEnd returns the least string greater than every string starting
// with prefix under the "C" collation. Canonical identifiers are ASCII,
// so the last byte below 0x7f is incremented.
func prefixEnd(prefix string) string {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0x7f {
			b[i]++
			return string(b[:i+1])
		}
	}
	return prefix + "\x7f"
}

func (s *Store) scanTouches(ctx context.Context, q string, args ...any) ([]store.Touch, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Touch
	for rows.Next() {
		var (
			t    store.Touch
			role string
			at   int64
		)
		if err := rows.Scan(&t.ID, &role, &at, &t.Seq, &t.Quantity, &t.UOM); err != nil {
			return nil, err
		}
		t.Role, t.Time = store.Role(role), time.Unix(0, at).UTC()
		out = append(out, t)
	}
	return out, rows.Err()
}

// Steps returns the steps of the events seqs, as store.LineageStore
// documents.
func (s *Store) Steps(ctx context.Context, seqs []int64) (map[int64]store.Step, error) {
	out := make(map[int64]store.Step, len(seqs))
	if len(seqs) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, sqlLineageSteps, slices.Clone(seqs))
	if err != nil {
		return nil, fmt.Errorf("read lineage steps: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			seq      int64
			doc      string
			declared bool
			st       store.Step
		)
		if err := rows.Scan(&seq, &doc, &declared); err != nil {
			return nil, fmt.Errorf("read lineage steps: %w", err)
		}
		if err := json.Unmarshal([]byte(doc), &st); err != nil {
			return nil, fmt.Errorf("read lineage steps: decode step of event seq %d: %w", seq, err)
		}
		st.Seq, st.Declared = seq, declared
		out[seq] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read lineage steps: %w", err)
	}
	return out, nil
}
