package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/suyuan-trace/suyuan/internal/trace"
)

// fsmaFlags are the flags of `suyuan export --format fsma204`.
type fsmaFlags struct {
	product  string
	lots     multiFlag
	from, to string
	out      string
}

// multiFlag is a flag that may be given several times.
type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }

func (m *multiFlag) Set(v string) error {
	*m = append(*m, v)
	return nil
}

// declareFSMAFlags declares the FSMA 204 export flags on fs.
func declareFSMAFlags(fs *flag.FlagSet) *fsmaFlags {
	f := &fsmaFlags{}
	fs.StringVar(&f.product, "product", "", "FSMA 204：产品 GTIN / product GTIN, with --from and --to")
	fs.Var(&f.lots, "lot", "FSMA 204：批次（LGTIN 或条码），可重复 / traceability lot (LGTIN or scanned code), repeatable")
	fs.StringVar(&f.from, "from", "", "FSMA 204：时间窗起点（RFC 3339） / start of the time window")
	fs.StringVar(&f.to, "to", "", "FSMA 204：时间窗终点（RFC 3339，不含） / end of the time window, exclusive")
	fs.StringVar(&f.out, "out", "", "FSMA 204：输出文件 .xlsx 或 .csv，默认标准输出 CSV / output file .xlsx or .csv; CSV on standard output when empty")
	return f
}

// runFSMAExport writes the FSMA 204 sortable spreadsheet of the selected
// product or lots from the store dsn.
func runFSMAExport(ctx context.Context, env *Env, dsn string, f *fsmaFlags, args []string) error {
	if len(args) > 0 {
		return usageErrorf("--format fsma204 takes no NAME=VALUE arguments; select with --product or --lot")
	}
	if (f.product == "") == (len(f.lots) == 0) {
		return usageErrorf("give either --product GTIN (with --from and --to) or one or more --lot")
	}
	q := trace.FSMAQuery{Product: f.product, Lots: f.lots}
	var err error
	if q.From, err = parseTimeFlag("from", f.from); err != nil {
		return err
	}
	if q.To, err = parseTimeFlag("to", f.to); err != nil {
		return err
	}
	ext := strings.ToLower(filepath.Ext(f.out))
	if f.out != "" && ext != ".xlsx" && ext != ".csv" {
		return usageErrorf("--out %q: the file name must end in .xlsx or .csv", f.out)
	}
	tr, closeStore, err := openTracer(ctx, dsn)
	if err != nil {
		return err
	}
	defer closeStore()
	rows, err := tr.FSMA204(ctx, q)
	if err != nil {
		return describeTraceError(err)
	}
	if f.out == "" {
		return trace.WriteFSMACSV(env.Stdout, rows)
	}
	file, err := os.Create(f.out)
	if err != nil {
		return fmt.Errorf("create %s: %w", f.out, err)
	}
	if ext == ".xlsx" {
		err = trace.WriteFSMAXLSX(file, rows)
	} else {
		err = trace.WriteFSMACSV(file, rows)
	}
	if cerr := file.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close %s: %w", f.out, cerr)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "已写入 %d 行 / wrote %d rows to %s\n", len(rows), len(rows), f.out)
	return nil
}
