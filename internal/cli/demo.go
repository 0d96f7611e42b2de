package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/suyuan-trace/suyuan/internal/bench"
	"github.com/suyuan-trace/suyuan/internal/capture"
)

// conformanceDir is where the EPCIS 2.0 standard's example documents are
// looked for, relative to the working directory.
const conformanceDir = "../shared/conformance/gs1-epcis"

func init() {
	cfg := &serveConfig{}
	var (
		events int
		fresh  bool
	)
	register(&Command{
		Name:    "demo",
		Summary: "用演示数据启动平台 / seed a store with demo data and serve it",
		Usage:   "[--addr HOST:PORT] [--db DB] [--events N] [--fresh]",
		Setup: func(fs *flag.FlagSet) {
			fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "监听地址 / listen address HOST:PORT")
			db := "data/demo.db"
			cfg.db = &db
			fs.StringVar(cfg.db, "db", db, "演示数据库 / demo store: a SQLite file path or a postgres:// URL")
			fs.IntVar(&events, "events", 2000, "生成的合成事件数 / number of synthetic events to generate")
			fs.BoolVar(&fresh, "fresh", true, "先删除已有的 SQLite 演示库 / delete an existing SQLite demo file first")
			defaults := serveDefaults()
			cfg.maxBody, cfg.readHeader, cfg.read, cfg.write, cfg.idle, cfg.shutdown = defaults.maxBody, defaults.readHeader, defaults.read, defaults.write, defaults.idle, defaults.shutdown
			cfg.logLevel, cfg.logFormat = "warn", "text"
		},
		Run: func(ctx context.Context, env *Env, _ *flag.FlagSet, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unexpected arguments %q", args)
			}
			if fresh && !isPostgres(*cfg.db) {
				for _, suffix := range []string{"", "-wal", "-shm"} {
					if err := os.Remove(*cfg.db + suffix); err != nil && !os.IsNotExist(err) {
						return err
					}
				}
			}
			if err := seedDemo(ctx, env, *cfg.db, events); err != nil {
				return err
			}
			logger, err := newLogger(env, cfg.logLevel, cfg.logFormat)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "\n试试 Try:\n  curl -s 'http://%s/events?perPage=5'\n  curl -s 'http://%s/events?MATCH_epc=urn:epc:id:sgtin:6900000.012345.0'\n  curl -s http://%s/eventTypes\n\n", cfg.addr, cfg.addr, cfg.addr)
			return serve(ctx, env, cfg, logger)
		},
	})
}

// seedDemo fills the demo store with synthetic events and, when present,
// the EPCIS standard's example documents.
func seedDemo(ctx context.Context, env *Env, dsn string, events int) error {
	st, err := openStore(ctx, dsn)
	if err != nil {
		return fmt.Errorf("open store %s: %w", redactDSN(dsn), err)
	}
	defer st.Close()
	cs := newCaptureService(st, slog.New(slog.DiscardHandler))

	tmp, err := os.MkdirTemp("", "suyuan-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	files, err := bench.Generate(tmp, bench.GenOptions{Events: events, PerDocument: 500, Seed: 1})
	if err != nil {
		return fmt.Errorf("generate demo data: %w", err)
	}
	fmt.Fprintf(env.Stdout, "正在载入演示数据 / loading demo data into %s\n", redactDSN(dsn))
	if err := seedFiles(ctx, cs, files, io.Discard); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "  %d 个合成事件 synthetic events\n", events)

	if _, err := os.Stat(conformanceDir); err != nil {
		fmt.Fprintf(env.Stdout, "  %s 不存在, 跳过标准示例 / not found: standard examples skipped\n", conformanceDir)
		return nil
	}
	var examples []string
	for _, sub := range []string{"JSON", "XML", "XML-1.2"} {
		found, err := documentFiles([]string{filepath.Join(conformanceDir, sub)})
		if err != nil {
			return err
		}
		examples = append(examples, found...)
	}
	accepted := 0
	for _, path := range examples {
		job, err := importFile(ctx, cs, path)
		if err == nil {
			accepted += job.Accepted
		}
	}
	fmt.Fprintf(env.Stdout, "  %d 个 EPCIS 标准示例事件 events from the EPCIS standard's examples\n", accepted)
	return nil
}

func seedFiles(ctx context.Context, cs *capture.Service, files []string, report io.Writer) error {
	for _, path := range files {
		if _, err := importFile(ctx, cs, path); err != nil {
			return fmt.Errorf("seed %s: %w", path, err)
		}
		fmt.Fprintln(report, path)
	}
	return nil
}
