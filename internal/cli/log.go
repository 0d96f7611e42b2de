package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/suyuan-trace/suyuan/internal/auditlog"
	"github.com/suyuan-trace/suyuan/internal/store"
	"golang.org/x/mod/sumdb/note"
)

// logAction is one "suyuan log" subcommand.
type logAction struct {
	summary string
	usage   string
	setup   func(fs *flag.FlagSet)
	run     func(ctx context.Context, env *Env, fs *flag.FlagSet) error
}

var logActions = map[string]logAction{
	"keygen": {
		summary: "生成签名密钥文件 / write a new signing key pair",
		usage:   "--alg ed25519|sm2 --name NAME --out FILE [--force]",
		setup: func(fs *flag.FlagSet) {
			fs.String("alg", auditlog.AlgEd25519, "签名算法 ed25519 或 sm2（配合 --hash sm3） / signature `ALG`, ed25519 or sm2 (use with tree hash sm3)")
			fs.String("name", "", "密钥名，建议用无协议 URL，如 trace.example.gov.cn/log / key `NAME`, best a schema-less URL")
			fs.String("out", "", "私钥文件；公钥写入 FILE.pub / private key `FILE`; the public key goes to FILE.pub")
			fs.Bool("force", false, "覆盖已有文件 / overwrite existing files")
		},
		run: runLogKeygen,
	},
	"integrate": {
		summary: "把新叶子并入树并签署检查点 / integrate new leaves and sign a checkpoint",
		usage:   "[--db DB] [--log-key FILE] [--origin ORIGIN] [--hash sha256|sm3]",
		setup: func(fs *flag.FlagSet) {
			dbFlag(fs)
			logKeyFlags(fs)
		},
		run: runLogIntegrate,
	},
	"checkpoint": {
		summary: "输出最新检查点 / print the latest signed checkpoint",
		usage:   "[--db DB]",
		setup:   func(fs *flag.FlagSet) { dbFlag(fs) },
		run:     runLogCheckpoint,
	},
	"proof": {
		summary: "导出事件或决定的包含证明（JSON） / export an event's or a decision's inclusion proof as JSON",
		usage:   "(--event ID | --decision SEQ) [--size N] [--db DB] [--hash sha256|sm3] [--out FILE]",
		setup: func(fs *flag.FlagSet) {
			dbFlag(fs)
			fs.String("event", "", "事件 eventID / the event's `eventID`")
			fs.Int64("decision", 0, "决定序号 / the decision's `SEQ`")
			fs.Uint64("size", 0, "树大小；0 为最新检查点 / tree `size`; 0 means the latest checkpoint")
			fs.String("hash", auditlog.HashSHA256, "日志树哈希 sha256 或 sm3 / tree hash `ALG`, sha256 or sm3")
			fs.String("out", "", "输出文件；缺省为标准输出 / output `FILE`; default standard output")
		},
		run: runLogProof,
	},
	"decisions": {
		summary: "列出审计日志中的决定 / list the decisions recorded in the audit log",
		usage:   "[--db DB] [--kind PREFIX] [--subject ID] [--after SEQ] [--limit N] [--json]",
		setup: func(fs *flag.FlagSet) {
			dbFlag(fs)
			fs.String("kind", "", "只列种类以此开头的决定，如 party. 或 recall.open / list only kinds starting with `PREFIX`, such as party. or recall.open")
			fs.String("subject", "", "只列关于此对象的决定（如主体 ID） / list only decisions about subject `ID`, such as a party ID")
			fs.Int64("after", 0, "只列序号大于此值的决定 / list only decisions with a seq above `SEQ`")
			fs.Int("limit", 100, "最多列出条数（1 到 1000） / maximum number of decisions to list (1 to 1000)")
			fs.Bool("json", false, "每行输出一个 JSON 对象，可交给 verify --doc / print one JSON object a line, as verify --doc reads")
		},
		run: runLogDecisions,
	},
	"consistency": {
		summary: "导出一致性证明（JSON） / export a consistency proof as JSON",
		usage:   "--from M [--to N] [--db DB] [--hash sha256|sm3] [--out FILE]",
		setup: func(fs *flag.FlagSet) {
			dbFlag(fs)
			fs.Uint64("from", 0, "旧树大小 / older tree `size`")
			fs.Uint64("to", 0, "新树大小；0 为最新检查点 / newer tree `size`; 0 means the latest checkpoint")
			fs.String("hash", auditlog.HashSHA256, "日志树哈希 sha256 或 sm3 / tree hash `ALG`, sha256 or sm3")
			fs.String("out", "", "输出文件；缺省为标准输出 / output `FILE`; default standard output")
		},
		run: runLogConsistency,
	},
	"witness": {
		summary: "把最新检查点提交给见证方并保存副署 / submit the latest checkpoint to a witness and store its cosignature",
		usage:   "--witness-url URL [--db DB] [--log-key FILE] [--origin ORIGIN] [--hash sha256|sm3]",
		setup: func(fs *flag.FlagSet) {
			dbFlag(fs)
			logKeyFlags(fs)
			fs.String("witness-url", "", "见证方 add-checkpoint 接口（C2SP tlog-witness） / the witness's add-checkpoint `URL` (C2SP tlog-witness)")
		},
		run: runLogWitness,
	},
	"serve-witness": {
		summary: "作为见证方提供 add-checkpoint 接口 / serve the add-checkpoint call as a witness for one log",
		usage:   "--listen ADDR --log-vkey KEY --origin ORIGIN --key FILE --state FILE [--hash sha256|sm3]",
		setup: func(fs *flag.FlagSet) {
			fs.String("listen", "127.0.0.1:8081", "监听地址 / listen `ADDR`ess (host:port)")
			fs.String("log-vkey", "", "被见证日志的公钥（vkey 文本或文件） / verifier `KEY` of the witnessed log (vkey text or file)")
			fs.String("origin", "", "被见证日志的 origin / checkpoint `ORIGIN` of the witnessed log")
			fs.String("key", "", "见证方私钥文件 / the witness's private key `FILE`")
			fs.String("state", "", "见证状态文件 / witness state `FILE`")
			fs.String("hash", auditlog.HashSHA256, "被见证日志的树哈希 / tree hash `ALG` of the witnessed log")
		},
		run: runLogServeWitness,
	},
	"cosign": {
		summary: "作为见证方核验并副署另一平台的检查点 / as a witness, check another log's checkpoint and cosign it",
		usage:   "(--checkpoint FILE [--proof FILE] | --log-url URL) --log-vkey KEY --origin ORIGIN --key FILE --state FILE [--hash sha256|sm3] [--out FILE]",
		setup: func(fs *flag.FlagSet) {
			fs.String("checkpoint", "", "被见证日志的检查点文件 / checkpoint `FILE` of the witnessed log")
			fs.String("proof", "", "从上次副署大小到此检查点的一致性证明 JSON / consistency proof `FILE` from the last cosigned size to this checkpoint")
			fs.String("log-url", "", "被见证日志的 API 前缀，从中获取检查点和证明 / audit-log API `URL` of the witnessed log, to fetch the checkpoint and proof from")
			fs.String("log-vkey", "", "被见证日志的公钥（vkey 文本或文件） / verifier `KEY` of the witnessed log (vkey text or file)")
			fs.String("origin", "", "被见证日志的 origin / checkpoint `ORIGIN` of the witnessed log")
			fs.String("key", "", "见证方私钥文件 / the witness's private key `FILE`")
			fs.String("state", "", "见证状态文件（每个日志最近副署的大小） / witness state `FILE` (last cosigned size per log)")
			fs.String("hash", auditlog.HashSHA256, "被见证日志的树哈希 / tree hash `ALG` of the witnessed log")
			fs.String("out", "", "副署后的检查点文件；缺省为标准输出 / output `FILE` for the cosigned checkpoint; default standard output")
		},
		run: runLogCosign,
	},
	"verify-cosigned": {
		summary: "核验检查点及见证副署 / verify a checkpoint and its witness cosignatures",
		usage:   "--checkpoint FILE --log-vkey KEY --witness-vkey KEY... [--quorum N] [--origin ORIGIN]",
		setup: func(fs *flag.FlagSet) {
			fs.String("checkpoint", "", "检查点文件 / checkpoint `FILE`")
			fs.String("log-vkey", "", "日志公钥（vkey 文本或文件） / the log's verifier `KEY`")
			fs.Var(new(stringList), "witness-vkey", "见证方副署公钥，可重复 / a witness's cosignature verifier `KEY`; repeatable")
			fs.Int("quorum", 1, "至少需要的见证数 / minimum number of witness cosignatures")
			fs.String("origin", "", "要求的 origin / required checkpoint `ORIGIN`")
		},
		run: runLogVerifyCosigned,
	},
}

func init() {
	names := make([]string, 0, len(logActions))
	for n := range logActions {
		names = append(names, n)
	}
	sort.Strings(names)
	register(&Command{
		Name:    "log",
		Summary: "审计日志：密钥、检查点、证明、见证副署 / audit log: keys, checkpoints, proofs, witness cosigning",
		Usage:   "ACTION [flags]   (ACTION: " + strings.Join(names, ", ") + "; \"suyuan log ACTION -h\" shows its flags)",
		Run:     runLog,
	})
}

func runLog(ctx context.Context, env *Env, _ *flag.FlagSet, args []string) error {
	if len(args) == 0 {
		return usageErrorf("缺少操作 / name an action")
	}
	a, ok := logActions[args[0]]
	if !ok {
		return usageErrorf("未知操作 / unknown action %q", args[0])
	}
	fs := flag.NewFlagSet("suyuan log "+args[0], flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	a.setup(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "%s\n\nusage: suyuan log %s %s\n\n选项 flags:\n", a.summary, args[0], a.usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%w: %v", ErrUsage, err)}
	}
	if fs.NArg() > 0 {
		return usageErrorf("多余的参数 / unexpected arguments %q", fs.Args())
	}
	return a.run(ctx, env, fs)
}

// stringList collects a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

// logKeyFlags declares the flags that choose the signing key and log
// identity of commands that sign checkpoints.
func logKeyFlags(fs *flag.FlagSet) {
	fs.String("log-key", "", "签名私钥文件；缺省读环境变量 SUYUAN_LOG_KEY / signing key `FILE`; default: the key in env SUYUAN_LOG_KEY")
	fs.String("origin", os.Getenv("SUYUAN_LOG_ORIGIN"), "检查点 origin；缺省沿用最新检查点的 / checkpoint `ORIGIN`; default: the latest checkpoint's (env SUYUAN_LOG_ORIGIN)")
	fs.String("hash", "", "树哈希 sha256 或 sm3；缺省 SM2 密钥用 sm3 / tree hash `ALG`, sha256 or sm3; default sm3 for an SM2 key, else sha256")
}

// keyFile is one file keygen writes.
type keyFile struct {
	path string
	data string
	mode os.FileMode
}

func runLogKeygen(_ context.Context, env *Env, fs *flag.FlagSet) error {
	alg, name, out := stringFlag(fs, "alg"), stringFlag(fs, "name"), stringFlag(fs, "out")
	if name == "" || out == "" {
		return usageErrorf("需要 --name 和 --out / --name and --out are required")
	}
	skey, vkey, err := auditlog.GenerateKey(alg, name)
	if err != nil {
		return err
	}

	files := []keyFile{{out, skey + "\n", 0o600}, {out + ".pub", vkey + "\n", 0o644}}
	s, err := auditlog.NewSigner(skey)
	if err != nil {
		return err
	}
	_, cosignKey, err := auditlog.Cosigner(s)
	if err != nil {
		return err
	}
	if cosignKey != vkey {
		files = append(files, keyFile{out + ".cosign.pub", cosignKey + "\n", 0o644})
	}
	if alg == auditlog.AlgSM2 {
		pemKey, err := auditlog.SM2PublicKeyPEM(vkey)
		if err != nil {
			return err
		}
		files = append(files, keyFile{out + ".pub.pem", string(pemKey), 0o644})
	}

	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if boolFlag(fs, "force") {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	for _, f := range files {
		fh, err := os.OpenFile(f.path, flags, f.mode)
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("文件已存在 / %s already exists; pass --force to overwrite it", f.path)
		}
		if err != nil {
			return fmt.Errorf("写入密钥失败 / write key: %w", err)
		}
		_, werr := fh.WriteString(f.data)
		if cerr := fh.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("写入密钥失败 / write %s: %w", f.path, werr)
		}
		fmt.Fprintf(env.Stdout, "已写入 wrote %s\n", f.path)
	}
	fmt.Fprintf(env.Stdout, "公钥 verifier key: %s\n", vkey)
	return nil
}

// openSigningLog opens the store and the log with the signing key, origin
// and hasher from the flags of logKeyFlags.
func openSigningLog(ctx context.Context, fs *flag.FlagSet) (store.Store, *auditlog.Log, error) {
	signer, err := auditlog.LoadSigner(stringFlag(fs, "log-key"))
	if err != nil {
		return nil, nil, err
	}
	hashName := stringFlag(fs, "hash")
	if hashName == "" && signer.Algorithm() == auditlog.AlgSM2 {
		hashName = auditlog.HashSM3
	}
	h, err := auditlog.HasherByName(hashName)
	if err != nil {
		return nil, nil, usageErrorf("--hash: %v", err)
	}

	st, err := openExistingStore(ctx, stringFlag(fs, "db"))
	if err != nil {
		return nil, nil, fmt.Errorf("打开存储失败 / open store: %w", err)
	}

	origin := stringFlag(fs, "origin")
	if origin == "" {
		_, msg, err := st.Checkpoint(ctx, 0)
		if err != nil {
			st.Close()
			if errors.Is(err, store.ErrNotFound) {
				return nil, nil, usageErrorf("尚无检查点，请用 --origin 给出日志名 / no checkpoint yet: name the log with --origin, such as trace.example.gov.cn/log")
			}
			return nil, nil, err
		}
		c, err := auditlog.ParseCheckpointUnverified(msg)
		if err != nil {
			st.Close()
			return nil, nil, err
		}
		origin = c.Origin
	}
	l, err := auditlog.New(st, h, signer, origin)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, l, nil
}

func runLogIntegrate(ctx context.Context, env *Env, fs *flag.FlagSet) error {
	st, l, err := openSigningLog(ctx, fs)
	if err != nil {
		return err
	}
	defer st.Close()
	c, err := l.Integrate(ctx)
	if err != nil {
		return fmt.Errorf("并入失败 / integrate: %w", err)
	}
	_, err = env.Stdout.Write(c.Note)
	return err
}

func runLogWitness(ctx context.Context, env *Env, fs *flag.FlagSet) error {
	url := stringFlag(fs, "witness-url")
	if url == "" {
		return usageErrorf("需要 --witness-url / --witness-url is required")
	}
	st, l, err := openSigningLog(ctx, fs)
	if err != nil {
		return err
	}
	defer st.Close()
	c, err := l.RequestCosignature(ctx, &auditlog.WitnessClient{URL: url})
	if err != nil {
		return fmt.Errorf("见证方未副署 / the witness did not cosign: %w", err)
	}
	_, err = env.Stdout.Write(c.Note)
	return err
}

// newWitness builds the witness described by the cosign and serve-witness
// flags, and returns it with its cosignature verifier key.
func newWitness(fs *flag.FlagSet) (*auditlog.Witness, string, error) {
	logKey, err := loadVerifier(stringFlag(fs, "log-vkey"))
	if err != nil {
		return nil, "", err
	}
	origin, keyFile, stateFile := stringFlag(fs, "origin"), stringFlag(fs, "key"), stringFlag(fs, "state")
	if logKey == nil || origin == "" || keyFile == "" || stateFile == "" {
		return nil, "", usageErrorf("需要 --log-vkey、--origin、--key 和 --state / --log-vkey, --origin, --key and --state are required")
	}
	h, err := auditlog.HasherByName(stringFlag(fs, "hash"))
	if err != nil {
		return nil, "", usageErrorf("--hash: %v", err)
	}
	signer, err := auditlog.LoadSigner(keyFile)
	if err != nil {
		return nil, "", err
	}
	cosigner, cosignKey, err := auditlog.Cosigner(signer)
	if err != nil {
		return nil, "", err
	}
	w := &auditlog.Witness{Cosigner: cosigner, LogKey: logKey, Origin: origin, Hasher: h, State: &auditlog.FileWitnessState{Path: stateFile}}
	return w, cosignKey, nil
}

func runLogServeWitness(ctx context.Context, env *Env, fs *flag.FlagSet) error {
	w, cosignKey, err := newWitness(fs)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /add-checkpoint", w.AddCheckpointHandler())
	ln, err := net.Listen("tcp", stringFlag(fs, "listen"))
	if err != nil {
		return fmt.Errorf("监听失败 / listen: %w", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(env.Stdout, "见证服务 witness for %s: http://%s/add-checkpoint\n副署公钥 cosignature key: %s\n", w.Origin, ln.Addr(), cosignKey)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("见证服务停止 / witness server stopped: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("关闭见证服务失败 / shut down witness server: %w", err)
	}
	return nil
}

func runLogCheckpoint(ctx context.Context, env *Env, fs *flag.FlagSet) error {
	st, err := openExistingStore(ctx, stringFlag(fs, "db"))
	if err != nil {
		return fmt.Errorf("打开存储失败 / open store: %w", err)
	}
	defer st.Close()
	_, msg, err := st.Checkpoint(ctx, 0)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("尚无检查点，先运行 \"suyuan log integrate\" / no checkpoint yet; run \"suyuan log integrate\" first: %w", err)
	}
	if err != nil {
		return err
	}
	_, err = env.Stdout.Write(msg)
	return err
}

// openReader opens the store and a read-only log over it.
func openReader(ctx context.Context, fs *flag.FlagSet) (store.Store, *auditlog.Log, error) {
	h, err := auditlog.HasherByName(stringFlag(fs, "hash"))
	if err != nil {
		return nil, nil, usageErrorf("--hash: %v", err)
	}
	st, err := openExistingStore(ctx, stringFlag(fs, "db"))
	if err != nil {
		return nil, nil, fmt.Errorf("打开存储失败 / open store: %w", err)
	}
	r, err := auditlog.NewReader(st, h, "", nil)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, r, nil
}

func runLogProof(ctx context.Context, env *Env, fs *flag.FlagSet) error {
	eventID := stringFlag(fs, "event")
	decisionSeq := fs.Lookup("decision").Value.(flag.Getter).Get().(int64)
	if (eventID == "") == (decisionSeq == 0) {
		return usageErrorf("需要 --event ID 或 --decision SEQ 之一 / give one of --event ID or --decision SEQ")
	}
	if decisionSeq < 0 {
		return usageErrorf("--decision 须为正整数 / --decision %d: give a decision seq from 1", decisionSeq)
	}
	st, r, err := openReader(ctx, fs)
	if err != nil {
		return err
	}
	defer st.Close()
	c, err := r.Checkpoint(ctx)
	if err != nil {
		return fmt.Errorf("读取检查点失败 / read checkpoint: %w", err)
	}
	size := fs.Lookup("size").Value.(flag.Getter).Get().(uint64)
	if size == 0 {
		size = c.Size
	} else if c, err = r.CheckpointAt(ctx, size); err != nil {
		return fmt.Errorf("大小 %d 没有检查点 / no checkpoint was signed at size %d: %w", size, size, err)
	}

	var index uint64
	if eventID != "" {
		if index, err = st.LeafIndex(ctx, eventID); err != nil {
			return fmt.Errorf("事件没有叶子 / event %s has no audit-log leaf: %w", eventID, err)
		}
	} else {
		d, err := r.Decision(ctx, decisionSeq)
		if err != nil {
			return fmt.Errorf("决定没有叶子 / %w", err)
		}
		index = d.LeafIndex
	}
	if index >= size {
		return fmt.Errorf("叶子 %d 尚未进入大小为 %d 的树，先运行 \"suyuan log integrate\" / leaf %d is not in the tree of size %d yet; run \"suyuan log integrate\" first", index, size, index, size)
	}
	hashes, err := r.InclusionProof(ctx, index, size)
	if err != nil {
		return err
	}
	leaves, err := st.LeafHashes(ctx, index, index+1)
	if err != nil {
		return err
	}
	return writeJSONOutput(env, stringFlag(fs, "out"), auditlog.InclusionProofJSON{
		EventID: eventID, DecisionSeq: decisionSeq, LeafIndex: index, TreeSize: size, LeafHash: leaves[0], Hashes: hashes, Checkpoint: string(c.Note),
	})
}

func runLogDecisions(ctx context.Context, env *Env, fs *flag.FlagSet) error {
	limit := fs.Lookup("limit").Value.(flag.Getter).Get().(int)
	after := fs.Lookup("after").Value.(flag.Getter).Get().(int64)
	if limit < 1 || limit > store.DefaultDecisionLimit {
		return usageErrorf("--limit 须在 1 到 %d 之间 / --limit %d: give 1 to %d", store.DefaultDecisionLimit, limit, store.DefaultDecisionLimit)
	}
	if after < 0 {
		return usageErrorf("--after 不能为负 / --after %d: give 0 or a decision seq", after)
	}
	st, err := openExistingStore(ctx, stringFlag(fs, "db"))
	if err != nil {
		return fmt.Errorf("打开存储失败 / open store: %w", err)
	}
	defer st.Close()

	ds, ok := st.(store.DecisionStore)
	if !ok {
		return fmt.Errorf("存储不保存决定 / the store %s keeps no decisions", stringFlag(fs, "db"))
	}
	list, err := ds.Decisions(ctx, store.DecisionFilter{
		KindPrefix: stringFlag(fs, "kind"), Subject: stringFlag(fs, "subject"), AfterSeq: after, Limit: limit,
	})
	if err != nil {
		return fmt.Errorf("读取决定失败 / list decisions: %w", err)
	}

	if boolFlag(fs, "json") {
		enc := json.NewEncoder(env.Stdout)
		for _, d := range list {
			if err := enc.Encode(d); err != nil {
				return err
			}
		}
		return nil
	}
	if len(list) == 0 {
		fmt.Fprintln(env.Stdout, "没有符合条件的决定 / no matching decisions")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "序号 seq\t叶子 leaf\t时间 time (UTC)\t种类 kind\t对象 subject\t决定人 actor")
	for _, d := range list {
		leaf := "-"
		if d.LeafHash != nil {
			leaf = fmt.Sprint(d.LeafIndex)
		}
		actor := d.Actor
		if d.ActorPartyID != "" {
			actor += " (" + d.ActorPartyID + ")"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", d.Seq, leaf, d.Time.UTC().Format(auditlog.DecisionTimeLayout), d.Kind, d.Subject, actor)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(list) == limit {
		fmt.Fprintf(env.Stdout, "还有更多，用 --after %d 继续 / more may follow; continue with --after %d\n", list[len(list)-1].Seq, list[len(list)-1].Seq)
	}
	return nil
}

func runLogConsistency(ctx context.Context, env *Env, fs *flag.FlagSet) error {
	st, r, err := openReader(ctx, fs)
	if err != nil {
		return err
	}
	defer st.Close()
	from := fs.Lookup("from").Value.(flag.Getter).Get().(uint64)
	to := fs.Lookup("to").Value.(flag.Getter).Get().(uint64)
	if to == 0 {
		c, err := r.Checkpoint(ctx)
		if err != nil {
			return fmt.Errorf("读取检查点失败 / read checkpoint: %w", err)
		}
		to = c.Size
	}
	hashes, err := r.ConsistencyProof(ctx, from, to)
	if err != nil {
		return err
	}
	return writeJSONOutput(env, stringFlag(fs, "out"), auditlog.ConsistencyProofJSON{From: from, To: to, Hashes: hashes})
}

func runLogCosign(ctx context.Context, env *Env, fs *flag.FlagSet) error {
	w, cosignKey, err := newWitness(fs)
	if err != nil {
		return err
	}
	origin, logKey, state := w.Origin, w.LogKey, w.State

	var msg []byte
	var hashes [][]byte
	switch url := stringFlag(fs, "log-url"); {
	case url != "":
		client := &auditlog.Client{BaseURL: url}
		if msg, err = client.Checkpoint(ctx); err != nil {
			return err
		}
		c, err := auditlog.OpenCheckpoint(msg, origin, logKey)
		if err != nil {
			return err
		}
		last, _, seen, err := state.Last(ctx, origin)
		if err != nil {
			return err
		}
		if seen && last > 0 && last < c.Size {
			if hashes, err = client.ConsistencyProof(ctx, last, c.Size); err != nil {
				return err
			}
		}
	case stringFlag(fs, "checkpoint") != "":
		if msg, err = os.ReadFile(stringFlag(fs, "checkpoint")); err != nil {
			return fmt.Errorf("读取检查点失败 / read checkpoint: %w", err)
		}
		if p := stringFlag(fs, "proof"); p != "" {
			var cp auditlog.ConsistencyProofJSON
			if err := readJSONFile(p, &cp); err != nil {
				return err
			}
			hashes = cp.Hashes
		}
	default:
		return usageErrorf("需要 --checkpoint FILE 或 --log-url URL / pass --checkpoint FILE or --log-url URL")
	}
	out, err := w.Cosign(ctx, msg, hashes)
	if err != nil {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("拒绝副署 / not cosigned: %w", err)}
	}
	if path := stringFlag(fs, "out"); path != "" {
		if err := os.WriteFile(path, out, 0o644); err != nil {
			return fmt.Errorf("写入失败 / write %s: %w", path, err)
		}
		fmt.Fprintf(env.Stderr, "已副署 cosigned; 副署公钥 cosignature key: %s\n", cosignKey)
		return nil
	}
	_, err = env.Stdout.Write(out)
	return err
}

func runLogVerifyCosigned(_ context.Context, env *Env, fs *flag.FlagSet) error {
	logKey, err := loadVerifier(stringFlag(fs, "log-vkey"))
	if err != nil {
		return err
	}
	path := stringFlag(fs, "checkpoint")
	if logKey == nil || path == "" {
		return usageErrorf("需要 --checkpoint 和 --log-vkey / --checkpoint and --log-vkey are required")
	}
	var witnesses []note.Verifier
	for _, k := range *fs.Lookup("witness-vkey").Value.(*stringList) {
		v, err := loadVerifier(k)
		if err != nil {
			return err
		}
		witnesses = append(witnesses, v)
	}
	msg, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("读取检查点失败 / read checkpoint: %w", err)
	}
	quorum := fs.Lookup("quorum").Value.(flag.Getter).Get().(int)
	c, err := auditlog.VerifyCosigned(msg, stringFlag(fs, "origin"), logKey, witnesses, quorum)
	if err != nil {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("失败 / FAILED: %w", err)}
	}
	fmt.Fprintf(env.Stdout, "通过：日志 %s 大小 %d 的检查点有效，见证副署达到 %d 个\nOK: checkpoint of log %s at size %d is valid with at least %d witness cosignatures\n",
		c.Origin, c.Size, quorum, c.Origin, c.Size, quorum)
	return nil
}

func writeJSONOutput(env *Env, path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if path == "" {
		_, err = env.Stdout.Write(b)
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("写入失败 / write %s: %w", path, err)
	}
	return nil
}
