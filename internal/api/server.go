// Package api owns the HTTP interface of the platform: the EPCIS 2.0 REST
// binding (capture, events, top-level resources) and the platform API under
// /api/v1. It has one route table, one content negotiation, and one mapping
// from errors to HTTP statuses and problem+json bodies (problem.go).
// Handlers call services and the store interface, never SQL.
package api

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/suyuan-trace/suyuan/internal/capture"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// Versions announced in the GS1-EPCIS-Version and GS1-CBV-Version headers.
const (
	EPCISVersion = "2.0.0"
	CBVVersion   = "2.0.0"
)

// Options are the limits of the HTTP interface. Zero values take the
// defaults of DefaultOptions.
type Options struct {
	// MaxBodyBytes caps a capture request body.
	MaxBodyBytes int64
	// MaxEventsPerCapture caps the events of one captured document.
	MaxEventsPerCapture int
}

// DefaultOptions are the limits used where Options leaves zero values.
var DefaultOptions = Options{
	MaxBodyBytes:        64 << 20,
	MaxEventsPerCapture: 1_000_000,
}

// Server serves the HTTP interface. Create it with New; it is safe for
// concurrent use.
type Server struct {
	store   store.Store
	capture *capture.Service
	logger  *slog.Logger
	opts    Options
	mux     *http.ServeMux
	// extra holds routes mounted by other packages (audit log, pages).
	extra map[string]http.Handler
	// sec, limiter and policies are the authentication set by Secure and
	// the route policies (auth.go); patterns lists every route served.
	sec      *Security
	limiter  *rateLimiter
	policies map[string]Policy
	patterns []string
	// decisions are the recall and credit-list services (SetDecisions).
	decisions Decisions
}

// New returns a server over st that captures through cs.
func New(st store.Store, cs *capture.Service, logger *slog.Logger, opts Options) *Server {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultOptions.MaxBodyBytes
	}
	if opts.MaxEventsPerCapture <= 0 {
		opts.MaxEventsPerCapture = DefaultOptions.MaxEventsPerCapture
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cs.MaxEvents = opts.MaxEventsPerCapture
	s := &Server{store: st, capture: cs, logger: logger, opts: opts, extra: map[string]http.Handler{}, policies: map[string]Policy{}}
	return s
}

// Mount adds a handler for a ServeMux pattern that another package serves,
// such as the audit log's "GET /api/v1/log/checkpoint". Call it before
// Handler.
func (s *Server) Mount(pattern string, h http.Handler) {
	s.extra[pattern] = h
}

// Handler returns the root handler with every route and the common
// middleware (version and security headers, request log, panic recovery).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.patterns = s.patterns[:0]
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.guardRoute(rt.pattern, rt.handler))
		s.patterns = append(s.patterns, rt.pattern)
	}
	for pattern, h := range s.extra {
		mux.Handle(pattern, s.guardRoute(pattern, h))
		s.patterns = append(s.patterns, pattern)
	}
	s.mux = mux
	return s.middleware(s.authenticate(mux))
}

type route struct {
	pattern string
	handler http.Handler
}

// routes is the route table of the EPCIS 2.0 REST binding.
func (s *Server) routes() []route {
	h := func(pattern string, f http.HandlerFunc) route { return route{pattern, f} }
	rs := []route{
		h("GET /{$}", s.handleRoot),
		h("OPTIONS /{$}", s.handleOptions("GET, OPTIONS")),

		h("POST /capture", s.handleCapture),
		h("GET /capture", s.handleJobs),
		h("OPTIONS /capture", s.handleOptions("GET, POST, OPTIONS")),
		h("GET /capture/{captureID}", s.handleJob),
		h("OPTIONS /capture/{captureID}", s.handleOptions("GET, OPTIONS")),

		h("GET /events", s.handleEvents),
		h("POST /events", s.handlePostEvent),
		h("OPTIONS /events", s.handleOptions("GET, POST, OPTIONS")),
		h("GET /events/{eventID}", s.handleEvent),
		h("OPTIONS /events/{eventID}", s.handleOptions("GET, OPTIONS")),

		h("GET /api/v1/codes/parse", s.handleCodeParse),

		h("GET /api/v1/trace/{id...}", s.handleTrace),
		h("GET /api/v1/recall-scope", s.handleRecallScope),
		h("GET /api/v1/export/fsma204", s.handleFSMA204),
	}
	for _, tl := range topLevels {
		rs = append(rs,
			h("GET /"+tl.path, s.handleTopLevel(tl)),
			h("OPTIONS /"+tl.path, s.handleOptions("GET, OPTIONS")),
			h("GET /"+tl.path+"/{id}", s.handleSubResources),
			h("OPTIONS /"+tl.path+"/{id}", s.handleOptions("GET, OPTIONS")),
			h("GET /"+tl.path+"/{id}/events", s.handleTopLevelEvents(tl)),
			h("OPTIONS /"+tl.path+"/{id}/events", s.handleOptions("GET, OPTIONS")),
		)
	}
	rs = append(rs, s.partyRoutes()...)
	rs = append(rs, s.recallRoutes()...)
	rs = append(rs, s.creditRoutes()...)
	return rs
}

func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		hdr := w.Header()
		hdr.Set("GS1-EPCIS-Version", EPCISVersion)
		hdr.Set("GS1-CBV-Version", CBVVersion)
		hdr.Set("GS1-EPCIS-Min", EPCISVersion)
		hdr.Set("GS1-EPCIS-Max", EPCISVersion)
		hdr.Set("GS1-CBV-Min", CBVVersion)
		hdr.Set("GS1-CBV-Max", CBVVersion)
		hdr.Set("X-Content-Type-Options", "nosniff")
		hdr.Set("Referrer-Policy", "no-referrer")
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.logger.Error("handler panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				if !sw.wrote {
					writeProblemBody(sw, problemFor(nil))
				}
			}
			s.logger.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
				"bytes", sw.bytes, "duration_ms", time.Since(start).Milliseconds())
		}()
		next.ServeHTTP(sw, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status = code
		w.wrote = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) handleOptions(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		w.WriteHeader(http.StatusNoContent)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
