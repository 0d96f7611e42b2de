package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/eventhash"
	"github.com/suyuan-trace/suyuan/internal/auditlog"
	"github.com/suyuan-trace/suyuan/internal/store"
	"golang.org/x/mod/sumdb/note"
)

func init() {
	register(&Command{
		Name:    "verify",
		Summary: "核验审计日志 / verify the audit log: one event or decision, two checkpoints, or every stored event and decision",
		Usage: "--all [--db DB]\n" +
			"       suyuan verify --event ID --proof FILE [--checkpoint FILE] [--doc FILE | --db DB] [--vkey KEY]\n" +
			"       suyuan verify --decision SEQ --proof FILE [--checkpoint FILE] [--doc FILE | --db DB] [--vkey KEY]\n" +
			"       suyuan verify --consistency [--proof FILE | --db DB] [--vkey KEY] OLD NEW",
		Setup: func(fs *flag.FlagSet) {
			dbFlag(fs)
			fs.Bool("all", false, "从存储的事件和决定重算每个叶子并与日志比对 / recompute every leaf from the stored events and decisions and compare it with the log")
			fs.String("event", "", "要核验的事件 eventID / eventID of the event to check")
			fs.Int64("decision", 0, "要核验的决定序号 / `SEQ` of the decision to check")
			fs.Bool("consistency", false, "核验两个检查点文件 OLD NEW 的一致性 / check that checkpoint file NEW extends checkpoint file OLD")
			fs.String("proof", "", "证明文件（proof/inclusion 或 proof/consistency 接口的 JSON） / proof `FILE`, as JSON from the proof/inclusion or proof/consistency endpoint")
			fs.String("checkpoint", "", "检查点文件（签名 note）；缺省取证明文件中的 / checkpoint `FILE` (signed note); default: the one inside the proof file")
			fs.String("doc", "", "事件的存储 JSON-LD 文件或决定的 JSON 文件（GET /api/v1/decisions 的一项），用于重算叶子 / `FILE` with the event's stored JSON-LD, or the decision's JSON as GET /api/v1/decisions lists it, to recompute its leaf")
			fs.String("vkey", os.Getenv("SUYUAN_LOG_VKEY"), "日志公钥（vkey 文本或文件） / the log's verifier `KEY` (vkey text or a file holding it; env SUYUAN_LOG_VKEY)")
			fs.String("hash", "", "日志树哈希 sha256 或 sm3；缺省 SM2 公钥用 sm3，否则 sha256 / tree hash `ALG`, sha256 or sm3; default sm3 for an SM2 key, else sha256")
			fs.String("origin", "", "要求的检查点 origin / required checkpoint `ORIGIN` line")
		},
		Run: runVerify,
	})
}

// verifyFlags holds the parsed flags of the verify command.
type verifyFlags struct {
	db, event, proof, checkpoint, doc, vkey, hash, origin string
	decision                                              int64
	all, consistency                                      bool
	// dbSet reports whether --db or SUYUAN_DB named the store, so that
	// the default path is never used to recompute a leaf by accident.
	dbSet bool
}

func stringFlag(fs *flag.FlagSet, name string) string {
	return fs.Lookup(name).Value.(flag.Getter).Get().(string)
}

func boolFlag(fs *flag.FlagSet, name string) bool {
	return fs.Lookup(name).Value.(flag.Getter).Get().(bool)
}

func runVerify(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	f := verifyFlags{
		db: stringFlag(fs, "db"), event: stringFlag(fs, "event"), proof: stringFlag(fs, "proof"),
		checkpoint: stringFlag(fs, "checkpoint"), doc: stringFlag(fs, "doc"), vkey: stringFlag(fs, "vkey"),
		hash: stringFlag(fs, "hash"), origin: stringFlag(fs, "origin"),
		all: boolFlag(fs, "all"), consistency: boolFlag(fs, "consistency"),
		decision: fs.Lookup("decision").Value.(flag.Getter).Get().(int64),
		dbSet:    os.Getenv("SUYUAN_DB") != "",
	}
	fs.Visit(func(fl *flag.Flag) {
		if fl.Name == "db" {
			f.dbSet = true
		}
	})
	modes := 0
	for _, on := range []bool{f.all, f.event != "", f.decision != 0, f.consistency} {
		if on {
			modes++
		}
	}
	if modes != 1 {
		return usageErrorf("请选择一种核验：--all、--event ID、--decision SEQ 或 --consistency OLD NEW / choose one check: --all, --event ID, --decision SEQ or --consistency OLD NEW")
	}
	if f.decision < 0 {
		return usageErrorf("--decision 须为正整数 / --decision %d: give a decision seq from 1", f.decision)
	}
	if !f.consistency && len(args) > 0 {
		return usageErrorf("多余的参数 / unexpected arguments %q", args)
	}

	verifier, err := loadVerifier(f.vkey)
	if err != nil {
		return err
	}
	hasher, err := verifyHasher(f.hash, verifier)
	if err != nil {
		return err
	}
	switch {
	case f.all:
		return verifyAll(ctx, env, f, hasher, verifier)
	case f.consistency:
		if len(args) != 2 {
			return usageErrorf("--consistency 需要两个检查点文件 OLD NEW / --consistency needs two checkpoint files, OLD and NEW")
		}
		return verifyConsistency(ctx, env, f, hasher, verifier, args[0], args[1])
	case f.decision != 0:
		return verifyDecision(ctx, env, f, hasher, verifier)
	}
	return verifyEvent(ctx, env, f, hasher, verifier)
}

// loadVerifier parses --vkey: vkey text, or the name of a file holding
// it. It returns nil when the flag is empty.
func loadVerifier(vkey string) (note.Verifier, error) {
	if vkey == "" {
		return nil, nil
	}
	text := vkey
	if !strings.Contains(vkey, "+") {
		b, err := os.ReadFile(vkey)
		if err != nil {
			return nil, fmt.Errorf("读取公钥失败 / read verifier key: %w", err)
		}
		text = string(b)
	}
	v, err := auditlog.NewVerifier(text)
	if err != nil {
		return nil, fmt.Errorf("公钥无效 / --vkey: %w", err)
	}
	return v, nil
}

// verifyHasher returns the hasher named by --hash, or the one that goes
// with the key's algorithm.
func verifyHasher(name string, v note.Verifier) (*auditlog.Hasher, error) {
	if name == "" && v != nil && auditlog.IsSM2Verifier(v) {
		return auditlog.SM3, nil
	}
	h, err := auditlog.HasherByName(name)
	if err != nil {
		return nil, usageErrorf("--hash: %v", err)
	}
	return h, nil
}

// openCheckpointFile reads and verifies a checkpoint note. Without a key
// it only parses the note and warns that the signature was not checked.
func openCheckpointNote(env *Env, msg []byte, origin string, v note.Verifier, what string) (auditlog.Checkpoint, error) {
	if v == nil {
		fmt.Fprintf(env.Stderr, "警告：未给出 --vkey，%s的签名未核验 / warning: no --vkey given, the signature of %s was not checked\n", what, what)
		c, err := auditlog.ParseCheckpointUnverified(msg)
		if err == nil && origin != "" && c.Origin != origin {
			err = fmt.Errorf("%w: origin is %q, want %q", auditlog.ErrInvalidCheckpoint, c.Origin, origin)
		}
		return c, err
	}
	return auditlog.OpenCheckpoint(msg, origin, v)
}

func verifyEvent(ctx context.Context, env *Env, f verifyFlags, h *auditlog.Hasher, v note.Verifier) error {
	p, c, err := readInclusionProof(env, f, v, "--event")
	if err != nil {
		return err
	}
	if p.EventID != "" && p.EventID != f.event {
		return fmt.Errorf("证明文件属于另一事件 / the proof file is for event %q, not %q", p.EventID, f.event)
	}
	leaf, source, err := eventLeaf(ctx, f, h, p)
	if err != nil {
		return err
	}
	if err := auditlog.VerifyInclusion(h, p.LeafIndex, c, leaf, p.Hashes); err != nil {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("失败：事件不在日志中或内容已变 / FAILED: %w", err)}
	}
	fmt.Fprintf(env.Stdout, "通过：事件 %s 是日志 %s 中大小为 %d 的树的第 %d 个叶子\nOK: event %s is leaf %d of the tree of size %d of log %s\n",
		f.event, c.Origin, c.Size, p.LeafIndex, f.event, p.LeafIndex, c.Size, c.Origin)
	fmt.Fprintf(env.Stdout, "叶子来源 leaf from: %s\n", source)
	return nil
}

// readInclusionProof reads the --proof file and its checkpoint (from
// --checkpoint or the proof file), verified with v, and checks that both
// name the same tree size. mode names the flag that needs the proof.
func readInclusionProof(env *Env, f verifyFlags, v note.Verifier, mode string) (auditlog.InclusionProofJSON, auditlog.Checkpoint, error) {
	var p auditlog.InclusionProofJSON
	if f.proof == "" {
		return p, auditlog.Checkpoint{}, usageErrorf("%s 需要 --proof FILE（用 \"suyuan log proof\" 导出） / %s needs --proof FILE (export one with \"suyuan log proof\")", mode, mode)
	}
	if err := readJSONFile(f.proof, &p); err != nil {
		return p, auditlog.Checkpoint{}, err
	}
	msg := []byte(p.Checkpoint)
	if f.checkpoint != "" {
		b, err := os.ReadFile(f.checkpoint)
		if err != nil {
			return p, auditlog.Checkpoint{}, fmt.Errorf("读取检查点失败 / read checkpoint: %w", err)
		}
		msg = b
	}
	if len(msg) == 0 {
		return p, auditlog.Checkpoint{}, usageErrorf("证明文件不含检查点，请给出 --checkpoint FILE / the proof file contains no checkpoint; pass --checkpoint FILE")
	}
	c, err := openCheckpointNote(env, msg, f.origin, v, "检查点 checkpoint")
	if err != nil {
		return p, c, fmt.Errorf("检查点无效 / checkpoint: %w", err)
	}
	if c.Size != p.TreeSize {
		return p, c, fmt.Errorf("检查点与证明的树大小不同 / the checkpoint has tree size %d but the proof is for size %d; fetch the proof with size=%d", c.Size, p.TreeSize, c.Size)
	}
	return p, c, nil
}

func verifyDecision(ctx context.Context, env *Env, f verifyFlags, h *auditlog.Hasher, v note.Verifier) error {
	p, c, err := readInclusionProof(env, f, v, "--decision")
	if err != nil {
		return err
	}
	if p.DecisionSeq != f.decision {
		return fmt.Errorf("证明文件不属于决定 %d / the proof file is for decision %d (eventID %q), not decision %d", f.decision, p.DecisionSeq, p.EventID, f.decision)
	}
	leaf, source, err := decisionLeaf(ctx, f, h, p)
	if err != nil {
		return err
	}
	if err := auditlog.VerifyInclusion(h, p.LeafIndex, c, leaf, p.Hashes); err != nil {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("失败：决定不在日志中或内容已变 / FAILED: %w", err)}
	}
	fmt.Fprintf(env.Stdout, "通过：决定 %d 是日志 %s 中大小为 %d 的树的第 %d 个叶子\nOK: decision %d is leaf %d of the tree of size %d of log %s\n",
		f.decision, c.Origin, c.Size, p.LeafIndex, f.decision, p.LeafIndex, c.Size, c.Origin)
	fmt.Fprintf(env.Stdout, "叶子来源 leaf from: %s\n", source)
	return nil
}

// decisionLeaf returns the leaf hash to prove for a decision. It
// recomputes the hash from the --doc decision JSON, or from the stored
// decision when --db is given explicitly. Otherwise it takes the hash in
// the proof file, which proves only that the log holds that leaf.
func decisionLeaf(ctx context.Context, f verifyFlags, h *auditlog.Hasher, p auditlog.InclusionProofJSON) ([]byte, string, error) {
	var d store.Decision
	switch {
	case f.doc != "":
		if err := readJSONFile(f.doc, &d); err != nil {
			return nil, "", err
		}
		if d.Seq != f.decision {
			return nil, "", fmt.Errorf("%s 是决定 %d，不是 %d / %s contains decision %d, not the requested %d", f.doc, d.Seq, f.decision, f.doc, d.Seq, f.decision)
		}
		return auditlog.DecisionLeafHash(h, d), "重算自 recomputed from " + f.doc, nil
	case f.dbSet:
		st, err := openExistingStore(ctx, f.db)
		if err != nil {
			return nil, "", fmt.Errorf("打开存储失败 / open store: %w", err)
		}
		defer st.Close()
		r, err := auditlog.NewReader(st, h, "", nil)
		if err != nil {
			return nil, "", err
		}
		if d, err = r.Decision(ctx, f.decision); err != nil {
			return nil, "", fmt.Errorf("读取决定失败 / read decision %d: %w", f.decision, err)
		}
		return auditlog.DecisionLeafHash(h, d), "重算自存储 recomputed from the store " + f.db, nil
	}
	if len(p.LeafHash) == 0 {
		return nil, "", usageErrorf("证明文件不含 leafHash，请给出 --doc FILE 或 --db DB / the proof file has no leafHash; pass --doc FILE or --db DB")
	}
	return p.LeafHash, "证明文件（内容未核对，用 --doc 或 --db 核对） / the proof file (content not checked; pass --doc or --db to check it)", nil
}

// eventLeaf returns the leaf hash to prove: recomputed from --doc or from
// the stored event when --db is given explicitly, else the one in the
// proof file, which proves only that the log holds that leaf.
func eventLeaf(ctx context.Context, f verifyFlags, h *auditlog.Hasher, p auditlog.InclusionProofJSON) ([]byte, string, error) {
	var doc []byte
	source := ""
	switch {
	case f.doc != "":
		b, err := os.ReadFile(f.doc)
		if err != nil {
			return nil, "", fmt.Errorf("读取事件文件失败 / read --doc: %w", err)
		}
		doc, source = b, "重算自 recomputed from "+f.doc
	case f.dbSet:
		st, err := openExistingStore(ctx, f.db)
		if err != nil {
			return nil, "", fmt.Errorf("打开存储失败 / open store: %w", err)
		}
		defer st.Close()
		ev, err := st.Event(ctx, f.event)
		if err != nil {
			return nil, "", fmt.Errorf("读取事件失败 / read event %s: %w", f.event, err)
		}
		if ev.Declared && len(p.LeafHash) > 0 {
			// The store serves the error declaration in place of the
			// captured document, so the capture leaf cannot be rebuilt.
			return p.LeafHash, "证明文件；事件已被错误声明替换，原始内容无法重算 / the proof file, because the event carries an error declaration and its captured document is no longer served", nil
		}
		doc, source = ev.Doc, "重算自存储 recomputed from the store "+f.db
	default:
		if len(p.LeafHash) == 0 {
			return nil, "", usageErrorf("证明文件不含 leafHash，请给出 --doc FILE 或 --db DB / the proof file has no leafHash; pass --doc FILE or --db DB")
		}
		return p.LeafHash, "证明文件（内容未核对，用 --doc 或 --db 核对） / the proof file (content not checked; pass --doc or --db to check it)", nil
	}
	e, err := epcis.UnmarshalEventJSON(doc)
	if err != nil {
		return nil, "", fmt.Errorf("事件无法解析 / event document: %w", err)
	}
	hash, err := eventhash.Hash(e)
	if err != nil {
		return nil, "", fmt.Errorf("无法计算 CBV 2.0 哈希 / CBV 2.0 hash: %w", err)
	}
	return auditlog.LeafHash(h, f.event, hash, doc), source, nil
}

func verifyConsistency(ctx context.Context, env *Env, f verifyFlags, h *auditlog.Hasher, v note.Verifier, oldFile, newFile string) error {
	var cps [2]auditlog.Checkpoint
	for i, name := range []string{oldFile, newFile} {
		b, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("读取检查点失败 / read checkpoint: %w", err)
		}
		if cps[i], err = openCheckpointNote(env, b, f.origin, v, name); err != nil {
			return fmt.Errorf("检查点 %s 无效 / checkpoint %s: %w", name, name, err)
		}
	}
	older, newer := cps[0], cps[1]
	var hashes [][]byte
	switch {
	case f.proof != "":
		var p auditlog.ConsistencyProofJSON
		if err := readJSONFile(f.proof, &p); err != nil {
			return err
		}
		if p.From != older.Size || p.To != newer.Size {
			return fmt.Errorf("证明与检查点大小不符 / the proof is from size %d to %d, the checkpoints are %d and %d", p.From, p.To, older.Size, newer.Size)
		}
		hashes = p.Hashes
	case older.Size > 0 && older.Size < newer.Size:
		st, err := openExistingStore(ctx, f.db)
		if err != nil {
			return fmt.Errorf("打开存储失败 / open store (or pass --proof FILE): %w", err)
		}
		defer st.Close()
		r, err := auditlog.NewReader(st, h, "", nil)
		if err != nil {
			return err
		}
		if hashes, err = r.ConsistencyProof(ctx, older.Size, newer.Size); err != nil {
			return fmt.Errorf("生成一致性证明失败 / build consistency proof: %w", err)
		}
	}
	if err := auditlog.VerifyConsistency(h, older, newer, hashes); err != nil {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("失败：两个检查点不一致 / FAILED: %w", err)}
	}
	fmt.Fprintf(env.Stdout, "通过：日志 %s 大小 %d 的树是大小 %d 的树的前缀\nOK: the tree of size %d of log %s is a prefix of the tree of size %d\n",
		newer.Origin, older.Size, newer.Size, older.Size, newer.Origin, newer.Size)
	return nil
}

func verifyAll(ctx context.Context, env *Env, f verifyFlags, h *auditlog.Hasher, v note.Verifier) error {
	st, err := openExistingStore(ctx, f.db)
	if err != nil {
		return fmt.Errorf("打开存储失败 / open store: %w", err)
	}
	defer st.Close()
	sc, ok := st.(store.Scanner)
	if !ok {
		return fmt.Errorf("存储不支持全量扫描 / the store %s cannot list all events (no ScanEvents)", f.db)
	}
	rep, err := auditlog.Audit(ctx, st, sc, auditlog.AuditOptions{Hasher: h, LogKey: v, Origin: f.origin})
	if err != nil {
		return fmt.Errorf("核验中断 / verification stopped: %w", err)
	}
	printAudit(env.Stdout, f.db, h, rep, v != nil)
	if !rep.OK() {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("发现 %d 处问题 / %d problems found", len(rep.Findings), len(rep.Findings))}
	}
	return nil
}

// findingTitles names each finding kind, Chinese first.
var findingTitles = map[auditlog.FindingKind]string{
	auditlog.FindingContentChanged:  "内容被改动 content changed",
	auditlog.FindingHashMismatch:    "哈希不符 hash mismatch",
	auditlog.FindingUnreadable:      "无法解析 unreadable",
	auditlog.FindingEventMissing:    "事件缺失 event missing",
	auditlog.FindingNoLeaf:          "没有叶子 no leaf",
	auditlog.FindingRootMismatch:    "根哈希不符 root mismatch",
	auditlog.FindingBadCheckpoint:   "检查点无效 bad checkpoint",
	auditlog.FindingDecisionChanged: "决定被改动 decision changed",
	auditlog.FindingDecisionMissing: "决定缺失 decision missing",
}

func printAudit(w io.Writer, db string, h *auditlog.Hasher, rep auditlog.AuditReport, keyGiven bool) {
	fmt.Fprintf(w, "审计日志核验 / audit-log verification: %s (%s)\n", db, h.Name())
	fmt.Fprintf(w, "  叶子 leaves: %d   事件 events: %d   决定 decisions: %d\n", rep.Leaves, rep.Events, rep.Decisions)
	switch {
	case rep.CheckpointSize == 0:
		fmt.Fprintf(w, "  检查点 checkpoint: 无 none\n")
	case rep.SignatureChecked:
		fmt.Fprintf(w, "  检查点 checkpoint: 大小 size %d, 签名已核验 signature verified\n", rep.CheckpointSize)
	case keyGiven:
		fmt.Fprintf(w, "  检查点 checkpoint: 大小 size %d, 签名无效 signature INVALID\n", rep.CheckpointSize)
	default:
		fmt.Fprintf(w, "  检查点 checkpoint: 大小 size %d, 签名未核验（给出 --vkey）signature not checked (pass --vkey)\n", rep.CheckpointSize)
	}
	if rep.Unverifiable > 0 {
		fmt.Fprintf(w, "  无法核对的叶子 leaves not checkable: %d (已被错误声明替换的原始记录 / original records replaced by an error declaration)\n", rep.Unverifiable)
	}
	if rep.OK() {
		fmt.Fprintln(w, "通过：所有事件和决定与日志一致 / OK: every stored event and decision matches the log")
		return
	}
	fmt.Fprintf(w, "失败：发现 %d 处问题 / FAILED: %d problems\n", len(rep.Findings), len(rep.Findings))
	for _, fd := range rep.Findings {
		leaf := "-"
		if fd.LeafIndex >= 0 {
			leaf = fmt.Sprint(fd.LeafIndex)
		}
		var about string
		switch {
		case fd.DecisionSeq != 0:
			about = fmt.Sprintf("决定 decision %d (%s %s)", fd.DecisionSeq, fd.DecisionKind, fd.DecisionSubject)
		case fd.EventID != "":
			about = "事件 event " + fd.EventID
		default:
			about = "-"
		}
		fmt.Fprintf(w, "  %s  叶子 leaf %s  %s\n      %s\n", findingTitles[fd.Kind], leaf, about, fd.Detail)
	}
}

// openExistingStore opens the store named by dsn like openStore, but
// rejects a SQLite path that does not exist instead of creating an empty
// database there, which would verify as an empty log.
func openExistingStore(ctx context.Context, dsn string) (store.Store, error) {
	if !isPostgres(dsn) {
		if _, err := os.Stat(dsn); err != nil {
			return nil, fmt.Errorf("数据库文件不可用 / database file %s: %w; pass --db with the path of an existing store", dsn, err)
		}
	}
	return openStore(ctx, dsn)
}

func readJSONFile(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("读取文件失败 / read %s: %w", path, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return fmt.Errorf("%s 不是有效的 JSON / %s is not valid JSON (offset %d): %w", path, path, syn.Offset, err)
		}
		return fmt.Errorf("%s 内容无效 / %s: %w", path, path, err)
	}
	return nil
}
