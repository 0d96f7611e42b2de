package cli

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/query"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

// benchRead times queries and traces on an existing store. Each identifier
// sampled from the store gets a first-page query by identifier
// (MATCH_anyEPC, or MATCH_anyEPCClass for a class), a backward trace and
// a forward trace. Items sampled from deep chains get a backward trace
// each, and wide lots a recall scope (see benchDeep and benchRecall). The
// latency percentiles of each are printed.
func benchRead(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("suyuan bench read", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	db := dbFlag(fs)
	samples := fs.Int("samples", 200, "抽样的标识数 / number of sampled identifiers")
	seed := fs.Uint64("seed", 1, "抽样的随机种子 / random seed of the sample")
	deep := fs.Int("deep", 300, "深链抽样的单品数（0 不测） / number of items sampled from deep chains (0: skip)")
	minHops := fs.Int("min-hops", 6, "深链单品上游的最少跳数 / least lineage hops upstream of a deep-chain item")
	var lots multiFlag
	fs.Var(&lots, "lot", "测召回范围的批次（可重复；默认找演示数据的宽批次） / lot to scope a recall of (repeatable; default: the wide lots of the demo data)")
	maxLots := fs.Int("lots", 3, "默认最多测几个宽批次 / most wide lots to scope when no --lot is given")
	runs := fs.Int("recall-runs", 3, "每个批次的召回范围次数（0 不测） / recall scope runs per lot (0: skip)")
	cpuProfile := fs.String("cpuprofile", "", "CPU 剖析输出文件（go tool pprof 读取） / write a CPU profile to this file, for go tool pprof")
	memProfile := fs.String("memprofile", "", "结束时写内存分配剖析（go tool pprof 读取） / write an allocation profile to this file at the end, for go tool pprof")
	if err := fs.Parse(args); err != nil {
		return parseError(err)
	}
	if *memProfile != "" {
		f, err := os.Create(*memProfile)
		if err != nil {
			return fmt.Errorf("create allocation profile: %w", err)
		}
		defer f.Close()
		defer func() {
			if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
				fmt.Fprintf(env.Stderr, "写内存分配剖析失败 / write allocation profile %s: %v\n", *memProfile, err)
			}
		}()
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("create CPU profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("start CPU profile %s: %w", *cpuProfile, err)
		}
		defer pprof.StopCPUProfile()
	}
	if *deep < 0 || *minHops < 0 || *runs < 0 || *maxLots < 0 {
		return usageErrorf("--deep、--min-hops、--lots 和 --recall-runs 须为 0 或正数 / --deep, --min-hops, --lots and --recall-runs take 0 or a positive number")
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return fmt.Errorf("open store %s: %w", redactDSN(*db), err)
	}
	defer st.Close()

	ids, err := sampleEPCs(ctx, st, *samples, *seed)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return fmt.Errorf("no identifiers found to sample in %s; import events first", redactDSN(*db))
	}
	fmt.Fprintf(env.Stdout, "store: %s, %d sampled identifiers\n", redactDSN(*db), len(ids))

	var queryTimes, backTimes, fwdTimes []time.Duration
	var backNodes, fwdNodes int
	for _, id := range ids {
		param := "MATCH_anyEPC"
		if strings.Contains(id, ":class:") || strings.Contains(id, "/10/") {
			param = "MATCH_anyEPCClass"
		}
		q, err := query.Parse(url.Values{param: {id}})
		if err != nil {
			return err
		}
		start := time.Now()
		if _, err := st.QueryEvents(ctx, q); err != nil {
			return fmt.Errorf("query %s: %w", id, err)
		}
		queryTimes = append(queryTimes, time.Since(start))
	}
	ls, ok := st.(store.LineageStore)
	if ok {
		tr := trace.New(ls)
		for _, id := range ids {
			for _, dir := range []trace.Direction{trace.Backward, trace.Forward} {
				start := time.Now()
				g, err := tr.Trace(ctx, id, trace.Options{Direction: dir})
				if err != nil {
					return fmt.Errorf("trace %s %s: %w", dir, id, err)
				}
				el := time.Since(start)
				if dir == trace.Backward {
					backTimes, backNodes = append(backTimes, el), backNodes+len(g.Nodes)
				} else {
					fwdTimes, fwdNodes = append(fwdTimes, el), fwdNodes+len(g.Nodes)
				}
			}
		}
	}
	printLatencies(env, "query by ID", queryTimes, "")
	printLatencies(env, "trace backward", backTimes, fmt.Sprintf("  (%.1f nodes on average)", float64(backNodes)/float64(max(1, len(backTimes)))))
	printLatencies(env, "trace forward", fwdTimes, fmt.Sprintf("  (%.1f nodes on average)", float64(fwdNodes)/float64(max(1, len(fwdTimes)))))
	if !ok {
		return nil
	}
	if *deep > 0 {
		if err := benchDeep(ctx, env, st, ls, *deep, *minHops, *seed); err != nil {
			return err
		}
	}
	if *runs > 0 {
		if err := benchRecall(ctx, env, ls, lots, *maxLots, *runs); err != nil {
			return err
		}
	}
	return nil
}

// printLatencies prints the 50th, 90th and 99th percentile and the
// maximum of d, sorting d.
func printLatencies(env *Env, name string, d []time.Duration, extra string) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	pct := func(p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))] }
	fmt.Fprintf(env.Stdout, "%-16s p50 %8.2f ms  p90 %8.2f ms  p99 %8.2f ms  max %8.2f ms%s\n", name,
		ms(pct(0.50)), ms(pct(0.90)), ms(pct(0.99)), ms(d[len(d)-1]), extra)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// sampleEPCs picks up to n distinct identifiers named by events at random
// positions of the store (the first instance or class identifier of each).
func sampleEPCs(ctx context.Context, st store.Store, n int, seed uint64) ([]string, error) {
	sc, ok := st.(store.Scanner)
	if !ok {
		return nil, fmt.Errorf("sample identifiers: this store type cannot scan its events")
	}
	size, err := st.LogSize(ctx)
	if err != nil {
		return nil, fmt.Errorf("sample EPCs: %w", err)
	}
	rng := rand.New(rand.NewPCG(seed, seed^0xbe7c))
	seen := map[string]bool{}
	var out []string
	for range n {
		evs, err := sc.ScanEvents(ctx, rng.Int64N(int64(max(size, 1))), 1)
		if err != nil {
			return nil, fmt.Errorf("sample EPCs: %w", err)
		}
		if len(evs) == 0 {
			continue
		}
		e, err := epcis.UnmarshalEventJSON(evs[0].Doc)
		if err != nil {
			return nil, fmt.Errorf("sample EPCs: event %s: %w", evs[0].EventID, err)
		}
		id := firstIdentifier(e)
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// firstIdentifier returns the first instance identifier of e, or else the
// first class identifier.
func firstIdentifier(e *epcis.Event) string {
	for _, list := range [][]string{e.EPCList, e.ChildEPCs, e.InputEPCList, e.OutputEPCList} {
		if len(list) > 0 {
			return list[0]
		}
	}
	if e.ParentID != "" {
		return e.ParentID
	}
	for _, list := range [][]epcis.QuantityElement{e.QuantityList, e.ChildQuantityList, e.InputQuantityList, e.OutputQuantityList} {
		if len(list) > 0 {
			return list[0].EPCClass
		}
	}
	return ""
}
