package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

func init() {
	var (
		db        *string
		direction string
		depth     int
		maxNodes  int
		format    string
		from, to  string
	)
	register(&Command{
		Name:    "trace",
		Summary: "追溯一个产品、批次或容器的上下游 / trace an item, lot or container backward or forward",
		Usage:   "[--db DB] [--direction backward|forward|both] [--depth N] [--max-nodes N] [--from TIME] [--to TIME] [--format table|json|dot] ID",
		Setup: func(fs *flag.FlagSet) {
			db = dbFlag(fs)
			fs.StringVar(&direction, "direction", "backward", "方向 / direction: backward（来源）, forward（去向）or both")
			fs.IntVar(&depth, "depth", 0, "最大层数，0 为不限 / maximum number of edges from the start, 0 for no limit")
			fs.IntVar(&maxNodes, "max-nodes", 0, "最多节点数，0 为不限 / maximum number of nodes, 0 for no limit")
			fs.StringVar(&from, "from", "", "时间窗起点（RFC 3339） / start of the time window, such as 2026-03-01T00:00:00+08:00")
			fs.StringVar(&to, "to", "", "时间窗终点（RFC 3339，不含） / end of the time window, exclusive")
			fs.StringVar(&format, "format", "table", "输出格式 / output format: table, json or dot (Graphviz)")
		},
		Run: func(ctx context.Context, env *Env, _ *flag.FlagSet, args []string) error {
			if len(args) != 1 {
				return usageErrorf("give exactly one identifier, such as https://id.gs1.org/01/06901234000016/21/S1 or (01)06901234000016(21)S1")
			}
			dir, err := trace.ParseDirection(direction)
			if err != nil {
				return usageErrorf("--direction %q: use backward, forward or both", direction)
			}
			if depth < 0 {
				return usageErrorf("--depth %d: give 0 for no limit or a positive number", depth)
			}
			if maxNodes < 0 {
				return usageErrorf("--max-nodes %d: give 0 for no limit or a positive number", maxNodes)
			}
			if format != "table" && format != "json" && format != "dot" {
				return usageErrorf("--format %q: use table, json or dot", format)
			}
			opts := trace.Options{Direction: dir, Depth: depth, MaxNodes: maxNodes}
			if opts.From, err = parseTimeFlag("from", from); err != nil {
				return err
			}
			if opts.To, err = parseTimeFlag("to", to); err != nil {
				return err
			}
			tr, closeStore, err := openTracer(ctx, *db)
			if err != nil {
				return err
			}
			defer closeStore()
			g, err := tr.Trace(ctx, args[0], opts)
			if err != nil {
				return describeTraceError(err)
			}
			switch format {
			case "json":
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(g)
			case "dot":
				return writeDot(env.Stdout, g)
			}
			return writeTraceTable(env.Stdout, g)
		},
	})

	var (
		scopeDB            *string
		scopeFrom, scopeTo string
		scopeFormat        string
	)
	register(&Command{
		Name:    "recall-scope",
		Summary: "评估召回范围：受影响的产品、持有者、地区和渠道 / recall scope: affected items by holder, region and channel",
		Usage:   "[--db DB] [--from TIME] [--to TIME] [--format table|json] ID...",
		Setup: func(fs *flag.FlagSet) {
			scopeDB = dbFlag(fs)
			fs.StringVar(&scopeFrom, "from", "", "时间窗起点（RFC 3339） / start of the time window")
			fs.StringVar(&scopeTo, "to", "", "时间窗终点（RFC 3339，不含） / end of the time window, exclusive")
			fs.StringVar(&scopeFormat, "format", "table", "输出格式 / output format: table or json")
		},
		Run: func(ctx context.Context, env *Env, _ *flag.FlagSet, args []string) error {
			if len(args) == 0 {
				return usageErrorf("give at least one lot or item, such as https://id.gs1.org/01/06901234000016/10/L1")
			}
			if scopeFormat != "table" && scopeFormat != "json" {
				return usageErrorf("--format %q: use table or json", scopeFormat)
			}
			fromT, err := parseTimeFlag("from", scopeFrom)
			if err != nil {
				return err
			}
			toT, err := parseTimeFlag("to", scopeTo)
			if err != nil {
				return err
			}
			tr, closeStore, err := openTracer(ctx, *scopeDB)
			if err != nil {
				return err
			}
			defer closeStore()
			sc, err := tr.RecallScope(ctx, args, fromT, toT)
			if err != nil {
				return describeTraceError(err)
			}
			if scopeFormat == "json" {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(sc)
			}
			return writeScopeTable(env.Stdout, sc)
		},
	})
}

// parseTimeFlag parses an RFC 3339 flag value; empty gives the zero time.
func parseTimeFlag(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, usageErrorf("--%s %q: give a time in RFC 3339 form, such as 2026-03-01T08:00:00+08:00", name, v)
	}
	return t, nil
}

// openTracer opens the store named by dsn and returns a tracer over it and
// the function that closes the store.
func openTracer(ctx context.Context, dsn string) (*trace.Tracer, func(), error) {
	st, err := openStore(ctx, dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("open store %s: %w", redactDSN(dsn), err)
	}
	ls, ok := st.(store.LineageStore)
	if !ok {
		st.Close()
		return nil, nil, fmt.Errorf("store %s keeps no lineage index", redactDSN(dsn))
	}
	return trace.New(ls), func() { st.Close() }, nil
}

// describeTraceError adds the Chinese message to the errors a user can
// act on.
func describeTraceError(err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("没有事件提到该标识 / %w", err)
	case errors.Is(err, trace.ErrInvalid):
		return fmt.Errorf("请求无效 / %w", err)
	}
	return err
}

func writeTraceTable(w io.Writer, g *trace.Graph) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "追溯 / trace %s (%s)\n", g.Root, g.Direction)
	if g.Truncated {
		fmt.Fprintln(tw, "注意：已达节点上限，图不完整 / note: the node limit was reached, so the graph is incomplete")
	}
	fmt.Fprintln(tw, "层 depth\t类型 kind\t标识 id\t最后持有者 holder\t位置 location\t时间 time")
	for _, n := range g.Nodes {
		party, loc, at := "-", "-", "-"
		if h := n.Holder; h != nil {
			party, loc, at = orDash(h.Party), orDash(h.Location), h.Time.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", n.Depth, n.Kind, n.ID, party, loc, at)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range g.Nodes {
		if len(n.Steps) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s\n", n.ID)
		tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		for _, s := range n.Steps {
			docs := make([]string, 0, len(s.BizTransactions))
			for _, bt := range s.BizTransactions {
				docs = append(docs, bt.Value)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", s.EventTime.Format(time.RFC3339), s.EventType,
				orDash(short(s.BizStep)), orDash(short(s.Disposition)), orDash(s.BizLocation), strings.Join(docs, " "))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func writeScopeTable(w io.Writer, sc *trace.Scope) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "召回范围 / recall scope of %s: %d affected, %d lots\n", strings.Join(sc.IDs, ", "), len(sc.Affected), len(sc.Lots))
	for _, dim := range []struct {
		title   string
		buckets []trace.Bucket
	}{
		{"持有者 / holder", sc.ByHolder}, {"地区 / region", sc.ByRegion},
		{"渠道 / channel", sc.ByChannel}, {"状态 / status", sc.ByStatus},
	} {
		fmt.Fprintf(tw, "\n%s\t对象 objects\t在库 in stock\t已售出 delivered\t数量 quantity\n", dim.title)
		for _, b := range dim.buckets {
			var qs []string
			for uom, q := range b.Quantities {
				qs = append(qs, fmt.Sprintf("%g %s", q, uom))
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", b.Key, b.Objects, b.InStock, b.Delivered, strings.Join(qs, ", "))
		}
	}
	return tw.Flush()
}

// writeDot writes g as a Graphviz digraph.
func writeDot(w io.Writer, g *trace.Graph) error {
	var b strings.Builder
	b.WriteString("digraph trace {\n  rankdir=LR;\n  node [fontname=\"sans-serif\"];\n")
	shapes := map[trace.NodeKind]string{trace.KindInstance: "ellipse", trace.KindClass: "box", trace.KindContainer: "box3d", trace.KindTransformation: "diamond"}
	for _, n := range g.Nodes {
		fmt.Fprintf(&b, "  %q [shape=%s%s];\n", n.ID, shapes[n.Kind], map[bool]string{true: ", style=bold", false: ""}[n.ID == g.Root])
	}
	for _, l := range g.Links {
		fmt.Fprintf(&b, "  %q -> %q [label=%q];\n", l.From, l.To, string(l.Kind))
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// short returns the last part of a CBV URI, such as "shipping".
func short(v string) string {
	if i := strings.LastIndexAny(v, ":/"); i >= 0 {
		return v[i+1:]
	}
	return v
}
