package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/suyuan-trace/suyuan/internal/credit"
)

func init() {
	var db *string
	register(&Command{
		Name:    "credit",
		Summary: "管理严重违法失信名单 / manage the quality-credit blacklist",
		Usage:   "add|remove ID|list [flags]",
		Setup:   func(fs *flag.FlagSet) { db = dbFlag(fs) },
		Run: func(ctx context.Context, env *Env, _ *flag.FlagSet, args []string) error {
			if len(args) == 0 {
				return usageErrorf("name a subcommand: add, remove or list")
			}
			return runCredit(ctx, env, *db, args[0], args[1:])
		},
	})
}

func runCredit(ctx context.Context, env *Env, db, sub string, args []string) error {
	switch sub {
	case "add", "remove", "list":
	default:
		return usageErrorf("unknown subcommand %q: use add, remove or list", sub)
	}
	fs, dbp := subFlags(env, "credit "+sub, db)
	var (
		add        credit.AddRequest
		remove     credit.RemoveRequest
		filter     credit.Filter
		status     string
		jsonOutput bool
	)
	switch sub {
	case "add":
		fs.StringVar(&add.Party, "party", "", "企业的主体 ID 或统一社会信用代码 / party ID or unified social credit code of the enterprise")
		fs.StringVar(&add.NameZH, "name-zh", "", "企业名称（未登记的企业必填） / enterprise name in Chinese (required when not registered)")
		fs.StringVar(&add.NameEN, "name-en", "", "企业英文名称 / enterprise name in English")
		fs.StringVar(&add.ReasonZH, "reason-zh", "", "列入原因（中文） / reason in Chinese")
		fs.StringVar(&add.ReasonEN, "reason-en", "", "列入原因（英文） / reason in English")
		fs.StringVar(&add.Regulator, "regulator", "", "作出决定的监管部门主体 ID / party ID of the deciding regulator")
		fs.StringVar(&add.DocumentNumber, "document", "", "决定书文号 / decision document number")
		fs.StringVar(&add.EffectiveFrom, "from", "", "生效日期 YYYY-MM-DD（默认今天） / effective date (default: today)")
		fs.StringVar(&add.EffectiveUntil, "until", "", "截止日期 YYYY-MM-DD（可省略） / last day in force (optional)")
	case "remove":
		fs.StringVar(&remove.ReasonZH, "reason-zh", "", "移出原因，如信用修复完成（中文） / reason for the removal in Chinese, such as completed credit repair")
		fs.StringVar(&remove.ReasonEN, "reason-en", "", "移出原因（英文） / reason in English")
	case "list":
		fs.StringVar(&status, "status", "listed", "只列出该状态：listed、pending、expired、removed 或 all / list entries with this status, or all")
		fs.StringVar(&filter.Party, "party", "", "只列出该企业（主体 ID 或统一社会信用代码） / list only this enterprise's entries")
		fs.BoolVar(&jsonOutput, "json", false, "输出 JSON / print JSON")
	}
	if err := parseSub(fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	if sub == "remove" && len(rest) != 1 {
		return usageErrorf("credit remove takes the entry ID after the flags")
	}
	if sub != "remove" && len(rest) != 0 {
		return usageErrorf("credit %s takes flags only, not %q", sub, rest)
	}
	st, _, svc, err := openDecisions(ctx, *dbp)
	if err != nil {
		return err
	}
	defer st.Close()
	actor := credit.Actor{Name: cliActor(), Admin: true}

	var res credit.Result
	switch sub {
	case "add":
		res, err = svc.Add(ctx, actor, add)
	case "remove":
		res, err = svc.Remove(ctx, actor, rest[0], remove)
	case "list":
		if status != "all" {
			filter.Status = credit.Status(status)
		}
		es, lerr := svc.List(ctx, filter)
		if lerr != nil {
			return lerr
		}
		if jsonOutput {
			return printJSON(env, es)
		}
		return printEntries(env, es)
	}
	if err != nil {
		return err
	}
	d := res.Decision
	fmt.Fprintf(env.Stderr, "已记录决定 / decision recorded: %s seq %d, 审计日志叶 / audit-log leaf %d\n", d.Kind, d.Seq, d.LeafIndex)
	return printEntries(env, []credit.Entry{res.Entry})
}

// creditStatusText names an entry status in Chinese and English.
var creditStatusText = map[credit.Status]string{
	credit.StatusListed:  "在列 listed",
	credit.StatusPending: "未生效 pending",
	credit.StatusExpired: "已到期 expired",
	credit.StatusRemoved: "已移出 removed",
}

// printEntries writes one line per entry.
func printEntries(env *Env, es []credit.Entry) error {
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\t企业 ENTERPRISE\t统一社会信用代码 USCC\t状态 STATUS\t生效 FROM\t截止 UNTIL\t决定书 DOCUMENT\t原因 REASON")
	now := time.Now()
	for _, e := range es {
		reason := e.ReasonZH
		if e.Removal != nil {
			reason += " (移出 removed: " + strings.TrimSpace(e.Removal.ReasonZH) + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.NameZH, e.USCC, creditStatusText[e.StatusAt(now)],
			e.EffectiveFrom, e.EffectiveUntil, e.DocumentNumber, reason)
	}
	return tw.Flush()
}
