package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/suyuan-trace/suyuan/internal/api"
	"github.com/suyuan-trace/suyuan/internal/auditlog"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// envLogHash names the audit log's hash algorithm for every command that
// writes leaves; it must stay the same for the life of a database.
const envLogHash = "SUYUAN_LOG_HASH"

// logHasher returns the audit-log hasher named by SUYUAN_LOG_HASH:
// sha256 (the default) or sm3.
func logHasher() (*auditlog.Hasher, error) {
	name := os.Getenv(envLogHash)
	if name == "" {
		name = auditlog.HashSHA256
	}
	h, err := auditlog.HasherByName(name)
	if err != nil {
		return nil, fmt.Errorf("%s=%q: %w; use sha256 or sm3", envLogHash, name, err)
	}
	return h, nil
}

// auditConfig holds the audit-log settings of the serve and demo commands.
type auditConfig struct {
	keyFile  string
	origin   string
	interval time.Duration
	dev      bool
}

func (c *auditConfig) setup(fs *flag.FlagSet, dev bool) {
	fs.StringVar(&c.keyFile, "log-key", "", "审计日志签名私钥文件（或环境变量 SUYUAN_LOG_KEY） / audit-log signing key file (or env SUYUAN_LOG_KEY); create one with \"suyuan log keygen\"")
	fs.StringVar(&c.origin, "log-origin", "suyuan.local/log", "检查点的日志名 / checkpoint origin line naming this log")
	fs.DurationVar(&c.interval, "log-interval", time.Second, "签发检查点的间隔 / how often new leaves are integrated and a checkpoint signed")
	fs.BoolVar(&c.dev, "dev", dev, "开发模式：无密钥时使用临时密钥 / development mode: use a temporary signing key when none is given")
}

// startAuditLog opens the audit log over st, mounts its endpoints under
// /api/v1/log on srv and starts its sequencer. It returns the log and a
// stop function that waits for the sequencer to end after ctx is
// cancelled.
func startAuditLog(ctx context.Context, env *Env, st store.Store, srv *api.Server, cfg auditConfig, logger *slog.Logger) (log *auditlog.Log, stop func(), err error) {
	hasher, err := logHasher()
	if err != nil {
		return nil, nil, err
	}
	signer, err := auditlog.LoadSigner(cfg.keyFile)
	if errors.Is(err, auditlog.ErrNoKey) && cfg.dev {
		alg := "ed25519"
		if hasher == auditlog.SM3 {
			alg = "sm2"
		}
		signer, err = auditlog.EphemeralSigner(alg)
		fmt.Fprintln(env.Stderr, "警告 WARNING: 审计日志使用临时签名密钥，重启后检查点无法用同一公钥核验 / the audit log signs with a temporary key; checkpoints will not verify against a stable public key. Use --log-key in production.")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("audit log: %w", err)
	}
	l, err := auditlog.New(st, hasher, signer, cfg.origin)
	if err != nil {
		return nil, nil, fmt.Errorf("audit log: %w", err)
	}
	l.SetLogger(logger)
	for pattern, h := range l.Endpoints() {
		method, path, _ := cutPattern(pattern)
		srv.Mount(method+" /api/v1/log"+path, h)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := l.RunSequencer(ctx, cfg.interval); err != nil && !errors.Is(err, context.Canceled) {
			logger.Error("audit log sequencer stopped", "err", err)
		}
	}()
	logger.Info("audit log started", "origin", cfg.origin, "hash", hasher.Name(), "verifier_key", l.VerifierKey())
	return l, wg.Wait, nil
}

// cutPattern splits a ServeMux pattern "GET /path" into method and path.
func cutPattern(pattern string) (method, path string, ok bool) {
	for i := 0; i < len(pattern); i++ {
		if pattern[i] == ' ' {
			return pattern[:i], pattern[i+1:], true
		}
	}
	return "", pattern, false
}
