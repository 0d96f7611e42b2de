package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/internal/api"
	"github.com/suyuan-trace/suyuan/internal/capture"
	"github.com/suyuan-trace/suyuan/internal/credit"
	"github.com/suyuan-trace/suyuan/internal/demo"
	"github.com/suyuan-trace/suyuan/internal/party"
	"github.com/suyuan-trace/suyuan/internal/recall"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// conformanceDir is the directory of the EPCIS 2.0 standard's example
// documents, relative to the working directory.
const conformanceDir = "../shared/conformance/gs1-epcis"

func init() {
	cfg := &serveConfig{}
	var (
		rounds int
		seed   uint64
		start  string
		fresh  bool
	)
	register(&Command{
		Name:    "demo",
		Summary: "用演示数据启动平台 / seed a store with demo data and serve it",
		Usage:   "[--addr HOST:PORT] [--db DB] [--seed N] [--start YYYY-MM-DD] [--rounds N] [--fresh=false] [--open]",
		Setup: func(fs *flag.FlagSet) {
			fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "监听地址 / listen address HOST:PORT")
			db := "data/demo.db"
			cfg.db = &db
			fs.StringVar(cfg.db, "db", db, "演示数据库 / demo store: a SQLite file path or a postgres:// URL")
			fs.Uint64Var(&seed, "seed", 1, "随机种子（同一种子生成相同数据） / random seed (same seed, same data)")
			fs.StringVar(&start, "start", "", "第 0 轮的日期（默认三天前；同一种子和日期生成相同数据） / date of round 0, YYYY-MM-DD (default: three days ago; same seed and date, same data)")
			fs.IntVar(&rounds, "rounds", 30, "每条供应链的轮数（每轮约 70 个事件） / passes through every supply chain (about 70 events each)")
			fs.BoolVar(&fresh, "fresh", true, "先删除已有的 SQLite 演示库 / delete an existing SQLite demo file first")
			cpuProfileFlag(fs, cfg)
			securityFlags(fs, cfg)
			cfg.audit.setup(fs, true)
			defaults := serveDefaults()
			cfg.maxBody, cfg.readHeader, cfg.read, cfg.write, cfg.idle, cfg.shutdown = defaults.maxBody, defaults.readHeader, defaults.read, defaults.write, defaults.idle, defaults.shutdown
			cfg.logLevel, cfg.logFormat = "warn", "text"
		},
		Run: func(ctx context.Context, env *Env, _ *flag.FlagSet, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unexpected arguments %q", args)
			}
			if rounds < 2 {
				return usageErrorf("--rounds %d: give at least 2, so that every planted incident is in the data", rounds)
			}
			if _, err := api.ParseTrustedProxies(cfg.trustedProxies); err != nil {
				return usageErrorf("--trusted-proxies: %v", err)
			}
			if fresh && !isPostgres(*cfg.db) {
				for _, suffix := range []string{"", "-wal", "-shm"} {
					if err := os.Remove(*cfg.db + suffix); err != nil && !os.IsNotExist(err) {
						return err
					}
				}
			}
			day := time.Now().AddDate(0, 0, -3)
			if start != "" {
				parsed, err := time.Parse(time.DateOnly, start)
				if err != nil {
					return usageErrorf("--start %q: write the date as YYYY-MM-DD", start)
				}
				day = parsed
			}
			cst := time.FixedZone("CST", 8*3600)
			gen, err := demo.NewAt(seed, time.Date(day.Year(), day.Month(), day.Day(), 6, 0, 0, 0, cst))
			if err != nil {
				return err
			}
			if err := seedDemo(ctx, env, *cfg.db, gen, rounds); err != nil {
				return err
			}
			cfg.directory = demoDirectory{gen.Directory()}
			logger, err := newLogger(env, cfg.logLevel, cfg.logFormat)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "\n消费者查询页 / consumer page: http://%s/scan\n试试这些码 / codes to try:\n", cfg.addr)
			for _, s := range gen.Samples() {
				fmt.Fprintf(env.Stdout, "  %s\n    %s / %s\n    http://%s/scan?code=%s\n", s.Code, s.NoteZH, s.NoteEN, cfg.addr, url.QueryEscape(s.Code))
			}
			fmt.Fprintf(env.Stdout, "GS1 数字链接解析 / GS1 Digital Link resolver: curl -sI http://%s/01/%s\n", cfg.addr, strings.TrimPrefix(gen.ResolverSample(), "/01/"))
			if cfg.open {
				fmt.Fprintf(env.Stdout, "EPCIS 接口 / EPCIS API: curl -s 'http://%s/events?perPage=5'\n\n", cfg.addr)
			} else {
				fmt.Fprintf(env.Stdout, "EPCIS 接口需要令牌，或以 --open 启动演示 / the EPCIS API needs a token, or start the demo with --open\n\n")
			}
			return serve(ctx, env, cfg, logger)
		},
	})
}

// seedDemo fills the demo store with the generator's events through the
// capture pipeline and, when present, the EPCIS standard's example
// documents.
func seedDemo(ctx context.Context, env *Env, dsn string, gen *demo.Generator, rounds int) error {
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
	path := filepath.Join(tmp, "demo.jsonld")
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	n, err := gen.WriteDocument(ctx, f, rounds)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("generate demo data: %w", err)
	}
	fmt.Fprintf(env.Stdout, "正在载入演示数据 / loading demo data into %s\n", redactDSN(dsn))
	job, err := importFile(ctx, cs, path)
	if err != nil {
		return fmt.Errorf("seed demo data: %w", err)
	}
	fmt.Fprintf(env.Stdout, "  %d 个演示事件 demo events (%d stored, %d already there)\n", n, job.Accepted, job.Duplicates)
	if err := registerDemoParties(ctx, env, st, gen.Directory()); err != nil {
		return err
	}
	if err := seedDemoDecisions(ctx, env, st, gen); err != nil {
		return err
	}
	return seedExamples(ctx, env, cs)
}

// registerDemoParties adds the demo enterprises and their locations to
// the party registry, unless they are already there. Private parties and
// the overseas producer, which has no unified social credit code, are
// left out.
func registerDemoParties(ctx context.Context, env *Env, st store.Store, dir *demo.Directory) error {
	ps, ok := st.(store.PartyStore)
	if !ok {
		return nil
	}
	now := time.Now().UTC()
	var (
		parties   []store.Party
		locations []store.Location
	)
	for _, p := range dir.Parties() {
		if p.Private || p.USCC == "" {
			continue
		}
		rp := store.Party{
			ID: "demo-" + p.Prefix, Kind: store.PartyEnterprise, NameZH: p.NameZH, NameEN: p.NameEN,
			USCC: p.USCC, GLN: p.ID, CompanyPrefixes: []string{p.Prefix}, CodePrefixes: p.CodePrefixes, Region: p.Division,
		}
		if _, err := ps.Party(ctx, rp.ID); err == nil {
			fmt.Fprintf(env.Stdout, "  演示企业已登记 / demo enterprises already registered\n")
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("look up party %s: %w", rp.ID, err)
		}
		for _, l := range p.Licences {
			if _, known := party.LicenceKinds[l.Kind]; !known {
				continue
			}
			until, err := time.Parse(time.DateOnly, l.ValidUntil)
			if err != nil {
				return fmt.Errorf("licence %s of %s: %w", l.Number, p.NameEN, err)
			}
			rp.Licences = append(rp.Licences, store.Licence{Kind: l.Kind, Number: l.Number, ValidFrom: time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), ValidUntil: until})
		}
		norm, err := party.NormalizeParty(rp, now)
		if err != nil {
			return fmt.Errorf("register demo party %s: %w", p.NameEN, err)
		}
		parties = append(parties, norm)
		for _, site := range p.Sites {
			loc, err := party.NormalizeLocation(store.Location{ID: site, PartyID: rp.ID, Name: p.NameZH, Division: p.Division}, now)
			if err != nil {
				return fmt.Errorf("register demo location %s: %w", site, err)
			}
			locations = append(locations, loc)
		}
	}
	svc := &party.Service{Store: ps, LeafHash: decisionLeafHasher(), Actor: cliActor()}
	if err := svc.Import(ctx, parties, locations); err != nil {
		return fmt.Errorf("register demo enterprises: %w", err)
	}
	fmt.Fprintf(env.Stdout, "  %d 家演示企业，%d 个地点已登记 / demo enterprises and locations registered\n", len(parties), len(locations))
	return nil
}

// seedExamples imports the EPCIS standard's example documents when they
// are present; documents that fail are skipped.
func seedExamples(ctx context.Context, env *Env, cs *capture.Service) error {
	if _, err := os.Stat(conformanceDir); err != nil {
		fmt.Fprintf(env.Stdout, "  %s 不存在，跳过标准示例 / not found: standard examples skipped\n", conformanceDir)
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

// seedDemoDecisions registers the demo regulator and has it issue the
// demo's recall notice and credit-list entries through the recall and
// credit services, so that they are audit-logged decisions like any
// other. Decisions already in the store are kept.
func seedDemoDecisions(ctx context.Context, env *Env, st store.Store, gen *demo.Generator) error {
	ds, ok := st.(decisionStore)
	if !ok {
		return nil
	}
	reg := demo.Regulator
	regulator, err := ds.Party(ctx, reg.ID)
	if errors.Is(err, store.ErrNotFound) {
		regulator, err = (&party.Service{Store: ds, LeafHash: decisionLeafHasher(), Actor: cliActor()}).CreateParty(ctx, store.Party{
			ID: reg.ID, Kind: store.PartyRegulator, NameZH: reg.NameZH, NameEN: reg.NameEN, Department: reg.Department, Jurisdiction: reg.Jurisdiction,
		})
	}
	if err != nil {
		return fmt.Errorf("register demo regulator %s: %w", reg.ID, err)
	}

	recalls, creditList := newDecisionServices(ds, slog.New(slog.DiscardHandler))
	n := gen.PlantedRecall()
	recalls.Now = func() time.Time { return n.Time }
	res, err := recalls.Open(ctx, recall.Actor{Name: "system", Party: regulator}, recall.OpenRequest{
		Number: n.Number, Level: n.Level, ReasonZH: n.ReasonZH, ReasonEN: n.ReasonEN,
		CategoryZH: n.CategoryZH, CategoryEN: n.CategoryEN, IDs: n.IDs,
	})
	switch {
	case errors.Is(err, recall.ErrDuplicate):
		fmt.Fprintf(env.Stdout, "  召回公告已发布 / recall notice already issued: %s\n", n.Number)
	case err != nil:
		return fmt.Errorf("issue demo recall notice %s: %w", n.Number, err)
	default:
		fmt.Fprintf(env.Stdout, "  召回公告 / recall notice %s: %d 个受影响对象 affected (decision %d)\n", n.Number, res.Notice.Scope.Affected, res.Decision.Seq)
	}

	for _, e := range gen.PlantedCreditEntries() {
		res, err := creditList.Add(ctx, credit.Actor{Name: "system", Party: regulator}, credit.AddRequest{
			Party: e.USCC, NameZH: e.NameZH, NameEN: e.NameEN, ReasonZH: e.ReasonZH, ReasonEN: e.ReasonEN,
			DocumentNumber: e.DocumentNumber, EffectiveFrom: e.EffectiveFrom,
		})
		switch {
		case errors.Is(err, credit.ErrDuplicate):
			fmt.Fprintf(env.Stdout, "  失信名单已登记 / credit-list entry already added: %s\n", e.NameZH)
		case err != nil:
			return fmt.Errorf("add demo credit-list entry for %s: %w", e.NameZH, err)
		default:
			fmt.Fprintf(env.Stdout, "  失信名单 / credit list: %s (decision %d)\n", e.NameZH, res.Decision.Seq)
		}
	}
	return nil
}
