package cli

import (
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
		Usage:   "[--prehash] [--ignore {NAMESPACE}NAME]... FILE...   (FILE \"-\" reads standard input)",
		Setup: func(fs *flag.FlagSet) {
			fs.Bool("prehash", false, "在每个哈希的下一行输出预哈希字符串 / also print the pre-hash string on the line after each hash")
			fs.Var(new(ignoreFieldsFlag), "ignore", "不计入哈希的顶层用户扩展字段, 形如 {https://ns.example.com/epcis/}captureID, 可重复 / top-level user extension field left out of the hash, written as `{namespace}localName`; repeatable")
		},
		Run: func(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
			if len(args) == 0 {
				return usageErrorf("缺少文件 / name at least one EPCIS document file, or \"-\" for standard input")
			}
			preHash := fs.Lookup("prehash").Value.(flag.Getter).Get().(bool)
			h := &eventhash.Hasher{IgnoreFields: *fs.Lookup("ignore").Value.(*ignoreFieldsFlag)}
			return runHash(ctx, env, h, preHash, args)
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

// runHash prints the hash of every event of every file, in order. A file or
// event that fails is reported on stderr and skipped. The command then ends
// with exit status 1 after the other events are printed.
func runHash(ctx context.Context, env *Env, h *eventhash.Hasher, preHash bool, files []string) error {
	failed := 0
	for _, path := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := hashFile(env, h, preHash, path)
		failed += n
		if err != nil {
			fmt.Fprintf(env.Stderr, "suyuan hash: %s: %v\n", hashInputName(path), err)
			failed++
		}
	}
	if failed > 0 {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%d 处失败, 见上文 / %d failures, see the messages above", failed, failed)}
	}
	return nil
}

// hashInputName names a file argument in messages.
func hashInputName(path string) string {
	if path == "-" {
		return "标准输入 standard input"
	}
	return path
}

// hashFile prints the hashes of the events of one document. It returns the
// number of events that failed, each already reported on stderr, and an
// error that ended the document early.
func hashFile(env *Env, h *eventhash.Hasher, preHash bool, path string) (int, error) {
	var r io.Reader
	contentType := ""
	if path == "-" {
		r = env.Stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return 0, fmt.Errorf("打开失败 / cannot open: %w", err)
		}
		defer f.Close()
		r = f
		contentType = hashContentType(path)
	}
	dec, err := epcis.NewDecoder(r, contentType)
	if err != nil {
		return 0, err
	}
	failed := 0
	var last error
	for i := 0; ; i++ {
		e, err := dec.Next()
		if errors.Is(err, io.EOF) {
			return failed, nil
		}
		if err != nil {
			if err == last || !isEventDecodeError(err) {
				return failed, fmt.Errorf("解码失败 / decoding failed: %w", err)
			}
			last = err
			// The decoder's message names the event already.
			fmt.Fprintf(env.Stderr, "suyuan hash: %s: 解码失败 / decoding failed: %v\n", hashInputName(path), err)
			failed++
			continue
		}
		pre, err := h.PreHash(e)
		if err != nil {
			fmt.Fprintf(env.Stderr, "suyuan hash: %s: 事件 %d / event %d: 无法计算哈希 / cannot compute the hash: %v\n", hashInputName(path), i, i, err)
			failed++
			continue
		}
		fmt.Fprintln(env.Stdout, eventhash.HashPreHash(pre))
		if preHash {
			fmt.Fprintln(env.Stdout, pre)
		}
	}
}

// isEventDecodeError reports whether a decoding error concerns one event only, so
// that the decoder goes on with the next event.
func isEventDecodeError(err error) bool {
	var verr *epcis.ValidationError
	return errors.As(err, &verr) && len(verr.Errors) > 0 && verr.Errors[0].EventIndex >= 0
}

// hashContentType names the syntax of a document file by its extension; an
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
