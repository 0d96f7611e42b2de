package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
)

var _ store.LineageStore = (*Store)(nil)

// lineageEdgeColumns are the columns of lineage_edges, in copy order.
var lineageEdgeColumns = []string{"from_id", "to_id", "kind", "op", "event_time", "event_seq", "quantity", "uom"}

// copyLineage copies the lineage edges of new events into the database,
// inside the capture transaction.
func copyLineage(ctx context.Context, tx pgx.Tx, rows []*eventRow) error {
	var edges [][]any
	for _, row := range rows {
		if row.record.Lineage == nil {
			continue
		}
		for _, e := range row.record.Lineage.Edges {
			if e.Kind == store.EdgeContains || e.Kind == store.EdgeAssociated {
				continue // read from the identifier index instead
			}
			edges = append(edges, []any{e.From, e.To, string(e.Kind), string(e.Op), e.Time.UnixNano(), row.seq, e.Quantity, nullable(e.UOM)})
		}
	}
	if len(edges) == 0 {
		return nil
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"lineage_edges"}, lineageEdgeColumns, pgx.CopyFromRows(edges)); err != nil {
		return fmt.Errorf("capture: copy lineage_edges: %w", err)
	}
	return nil
}

const (
	// Each side is a separate query so that each uses its index; UNION
	// drops an edge that matches both sides. The order is total, so that
	// an event naming a child both as an EPC and as a class with a
	// quantity gives its two edges in the same order on every read. Containment edges come from
	// the parentID and child rows of the identifier index, and a DELETE
	// without children gives one edge to store.AllChildren.
	sqlLineageEdges = `SELECT x.from_id, x.to_id, x.kind, x.op, x.event_time, x.event_seq, x.quantity, COALESCE(x.uom, ''), ev.error_declared
FROM (
    SELECT from_id, to_id, kind, op, event_time, event_seq, quantity, uom
    FROM lineage_edges WHERE from_id = ANY($1) AND NOT $4
    UNION
    SELECT from_id, to_id, kind, op, event_time, event_seq, quantity, uom
    FROM lineage_edges WHERE to_id = ANY($2)
    UNION
    SELECT p.canonical, COALESCE(c.canonical, ''),
        (CASE e.event_type WHEN 'AggregationEvent' THEN 'contains' ELSE 'associated' END) COLLATE "C",
        lower(e.action) COLLATE "C", e.event_time, e.seq, c.quantity, c.uom
    FROM identifiers p
    JOIN events e ON e.seq = p.event_seq
    LEFT JOIN identifiers c ON c.event_seq = p.event_seq AND c.role IN ('child', 'child_class') AND c.canonical <> p.canonical
    WHERE p.canonical = ANY($1) AND p.role = 'parent' AND e.event_type IN ('AggregationEvent', 'AssociationEvent')
        AND (c.canonical IS NOT NULL OR e.action = 'DELETE')
        AND (NOT $4 OR (c.canonical IS NULL AND e.action = 'DELETE'))
    UNION
    SELECT p.canonical, c.canonical,
        (CASE e.event_type WHEN 'AggregationEvent' THEN 'contains' ELSE 'associated' END) COLLATE "C",
        lower(e.action) COLLATE "C", e.event_time, e.seq, c.quantity, c.uom
    FROM identifiers c
    JOIN events e ON e.seq = c.event_seq
    JOIN identifiers p ON p.event_seq = c.event_seq AND p.role = 'parent'
    WHERE c.canonical = ANY($2) AND c.role IN ('child', 'child_class') AND e.event_type IN ('AggregationEvent', 'AssociationEvent')
        AND c.canonical <> p.canonical
) x JOIN events ev ON ev.seq = x.event_seq
WHERE cardinality($3::text[]) = 0 OR x.kind = ANY($3)
ORDER BY x.event_time, x.event_seq, x.from_id, x.to_id, x.kind, x.quantity NULLS FIRST, x.uom NULLS FIRST`
	// Touches come from the identifier index, one per (identifier,
	// event) under the first object role; DISTINCT ON keeps that one.
	sqlLineageTouchesSelect = `SELECT DISTINCT ON (e.event_time, i.event_seq, i.canonical)
    i.canonical, i.role, e.event_time, i.event_seq, i.quantity, COALESCE(i.uom, '')
FROM identifiers i JOIN events e ON e.seq = i.event_seq
WHERE i.role = ANY('{epc,parent,child,input,output,class,child_class,input_class,output_class}') AND `
	sqlLineageTouchesOrder = `
ORDER BY e.event_time, i.event_seq, i.canonical, array_position('{epc,parent,child,input,output,class,child_class,input_class,output_class}'::text[], i.role::text)`
	sqlLineageTouches      = sqlLineageTouchesSelect + `i.canonical = ANY($1)` + sqlLineageTouchesOrder
	sqlLineageClassTouches = sqlLineageTouchesSelect + `i.canonical >= $1 AND i.canonical < $2 AND e.event_time >= $3 AND e.event_time < $4` + sqlLineageTouchesOrder
	sqlLineageSteps        = `SELECT seq, doc, error_declared FROM events WHERE seq = ANY($1)`
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
	rows, err := s.pool.Query(ctx, sqlLineageEdges, from, to, kinds, f.EmptiedOnly)
	if err != nil {
		return nil, fmt.Errorf("read lineage edges: %w", err)
	}
	defer rows.Close()
	var out []store.Edge
	for rows.Next() {
		var (
			e        store.Edge
			t        int64
			kind, op string
		)
		if err := rows.Scan(&e.From, &e.To, &kind, &op, &t, &e.Seq, &e.Quantity, &e.UOM, &e.Declared); err != nil {
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
			doc      []byte
			declared bool
		)
		if err := rows.Scan(&seq, &doc, &declared); err != nil {
			return nil, fmt.Errorf("read lineage steps: %w", err)
		}
		e, err := epcis.UnmarshalEventJSON(doc)
		if err != nil {
			return nil, fmt.Errorf("read lineage steps: decode stored event seq %d: %w", seq, err)
		}
		st := store.StepOf(e)
		st.Seq, st.Declared = seq, declared
		out[seq] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read lineage steps: %w", err)
	}
	return out, nil
}

// Adjacent returns the adjacency of ids, as store.LineageStore documents.
// The three reads run at the same time on connections of the pool.
func (s *Store) Adjacent(ctx context.Context, ids []string, emptiedOnly bool) (*store.Adjacency, error) {
	var a store.Adjacency
	if len(ids) == 0 {
		return &a, nil
	}
	errs := make(chan error, 3)
	go func() {
		var err error
		a.Touches, err = s.Touches(ctx, ids)
		errs <- err
	}()
	go func() {
		var err error
		a.Out, err = s.Edges(ctx, store.AdjacentOut(ids, emptiedOnly))
		errs <- err
	}()
	go func() {
		var err error
		a.In, err = s.Edges(ctx, store.EdgeFilter{To: ids, Kinds: []store.EdgeKind{store.EdgeContains, store.EdgeAssociated}})
		errs <- err
	}()
	var all []error
	for range 3 {
		all = append(all, <-errs)
	}
	if err := errors.Join(all...); err != nil {
		return nil, err
	}
	a.Group()
	return &a, nil
}
