package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/label"
)

func init() {
	var asJSON bool
	register(&Command{
		Name:    "code",
		Summary: "解析扫到的码 / parse a scanned code (element string, Digital Link, EPC URN, GTIN, Chinese codes)",
		Usage:   "parse [--json] STRING...   (label: see suyuan code label --help)",
		Setup: func(fs *flag.FlagSet) {
			fs.BoolVar(&asJSON, "json", false, "以 JSON 输出 / print JSON")
		},
		Run: func(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
			if len(args) == 0 {
				return usageErrorf("name a subcommand: parse or label")
			}
			switch args[0] {
			case "parse":
				return codeParse(env, args[1:], asJSON)
			case "label":
				return codeLabel(ctx, env, args[1:])
			}
			return usageErrorf("unknown subcommand %q: use parse or label", args[0])
		},
	})
}

// codeParse prints the canonical identifiers and the labelled breakdown of
// each argument.
func codeParse(env *Env, args []string, asJSON bool) error {
	if len(args) == 0 {
		return usageErrorf("give the code to parse, such as suyuan code parse '(01)06901234000016(10)L1'")
	}
	failed := 0
	for _, s := range args {
		scan, err := ident.Parse(s)
		if err != nil {
			failed++
			fmt.Fprintf(env.Stderr, "无法识别 cannot parse %q: %v\n", s, err)
			continue
		}
		if asJSON {
			enc := json.NewEncoder(env.Stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(scan); err != nil {
				return err
			}
			continue
		}
		rows := [][2]string{{"输入 input", scan.Input}, {"形式 form", string(scan.Kind)}}
		if scan.Uncompressed != "" {
			rows = append(rows, [2]string{"解压后 uncompressed", scan.Uncompressed})
		}
		if scan.Canonical != "" {
			rows = append(rows, [2]string{"规范标识 canonical", scan.Canonical})
		}
		if scan.Class != "" {
			rows = append(rows, [2]string{"类别 class", scan.Class})
		}
		if scan.Product != "" {
			rows = append(rows, [2]string{"产品 product", scan.Product})
		}
		for _, f := range scan.Fields {
			label := f.TitleZH + " " + f.TitleEN
			if f.AI != "" && f.AI[0] >= '0' && f.AI[0] <= '9' {
				label = "(" + f.AI + ") " + label
			}
			rows = append(rows, [2]string{label, f.Formatted})
		}
		printRows(env.Stdout, rows)
		fmt.Fprintln(env.Stdout)
	}
	if failed > 0 {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%d of %d codes could not be parsed", failed, len(args))}
	}
	return nil
}

// printRows prints label–value rows with the values aligned, counting
// CJK characters as two columns as terminals show them.
func printRows(w io.Writer, rows [][2]string) {
	width := 0
	for _, r := range rows {
		width = max(width, displayWidth(r[0]))
	}
	for _, r := range rows {
		fmt.Fprintf(w, "%s%s  %s\n", r[0], strings.Repeat(" ", width-displayWidth(r[0])), r[1])
	}
}

// displayWidth returns the terminal width of s: East Asian wide and
// full-width characters take two columns.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0xA4CF, r >= 0xAC00 && r <= 0xD7A3,
			r >= 0xF900 && r <= 0xFAFF, r >= 0xFE30 && r <= 0xFE4F, r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6:
			n += 2
		default:
			n++
		}
	}
	return n
}

// codeLabel renders a GS1 Digital Link QR code for a GTIN with an optional
// lot, serial and expiry date, in uncompressed or compressed form.
func codeLabel(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("suyuan code label", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var p label.Product
	fs.StringVar(&p.GTIN, "gtin", "", "GTIN-8/12/13/14，含校验位 / GTIN with its check digit (required)")
	fs.StringVar(&p.Lot, "lot", "", "批号（AI 10） / batch or lot")
	fs.StringVar(&p.Serial, "serial", "", "序列号（AI 21） / serial number")
	expiry := fs.String("expiry", "", "有效期至（AI 17），YYYY-MM-DD / expiry date")
	fs.StringVar(&p.Resolver, "resolver", label.DefaultResolver, "解析器地址，二维码指向这里 / resolver base URL the QR code points to")
	compressed := fs.Bool("compressed", false, "二维码中写压缩形式的数字链接 / put the compressed GS1 Digital Link in the QR code")
	optimise := fs.Bool("optimise", false, "与 --compressed 合用：常见 AI 组合写成一字节优化码 / with --compressed: write common AI sequences as one-byte optimisation codes")
	format := fs.String("format", "png", "图片格式 / image format: png or svg")
	size := fs.Int("size", 512, "图片边长（像素） / image width and height in pixels")
	out := fs.String("out", "", "输出文件（默认标准输出） / output file (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return parseError(err)
	}
	if p.GTIN == "" {
		return usageErrorf("--gtin is required")
	}
	if *expiry != "" {
		t, err := time.Parse(time.DateOnly, *expiry)
		if err != nil {
			return usageErrorf("--expiry %q: write the date as YYYY-MM-DD", *expiry)
		}
		p.Expiry = t
	}
	uri, err := p.URI()
	if err != nil {
		return err
	}
	if *optimise && !*compressed {
		return usageErrorf("--optimise needs --compressed: add --compressed to print the compressed form")
	}
	if *compressed {
		if uri, err = compressURI(uri, *optimise); err != nil {
			return err
		}
	}
	var img []byte
	switch *format {
	case "png":
		img, err = label.PNG(uri, *size)
	case "svg":
		img, err = label.SVG(uri, *size)
	default:
		return usageErrorf("--format %q: use png or svg", *format)
	}
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = env.Stdout.Write(img)
		return err
	}
	if err := os.WriteFile(*out, img, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "已写入 wrote %s: %s\n", *out, uri)
	return nil
}

// compressURI returns the compressed form of a Digital Link URI.
func compressURI(uri string, optimise bool) (string, error) {
	dl, err := ident.ParseDigitalLink(uri)
	if err != nil {
		return "", err
	}
	return ident.CompressDigitalLink(dl, ident.CompressOptions{Optimise: optimise})
}
