package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/query"
	"github.com/suyuan-trace/suyuan/internal/store"
)

func init() {
	var (
		db     *string
		format string
	)
	register(&Command{
		Name:    "query",
		Summary: "按 EPCIS 查询参数检索事件 / query events with EPCIS query parameters",
		Usage:   "[--db DB] [--format table|jsonld|xml] NAME=VALUE...",
		Setup: func(fs *flag.FlagSet) {
			db = dbFlag(fs)
			fs.StringVar(&format, "format", "table", "输出格式 / output format: table, jsonld or xml")
		},
		Run: func(ctx context.Context, env *Env, _ *flag.FlagSet, args []string) error {
			params, err := parseParams(args)
			if err != nil {
				return err
			}
			if format != "table" && format != "jsonld" && format != "xml" {
				return usageErrorf("--format %q: use table, jsonld or xml", format)
			}
			st, err := openStore(ctx, *db)
			if err != nil {
				return fmt.Errorf("open store %s: %w", redactDSN(*db), err)
			}
			defer st.Close()
			if format == "table" {
				return printTable(ctx, env.Stdout, st, params)
			}
			return writeDocument(ctx, env.Stdout, st, params, format, epcis.KindEPCISQueryDocument)
		},
	})
	var exportDB *string
	var exportFormat string
	var fsma *fsmaFlags
	register(&Command{
		Name:    "export",
		Summary: "导出事件为一个 EPCIS 文档或 FSMA 204 表格 / export events as one EPCIS document, or an FSMA 204 spreadsheet",
		Usage:   "[--db DB] [--format jsonld|xml] [NAME=VALUE...] | --format fsma204 [--product GTIN --from T --to T | --lot ID...] [--out FILE.xlsx|FILE.csv]",
		Setup: func(fs *flag.FlagSet) {
			exportDB = dbFlag(fs)
			fs.StringVar(&exportFormat, "format", "jsonld", "文档格式 / document format: jsonld, xml or fsma204")
			fsma = declareFSMAFlags(fs)
		},
		Run: func(ctx context.Context, env *Env, _ *flag.FlagSet, args []string) error {
			if exportFormat == "fsma204" {
				return runFSMAExport(ctx, env, *exportDB, fsma, args)
			}
			params, err := parseParams(args)
			if err != nil {
				return err
			}
			if exportFormat != "jsonld" && exportFormat != "xml" {
				return usageErrorf("--format %q: use jsonld, xml or fsma204", exportFormat)
			}
			st, err := openStore(ctx, *exportDB)
			if err != nil {
				return fmt.Errorf("open store %s: %w", redactDSN(*exportDB), err)
			}
			defer st.Close()
			return writeDocument(ctx, env.Stdout, st, params, exportFormat, epcis.KindEPCISDocument)
		},
	})
}

// parseParams reads NAME=VALUE arguments into query parameters.
func parseParams(args []string) (url.Values, error) {
	params := url.Values{}
	for _, a := range args {
		name, value, ok := strings.Cut(a, "=")
		if !ok || name == "" {
			return nil, usageErrorf("argument %q: write query parameters as NAME=VALUE, such as MATCH_epc=urn:epc:id:sgtin:0614141.107346.2017", a)
		}
		params.Add(name, value)
	}
	for _, name := range []string{"perPage", "nextPageToken"} {
		if params.Has(name) {
			return nil, usageErrorf("%s: the command pages by itself; leave it out", name)
		}
	}
	return params, nil
}

// eachEvent runs the query given by params and calls fn for every matching
// event, page by page.
func eachEvent(ctx context.Context, st store.Store, params url.Values, fn func(store.StoredEvent) error) error {
	q, err := query.Parse(params)
	if err != nil {
		return err
	}
	q.PerPage = 500
	for {
		page, err := st.QueryEvents(ctx, q)
		if err != nil {
			return fmt.Errorf("query: %w", err)
		}
		for _, ev := range page.Events {
			if err := fn(ev); err != nil {
				return err
			}
		}
		if page.Next == nil {
			return nil
		}
		q.After = page.Next
	}
}

// writeDocument writes every matching event as one EPCIS document.
func writeDocument(ctx context.Context, w io.Writer, st store.Store, params url.Values, format string, kind epcis.DocumentKind) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	h := epcis.Header{Kind: kind, SchemaVersion: "2.0", CreationDate: time.Now().UTC(), QueryName: "SimpleEventQuery"}
	var enc interface {
		Encode(*epcis.Event) error
		Close() error
	}
	if format == "xml" {
		enc = epcis.NewXMLEncoder(bw, h)
	} else {
		enc = epcis.NewJSONEncoder(bw, h)
	}
	err := eachEvent(ctx, st, params, func(ev store.StoredEvent) error {
		e, err := epcis.UnmarshalEventJSON(ev.Doc)
		if err != nil {
			return fmt.Errorf("decode stored event %s: %w", ev.EventID, err)
		}
		e.RecordTime = ev.RecordTime
		return enc.Encode(e)
	})
	if err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	return bw.Flush()
}

// printTable prints one line per matching event.
func printTable(ctx context.Context, w io.Writer, st store.Store, params url.Values) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "事件时间 eventTime\t类型 type\taction\tbizStep\t标识 identifiers\teventID")
	n := 0
	err := eachEvent(ctx, st, params, func(ev store.StoredEvent) error {
		var e *epcis.Event
		var err error
		if e, err = epcis.UnmarshalEventJSON(ev.Doc); err != nil {
			return fmt.Errorf("decode stored event %s: %w", ev.EventID, err)
		}
		n++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.EventTime.Format(time.RFC3339), e.Type, e.Action,
			epcis.CompactCBV(epcis.VocabBizStep, e.BizStep), summariseIDs(e), ev.EventID)
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(tw, "\n共 %d 个事件 / %d events\n", n, n)
	return tw.Flush()
}

// summariseIDs lists an event's first identifiers for the table.
func summariseIDs(e *epcis.Event) string {
	var ids []string
	ids = append(ids, e.EPCList...)
	if e.ParentID != "" {
		ids = append(ids, e.ParentID)
	}
	ids = append(ids, e.ChildEPCs...)
	ids = append(ids, e.InputEPCList...)
	ids = append(ids, e.OutputEPCList...)
	for _, q := range [][]epcis.QuantityElement{e.QuantityList, e.ChildQuantityList, e.InputQuantityList, e.OutputQuantityList} {
		for _, qe := range q {
			ids = append(ids, qe.EPCClass)
		}
	}
	if len(ids) > 2 {
		return fmt.Sprintf("%s (+%d)", strings.Join(ids[:2], " "), len(ids)-2)
	}
	return strings.Join(ids, " ")
}
