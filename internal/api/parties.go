package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/party"
	"github.com/suyuan-trace/suyuan/internal/query"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// errBadRequest wraps malformed platform API requests.
var errBadRequest = errors.New("bad request")

// maxJSONBody caps the body of a platform API request; maxCSVBody that of
// a registry import.
const (
	maxJSONBody = 1 << 20
	maxCSVBody  = 16 << 20
)

// declaredPolicies are the policies of routes whose pattern does not tell
// them (see policyOf).
var declaredPolicies = map[string]Policy{
	"GET /api/v1/codes/parse":               PolicyPublic,
	"POST /api/v1/login":                    PolicyPublic,
	"POST /api/v1/logout":                   PolicySignedIn,
	"GET /api/v1/me":                        PolicySignedIn,
	"GET /api/v1/parties":                   PolicySignedIn,
	"POST /api/v1/parties":                  PolicyAdmin,
	"POST /api/v1/parties/import":           PolicyAdmin,
	"GET /api/v1/parties/{partyID}":         PolicySignedIn,
	"PUT /api/v1/parties/{partyID}":         PolicyAdmin,
	"GET /api/v1/parties/{partyID}/tokens":  PolicySignedIn,
	"POST /api/v1/parties/{partyID}/tokens": PolicySignedIn,
	"DELETE /api/v1/tokens/{tokenID}":       PolicySignedIn,
	"GET /api/v1/locations":                 PolicySignedIn,
	"POST /api/v1/locations":                PolicyAdmin,
	"GET /api/v1/access-log":                PolicySignedIn,
	"GET /api/v1/decisions":                 PolicySignedIn,
}

// partyRoutes are the routes of the party registry, credentials and the
// access log. They exist only on a server with Secure.
func (s *Server) partyRoutes() []route {
	if s.sec == nil {
		return nil
	}
	h := func(pattern string, f http.HandlerFunc) route { return route{pattern, f} }
	return []route{
		h("POST /api/v1/login", s.handleLogin),
		h("POST /api/v1/logout", s.handleLogout),
		h("GET /api/v1/me", s.handleMe),
		h("GET /api/v1/parties", s.handleParties),
		h("POST /api/v1/parties", s.handleCreateParty),
		h("POST /api/v1/parties/import", s.handleImport),
		h("GET /api/v1/parties/{partyID}", s.handleParty),
		h("PUT /api/v1/parties/{partyID}", s.handleUpdateParty),
		h("GET /api/v1/parties/{partyID}/tokens", s.handleTokens),
		h("POST /api/v1/parties/{partyID}/tokens", s.handleIssueToken),
		h("DELETE /api/v1/tokens/{tokenID}", s.handleRevokeToken),
		h("GET /api/v1/locations", s.handleLocations),
		h("POST /api/v1/locations", s.handlePutLocation),
		h("GET /api/v1/access-log", s.handleAccessLog),
		h("GET /api/v1/decisions", s.handleDecisions),
	}
}

func (s *Server) registry() store.PartyStore { return s.sec.Parties.Store }

// decodeJSON reads a JSON request body of at most maxJSONBody bytes into
// v, rejecting unknown members.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return errUnsupportedMedia
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return err
		}
		return fmt.Errorf("%w: malformed JSON body: %v", errBadRequest, err)
	}
	return nil
}

// loginRequest is the body of POST /api/v1/login.
type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// meDocument describes the caller.
type meDocument struct {
	Audience  string        `json:"audience"`
	Actor     string        `json:"actor"`
	Party     store.Party   `json:"party"`
	Scopes    []store.Scope `json:"scopes"`
	CSRFToken string        `json:"csrfToken,omitempty"`
}

// handleLogin serves POST /api/v1/login: a JSON or form body with username
// and password starts a session, sent as an HttpOnly cookie.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
		r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
		req.Username, req.Password = r.PostFormValue("username"), r.PostFormValue("password")
	} else if err := decodeJSON(w, r, &req); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	secret, p, err := s.sec.Parties.Login(r.Context(), req.Username, req.Password)
	if err != nil {
		if errors.Is(err, party.ErrUnauthenticated) {
			s.logger.Info("sign-in failed", "remote", clientIP(r))
			err = errUnauthenticated
		}
		s.writeProblem(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || s.sec.SecureCookies, MaxAge: int(party.SessionLifetime.Seconds()),
	})
	s.logger.Info("signed in", "actor", p.Actor, "party_id", p.Party.ID)
	writeJSON(w, http.StatusOK, meDocument{Audience: p.Audience().String(), Actor: p.Actor, Party: p.Party, Scopes: p.Scopes, CSRFToken: sessionCSRF(secret)})
}

// handleLogout serves POST /api/v1/logout.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := s.sec.Parties.Logout(r.Context(), c.Value); err != nil {
			s.writeProblem(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	w.WriteHeader(http.StatusNoContent)
}

// handleMe serves GET /api/v1/me: who the caller is.
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	p := party.PrincipalFrom(r.Context())
	doc := meDocument{Audience: p.Audience().String(), Actor: p.Actor, Party: p.Party, Scopes: p.Scopes}
	if p.Session {
		doc.CSRFToken = CSRFToken(w, r)
	}
	writeJSON(w, http.StatusOK, doc)
}

// canSeeParty reports whether the caller may read the party's record: an
// administrator, the party itself, or a regulator supervising it.
func canSeeParty(p *party.Principal, target store.Party) bool {
	switch p.Audience() {
	case party.Administrator:
		return true
	case party.Regulator:
		if target.ID == p.Party.ID {
			return true
		}
		return target.Kind == store.PartyEnterprise && coversParty(p, target)
	}
	return target.ID == p.Party.ID
}

func coversParty(p *party.Principal, target store.Party) bool {
	reg := p.Party
	if target.Region == "" || !strings.HasPrefix(target.Region, reg.Jurisdiction) {
		return false
	}
	if len(reg.Categories) == 0 {
		return true
	}
	for _, l := range target.Licences {
		for _, c := range l.Categories {
			if slices.Contains(reg.Categories, c) {
				return true
			}
		}
	}
	return false
}

// recordRead logs a regulator's read of an enterprise record.
func (s *Server) recordRead(r *http.Request, p *party.Principal, partyID, target string) error {
	if p.Audience() != party.Regulator || partyID == p.Party.ID {
		return nil
	}
	return s.registry().AppendAccess(r.Context(), store.Access{
		Time: time.Now().UTC(), Actor: p.Actor, ActorPartyID: p.Party.ID, Action: "read registry",
		PartyID: partyID, Target: target, RemoteAddr: clientIP(r),
	})
}

// handleParties serves GET /api/v1/parties: the parties the caller may
// see, by ID, paged with perPage and nextPageToken.
func (s *Server) handleParties(w http.ResponseWriter, r *http.Request) {
	perPage, after, err := listPaging(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	p := party.PrincipalFrom(r.Context())
	var out []store.Party
	last := after
	for round := 0; round < 20 && len(out) <= perPage; round++ {
		batch, err := s.registry().Parties(r.Context(), last, perPage+1)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		for _, pt := range batch {
			if canSeeParty(p, pt) {
				out = append(out, pt)
			}
		}
		if len(batch) < perPage+1 {
			break
		}
		last = batch[len(batch)-1].ID
	}
	if len(out) > perPage {
		out = out[:perPage]
		setNextLink(w, r, out[len(out)-1].ID)
	}
	for _, pt := range out {
		if err := s.recordRead(r, p, pt.ID, "party list"); err != nil {
			s.writeProblem(w, r, err)
			return
		}
	}
	if out == nil {
		out = []store.Party{}
	}
	writeJSON(w, http.StatusOK, out)
}

// handleParty serves GET /api/v1/parties/{partyID}. A party the caller may
// not see is not found.
func (s *Server) handleParty(w http.ResponseWriter, r *http.Request) {
	p := party.PrincipalFrom(r.Context())
	pt, err := s.registry().Party(r.Context(), r.PathValue("partyID"))
	if err == nil && !canSeeParty(p, pt) {
		err = fmt.Errorf("party %s: %w", r.PathValue("partyID"), store.ErrNotFound)
	}
	if err == nil {
		err = s.recordRead(r, p, pt.ID, "party")
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pt)
}

// handleCreateParty serves POST /api/v1/parties.
func (s *Server) handleCreateParty(w http.ResponseWriter, r *http.Request) {
	var pt store.Party
	if err := decodeJSON(w, r, &pt); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	pt.CreatedAt, pt.UpdatedAt = time.Time{}, time.Time{}
	pt, err := s.sec.Parties.CreateParty(r.Context(), pt)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/parties/"+pt.ID)
	writeJSON(w, http.StatusCreated, pt)
}

// handleUpdateParty serves PUT /api/v1/parties/{partyID}.
func (s *Server) handleUpdateParty(w http.ResponseWriter, r *http.Request) {
	var pt store.Party
	if err := decodeJSON(w, r, &pt); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if pt.ID != "" && pt.ID != r.PathValue("partyID") {
		s.writeProblem(w, r, &party.FieldError{Field: "id", Value: pt.ID, Message: "differs from the party ID in the path " + r.PathValue("partyID")})
		return
	}
	pt.ID = r.PathValue("partyID")
	pt, err := s.sec.Parties.UpdateParty(r.Context(), pt)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pt)
}

// importResult reports a registry import.
type importResult struct {
	Parties   int `json:"parties"`
	Locations int `json:"locations"`
}

// handleImport serves POST /api/v1/parties/import: a registry CSV file
// (text/csv), stored all or nothing.
func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "text/csv" {
		s.writeProblem(w, r, fmt.Errorf("%w: send the registry file as text/csv", errBadRequest))
		return
	}
	body := io.LimitReader(http.MaxBytesReader(w, r.Body, maxCSVBody), maxCSVBody+1)
	exists := func(id string) (bool, error) {
		_, err := s.registry().Party(r.Context(), id)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	parties, locations, err := party.ParseCSV(body, time.Now(), exists)
	if err == nil {
		err = s.sec.Parties.Import(r.Context(), parties, locations)
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, importResult{Parties: len(parties), Locations: len(locations)})
}

// handleLocations serves GET /api/v1/locations: an administrator lists
// every location (or one party's with ?party=), a regulator those in its
// jurisdiction, an enterprise its own. ?id= selects one location in any
// identifier form.
func (s *Server) handleLocations(w http.ResponseWriter, r *http.Request) {
	p := party.PrincipalFrom(r.Context())
	params := r.URL.Query()
	partyID := params.Get("party")
	if p.Audience() == party.Enterprise {
		partyID = p.Party.ID
	}

	if id := params.Get("id"); id != "" {
		var l store.Location
		canonical, err := ident.Canonical(id)
		if err != nil {
			err = &party.FieldError{Field: "id", Value: id, Message: err.Error()}
		} else {
			l, err = s.registry().Location(r.Context(), canonical)
		}
		if err == nil && !s.canSeeLocation(r, p, l) {
			err = fmt.Errorf("location %s: %w", id, store.ErrNotFound)
		}
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, []store.Location{l})
		return
	}

	params.Del("party")
	params.Del("id")
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = params.Encode()
	perPage, after, err := listPaging(r2)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}

	var out []store.Location
	last := after
	for round := 0; round < 20 && len(out) <= perPage; round++ {
		batch, err := s.registry().Locations(r.Context(), partyID, last, perPage+1)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		for _, l := range batch {
			if s.canSeeLocation(r, p, l) {
				out = append(out, l)
			}
		}
		if len(batch) < perPage+1 {
			break
		}
		last = batch[len(batch)-1].ID
	}
	if len(out) > perPage {
		out = out[:perPage]
		setNextLink(w, r, out[len(out)-1].ID)
	}
	if out == nil {
		out = []store.Location{}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) canSeeLocation(r *http.Request, p *party.Principal, l store.Location) bool {
	switch p.Audience() {
	case party.Administrator:
		return true
	case party.Regulator:
		owner, err := s.registry().Party(r.Context(), l.PartyID)
		return err == nil && strings.HasPrefix(l.Division, p.Party.Jurisdiction) && (l.PartyID == p.Party.ID || coversParty(p, owner))
	}
	return l.PartyID == p.Party.ID
}

// handlePutLocation serves POST /api/v1/locations: registers or replaces
// a location.
func (s *Server) handlePutLocation(w http.ResponseWriter, r *http.Request) {
	var l store.Location
	if err := decodeJSON(w, r, &l); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	l, err := s.sec.Parties.PutLocation(r.Context(), l)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

// tokenDocument is a token as listed: never its secret or hash.
type tokenDocument struct {
	ID        string        `json:"id"`
	PartyID   string        `json:"partyID"`
	Name      string        `json:"name"`
	Scopes    []store.Scope `json:"scopes"`
	CreatedBy string        `json:"createdBy"`
	CreatedAt time.Time     `json:"createdAt"`
	ExpiresAt time.Time     `json:"expiresAt,omitzero"`
	RevokedAt time.Time     `json:"revokedAt,omitzero"`
	// Secret is set only in the response that issues the token.
	Secret string `json:"secret,omitempty"`
}

func tokenDoc(t store.Token) tokenDocument {
	return tokenDocument{ID: t.ID, PartyID: t.PartyID, Name: t.Name, Scopes: t.Scopes, CreatedBy: t.CreatedBy,
		CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt}
}

// mayManage reports whether the caller may manage the tokens of partyID:
// an administrator, or a caller of that party.
func mayManage(p *party.Principal, partyID string) bool {
	return p.Audience() == party.Administrator || p.Party.ID == partyID
}

// handleTokens serves GET /api/v1/parties/{partyID}/tokens.
func (s *Server) handleTokens(w http.ResponseWriter, r *http.Request) {
	p := party.PrincipalFrom(r.Context())
	id := r.PathValue("partyID")
	if !mayManage(p, id) {
		s.writeProblem(w, r, fmt.Errorf("party %s: %w", id, store.ErrNotFound))
		return
	}
	tokens, err := s.registry().Tokens(r.Context(), id)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	docs := make([]tokenDocument, len(tokens))
	for i, t := range tokens {
		docs[i] = tokenDoc(t)
	}
	writeJSON(w, http.StatusOK, docs)
}

// issueRequest is the body of POST /api/v1/parties/{partyID}/tokens.
type issueRequest struct {
	Name   string        `json:"name"`
	Scopes []store.Scope `json:"scopes"`
	// ExpiresIn is a Go duration such as "720h"; empty means no expiry.
	ExpiresIn string `json:"expiresIn"`
}

// handleIssueToken serves POST /api/v1/parties/{partyID}/tokens. A caller
// who is not an administrator may issue tokens of its own party with
// scopes it holds itself.
func (s *Server) handleIssueToken(w http.ResponseWriter, r *http.Request) {
	p := party.PrincipalFrom(r.Context())
	id := r.PathValue("partyID")
	if !mayManage(p, id) {
		s.writeProblem(w, r, fmt.Errorf("party %s: %w", id, store.ErrNotFound))
		return
	}
	var req issueRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeProblem(w, r, err)
		return
	}

	var names []string
	for _, sc := range req.Scopes {
		names = append(names, string(sc))
	}
	scopes, err := party.ParseScopes(strings.Join(names, ","))
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if p.Audience() != party.Administrator {
		for _, sc := range scopes {
			if !p.Has(sc) {
				s.writeProblem(w, r, fmt.Errorf("%w: scope %s", errNoScope, sc))
				return
			}
		}
	}

	var ttl time.Duration
	if req.ExpiresIn != "" {
		if ttl, err = time.ParseDuration(req.ExpiresIn); err != nil || ttl <= 0 {
			s.writeProblem(w, r, &party.FieldError{Field: "expiresIn", Value: req.ExpiresIn, Message: "must be a positive duration such as 720h"})
			return
		}
	}

	t, err := s.sec.Parties.IssueToken(r.Context(), id, req.Name, scopes, ttl)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	doc := tokenDoc(t.Token)
	doc.Secret = t.Secret
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, doc)
}

// handleRevokeToken serves DELETE /api/v1/tokens/{tokenID}.
func (s *Server) handleRevokeToken(w http.ResponseWriter, r *http.Request) {
	p := party.PrincipalFrom(r.Context())
	owner := p.Party.ID
	if p.Audience() == party.Administrator {
		owner = ""
	}
	if err := s.sec.Parties.RevokeToken(r.Context(), owner, r.PathValue("tokenID")); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleAccessLog serves GET /api/v1/access-log: the entries concerning
// the caller's party (an administrator: every entry, or one party's with
// ?party=), oldest first, paged with perPage and nextPageToken.
func (s *Server) handleAccessLog(w http.ResponseWriter, r *http.Request) {
	p := party.PrincipalFrom(r.Context())
	params := r.URL.Query()
	partyID := p.Party.ID
	if p.Audience() == party.Administrator {
		partyID = params.Get("party")
	}
	params.Del("party")
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = params.Encode()
	perPage, after, err := listPaging(r2)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}

	var afterSeq int64
	if after != "" {
		if afterSeq, err = strconv.ParseInt(after, 10, 64); err != nil {
			s.writeProblem(w, r, fmt.Errorf("%w: malformed nextPageToken; pass the token of the Link header unchanged", errBadRequest))
			return
		}
	}
	if partyID == "" && p.Audience() != party.Administrator {
		writeJSON(w, http.StatusOK, []store.Access{})
		return
	}

	entries, err := s.registry().AccessLog(r.Context(), partyID, afterSeq, perPage+1)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if len(entries) > perPage {
		entries = entries[:perPage]
		setNextLink(w, r, strconv.FormatInt(entries[len(entries)-1].Seq, 10))
	}
	if entries == nil {
		entries = []store.Access{}
	}
	writeJSON(w, http.StatusOK, entries)
}

// decisionDocument is one decision as GET /api/v1/decisions lists it.
// LeafHash is left out when the decision has no audit-log leaf, and
// LeafIndex then means nothing.
type decisionDocument struct {
	store.Decision
	LeafHash []byte `json:"leafHash,omitempty"`
}

// defaultDecisionsLimit is the page size of GET /api/v1/decisions without
// a limit parameter.
const defaultDecisionsLimit = 100

// handleDecisions serves GET /api/v1/decisions?kind=PREFIX&subject=ID&
// after=SEQ&limit=N: the decisions of the audit log in Seq order, for
// administrators and regulators only, because a decision body may name
// private data such as a party's contacts. A regulator gets only the
// decisions visibleDecision allows, so a page may hold fewer than limit.
// A page that read limit decisions carries a Link header to the next one.
func (s *Server) handleDecisions(w http.ResponseWriter, r *http.Request) {
	p := party.PrincipalFrom(r.Context())
	if a := p.Audience(); a != party.Administrator && a != party.Regulator {
		s.writeProblem(w, r, fmt.Errorf("%w: only platform administrators and regulators may read decisions", store.ErrForbidden))
		return
	}
	ds, ok := s.registry().(store.DecisionStore)
	if !ok {
		s.writeProblem(w, r, fmt.Errorf("the store keeps no decisions: %w", store.ErrNotFound))
		return
	}
	f, err := decisionFilter(r.URL.Query())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	list, err := ds.Decisions(r.Context(), f)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}

	out := make([]decisionDocument, 0, len(list))
	parties := map[string]*store.Party{}
	for _, d := range list {
		visible, err := s.visibleDecision(r, p, d, parties)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		if visible {
			out = append(out, decisionDocument{Decision: d, LeafHash: d.LeafHash})
		}
	}
	if len(list) == f.Limit {
		next := *r.URL
		values := next.Query()
		values.Set("after", strconv.FormatInt(list[len(list)-1].Seq, 10))
		next.RawQuery = values.Encode()
		w.Header().Set("Link", fmt.Sprintf("<%s>; rel=\"next\"", next.RequestURI()))
	}
	writeJSON(w, http.StatusOK, out)
}

// visibleDecision reports whether the caller p may read decision d. An
// administrator reads every decision. A regulator reads party and
// location decisions about a party it may see (see canSeeParty), and
// each such read is logged as a read of that party's record. It reads
// token and user decisions of its own party only. Of other decisions,
// such as recall or credit-list decisions, it reads those its own party
// made. parties caches the subject parties already read, with nil for
// one that is not registered.
func (s *Server) visibleDecision(r *http.Request, p *party.Principal, d store.Decision, parties map[string]*store.Party) (bool, error) {
	if p.Audience() == party.Administrator {
		return true, nil
	}
	domain, _, _ := strings.Cut(d.Kind, ".")
	switch domain {
	case "token", "user":
		return d.Subject == p.Party.ID, nil
	case "party", "location":
	default:
		return d.ActorPartyID == p.Party.ID, nil
	}
	subject, seen := parties[d.Subject]
	if !seen {
		pt, err := s.registry().Party(r.Context(), d.Subject)
		switch {
		case err == nil:
			subject = &pt
			if canSeeParty(p, pt) {
				if err := s.recordRead(r, p, pt.ID, "decisions"); err != nil {
					return false, err
				}
			}
		case !errors.Is(err, store.ErrNotFound):
			return false, err
		}
		parties[d.Subject] = subject
	}
	return subject != nil && canSeeParty(p, *subject), nil
}

// decisionFilter reads the parameters of GET /api/v1/decisions.
func decisionFilter(params url.Values) (store.DecisionFilter, error) {
	f := store.DecisionFilter{KindPrefix: params.Get("kind"), Subject: params.Get("subject"), Limit: defaultDecisionsLimit}
	for name := range params {
		switch name {
		case "kind", "subject", "after", "limit":
		default:
			return f, &query.ParamError{Param: name, Value: params.Get(name), Reason: "unknown parameter; this list takes kind, subject, after and limit"}
		}
	}
	if v := params.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return f, &query.ParamError{Param: "after", Value: v, Reason: "must be a decision seq, a whole number from 0"}
		}
		f.AfterSeq = n
	}
	if v := params.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > store.DefaultDecisionLimit {
			return f, &query.ParamError{Param: "limit", Value: v, Reason: fmt.Sprintf("must be an integer from 1 to %d", store.DefaultDecisionLimit)}
		}
		f.Limit = n
	}
	return f, nil
}
