package trace_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/internal/trace"
)

// TestSplitReadsSameResult checks on random chains that traces and recall
// scopes whose lineage reads are split into parts read at the same time
// equal those read in one statement each.
func TestSplitReadsSameResult(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			eachBackend(t, func(t *testing.T, st backend) {
				c := newChain(t)
				rng := rand.New(rand.NewPCG(seed, 7))
				ids := randomChain(c, rng, 60)
				whole := trace.WithSplitMin(c.captureAll(st, st, 7), 0)
				split := trace.WithSplitMin(whole, 1)
				ctx := context.Background()
				for _, id := range ids {
					for _, dir := range []trace.Direction{trace.Backward, trace.Forward, trace.Both} {
						want, err := whole.Trace(ctx, id, trace.Options{Direction: dir})
						if err != nil {
							t.Fatalf("Trace(%s, %s): %v", id, dir, err)
						}
						got, err := split.Trace(ctx, id, trace.Options{Direction: dir})
						if err != nil {
							t.Fatalf("split Trace(%s, %s): %v", id, dir, err)
						}
						sortLinks(want)
						sortLinks(got)
						if !reflect.DeepEqual(got, want) {
							t.Errorf("Trace(%s, %s) with split reads:\n got %+v\nwant %+v", id, dir, got, want)
						}
					}
					want, err := whole.RecallScope(ctx, []string{id}, time.Time{}, time.Time{})
					if err != nil {
						t.Fatalf("RecallScope(%s): %v", id, err)
					}
					got, err := split.RecallScope(ctx, []string{id}, time.Time{}, time.Time{})
					if err != nil {
						t.Fatalf("split RecallScope(%s): %v", id, err)
					}
					if !reflect.DeepEqual(got, want) {
						t.Errorf("RecallScope(%s) with split reads:\n got %+v\nwant %+v", id, got, want)
					}
				}
			})
		})
	}
}

// sortLinks orders the links of g on every exported field, because
// Trace orders them by endpoints only.
func sortLinks(g *trace.Graph) {
	key := func(l trace.Link) string {
		return fmt.Sprint(l.From, "|", l.To, "|", l.Kind, "|", deref(l.ValidFrom), "|", deref(l.ValidTo), "|", deref(l.Quantity), "|", l.UOM, "|", l.EventID)
	}
	slices.SortFunc(g.Links, func(a, b trace.Link) int { return strings.Compare(key(a), key(b)) })
}

// deref returns *p, or the zero value for nil.
func deref[T any](p *T) T {
	var v T
	if p != nil {
		v = *p
	}
	return v
}
