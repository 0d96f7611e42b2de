package trace_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

// randomChain builds a random supply chain of about steps events:
// commissioning with lots, transformations of lots and items into new
// lots, packing and unpacking (nested containers included), and shipping.
// It returns the identifiers it used.
func randomChain(c *chain, rng *rand.Rand, steps int) []string {
	var (
		objects    []string // items and lots that can be packed or transformed
		containers []string
		all        []string
		lots       int
	)
	newLot := func() string {
		lots++
		return c.lgtin(20+rng.IntN(3), fmt.Sprintf("R%d", lots))
	}
	qty := func(class string) epcis.QuantityElement {
		return epcis.QuantityElement{EPCClass: class, Quantity: float64(1 + rng.IntN(50)), HasQuantity: true, UOM: "KGM"}
	}
	for n := range 4 {
		containers = append(containers, c.sscc(100+n))
	}
	all = append(all, containers...)
	for h := 1; h <= steps; h++ {
		switch op := rng.IntN(10); {
		case op < 2 || len(objects) < 3:
			lotNo := fmt.Sprintf("C%d", h)
			g := 20 + rng.IntN(3)
			items := []string{c.sgtin(g, fmt.Sprintf("S%da", h)), c.sgtin(g, fmt.Sprintf("S%db", h))}
			c.commission(h, 1, lotNo, items...)
			objects = append(objects, items...)
			lot := c.lgtin(g, lotNo)
			objects = append(objects, lot)
			all = append(all, lot)
			all = append(all, items...)
		case op < 4:
			out := newLot()
			e := &epcis.Event{Type: epcis.TransformationEvent, EventTime: c.at(h), OutputQuantityList: []epcis.QuantityElement{qty(out)}}
			for range 1 + rng.IntN(2) {
				in := objects[rng.IntN(len(objects))]
				if in == out || contains(e.InputEPCList, in) || hasClass(e.InputQuantityList, in) {
					continue
				}
				if isClass(in) {
					e.InputQuantityList = append(e.InputQuantityList, qty(in))
				} else {
					e.InputEPCList = append(e.InputEPCList, in)
				}
			}
			if rng.IntN(3) == 0 {
				// Sometimes the output reworks into an existing lot: cycles.
				e.OutputQuantityList = append(e.OutputQuantityList, qty(objects[rng.IntN(len(objects))]))
				if rework := e.OutputQuantityList[1].EPCClass; !isClass(rework) || rework == out {
					e.OutputQuantityList = e.OutputQuantityList[:1]
				}
			}
			c.add(e)
			objects = append(objects, out)
			all = append(all, out)
		case op < 7:
			parent := containers[rng.IntN(len(containers))]
			e := &epcis.Event{Type: epcis.AggregationEvent, EventTime: c.at(h), Action: epcis.ActionAdd, ParentID: parent,
				BizStep: cbvStep + "packing"}
			for range 1 + rng.IntN(3) {
				child := objects[rng.IntN(len(objects))]
				if rng.IntN(5) == 0 {
					child = containers[rng.IntN(len(containers))]
				}
				if child == parent {
					continue
				}
				if isClass(child) && !hasClass(e.ChildQuantityList, child) {
					e.ChildQuantityList = append(e.ChildQuantityList, qty(child))
				} else if !contains(e.ChildEPCs, child) {
					e.ChildEPCs = append(e.ChildEPCs, child)
				}
			}
			if len(e.ChildEPCs)+len(e.ChildQuantityList) > 0 {
				c.add(e)
			}
		case op < 8:
			parent := containers[rng.IntN(len(containers))]
			if rng.IntN(2) == 0 {
				c.aggregate(h, epcis.ActionDelete, 1, parent)
			} else {
				c.aggregate(h, epcis.ActionDelete, 1, parent, objects[rng.IntN(len(objects))])
			}
		default:
			what := containers[rng.IntN(len(containers))]
			if rng.IntN(2) == 0 && !isClass(objects[len(objects)-1]) {
				what = objects[len(objects)-1]
			}
			c.ship(h, 1+rng.IntN(3), 1+rng.IntN(3), what)
		}
	}
	return dedupe(all)
}

func isClass(id string) bool {
	_, _, ok := cutLot(id)
	return ok
}

func cutLot(id string) (string, string, bool) {
	for i := len(id) - 1; i >= 3; i-- {
		if id[i-3:i+1] == "/10/" {
			return id[:i-3], id[i+1:], true
		}
	}
	return "", "", false
}

func hasClass(q []epcis.QuantityElement, class string) bool {
	for _, e := range q {
		if e.EPCClass == class {
			return true
		}
	}
	return false
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// TestPropertyForwardBackwardSymmetric checks on random chains that x is
// in forward(y) exactly when y is in backward(x).
func TestPropertyForwardBackwardSymmetric(t *testing.T) {
	for seed := uint64(1); seed <= 16; seed++ {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			if seed > 4 {
				// The later seeds run on SQLite only, to keep the
				// PostgreSQL run short.
				t.Run("sqlite", func(t *testing.T) { checkSymmetry(t, seed, openStore(t)) })
				return
			}
			eachBackend(t, func(t *testing.T, st backend) { checkSymmetry(t, seed, st) })
		})
	}
}

// checkSymmetry captures the random chain of seed into st and compares
// every forward trace with every backward trace.
func checkSymmetry(t *testing.T, seed uint64, st backend) {
	c := newChain(t)
	rng := rand.New(rand.NewPCG(seed, 42))
	ids := randomChain(c, rng, 60)
	tr := c.captureAll(st, st, 7)
	ctx := context.Background()

	forward := map[string]map[string]bool{}
	backward := map[string]map[string]bool{}
	for _, id := range ids {
		for dir, m := range map[trace.Direction]map[string]map[string]bool{trace.Forward: forward, trace.Backward: backward} {
			g, err := tr.Trace(ctx, id, trace.Options{Direction: dir})
			if err != nil {
				t.Fatalf("Trace(%s, %s): %v", id, dir, err)
			}
			m[id] = map[string]bool{}
			for _, n := range g.Nodes {
				m[id][n.ID] = true
			}
			if dir == trace.Forward {
				checkRecallHolders(t, tr, id, g)
				// The same with every read and worker split, as for a
				// lot of many items.
				restore := trace.SetConcurrency(1, 1)
				checkRecallHolders(t, tr, id, g)
				restore()
			}
		}
	}
	pairs := 0
	for _, x := range ids {
		for _, y := range ids {
			if forward[y][x] != backward[x][y] {
				t.Errorf("%s in forward(%s) is %v, but %s in backward(%s) is %v",
					x, y, forward[y][x], y, x, backward[x][y])
			}
			if forward[y][x] && x != y {
				pairs++
			}
		}
	}
	if pairs == 0 {
		t.Errorf("the generated chain links no two identifiers; the generator is broken")
	}
	t.Logf("%d identifiers, %d events, %d linked pairs", len(ids), len(c.events), pairs)
}

// checkRecallHolders checks that the recall scope of id, which reads less
// of the index than a trace, gives each item the holder that the forward
// trace g of id gives it.
func checkRecallHolders(t *testing.T, tr *trace.Tracer, id string, g *trace.Graph) {
	t.Helper()
	sc, err := tr.RecallScope(context.Background(), []string{id}, time.Time{}, time.Time{})
	if err != nil {
		t.Fatalf("RecallScope(%s): %v", id, err)
	}
	for _, a := range sc.Affected {
		if a.Kind != trace.KindInstance {
			continue
		}
		n := g.Node(a.ID)
		if n == nil {
			t.Errorf("recall scope of %s lists %s, which its forward trace does not reach", id, a.ID)
			continue
		}
		if got, want := holderEvent(a.Holder), holderEvent(n.Holder); got != want {
			t.Errorf("recall scope of %s: holder event of %s is %q, forward trace gives %q", id, a.ID, got, want)
		}
	}
}

func holderEvent(h *trace.Holder) string {
	if h == nil {
		return ""
	}
	return h.EventID
}
