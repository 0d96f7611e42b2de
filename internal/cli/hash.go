package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/eventhash"
)

func init() {
	register(&Command{
		Name:    "hash",
		Summary: "计算 CBV 2.0 事件哈希 / print the CBV 2.0 event hash of each event",
		Usage:   "[--prehash] [--strict] [--ignore {NAMESPACE}NAME]... FILE...   (FILE \"-\" reads standard input)",
		Setup: func(fs *flag.FlagSet) {
			fs.Bool("prehash", false, "在每个哈希的下一行输出预哈希字符串 / also print the pre-hash string on the line after each hash")
			fs.Bool("strict", false, "像采集一样严格校验 XML 文档（默认宽松读取：元素顺序不限，接受 EPCIS 1.2 extension 包装和查询文档变体） / validate XML documents as capture does (by default XML is read leniently: any element order, EPCIS 1.2 extension wrappers and query document variants are accepted)")
			fs.Var(new(ignoreFieldsFlag), "ignore", "不计入哈希的顶层用户扩展字段，形如 {https://ns.example.com/epcis/}captureID，可重复 / top-level user extension field left out of the hash, written as `{namespace}localName`; repeatable")
		},
		Run: func(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
			if len(args) == 0 {
				return usageErrorf("缺少文件 / name at least one EPCIS document file, or \"-\" for standard input")
			}
			opts := hashOptions{
				preHash: fs.Lookup("prehash").Value.(flag.Getter).Get().(bool),
				strict:  fs.Lookup("strict").Value.(flag.Getter).Get().(bool),
			}
			h := &eventhash.Hasher{IgnoreFields: *fs.Lookup("ignore").Value.(*ignoreFieldsFlag)}
			return runHash(ctx, env, h, opts, args)
		},
	})
}

// ignoreFieldsFlag collects --ignore values.
type ignoreFieldsFlag []eventhash.Name

func (f *ignoreFieldsFlag) String() string {
	parts := make([]string, len(*f))
	for i, n := range *f {
		parts[i] = "{" + n.Space + "}" + n.Local
	}
	return strings.Join(parts, " ")
}

func (f *ignoreFieldsFlag) Set(s string) error {
	space, local, ok := strings.Cut(strings.TrimPrefix(s, "{"), "}")
	if !strings.HasPrefix(s, "{") || !ok || space == "" || local == "" {
		return fmt.Errorf("字段名无效 / invalid field name %q: write it as {namespace IRI}localName, for example {https://ns.example.com/epcis/}captureID", s)
	}
	*f = append(*f, eventhash.Name{Space: space, Local: local})
	return nil
}

// hashOptions are the output and reading choices of suyuan hash.
type hashOptions struct {
	// preHash prints the pre-hash string after each hash.
	preHash bool
	// strict reads XML with the strict EPCIS XML schema checks of capture
	// instead of leniently (see epcis.XMLDecoder.SetLenient). The hash
	// tool hashes what it is given, as the CBV 2.0 reference
	// implementation does, so lenient reading is the default.
	strict bool
}

// runHash prints the hash of every event of every file, in order. A file or
// event that fails is reported on stderr and skipped. The command then ends
// with exit status 1 after the other events are printed.
func runHash(ctx context.Context, env *Env, h *eventhash.Hasher, opts hashOptions, files []string) error {
	w := &hashOutput{out: bufio.NewWriter(env.Stdout), errOut: env.Stderr}
	for _, path := range files {
		if err := hashFile(ctx, env.Stdin, w, h, opts, path); err != nil {
			if ctx.Err() != nil {
				return err
			}
			w.fail("%s: %v", hashInputName(path), err)
		}
	}
	if err := w.out.Flush(); err != nil {
		return fmt.Errorf("写入输出失败 / writing the output failed: %w", err)
	}
	if w.failed > 0 {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%d 处失败，见上文 / %d failures, see the messages above", w.failed, w.failed)}
	}
	return nil
}

// hashOutput buffers the hashes on stdout and reports failures on stderr,
// flushing stdout first so that both streams keep their relative order.
type hashOutput struct {
	out    *bufio.Writer
	errOut io.Writer
	failed int
}

// fail reports one failure.
func (w *hashOutput) fail(format string, args ...any) {
	w.out.Flush()
	fmt.Fprintf(w.errOut, "suyuan hash: "+format+"\n", args...)
	w.failed++
}

// hashInputName names a file argument in messages.
func hashInputName(path string) string {
	if path == "-" {
		return "标准输入 standard input"
	}
	return path
}

// hashFile prints the hashes of the events of one document. Events that
// fail are reported through w. It returns an error that ended the document
// early.
func hashFile(ctx context.Context, stdin io.Reader, w *hashOutput, h *eventhash.Hasher, opts hashOptions, path string) error {
	var r io.Reader
	contentType := ""
	if path == "-" {
		r = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("打开失败 / cannot open: %w", err)
		}
		defer f.Close()
		r = f
		contentType = hashContentType(path)
	}
	dec, err := epcis.NewDecoder(r, contentType)
	if err != nil {
		return err
	}
	if xd, ok := dec.(*epcis.XMLDecoder); ok {
		xd.SetLenient(!opts.strict)
	}
	var last error
	for i := 0; ; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		e, err := dec.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if err == last || !isEventDecodeError(err) {
				return fmt.Errorf("解码失败 / decoding failed: %w", err)
			}
			last = err
			// The decoder's message names the event already.
			w.fail("%s: 解码失败 / decoding failed: %v", hashInputName(path), err)
			continue
		}
		pre, err := h.PreHash(e)
		if err != nil {
			w.fail("%s: 事件 %d / event %d: 无法计算哈希 / cannot compute the hash: %v", hashInputName(path), i, i, err)
			continue
		}
		w.out.WriteString(eventhash.HashPreHash(pre))
		w.out.WriteByte('\n')
		if opts.preHash {
			w.out.WriteString(pre)
			w.out.WriteByte('\n')
		}
	}
}

// isEventDecodeError reports whether a decoding error concerns one event
// only, so that the decoder goes on with the next event.
func isEventDecodeError(err error) bool {
	var verr *epcis.ValidationError
	return errors.As(err, &verr) && len(verr.Errors) > 0 && verr.Errors[0].EventIndex >= 0
}

// hashContentType names the syntax of a document file by its extension. An
// empty result lets the decoder sniff the content.
func hashContentType(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xml":
		return "application/xml"
	case ".json", ".jsonld":
		return "application/ld+json"
	}
	return ""
}
