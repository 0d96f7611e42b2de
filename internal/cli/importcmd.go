package cli

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"

	"github.com/schollz/progressbar/v3"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/capture"
	"github.com/suyuan-trace/suyuan/internal/store"
)

func init() {
	var (
		db         *string
		progress   bool
		quiet      bool
		cpuProfile string
	)
	register(&Command{
		Name:    "import",
		Summary: "导入 EPCIS 文档（JSON-LD / XML） / import EPCIS documents (JSON-LD or XML)",
		Usage:   "[--db DB] FILE|DIR...",
		Setup: func(fs *flag.FlagSet) {
			db = dbFlag(fs)
			fs.BoolVar(&progress, "progress", isTerminal(os.Stderr), "显示进度条 / show a progress bar (default: when stderr is a terminal)")
			fs.BoolVar(&quiet, "quiet", false, "只报告被拒绝的文件 / report rejected files only")
			fs.StringVar(&cpuProfile, "cpuprofile", "", "把 CPU 剖析写入文件 / write a CPU profile (go tool pprof) to this file")
		},
		Run: func(ctx context.Context, env *Env, _ *flag.FlagSet, args []string) error {
			if len(args) == 0 {
				return usageErrorf("name at least one file or directory")
			}
			files, err := documentFiles(args)
			if err != nil {
				return err
			}
			st, err := openStore(ctx, *db)
			if err != nil {
				return fmt.Errorf("open store %s: %w", redactDSN(*db), err)
			}
			defer st.Close()
			if cpuProfile != "" {
				f, err := os.Create(cpuProfile)
				if err != nil {
					return err
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			return importFiles(ctx, env, newCaptureService(st, nil), files, progress, quiet)
		},
	})
}

// importTotals sums the outcomes of an import run.
type importTotals struct {
	files, rejectedFiles                       int
	accepted, duplicates, declared, errorCount int
}

func importFiles(ctx context.Context, env *Env, cs *capture.Service, files []string, progress, quiet bool) error {
	var bar *progressbar.ProgressBar
	if progress {
		bar = progressbar.NewOptions(len(files),
			progressbar.OptionSetWriter(env.Stderr),
			progressbar.OptionSetDescription("导入 importing"),
			progressbar.OptionShowCount(),
			progressbar.OptionClearOnFinish())
	}
	var t importTotals
	for _, path := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		job, err := importFile(ctx, cs, path)
		t.files++
		if bar != nil {
			bar.Add(1)
		}
		switch {
		case err != nil:
			t.rejectedFiles++
			reasons := job.Errors
			if len(reasons) == 0 {
				reasons = []store.JobError{{EventIndex: -1, Message: err.Error()}}
			}
			t.errorCount += len(reasons)
			fmt.Fprintf(env.Stdout, "✗ %s: 已拒绝 rejected, 错误 errors: %d\n", path, len(reasons))
			for i, r := range reasons {
				if i == 20 {
					fmt.Fprintf(env.Stdout, "    … 另有 %d 条 more\n", len(reasons)-i)
					break
				}
				fmt.Fprintf(env.Stdout, "    %s\n", r.Message)
			}
		default:
			t.accepted += job.Accepted
			t.duplicates += job.Duplicates
			t.declared += job.Declared
			if !quiet {
				fmt.Fprintf(env.Stdout, "✓ %s: 接受 accepted %d, 重复 duplicates %d, 更正声明 error declarations %d\n",
					path, job.Accepted, job.Duplicates, job.Declared)
			}
		}
	}
	if bar != nil {
		bar.Finish()
	}
	fmt.Fprintf(env.Stdout, "合计 total: 文件 files %d, 拒绝 rejected %d; 接受的事件 events accepted %d, 重复 duplicates %d, 更正声明 error declarations %d\n",
		t.files, t.rejectedFiles, t.accepted, t.duplicates, t.declared)
	if t.rejectedFiles > 0 {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%d of %d files rejected", t.rejectedFiles, t.files)}
	}
	return nil
}

// importFile captures one document file and returns its capture job.
func importFile(ctx context.Context, cs *capture.Service, path string) (store.Job, error) {
	f, err := os.Open(path)
	if err != nil {
		return store.Job{}, err
	}
	defer f.Close()
	dec, err := epcis.NewDecoder(f, contentTypeOf(path))
	if err != nil {
		return store.Job{}, err
	}
	res, err := cs.Capture(ctx, dec, path)
	return res.Job, err
}

// contentTypeOf guesses a document's media type from its file name; an
// empty result lets the decoder sniff the content.
func contentTypeOf(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xml":
		return "application/xml"
	case ".json", ".jsonld":
		return "application/ld+json"
	}
	return ""
}

// documentFiles expands directories into the EPCIS document files below
// them (.json, .jsonld, .xml), sorted by path; files named directly are
// taken whatever their extension.
func documentFiles(args []string) ([]string, error) {
	var files []string
	for _, arg := range args {
		info, err := os.Stat(arg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", arg, err)
		}
		if !info.IsDir() {
			files = append(files, arg)
			continue
		}
		var found []string
		err = filepath.WalkDir(arg, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && contentTypeOf(path) != "" {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read directory %s: %w", arg, err)
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no .json, .jsonld or .xml files found", arg)
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, nil
}

func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
