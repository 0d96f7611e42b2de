package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/internal/api"
	"github.com/suyuan-trace/suyuan/internal/web"
)

// serveConfig holds the serve command's settings.
type serveConfig struct {
	addr       string
	db         *string
	maxBody    int64
	readHeader time.Duration
	read       time.Duration
	write      time.Duration
	idle       time.Duration
	shutdown   time.Duration
	logLevel   string
	logFormat  string
	// open, publicRate, publicBurst, secureCookies and trustedProxies
	// configure authentication (see securityFlags).
	open          bool
	publicRate    float64
	publicBurst   int
	secureCookies bool
	// trustedProxies is the --trusted-proxies list of reverse proxy
	// networks whose X-Forwarded-For header is believed.
	trustedProxies string
	// directory is the master data of the consumer pages; nil shows
	// codes without enterprise and product names.
	directory web.Directory
	// audit configures the signed audit log.
	audit auditConfig
	// cpuProfile names the file that receives a CPU profile of the
	// serving time; empty for none.
	cpuProfile string
}

func init() {
	cfg := &serveConfig{}
	register(&Command{
		Name:    "serve",
		Summary: "启动 HTTP 服务（EPCIS 2.0 REST 接口） / start the HTTP server (EPCIS 2.0 REST binding)",
		Usage:   "[flags]",
		Setup: func(fs *flag.FlagSet) {
			d := serveDefaults()
			fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "监听地址 / listen address HOST:PORT")
			cfg.db = dbFlag(fs)
			fs.Int64Var(&cfg.maxBody, "max-body", d.maxBody, "请求体上限（字节） / maximum request body size in bytes")
			fs.DurationVar(&cfg.readHeader, "read-header-timeout", d.readHeader, "读取请求头的时限 / time allowed to read request headers")
			fs.DurationVar(&cfg.read, "read-timeout", d.read, "读取整个请求的时限 / time allowed to read a whole request, body included")
			fs.DurationVar(&cfg.write, "write-timeout", d.write, "写出响应的时限 / time allowed to write a response")
			fs.DurationVar(&cfg.idle, "idle-timeout", d.idle, "空闲连接保持时间 / how long idle keep-alive connections stay open")
			fs.DurationVar(&cfg.shutdown, "shutdown-timeout", d.shutdown, "优雅关闭的等待时间 / time allowed for requests in flight at shutdown")
			fs.StringVar(&cfg.logLevel, "log-level", "info", "日志级别 / log level: debug, info, warn, error")
			fs.StringVar(&cfg.logFormat, "log-format", "text", "日志格式 / log format: text or json")
			cpuProfileFlag(fs, cfg)
			securityFlags(fs, cfg)
			cfg.audit.setup(fs, false)
		},
		Run: func(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unexpected arguments %q", args)
			}
			logger, err := newLogger(env, cfg.logLevel, cfg.logFormat)
			if err != nil {
				return err
			}
			return serve(ctx, env, cfg, logger)
		},
	})
}

// serveDefaults returns the default limits of the HTTP server.
func serveDefaults() serveConfig {
	return serveConfig{
		maxBody:    api.DefaultOptions.MaxBodyBytes,
		readHeader: 10 * time.Second,
		read:       5 * time.Minute,
		write:      5 * time.Minute,
		idle:       2 * time.Minute,
		shutdown:   20 * time.Second,
	}
}

func newLogger(env *Env, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageErrorf("--log-level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(env.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(env.Stderr, opts)), nil
	}
	return nil, usageErrorf("--log-format %q: use text or json", format)
}

// cpuProfileFlag declares the --cpuprofile flag of serve and demo.
func cpuProfileFlag(fs *flag.FlagSet, cfg *serveConfig) {
	fs.StringVar(&cfg.cpuProfile, "cpuprofile", "", "把服务期间的 CPU 剖析写入文件（停止服务时写完） / write a CPU profile (go tool pprof) of the serving time to this file, complete at shutdown")
}

func serve(ctx context.Context, env *Env, cfg *serveConfig, logger *slog.Logger) error {
	if cfg.cpuProfile != "" {
		f, err := os.Create(cfg.cpuProfile)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	st, err := openStore(ctx, *cfg.db)
	if err != nil {
		return fmt.Errorf("open store %s: %w", redactDSN(*cfg.db), err)
	}
	defer st.Close()

	srv, err := securedServer(ctx, st, cfg, logger)
	if err != nil {
		return err
	}
	logCtx, stopLog := context.WithCancel(ctx)
	auditLog, waitLog, err := startAuditLog(logCtx, env, st, srv, cfg.audit, logger)
	if err != nil {
		stopLog()
		return err
	}
	defer waitLog()
	defer stopLog()
	closeWeb, err := mountWebWithLog(ctx, st, srv, cfg.directory, auditLog, logger)
	if err != nil {
		return err
	}
	defer closeWeb()
	hs := &http.Server{
		Addr:              cfg.addr,
		Handler:           srv.Handler(),
		ReadHeaderTimeout: cfg.readHeader,
		ReadTimeout:       cfg.read,
		WriteTimeout:      cfg.write,
		IdleTimeout:       cfg.idle,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	logger.Info("server started", "addr", ln.Addr().String(), "db", redactDSN(*cfg.db))
	fmt.Fprintf(env.Stderr, "suyuan 服务已启动 / server listening on http://%s\n", ln.Addr())

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("server stopping", "timeout", cfg.shutdown)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdown)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("server stopped")
	return nil
}

// redactDSN hides a password in a postgres:// URL before it is logged.
func redactDSN(dsn string) string {
	scheme, rest, ok := strings.Cut(dsn, "://")
	if !ok {
		return dsn
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return dsn
	}
	user, _, hasPass := strings.Cut(rest[:at], ":")
	if !hasPass {
		return dsn
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}
