package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/internal/bench"
)

// benchHTTP loads a running server (suyuan serve or suyuan demo) with
// consumer page or resolver requests at a constant rate and reports the
// achieved rate, errors and latency percentiles. The codes come from the
// server's store, read through --db.
func benchHTTP(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("suyuan bench http", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	base := fs.String("url", "http://127.0.0.1:8080", "被测服务器 / server under test, scheme and host")
	db := dbFlag(fs)
	mix := fs.String("mix", "page", "请求组合 / request mix: page (consumer page /scan?code=) or resolver (GS1 Digital Link /01/…)")
	rate := fs.Float64("rate", 2000, "每秒发出的请求数 / requests sent per second")
	duration := fs.Duration("duration", 60*time.Second, "计入结果的时长 / measured duration")
	warmup := fs.Duration("warmup", 5*time.Second, "预热时长（不计入结果） / warm-up before the measured duration, not counted")
	conns := fs.Int("connections", 64, "最多同时进行的请求（连接）数 / requests in flight at most, one keep-alive connection each")
	timeout := fs.Duration("timeout", 10*time.Second, "单个请求的时限 / time allowed for one request")
	perGroup := fs.Int("per-group", 5, "每种产品或码型抽取的码数 / codes sampled per product or code kind")
	unknown := fs.Int("unknown", 5, "加入的未知码数 / unknown codes added")
	seed := fs.Uint64("seed", 1, "抽样的随机种子 / random seed of the sample")
	if err := fs.Parse(args); err != nil {
		return parseError(err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected arguments %q", fs.Args())
	}
	if *perGroup <= 0 {
		return usageErrorf("--per-group %d: give a positive number of codes", *perGroup)
	}
	if *unknown < 0 {
		return usageErrorf("--unknown %d: give zero or a positive number of codes", *unknown)
	}

	st, err := openStore(ctx, *db)
	if err != nil {
		return fmt.Errorf("open store %s: %w", redactDSN(*db), err)
	}
	codes, err := bench.SampleCodes(ctx, st, bench.SampleOptions{PerGroup: *perGroup, Unknown: *unknown, Seed: *seed})
	st.Close()
	if err != nil {
		return err
	}
	var targets []bench.Target
	switch *mix {
	case "page":
		targets = bench.PageTargets(codes)
	case "resolver":
		targets = bench.ResolverTargets(codes)
	default:
		return usageErrorf("--mix %q: use page or resolver", *mix)
	}
	if len(targets) == 0 {
		return fmt.Errorf("no %s targets: the store %s has no codes for this mix; seed it first (suyuan demo)", *mix, redactDSN(*db))
	}
	opts := bench.LoadOptions{
		BaseURL: strings.TrimRight(*base, "/"), Targets: targets, Rate: *rate,
		Warmup: *warmup, Duration: *duration, Connections: *conns, Timeout: *timeout,
	}

	out := env.Stdout
	fmt.Fprintf(out, "机器 machine: %s/%s, %d CPUs, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(out, "目标 target: %s, mix %s, %d requests from %d codes of %s\n", opts.BaseURL, *mix, len(targets), len(codes), redactDSN(*db))
	fmt.Fprintf(out, "负载 rate: %.0f/s for %s after %s warm-up, %d connections\n", *rate, *duration, *warmup, *conns)
	fmt.Fprintf(out, "平均负载 load average before: %s\n", loadAverage())
	res, err := bench.RunLoad(ctx, opts)
	if err != nil {
		return usageErrorf("%v", err)
	}
	fmt.Fprintf(out, "平均负载 load average after:  %s\n", loadAverage())
	printLoadResult(out, res)

	switch {
	case res.Interrupted:
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("interrupted before the end of the run; the figures cover the part that ran")}
	case res.Errors > 0 || res.Mismatches > 0:
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%d errors and %d status mismatches; see the first ones above", res.Errors, res.Mismatches)}
	}
	return nil
}

// printLoadResult writes the report of one run: rate, errors, latency
// percentiles overall and per kind of request.
func printLoadResult(w io.Writer, r *bench.LoadResult) {
	fmt.Fprintf(w, "速率 achieved: %.1f requests/s (%d of %d scheduled requests answered in %.2fs)\n",
		r.AchievedRate(), r.Completed, r.Scheduled, r.Elapsed.Seconds())
	fmt.Fprintf(w, "错误 errors: %d, 状态不符 status mismatches: %d, 迟发 sent over %s late: %d\n",
		r.Errors, r.Mismatches, bench.LateThreshold, r.LateSends)
	for _, p := range r.FirstProblems {
		fmt.Fprintf(w, "  %s\n", p)
	}
	fmt.Fprintln(w, "延迟 latency from scheduled send time, responses with the expected status:")
	fmt.Fprintf(w, "  %-28s %8s %8s %8s %8s %8s %8s\n", "kind", "count", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms")
	row := func(name string, s bench.Summary) {
		fmt.Fprintf(w, "  %-28s %8d %8.2f %8.2f %8.2f %8.2f %8.2f\n", name, s.Count, ms(s.P50), ms(s.P90), ms(s.P99), ms(s.P999), ms(s.Max))
	}
	row("all", r.Latency)
	for _, k := range r.Kinds {
		row(k.Kind, k.Latency)
	}
}

// loadAverage returns the 1, 5 and 15 minute load averages of Linux, or
// a note where /proc/loadavg cannot be read.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown (no /proc/loadavg)"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
