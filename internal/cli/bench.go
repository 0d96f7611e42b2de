package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/suyuan-trace/suyuan/internal/bench"
	"github.com/suyuan-trace/suyuan/internal/demo"
)

func init() {
	register(&Command{
		Name:    "bench",
		Summary: "生成测试数据并测量性能 / generate data and measure performance",
		Usage:   "gen|import|floor|read|http [flags]   (suyuan bench SUBCOMMAND --help)",
		Run: func(ctx context.Context, env *Env, _ *flag.FlagSet, args []string) error {
			if len(args) == 0 {
				return usageErrorf("name a bench subcommand: gen, import, floor, read or http")
			}
			switch args[0] {
			case "gen":
				return benchGen(ctx, env, args[1:])
			case "import":
				return benchImport(ctx, env, args[1:])
			case "floor":
				return benchFloor(ctx, env, args[1:])
			case "read":
				return benchRead(ctx, env, args[1:])
			case "http":
				return benchHTTP(ctx, env, args[1:])
			}
			return usageErrorf("unknown bench subcommand %q: use gen, import, floor, read or http", args[0])
		},
	})
}

// benchGen writes demo supply-chain events (package demo) at any size as
// EPCIS 2.0 JSON-LD files, streaming them so that memory does not grow
// with the event count.
func benchGen(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("suyuan bench gen", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	events := fs.Int("events", 100000, "事件总数 / number of events")
	perDoc := fs.Int("per-doc", 1000, "每个文档的事件数 / events per document file")
	seed := fs.Uint64("seed", 1, "随机种子 / random seed (same seed, same data)")
	out := fs.String("out", "bench-data", "输出目录 / output directory")
	if err := fs.Parse(args); err != nil {
		return parseError(err)
	}
	if *events <= 0 {
		return usageErrorf("--events %d: give a positive number of events", *events)
	}
	if *perDoc <= 0 {
		return usageErrorf("--per-doc %d: give a positive number of events per file", *perDoc)
	}
	start := time.Now()
	gen, err := demo.New(*seed)
	if err != nil {
		return err
	}
	files, err := gen.WriteFiles(ctx, *out, demo.FileOptions{Events: *events, PerDocument: *perDoc})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "已生成 generated %d events in %d files under %s (%.1fs)\n",
		*events, len(files), *out, time.Since(start).Seconds())
	return nil
}

func benchFloor(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("suyuan bench floor", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	db := fs.String("db", "floor.db", "基线 SQLite 文件（须不存在） / floor SQLite file (must not exist)")
	if err := fs.Parse(args); err != nil {
		return parseError(err)
	}
	files, err := documentFiles(fs.Args())
	if err != nil {
		return err
	}
	start := time.Now()
	n, err := bench.Floor(ctx, *db, files)
	if err != nil {
		return err
	}
	el := time.Since(start)
	fmt.Fprintf(env.Stdout, "floor: %d events in %.2fs, %.0f events/s\n", n, el.Seconds(), float64(n)/el.Seconds())
	return nil
}

// benchImport generates data, then imports it twice in child processes,
// once with the floor importer and once with "suyuan import", and reports
// both rates, their ratio and each process's peak memory.
func benchImport(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("suyuan bench import", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	events := fs.Int("events", 100000, "事件总数 / number of events")
	perDoc := fs.Int("per-doc", 1000, "每个文档的事件数 / events per document")
	dir := fs.String("dir", "", "工作目录（默认临时目录） / work directory (default: a temporary one, removed afterwards)")
	if err := fs.Parse(args); err != nil {
		return parseError(err)
	}
	work := *dir
	if work == "" {
		tmp, err := os.MkdirTemp("", "suyuan-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		work = tmp
	}
	data := filepath.Join(work, "data")
	if _, err := bench.Generate(data, bench.GenOptions{Events: *events, PerDocument: *perDoc, Seed: 1}); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	floor, err := runMeasured(ctx, self, "bench", "floor", "--db", filepath.Join(work, "floor.db"), data)
	if err != nil {
		return fmt.Errorf("floor run: %w", err)
	}
	full, err := runMeasured(ctx, self, "import", "--quiet", "--progress=false", "--db", filepath.Join(work, "suyuan.db"), data)
	if err != nil {
		return fmt.Errorf("import run: %w", err)
	}
	fr := float64(*events) / floor.wall.Seconds()
	ir := float64(*events) / full.wall.Seconds()
	fmt.Fprintf(env.Stdout, "machine: %s/%s, %d CPUs\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	fmt.Fprintf(env.Stdout, "events: %d in documents of %d\n", *events, *perDoc)
	fmt.Fprintf(env.Stdout, "floor : %8.0f events/s  %6.1fs  peak RSS %4d MiB\n", fr, floor.wall.Seconds(), floor.maxRSS>>20)
	fmt.Fprintf(env.Stdout, "import: %8.0f events/s  %6.1fs  peak RSS %4d MiB\n", ir, full.wall.Seconds(), full.maxRSS>>20)
	fmt.Fprintf(env.Stdout, "ratio import/floor: %.2f\n", ir/fr)
	return nil
}

type measured struct {
	wall   time.Duration
	maxRSS int64 // bytes
}

func runMeasured(ctx context.Context, name string, args ...string) (measured, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	out, err := cmd.Output()
	m := measured{wall: time.Since(start)}
	if err != nil {
		return m, fmt.Errorf("%w\n%s", err, out)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.maxRSS = ru.Maxrss << 10 // Linux reports kilobytes
	}
	return m, nil
}
