package trace

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestMergeByID checks the merge of depth runs against a sort by
// identifier.
func TestMergeByID(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var nodes []*Node
		for range rng.IntN(40) {
			nodes = append(nodes, &Node{ID: fmt.Sprintf("id%03d", rng.IntN(100)), Depth: rng.IntN(5)})
		}
		// describe's order: by depth, then by identifier.
		slices.SortFunc(nodes, func(a, b *Node) int {
			if a.Depth != b.Depth {
				return a.Depth - b.Depth
			}
			return strings.Compare(a.ID, b.ID)
		})
		want := slices.Clone(nodes)
		slices.SortStableFunc(want, func(a, b *Node) int { return strings.Compare(a.ID, b.ID) })
		got := mergeByID(slices.Clone(nodes))
		if len(got) != len(want) {
			t.Fatalf("round %d: got %d nodes, want %d", round, len(got), len(want))
		}
		for i := range got {
			if got[i].ID != want[i].ID {
				t.Fatalf("round %d: node %d is %s, want %s", round, i, got[i].ID, want[i].ID)
			}
		}
	}
}

// TestSortConcurrently checks the sort in parts against one sort.
func TestSortConcurrently(t *testing.T) {
	restore := SetConcurrency(1, 1)
	defer restore()
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 100 {
		var list []int
		for range rng.IntN(50) {
			list = append(list, rng.IntN(30))
		}
		want := slices.Sorted(slices.Values(list))
		got := sortConcurrently(slices.Clone(list), func(a, b int) int { return a - b })
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: got %v, want %v", round, got, want)
		}
	}
}
