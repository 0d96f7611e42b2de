package party

import (
	"context"
	"fmt"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// The Guard serves the lineage index (store.LineageStore) to
// administrators only: a lineage walk crosses enterprises, and its edges
// and steps are not yet projected per audience.
// TODO: project lineage graphs for enterprises (their upstream chain) and
// regulators (their jurisdiction), as QueryEvents does for events.

// lineage returns the wrapped store's lineage index when the caller may
// read it.
func (g *Guard) lineage(ctx context.Context) (store.LineageStore, error) {
	ls, ok := g.Store.(store.LineageStore)
	if !ok {
		return nil, fmt.Errorf("store %T keeps no lineage index: %w", g.Store, store.ErrInvalid)
	}
	if PrincipalFrom(ctx).Audience() != Administrator {
		return nil, fmt.Errorf("tracing across enterprises is open to platform administrators only: %w", store.ErrForbidden)
	}
	return ls, nil
}

// Edges implements store.LineageStore for administrators.
func (g *Guard) Edges(ctx context.Context, f store.EdgeFilter) ([]store.Edge, error) {
	ls, err := g.lineage(ctx)
	if err != nil {
		return nil, err
	}
	return ls.Edges(ctx, f)
}

// Touches implements store.LineageStore for administrators.
func (g *Guard) Touches(ctx context.Context, ids []string) ([]store.Touch, error) {
	ls, err := g.lineage(ctx)
	if err != nil {
		return nil, err
	}
	return ls.Touches(ctx, ids)
}

// Steps implements store.LineageStore for administrators.
func (g *Guard) Steps(ctx context.Context, seqs []int64) (map[int64]store.Step, error) {
	ls, err := g.lineage(ctx)
	if err != nil {
		return nil, err
	}
	return ls.Steps(ctx, seqs)
}

// ClassTouches implements store.LineageStore for administrators.
func (g *Guard) ClassTouches(ctx context.Context, prefix string, from, to time.Time) ([]store.Touch, error) {
	ls, err := g.lineage(ctx)
	if err != nil {
		return nil, err
	}
	return ls.ClassTouches(ctx, prefix, from, to)
}
