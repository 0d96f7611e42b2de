package cli

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"syscall"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/demo"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

// processCPU returns the user and system CPU time of this process so far.
// Under load it varies less than wall time, so bench read reports both.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// deepScanWindow is how many events benchDeep reads after each random
// position to find commissioning events.
const deepScanWindow = 128

// benchDeep times backward traces of n items from deep chains. It finds
// candidates in the store: at random positions it reads the events that
// follow and takes a random item of a random ObjectEvent ADD among them
// that lists instances (a commissioning). Each candidate is traced backward once. A
// candidate whose deepest upstream node is fewer than minHops lineage
// edges away is counted and skipped. The trace times of the others are
// reported with their hop counts. A hop is one lineage edge of the shortest path from
// the item to a node.
func benchDeep(ctx context.Context, env *Env, st store.Store, ls store.LineageStore, n, minHops int, seed uint64) error {
	sc, ok := st.(store.Scanner)
	if !ok {
		return fmt.Errorf("sample deep-chain items: this store type cannot scan its events")
	}
	size, err := st.LogSize(ctx)
	if err != nil {
		return fmt.Errorf("sample deep-chain items: %w", err)
	}
	rng := rand.New(rand.NewPCG(seed, seed^0xdee9))
	tr := trace.New(ls)
	seen := map[string]bool{}
	var (
		times                        []time.Duration
		hopSum, nodeSum, skipped     int
		minSeen, maxSeen, candidates int
		cpu                          time.Duration
	)
	minSeen = -1
	for attempts := 0; len(times) < n && attempts < 50*n; attempts++ {
		id, err := commissionedItem(ctx, sc, rng, int64(size))
		if err != nil {
			return err
		}
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		candidates++
		start, cpuStart := time.Now(), processCPU()
		g, err := tr.Trace(ctx, id, trace.Options{Direction: trace.Backward})
		el, cpuUsed := time.Since(start), processCPU()-cpuStart
		if err != nil {
			return fmt.Errorf("trace backward %s: %w", id, err)
		}
		hops := 0
		for _, node := range g.Nodes {
			hops = max(hops, node.Depth)
		}
		if hops < minHops {
			skipped++
			continue
		}
		times = append(times, el)
		cpu += cpuUsed
		hopSum += hops
		nodeSum += len(g.Nodes)
		if minSeen < 0 || hops < minSeen {
			minSeen = hops
		}
		maxSeen = max(maxSeen, hops)
	}
	if len(times) == 0 {
		return fmt.Errorf("抽样的 %d 个赋码单品都不足 %d 跳 / no item with at least %d hops upstream among %d commissioned items sampled; generate deep chains with \"suyuan bench gen\" or lower --min-hops",
			candidates, minHops, minHops, candidates)
	}
	fmt.Fprintf(env.Stdout, "deep chains: %d items with at least %d hops upstream (%d of %d candidates had fewer and were skipped)\n",
		len(times), minHops, skipped, candidates)
	fmt.Fprintf(env.Stdout, "  hops upstream: min %d, mean %.2f, max %d; %.1f nodes on average\n",
		minSeen, float64(hopSum)/float64(len(times)), maxSeen, float64(nodeSum)/float64(len(times)))
	printLatencies(env, "deep backward", times, fmt.Sprintf("  (CPU %.2f ms on average)", ms(cpu/time.Duration(len(times)))))
	return nil
}

// commissionedItem reads up to deepScanWindow events after a random
// position and returns a random instance of a random ObjectEvent ADD
// among them, or "" when there is none.
func commissionedItem(ctx context.Context, sc store.Scanner, rng *rand.Rand, size int64) (string, error) {
	evs, err := sc.ScanEvents(ctx, rng.Int64N(max(size, 1)), deepScanWindow)
	if err != nil {
		return "", fmt.Errorf("sample deep-chain items: %w", err)
	}
	var lists [][]string
	for _, ev := range evs {
		e, err := epcis.UnmarshalEventJSON(ev.Doc)
		if err != nil {
			return "", fmt.Errorf("sample deep-chain items: event %s: %w", ev.EventID, err)
		}
		if e.Type == epcis.ObjectEvent && e.Action == epcis.ActionAdd && len(e.EPCList) > 0 {
			lists = append(lists, e.EPCList)
		}
	}
	if len(lists) == 0 {
		return "", nil
	}
	list := lists[rng.IntN(len(lists))]
	return list[rng.IntN(len(list))], nil
}

// benchRecall times a number (runs) of recall scopes of each lot. Without lots it
// scopes up to maxLots wide lots of the demo data, found as the lots of
// the demo's wide-lot ingredient that the lineage index names (see
// demo.IsWideRound).
func benchRecall(ctx context.Context, env *Env, ls store.LineageStore, lots []string, maxLots, runs int) error {
	if len(lots) == 0 {
		gen, err := demo.New(1)
		if err != nil {
			return err
		}
		prefix := gen.WideLotPrefix()
		touches, err := ls.ClassTouches(ctx, prefix, time.Time{}, time.Time{})
		if err != nil {
			return fmt.Errorf("find wide lots: %w", err)
		}
		seen := map[string]bool{}
		for _, t := range touches {
			if !seen[t.ID] && len(lots) < maxLots {
				seen[t.ID] = true
				lots = append(lots, t.ID)
			}
		}
		if len(lots) == 0 {
			// NOTE: 400,000 events reach round WideLotRound at the
			// demo's mean of about 70 events a round, an estimate.
			fmt.Fprintf(env.Stdout, "recall scope: 库中没有宽批次 / no wide lot (%s…) in the store; generate 400,000 events or more with \"suyuan bench gen\", or name lots with --lot\n", prefix)
			return nil
		}
	}
	tr := trace.New(ls)
	for _, lot := range lots {
		var (
			times           []string
			items, affected int
		)
		for range runs {
			start, cpuStart := time.Now(), processCPU()
			sc, err := tr.RecallScope(ctx, []string{lot}, time.Time{}, time.Time{})
			el, cpu := time.Since(start), processCPU()-cpuStart
			if err != nil {
				return fmt.Errorf("recall scope of %s: %w", lot, err)
			}
			times = append(times, fmt.Sprintf("%.0f ms (CPU %.0f ms)", ms(el), ms(cpu)))
			affected, items = len(sc.Affected), 0
			for _, a := range sc.Affected {
				if a.Kind == trace.KindInstance {
					items++
				}
			}
		}
		fmt.Fprintf(env.Stdout, "recall scope %s: %d affected entries, %d items; runs: %s\n",
			lot, affected, items, strings.Join(times, ", "))
	}
	return nil
}
