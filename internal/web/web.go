// Package web owns the public pages of the platform: the consumer query
// page (zh-CN first, en), its complaint form, the GS1 Digital Link
// resolver (/01/…, /.well-known/gs1resolver) and the embedded CSS and
// scanner script. Pages are server-rendered with html/template and work
// without JavaScript; only camera scanning needs it.
//
// The package reads events through the store interface and master data
// through Directory. Every event is passed through
// party.Project(party.Public, …) before the page uses it, so the public
// sees only what that projection releases: no prices, quantities,
// transaction document numbers, raw sensor readings or the identities of
// customers.
package web

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Party is the public view of an enterprise or a person.
type Party struct {
	NameZH, NameEN string
	// CityZH and CityEN name the prefecture-level city, or the country of
	// an overseas party.
	CityZH, CityEN string
	// Division is the GB/T 2260 code of the party's registered place.
	Division       string
	RoleZH, RoleEN string
	// Licences lists the kinds of licence the party holds. The page
	// checks the consignees of a product that requires a licence against
	// it.
	Licences []string
	// Blacklisted marks a party that master data flags as on the credit
	// blacklist; the page also checks Options.Credit.
	Blacklisted bool
	// ID and USCC are the party's registry ID and unified social credit
	// code (GB 32100). The page looks them up in Options.Credit, and
	// either may be empty.
	ID, USCC string
	// Private marks a natural person or household, shown by role only.
	Private bool
}

// Product is the master data of a product class shown to consumers.
type Product struct {
	NameZH, NameEN         string
	CategoryZH, CategoryEN string
	// Producer is the party identifier of the producer.
	Producer           string
	OriginZH, OriginEN string
	Certifications     []string
	// ColdChainMaxCelsius is the highest temperature allowed in
	// transport; 0 means no cold chain.
	ColdChainMaxCelsius float64
	// RequiredLicence is the licence kind every consignee must hold;
	// empty for none.
	RequiredLicence string
}

// Directory is the master data the pages read. Identifiers are given in
// canonical form (package ident) or as EPC URNs. The enterprise registry
// implements it; so does the demo's master data.
type Directory interface {
	// Party returns the party with a party or location identifier; ok is
	// false when there is none.
	Party(ctx context.Context, id string) (p Party, ok bool, err error)
	// Product returns the product of a product, class or instance
	// identifier; ok is false when there is none.
	Product(ctx context.Context, id string) (p Product, ok bool, err error)
}

// Options configure a Handler.
type Options struct {
	// Store is read for events; required.
	Store store.Store
	// Directory supplies master data; nil shows codes without names.
	Directory Directory
	// Feedback stores scan counts and complaints; required.
	Feedback Feedback
	// Logger receives errors; nil discards them.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now. Tests set it.
	Now func() time.Time
	// SuspectScans is the scan count from which a code is flagged as
	// possibly copied; 0 means DefaultSuspectScans.
	SuspectScans int64
	// Tracer walks the lineage index for journeys; nil means a tracer over
	// Store when it is a store.LineageStore, else a direct walk of the
	// events naming the code and their containers and inputs.
	Tracer *trace.Tracer
	// CSRFKey signs complaint form tokens; nil means a random key, so
	// forms rendered before a restart are rejected after it.
	CSRFKey []byte
	// AuditLog marks the journey steps covered by a signed checkpoint;
	// nil shows no marks.
	AuditLog AuditLog
	// Recalls finds the open recall notices covering a scanned code; nil
	// warns of recalls only from the journey's events.
	Recalls Recalls
	// Credit finds the credit-list entries in force about the producer
	// and the enterprises on the journey. Without it the page warns only
	// of parties that master data flags as blacklisted.
	Credit CreditList
}

// DefaultSuspectScans is the default Options.SuspectScans. A genuine
// consumer unit is scanned a handful of times; dozens of scans of one
// serial suggest a copied label.
const DefaultSuspectScans = 50

// Handler serves the pages and the resolver. Create it with New; it is
// safe for concurrent use.
type Handler struct {
	opts   Options
	tmpl   *template.Template
	csrf   []byte
	log    *slog.Logger
	now    func() time.Time
	files  http.Handler
	cache  journeyCache
	tracer *trace.Tracer
	scans  *scanBuffer

	checkpoints checkpointCache
	heads       headCache

	muxOnce sync.Once
	mux     *http.ServeMux
}

// New returns a handler with the given options.
func New(opts Options) (*Handler, error) {
	if opts.Store == nil || opts.Feedback == nil {
		return nil, errors.New("web: Options.Store and Options.Feedback are required")
	}
	h := &Handler{opts: opts, log: opts.Logger, now: opts.Now, csrf: opts.CSRFKey}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.opts.SuspectScans <= 0 {
		h.opts.SuspectScans = DefaultSuspectScans
	}
	if len(h.csrf) == 0 {
		h.csrf = make([]byte, 32)
		rand.Read(h.csrf)
	}
	t, err := template.New("").Funcs(templateFuncs).ParseFS(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	h.tmpl = t
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	h.files = http.StripPrefix("/static/", http.FileServerFS(sub))
	h.scans = newScanBuffer(opts.Feedback, h.log)
	h.tracer = opts.Tracer
	if ls, ok := opts.Store.(store.LineageStore); ok && h.tracer == nil {
		h.tracer = trace.New(ls)
	}
	return h, nil
}

// Close writes the lookup counts still buffered in memory and stops the
// handler's background writer. Call it after the HTTP server has shut
// down; lookups counted after Close are lost.
func (h *Handler) Close() {
	h.scans.close()
}

// Mounter is a route table that takes the handler's routes, such as
// api.Server.
type Mounter interface {
	Mount(pattern string, h http.Handler)
}

// Routes returns the handler's ServeMux patterns and their handlers.
func (h *Handler) Routes() map[string]http.Handler {
	rs := map[string]http.Handler{
		"GET /scan":                        h.pageHeaders(http.HandlerFunc(h.handleScan)),
		"POST /scan/complaint":             h.pageHeaders(http.HandlerFunc(h.handleComplaint)),
		"GET /static/":                     h.staticHeaders(h.files),
		"GET /.well-known/gs1resolver":     http.HandlerFunc(h.handleResolverDescription),
		"OPTIONS /.well-known/gs1resolver": http.HandlerFunc(h.handleCORSPreflight),
	}
	for _, ai := range PrimaryKeyAIs {
		rs["GET /"+ai+"/"] = http.HandlerFunc(h.handleResolve)
		rs["OPTIONS /"+ai+"/"] = http.HandlerFunc(h.handleCORSPreflight)
	}
	rs["GET /{compressed}"] = http.HandlerFunc(h.handleCompressed)
	rs["OPTIONS /{compressed}"] = http.HandlerFunc(h.handleCORSPreflight)
	return rs
}

// MountOn adds every route of the handler to m.
func (h *Handler) MountOn(m Mounter) {
	for pattern, handler := range h.Routes() {
		m.Mount(pattern, handler)
	}
}

// ServeHTTP serves the handler's routes on their own, for tests and for
// running the pages without the API.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.muxOnce.Do(func() {
		h.mux = http.NewServeMux()
		for pattern, handler := range h.Routes() {
			h.mux.Handle(pattern, handler)
		}
	})
	h.mux.ServeHTTP(w, r)
}

// contentSecurityPolicy allows scripts, styles and images from the
// platform only, and no inline script or style.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func (h *Handler) pageHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		hdr.Set("Content-Security-Policy", contentSecurityPolicy)
		hdr.Set("X-Content-Type-Options", "nosniff")
		hdr.Set("Referrer-Policy", "no-referrer")
		hdr.Set("Permissions-Policy", "camera=(self)")
		hdr.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func (h *Handler) staticHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}
