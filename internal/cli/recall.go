package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"os/user"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/credit"
	"github.com/suyuan-trace/suyuan/internal/recall"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

// decisionStore is a store that keeps decisions, the party registry and
// the lineage index; both backends are.
type decisionStore interface {
	store.Store
	store.DecisionStore
	store.PartyStore
	store.LineageStore
}

// newDecisionServices returns the recall and credit-list services over
// st. Their decisions get audit-log leaves hashed with the algorithm
// SUYUAN_LOG_HASH names, as captured events do.
func newDecisionServices(st decisionStore, logger *slog.Logger) (*recall.Service, *credit.Service) {
	leafHash := decisionLeafHasher()
	tracer := trace.New(st).WithResolvers(registryRegions{st}, nil)
	return &recall.Service{Store: st, Parties: st, Tracer: tracer, LeafHash: leafHash, Logger: logger},
		&credit.Service{Store: st, Parties: st, LeafHash: leafHash, Logger: logger}
}

// registryRegions resolves the region of a holder from the division of
// its registered location, and otherwise from its identifiers (see
// trace.IdentifierRegions), for recall scope snapshots.
type registryRegions struct{ ps store.PartyStore }

func (r registryRegions) Region(ctx context.Context, h trace.Holder) (string, bool, error) {
	if id, err := ident.Canonical(h.Location); err == nil {
		l, err := r.ps.Location(ctx, id)
		switch {
		case err == nil && l.Division != "":
			return l.Division, true, nil
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return "", false, fmt.Errorf("location %s: %w", h.Location, err)
		}
	}
	return trace.IdentifierRegions{}.Region(ctx, h)
}

// openDecisions opens the store named by dsn with its recall and
// credit-list services.
func openDecisions(ctx context.Context, dsn string) (decisionStore, *recall.Service, *credit.Service, error) {
	st, err := openStore(ctx, dsn)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("open store %s: %w", redactDSN(dsn), err)
	}
	ds, ok := st.(decisionStore)
	if !ok {
		st.Close()
		return nil, nil, nil, fmt.Errorf("store %s keeps no decisions", redactDSN(dsn))
	}
	r, c := newDecisionServices(ds, slog.New(slog.DiscardHandler))
	return ds, r, c, nil
}

// cliActor returns the actor the command line records: "cli:" and the
// operating-system user. The command line works on the database itself,
// so it acts as an administrator.
func cliActor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	if u := os.Getenv("USER"); u != "" {
		return "cli:" + u
	}
	return "cli:unknown"
}

func init() {
	var db *string
	register(&Command{
		Name:    "recall",
		Summary: "发布和管理召回公告 / issue and manage recall notices",
		Usage:   "open|update ID|close ID|list|show ID [flags]",
		Setup:   func(fs *flag.FlagSet) { db = dbFlag(fs) },
		Run: func(ctx context.Context, env *Env, _ *flag.FlagSet, args []string) error {
			if len(args) == 0 {
				return usageErrorf("name a subcommand: open, update, close, list or show")
			}
			return runRecall(ctx, env, *db, args[0], args[1:])
		},
	})
}

// timeFlag parses an optional RFC 3339 time or YYYY-MM-DD date (China
// Standard Time) flag.
func timeFlag(name, v string) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return &t, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, v, time.FixedZone("CST", 8*3600))
	if err != nil {
		return nil, usageErrorf("--%s %q: give an RFC 3339 time such as 2026-03-01T08:00:00+08:00 or a date YYYY-MM-DD", name, v)
	}
	return &t, nil
}

// recallFlags are the flags of the recall subcommands.
type recallFlags struct {
	open                         recall.OpenRequest
	ids                          listFlag
	from, to                     string
	recovered, uom, noteZH, note string
	resultZH, resultEN           string
	status, regulator            string
	json                         bool
}

func (f *recallFlags) declare(fs *flag.FlagSet, sub string) {
	switch sub {
	case "open":
		fs.StringVar(&f.open.Number, "number", "", "召回公告文号，如粤食召〔2026〕017号 / notice number")
		fs.StringVar(&f.open.Regulator, "regulator", "", "发布公告的监管部门主体 ID / party ID of the issuing regulator")
		fs.StringVar(&f.open.Level, "level", "", "召回级别：一级、二级、三级（I、II、III） / recall level: I, II or III")
		fs.StringVar(&f.open.ReasonZH, "reason-zh", "", "召回原因（中文） / reason in Chinese")
		fs.StringVar(&f.open.ReasonEN, "reason-en", "", "召回原因（英文） / reason in English")
		fs.StringVar(&f.open.CategoryZH, "category-zh", "", "产品类别（中文），如肉制品 / product category in Chinese")
		fs.StringVar(&f.open.CategoryEN, "category-en", "", "产品类别（英文） / product category in English")
		fs.Var(&f.ids, "id", "召回的批次或产品标识，任何可识别的形式（可重复） / recalled lot or identifier in any accepted form (repeatable)")
		fs.StringVar(&f.from, "from", "", "影响时段的开始（RFC 3339 或 YYYY-MM-DD） / start of the exposure window")
		fs.StringVar(&f.to, "to", "", "影响时段的结束（不含） / end of the exposure window (exclusive)")
	case "update":
		fs.StringVar(&f.recovered, "recovered", "", "已召回数量 / quantity recovered so far")
		fs.StringVar(&f.uom, "uom", "", "数量单位，UN/CEFACT 第 20 号建议书代码，如 KGM、EA / unit of the quantity, such as KGM or EA")
		fs.StringVar(&f.noteZH, "note-zh", "", "进展说明（中文） / progress note in Chinese")
		fs.StringVar(&f.note, "note-en", "", "进展说明（英文） / progress note in English")
	case "close":
		fs.StringVar(&f.resultZH, "result-zh", "", "召回结果（中文） / result in Chinese")
		fs.StringVar(&f.resultEN, "result-en", "", "召回结果（英文） / result in English")
	case "list":
		fs.StringVar(&f.status, "status", "", "只列出该状态：open 或 closed / list only notices with this status")
		fs.StringVar(&f.regulator, "regulator", "", "只列出该监管部门的公告 / list only this regulator's notices")
	}
	switch sub {
	case "list", "show":
		fs.BoolVar(&f.json, "json", false, "输出 JSON / print JSON")
	}
}

func runRecall(ctx context.Context, env *Env, db, sub string, args []string) error {
	switch sub {
	case "open", "update", "close", "list", "show":
	default:
		return usageErrorf("unknown subcommand %q: use open, update, close, list or show", sub)
	}
	fs, dbp := subFlags(env, "recall "+sub, db)
	var f recallFlags
	f.declare(fs, sub)
	if err := parseSub(fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	wantArgs := 1
	if sub == "open" || sub == "list" {
		wantArgs = 0
	}
	if len(rest) != wantArgs {
		if wantArgs == 0 {
			return usageErrorf("recall %s takes flags only, not %q", sub, rest)
		}
		return usageErrorf("recall %s takes the recall ID (or notice number for show) after the flags", sub)
	}
	st, svc, _, err := openDecisions(ctx, *dbp)
	if err != nil {
		return err
	}
	defer st.Close()
	actor := recall.Actor{Name: cliActor(), Admin: true}

	var res recall.Result
	switch sub {
	case "open":
		req := f.open
		req.IDs = f.ids
		if req.From, err = timeFlag("from", f.from); err != nil {
			return err
		}
		if req.To, err = timeFlag("to", f.to); err != nil {
			return err
		}
		res, err = svc.Open(ctx, actor, req)
	case "update":
		req := recall.UpdateRequest{UOM: f.uom, NoteZH: f.noteZH, NoteEN: f.note}
		if f.recovered != "" {
			q, perr := strconv.ParseFloat(f.recovered, 64)
			if perr != nil {
				return usageErrorf("--recovered %q: give a number, such as 1250.5", f.recovered)
			}
			req.Recovered = &q
		}
		res, err = svc.Update(ctx, actor, rest[0], req)
	case "close":
		res, err = svc.Close(ctx, actor, rest[0], recall.CloseRequest{ResultZH: f.resultZH, ResultEN: f.resultEN})
	case "list":
		ns, lerr := svc.List(ctx, recall.Filter{Status: recall.Status(f.status), Regulator: f.regulator})
		if lerr != nil {
			return lerr
		}
		if f.json {
			return printJSON(env, ns)
		}
		return printNotices(env, ns)
	case "show":
		n, gerr := svc.Get(ctx, rest[0])
		if gerr != nil {
			return gerr
		}
		if f.json {
			return printJSON(env, n)
		}
		printNotice(env, n)
		return nil
	}
	if err != nil {
		return err
	}
	d := res.Decision
	fmt.Fprintf(env.Stderr, "已记录决定 / decision recorded: %s seq %d, 审计日志叶 / audit-log leaf %d\n", d.Kind, d.Seq, d.LeafIndex)
	printNotice(env, res.Notice)
	return nil
}

// printNotices writes one line per notice.
func printNotices(env *Env, ns []recall.Notice) error {
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\t文号 NUMBER\t级别 LEVEL\t状态 STATUS\t发布 OPENED\t监管部门 REGULATOR\t原因 REASON")
	for _, n := range ns {
		fmt.Fprintf(tw, "%s\t%s\t%s %s\t%s\t%s\t%s\t%s\n", n.ID, n.Number, n.Level.ZH(), n.Level, statusText(n.Status),
			n.OpenedAt.In(cst).Format("2006-01-02 15:04"), n.Regulator, n.ReasonZH)
	}
	return tw.Flush()
}

// cst is China Standard Time, in which the command line shows times.
var cst = time.FixedZone("CST", 8*3600)

func statusText(s recall.Status) string {
	if s == recall.StatusClosed {
		return "已结束 closed"
	}
	return "进行中 open"
}

// quantities formats the summed quantities of a bucket, such as
// " (1250.5 KGM, 3 EA)", in unit order.
func quantities(q map[string]float64) string {
	if len(q) == 0 {
		return ""
	}
	units := slices.Sorted(maps.Keys(q))
	parts := make([]string, len(units))
	for i, u := range units {
		parts[i] = strconv.FormatFloat(q[u], 'f', -1, 64) + " " + u
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// printNotice writes one notice with its scope snapshot and progress.
func printNotice(env *Env, n recall.Notice) {
	w := env.Stdout
	fmt.Fprintf(w, "召回公告 / recall notice %s (%s)\n", n.Number, n.ID)
	fmt.Fprintf(w, "  级别 / level:        %s (%s)\n", n.Level.ZH(), n.Level)
	fmt.Fprintf(w, "  状态 / status:       %s\n", statusText(n.Status))
	fmt.Fprintf(w, "  监管部门 / regulator: %s\n", n.Regulator)
	fmt.Fprintf(w, "  原因 / reason:       %s\n", strings.Trim(n.ReasonZH+" / "+n.ReasonEN, " /"))
	if n.CategoryZH != "" || n.CategoryEN != "" {
		fmt.Fprintf(w, "  类别 / category:     %s\n", strings.Trim(n.CategoryZH+" / "+n.CategoryEN, " /"))
	}
	for _, id := range n.IDs {
		fmt.Fprintf(w, "  召回标识 / recalled:  %s\n", id)
	}

	sc := n.Scope
	switch {
	case sc.Error != "":
		fmt.Fprintf(w, "  范围快照 / scope:    无法计算 / not computed: %s\n", sc.Error)
	default:
		fmt.Fprintf(w, "  范围快照 / scope:    %d 个受影响对象 affected, %d 个批次 lots, %d 在库或在途 in stock, %d 已售出 delivered\n",
			sc.Affected, sc.Lots, sc.InStock, sc.Delivered)
		for _, dim := range []struct {
			title   string
			buckets []trace.Bucket
		}{{"地区 region", sc.ByRegion}, {"渠道 channel", sc.ByChannel}, {"状态 status", sc.ByStatus}, {"持有者 holder", sc.ByHolder}} {
			for _, b := range dim.buckets {
				fmt.Fprintf(w, "    %s %s: %d%s\n", dim.title, b.Key, b.Objects, quantities(b.Quantities))
			}
		}
	}
	for _, id := range sc.Untraced {
		fmt.Fprintf(w, "  无追溯记录 / no events: %s\n", id)
	}

	for _, p := range n.Progress {
		fmt.Fprintf(w, "  进展 / progress %s: %g %s %s\n", p.Time.In(cst).Format("2006-01-02 15:04"), p.Recovered, p.UOM, strings.Trim(p.NoteZH+" / "+p.NoteEN, " /"))
	}
	if n.ClosedAt != nil {
		fmt.Fprintf(w, "  结束 / closed %s: %s\n", n.ClosedAt.In(cst).Format("2006-01-02 15:04"), strings.Trim(n.ResultZH+" / "+n.ResultEN, " /"))
	}
	for _, d := range n.Decisions {
		fmt.Fprintf(w, "  决定 / decision %s seq %d leaf %d %s %s\n", d.Kind, d.Seq, d.LeafIndex, d.Time.In(cst).Format(time.RFC3339), d.Actor)
	}
}

// decisionLeafHasher returns the function that computes the audit-log
// leaf hash of a decision, with the algorithm SUYUAN_LOG_HASH names
// (Main has checked the name).
func decisionLeafHasher() func(store.Decision) []byte {
	h, err := logHasher()
	if err != nil {
		panic("cli: " + err.Error() + " (Main checks this before any command runs)")
	}
	return h.DecisionLeafHash
}
