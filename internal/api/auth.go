package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/suyuan-trace/suyuan/internal/party"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// Policy is who may call a route.
type Policy int

// Route policies.
const (
	// PolicyPublic routes serve anonymous callers too, rate limited per
	// client IP; handlers show each audience its projection.
	PolicyPublic Policy = iota
	// PolicySignedIn routes need any valid token or session; handlers
	// restrict what each caller sees.
	PolicySignedIn
	// PolicyQuery routes need the query scope.
	PolicyQuery
	// PolicyCapture routes need the capture scope.
	PolicyCapture
	// PolicyAdmin routes need a platform administrator.
	PolicyAdmin
)

func (p Policy) String() string {
	return [...]string{"public", "signed-in", "query", "capture", "admin"}[p]
}

// Security configures authentication for a Server; see Server.Secure.
type Security struct {
	// Parties checks credentials and records administrative changes.
	Parties *party.Service
	// Open makes every caller an administrator. It is meant for local
	// development and demonstrations only.
	Open bool
	// PublicRate is the sustained number of requests per second one
	// client IP may make to public routes without credentials, and
	// PublicBurst the burst above it. Zero values take 5 and 30.
	PublicRate  float64
	PublicBurst int
	// SecureCookies sets the Secure attribute on cookies even when the
	// request did not arrive over TLS (behind a TLS-terminating proxy).
	SecureCookies bool
	// TrustedProxies are the networks of the reverse proxies in front of
	// the server. For a request whose peer is in one of them, the client
	// address (for rate limits and the access log) is the rightmost
	// X-Forwarded-For address that is not itself in one of them. Without
	// trusted proxies X-Forwarded-For is ignored, because any client can
	// send it.
	TrustedProxies []netip.Prefix
}

// Cookie names.
const (
	sessionCookie = "suyuan_session"
	csrfCookie    = "suyuan_csrf"
	csrfHeader    = "X-CSRF-Token"
	csrfField     = "csrf_token"
)

// errUnauthenticated and errNoScope are the authentication failures.
var (
	errUnauthenticated = errors.New("missing or invalid credentials; send Authorization: Bearer TOKEN with a valid, unrevoked, unexpired API token, or sign in")
	errNoScope         = errors.New("the credential lacks the scope this request needs")
	errCSRF            = errors.New("missing or invalid CSRF token; send the token from GET /api/v1/me in the X-CSRF-Token header or the csrf_token form field")
	errRateLimited     = errors.New("too many requests from this address; wait a moment and retry")
)

// Secure turns on authentication: every route then checks its policy,
// and the store the server reads through must be a party.Guard so that
// each caller sees only its projection. Call it before Handler. Without
// Secure the server has no authentication, as a library embedded in a
// trusted program.
func (s *Server) Secure(sec Security) {
	if sec.PublicRate <= 0 {
		sec.PublicRate = 5
	}
	if sec.PublicBurst <= 0 {
		sec.PublicBurst = 30
	}
	s.sec = &sec
	s.limiter = newRateLimiter(sec.PublicRate, sec.PublicBurst)
}

// MountPolicy is Mount with a policy other than PolicyPublic.
func (s *Server) MountPolicy(pattern string, p Policy, h http.Handler) {
	s.extra[pattern] = h
	s.policies[pattern] = p
}

// Patterns returns the ServeMux patterns of every route, with their
// policies, after Handler has been called.
func (s *Server) Patterns() map[string]Policy {
	out := make(map[string]Policy, len(s.patterns))
	for _, p := range s.patterns {
		out[p] = s.policyOf(p)
	}
	return out
}

// policyOf returns the policy of a route pattern: the declared one, or
// the default of the EPCIS REST binding's routes: capture needs the
// capture scope, queries the query scope, capture jobs any credential,
// OPTIONS and the root nothing. Mounted routes default to public.
func (s *Server) policyOf(pattern string) Policy {
	if p, ok := s.policies[pattern]; ok {
		return p
	}
	if p, ok := declaredPolicies[pattern]; ok {
		return p
	}
	if p, ok := decisionPolicies[pattern]; ok {
		return p
	}
	if _, ok := s.extra[pattern]; ok {
		return PolicyPublic
	}
	method, path, _ := strings.Cut(pattern, " ")
	switch {
	case method == "OPTIONS" || path == "/{$}":
		return PolicyPublic
	case method == "POST" && (path == "/capture" || path == "/events"):
		return PolicyCapture
	case strings.HasPrefix(path, "/capture"):
		return PolicySignedIn
	}
	return PolicyQuery
}

// decisionPolicies are the policies of the recall and credit-list
// routes. Notices and list entries are public; any signed-in caller may
// ask for a change, and the services accept only regulators and
// administrators.
var decisionPolicies = map[string]Policy{
	"GET /api/v1/recalls":                          PolicyPublic,
	"GET /api/v1/recalls/{recallID}":               PolicyPublic,
	"POST /api/v1/recalls":                         PolicySignedIn,
	"POST /api/v1/recalls/{recallID}/updates":      PolicySignedIn,
	"POST /api/v1/recalls/{recallID}/close":        PolicySignedIn,
	"GET /api/v1/credit/entries":                   PolicyPublic,
	"POST /api/v1/credit/entries":                  PolicySignedIn,
	"POST /api/v1/credit/entries/{entryID}/remove": PolicySignedIn,
}

// securityHeaders are sent on every response.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
}

// authenticate identifies the caller and puts its principal and address
// into the request context.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header())
		if r.TLS != nil {
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		if s.sec == nil {
			next.ServeHTTP(w, r)
			return
		}
		ctx := party.WithRemoteAddr(r.Context(), s.sec.clientAddr(r))
		var p *party.Principal
		switch {
		case s.sec.Open:
			p = &party.Principal{Open: true, Actor: "open", Scopes: []store.Scope{store.ScopeAdmin, store.ScopeCapture, store.ScopeQuery},
				Party: store.Party{Kind: store.PartyOperator}}
		case r.Header.Get("Authorization") != "":
			scheme, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
			if !strings.EqualFold(scheme, "Bearer") {
				s.writeAuthProblem(w, r, errUnauthenticated)
				return
			}
			var err error
			p, err = s.sec.Parties.Authenticate(ctx, strings.TrimSpace(secret))
			if err != nil {
				if !errors.Is(err, party.ErrUnauthenticated) {
					s.writeProblem(w, r, err)
					return
				}
				s.writeAuthProblem(w, r, errUnauthenticated)
				return
			}
		default:
			if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
				sp, err := s.sec.Parties.SessionPrincipal(ctx, c.Value)
				if err != nil && !errors.Is(err, party.ErrUnauthenticated) {
					s.writeProblem(w, r, err)
					return
				}
				p = sp
			}
		}
		if p != nil {
			ctx = party.WithPrincipal(ctx, p)
		}
		r = r.WithContext(ctx)
		if p != nil && p.Session && !safeMethod(r.Method) && !s.validCSRF(r) {
			s.writeProblem(w, r, errCSRF)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) writeAuthProblem(w http.ResponseWriter, r *http.Request, err error) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="suyuan"`)
	s.writeProblem(w, r, err)
}

// guardRoute applies the route's policy before its handler.
func (s *Server) guardRoute(pattern string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.sec == nil {
			h.ServeHTTP(w, r)
			return
		}
		pol := s.policyOf(pattern)
		p := party.PrincipalFrom(r.Context())
		if p == nil {
			if pol != PolicyPublic {
				s.writeAuthProblem(w, r, errUnauthenticated)
				return
			}
			if !s.limiter.allow(clientIP(r), time.Now()) {
				w.Header().Set("Retry-After", "1")
				s.writeProblem(w, r, errRateLimited)
				return
			}
			h.ServeHTTP(w, r)
			return
		}
		var ok bool
		switch pol {
		case PolicyPublic, PolicySignedIn:
			ok = true
		case PolicyQuery:
			ok = p.Has(store.ScopeQuery)
		case PolicyCapture:
			ok = p.Has(store.ScopeCapture)
		case PolicyAdmin:
			ok = p.Audience() == party.Administrator
		}
		if !ok {
			s.writeProblem(w, r, errNoScope)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// clientIP returns the client address of the request: the one
// authenticate resolved (see Security.TrustedProxies), else the host part
// of the peer address.
func clientIP(r *http.Request) string {
	if addr := party.RemoteAddrFrom(r.Context()); addr != "" {
		return addr
	}
	return peerIP(r)
}

// peerIP returns the host part of the request's remote address.
func peerIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// clientAddr returns the client address of a request: the peer address,
// or behind trusted proxies the rightmost X-Forwarded-For address that
// is not a trusted proxy. A malformed X-Forwarded-For entry ends the
// walk at the last address read before it.
func (sec *Security) clientAddr(r *http.Request) string {
	peer := peerIP(r)
	if len(sec.TrustedProxies) == 0 {
		return peer
	}
	addr, err := netip.ParseAddr(peer)
	if err != nil || !sec.trusted(addr) {
		return peer
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		for _, h := range strings.Split(v, ",") {
			hops = append(hops, strings.TrimSpace(h))
		}
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := parseHop(hops[i])
		if err != nil {
			break
		}
		client = hop.String()
		if !sec.trusted(hop) {
			break
		}
	}
	return client
}

// parseHop reads one X-Forwarded-For entry: an IP address, possibly with
// a port ("192.0.2.1:4711", "[2001:db8::1]:4711").
func parseHop(s string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), nil
	}
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		return netip.Addr{}, err
	}
	return ap.Addr().Unmap(), nil
}

func (sec *Security) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range sec.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ParseTrustedProxies reads a comma-separated list of networks in CIDR
// notation (10.0.0.0/8, 2001:db8::/32) or single addresses, as the
// --trusted-proxies flag takes it. An empty string gives none.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(list, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if strings.Contains(part, "/") {
			p, err := netip.ParsePrefix(part)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q is not a network in CIDR notation, such as 10.0.0.0/8: %w", part, err)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is not an IP address or a network such as 10.0.0.0/8: %w", part, err)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// CSRFToken returns the CSRF token for forms and unsafe requests of the
// caller of r. A signed-in caller's token is derived from the session
// cookie. An anonymous caller gets a random token in a cookie
// (double-submit), which CSRFToken sets on w when missing. Pages put the
// token in a hidden csrf_token field or the X-CSRF-Token header.
func CSRFToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		return sessionCSRF(c.Value)
	}
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	tok := party.NewSecret("")
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	return tok
}

func sessionCSRF(session string) string {
	mac := hmac.New(sha256.New, []byte(session))
	mac.Write([]byte("suyuan csrf"))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// validCSRF checks the token of an unsafe request against the caller's.
func (s *Server) validCSRF(r *http.Request) bool {
	sent := r.Header.Get(csrfHeader)
	if sent == "" {
		ct := r.Header.Get("Content-Type")
		if strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data") {
			sent = r.PostFormValue(csrfField)
		}
	}
	if sent == "" {
		return false
	}
	var want string
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		want = sessionCSRF(c.Value)
	} else if c, err := r.Cookie(csrfCookie); err == nil {
		want = c.Value
	}
	return want != "" && hmac.Equal([]byte(sent), []byte(want))
}

// RequireCSRF rejects unsafe requests to h whose CSRF token is missing
// or wrong, for forms that anonymous callers may post. Requests with an
// Authorization header are exempt: browsers never add one by themselves.
func (s *Server) RequireCSRF(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !safeMethod(r.Method) && r.Header.Get("Authorization") == "" && !s.validCSRF(r) {
			s.writeProblem(w, r, errCSRF)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// rateLimiter is a token bucket per client IP.
type rateLimiter struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets bounds the limiter's memory; idle buckets are dropped when
// it is reached.
const maxBuckets = 100_000

func newRateLimiter(rate float64, burst int) *rateLimiter {
	return &rateLimiter{rate: rate, burst: float64(burst), buckets: map[string]*bucket{}}
}

// allow takes one token from the bucket of key, reporting whether one was
// left.
func (l *rateLimiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// sweep drops buckets that have refilled completely, which carry no
// state.
func (l *rateLimiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
}
