package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/internal/party"
	"github.com/suyuan-trace/suyuan/internal/store"
)

func TestCaptureRejectsForeignIdentifiers(t *testing.T) {
	f := newFixture(t)
	const stolen = "urn:uuid:00000000-0000-4000-8000-0000000000f1"
	const elsewhere = "urn:uuid:00000000-0000-4000-8000-0000000000f2"
	tests := []struct {
		name      string
		doc       string
		wantRule  string
		wantValue string
		eventID   string
	}{
		{
			name:      "commission another enterprise's GTIN",
			doc:       jsonDoc(objectEvent(stolen, "2026-03-04T08:00:00+08:00", "ADD", "commissioning", locB, []string{"urn:epc:id:sgtin:6901234.012345.99"}, "")),
			wantRule:  party.RulePrefix,
			wantValue: "urn:epc:id:sgtin:6901234.012345.99",
			eventID:   stolen,
		},
		{
			name:      "report at a location of another enterprise",
			doc:       jsonDoc(objectEvent(elsewhere, "2026-03-04T08:00:00+08:00", "OBSERVE", "inspecting", locA, []string{item1}, "")),
			wantRule:  party.RuleParty,
			wantValue: locA,
			eventID:   elsewhere,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A valid event of B's own goes first: the whole document
			// must still be rejected.
			own := objectEvent("urn:uuid:00000000-0000-4000-8000-0000000000f9", "2026-03-04T07:00:00+08:00", "ADD", "commissioning", locB,
				[]string{"urn:epc:id:sgtin:6905678.012345.1"}, "")
			doc := strings.Replace(tt.doc, `"eventList":[`, `"eventList":[`+own+",", 1)
			rec := f.do(entB, "POST", "/capture", doc)
			if rec.Code != http.StatusForbidden {
				t.Fatalf("capture: status %d, want 403: %s", rec.Code, rec.Body)
			}
			var p Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatalf("decode problem: %v", err)
			}
			if len(p.Errors) != 1 {
				t.Fatalf("problem errors: got %+v, want one", p.Errors)
			}
			if p.Errors[0].EventIndex != 1 {
				t.Errorf("event index: got %d, want 1", p.Errors[0].EventIndex)
			}
			if p.Errors[0].Rule != tt.wantRule {
				t.Errorf("rule: got %q, want %q", p.Errors[0].Rule, tt.wantRule)
			}
			if p.Errors[0].Value != tt.wantValue {
				t.Errorf("value: got %q, want %q", p.Errors[0].Value, tt.wantValue)
			}
			if !strings.Contains(p.Errors[0].Message, tt.wantValue) {
				t.Errorf("message %q does not name %s", p.Errors[0].Message, tt.wantValue)
			}
			for _, id := range []string{tt.eventID, "urn:uuid:00000000-0000-4000-8000-0000000000f9"} {
				if rec := f.do(admin, "GET", "/events/"+url.PathEscape(id), ""); rec.Code != http.StatusNotFound {
					t.Errorf("event %s after a rejected capture: status %d, want 404", id, rec.Code)
				}
			}
			job := f.do(entB, "GET", rec.Header().Get("Location"), "")
			if job.Code != http.StatusOK || !strings.Contains(job.Body.String(), tt.wantRule) {
				t.Errorf("capture job of the rejected document: status %d, body %s", job.Code, job.Body)
			}
		})
	}
}

func TestTokenRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	revoked, err := f.svc.IssueToken(ctx, "pa", "old", []store.Scope{store.ScopeQuery}, 0)
	if err != nil {
		t.Fatalf("IssueToken: %v", err)
	}
	if err := f.svc.RevokeToken(ctx, "pa", revoked.ID); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	expiring, err := f.svc.IssueToken(ctx, "pa", "short", []store.Scope{store.ScopeQuery}, time.Hour)
	if err != nil {
		t.Fatalf("IssueToken: %v", err)
	}
	get := func(secret string) int {
		req := httptest.NewRequest("GET", "/events", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		rec := httptest.NewRecorder()
		f.handler.ServeHTTP(rec, req)
		return rec.Code
	}
	if code := get(expiring.Secret); code != http.StatusOK {
		t.Fatalf("fresh token: status %d, want 200", code)
	}
	f.clock.advance(2 * time.Hour)
	tests := []struct {
		name, secret string
	}{
		{"revoked", revoked.Secret},
		{"expired", expiring.Secret},
		{"unknown", party.NewSecret(party.TokenPrefix)},
		{"malformed", "not-a-token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code := get(tt.secret); code != http.StatusUnauthorized {
				t.Errorf("GET /events with a %s token: status %d, want 401", tt.name, code)
			}
		})
	}
}

func TestTokenNeverStoredOrLogged(t *testing.T) {
	f := newFixture(t)
	rec := f.do(admin, "POST", "/api/v1/parties/pa/tokens", `{"name":"erp","scopes":["capture","query"],"expiresIn":"720h"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("issue token: status %d: %s", rec.Code, rec.Body)
	}
	var doc tokenDocument
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || doc.Secret == "" {
		t.Fatalf("issue token: no secret in %s (%v)", rec.Body, err)
	}
	if rec := f.do(admin, "GET", "/api/v1/parties/pa/tokens", ""); strings.Contains(rec.Body.String(), doc.Secret) {
		t.Errorf("token list contains a secret")
	}
	// Use the token, so that any request log would have seen it.
	req := httptest.NewRequest("GET", "/events", nil)
	req.Header.Set("Authorization", "Bearer "+doc.Secret)
	f.handler.ServeHTTP(httptest.NewRecorder(), req)
	if err := f.st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	secrets := append([]string{doc.Secret}, f.tokens[:]...)
	for _, name := range []string{f.dbPath, f.dbPath + "-wal"} {
		data, err := os.ReadFile(name)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		for _, s := range secrets {
			if s != "" && strings.Contains(string(data), s) {
				t.Errorf("database file %s contains a token secret in clear", name)
			}
		}
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(f.logs.String(), s) {
			t.Errorf("server log contains a token secret")
		}
	}
}

func TestSessionNeedsCSRF(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const password = "correct horse battery"
	if err := f.svc.CreateUser(ctx, "li", "pa", password, []store.Scope{store.ScopeQuery}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	login := httptest.NewRequest("POST", "/api/v1/login", strings.NewReader(`{"username":"li","password":"`+password+`"}`))
	login.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, login)
	if rec.Code != http.StatusOK {
		t.Fatalf("login: status %d: %s", rec.Code, rec.Body)
	}
	var me meDocument
	if err := json.Unmarshal(rec.Body.Bytes(), &me); err != nil || me.CSRFToken == "" || me.Party.ID != "pa" {
		t.Fatalf("login response: %s (%v)", rec.Body, err)
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].Name != sessionCookie {
		t.Fatalf("login cookies: got %+v, want one HttpOnly session cookie", cookies)
	}
	send := func(method, target, csrf string) int {
		req := httptest.NewRequest(method, target, nil)
		req.AddCookie(cookies[0])
		if csrf != "" {
			req.Header.Set(csrfHeader, csrf)
		}
		rec := httptest.NewRecorder()
		f.handler.ServeHTTP(rec, req)
		return rec.Code
	}
	if code := send("GET", "/events", ""); code != http.StatusOK {
		t.Errorf("GET /events with a session: status %d, want 200", code)
	}
	if code := send("POST", "/api/v1/logout", ""); code != http.StatusForbidden {
		t.Errorf("logout without CSRF token: status %d, want 403", code)
	}
	if code := send("POST", "/api/v1/logout", "forged"); code != http.StatusForbidden {
		t.Errorf("logout with a wrong CSRF token: status %d, want 403", code)
	}
	if code := send("POST", "/api/v1/logout", me.CSRFToken); code != http.StatusNoContent {
		t.Errorf("logout with the CSRF token: status %d, want 204", code)
	}
	if code := send("GET", "/events", ""); code != http.StatusUnauthorized {
		t.Errorf("GET /events after logout: status %d, want 401", code)
	}
}

func TestLoginWrongPassword(t *testing.T) {
	f := newFixture(t)
	tests := []struct{ name, body string }{
		{"wrong password", `{"username":"admin","password":"not the password"}`},
		{"unknown user", `{"username":"nobody","password":"not the password"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.do(anon, "POST", "/api/v1/login", tt.body)
			if rec.Code != http.StatusUnauthorized {
				t.Errorf("login: status %d, want 401", rec.Code)
			}
			if len(rec.Result().Cookies()) != 0 {
				t.Errorf("login: a failed sign-in set cookies")
			}
		})
	}
}

func TestPublicRateLimit(t *testing.T) {
	f := newFixture(t)
	f.srv.Secure(Security{Parties: f.svc, PublicRate: 1, PublicBurst: 3})
	h := f.srv.Handler()
	codes := make([]int, 5)
	for i := range codes {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = "192.0.2.7:1234"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		codes[i] = rec.Code
	}
	want := []int{200, 200, 200, 429, 429}
	for i := range want {
		if codes[i] != want[i] {
			t.Errorf("request %d: status %d, want %d", i, codes[i], want[i])
		}
	}
	// Another client has its own bucket.
	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "192.0.2.8:1234"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Errorf("other client: status %d, want 200", rec.Code)
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t)
	rec := f.do(anon, "GET", "/", "")
	for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"} {
		if rec.Header().Get(h) == "" {
			t.Errorf("response lacks %s", h)
		}
	}
}

func TestRegulatorReadsLogged(t *testing.T) {
	f := newFixture(t)
	if rec := f.do(regLocal, "GET", "/events", ""); rec.Code != http.StatusOK {
		t.Fatalf("regulator query: status %d", rec.Code)
	}
	if rec := f.do(regLocal, "GET", "/bizLocations", ""); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "414/6901234") {
		t.Fatalf("regulator location list: status %d: %s", rec.Code, rec.Body)
	}
	var entries []store.Access
	rec := f.do(entA, "GET", "/api/v1/access-log", "")
	if err := json.Unmarshal(rec.Body.Bytes(), &entries); err != nil {
		t.Fatalf("decode access log: %v: %s", err, rec.Body)
	}
	var found, listed bool
	for _, e := range entries {
		if e.ActorPartyID == "rgz" && e.Action == "list bizLocations" && e.PartyID == "pa" {
			listed = true
		}
		if e.ActorPartyID == "rgz" && e.Action == "query" && e.PartyID == "pa" {
			found = true
			if e.Actor == "" || e.Time.IsZero() {
				t.Errorf("access entry lacks actor or time: %+v", e)
			}
		}
	}
	if !found {
		t.Errorf("A's access log lacks the regulator's query: %+v", entries)
	}
	if !listed {
		t.Errorf("A's access log lacks the regulator's location listing: %+v", entries)
	}
	rec = f.do(entB, "GET", "/api/v1/access-log", "")
	if strings.Contains(rec.Body.String(), `"rgz"`) {
		t.Errorf("B's access log shows the regulator's reads of A: %s", rec.Body)
	}
}

func TestRegisterPartyRejectsBadUSCC(t *testing.T) {
	f := newFixture(t)
	rec := f.do(admin, "POST", "/api/v1/parties", `{"kind":"enterprise","nameZH":"丁公司","uscc":"914401010812345619","region":"440106"}`)
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("register: status %d, want 400: %s", rec.Code, rec.Body)
	}
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("decode problem: %v", err)
	}
	if !strings.Contains(p.Detail, "position 18") {
		t.Errorf("problem detail %q does not name position 18", p.Detail)
	}
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "uscc" || !strings.Contains(p.Errors[0].Message, "第 18 位") {
		t.Errorf("problem errors: got %+v, want the uscc field with the Chinese position", p.Errors)
	}
}

func TestAdministrativeChangesLogged(t *testing.T) {
	f := newFixture(t)
	body := `{"kind":"enterprise","nameZH":"丙超市有限公司","nameEN":"C Mart","uscc":"914403001812345773","region":"440305","companyPrefixes":["6907777"]}`
	if rec := f.do(admin, "PUT", "/api/v1/parties/pc", body); rec.Code != http.StatusOK {
		t.Fatalf("update party: status %d: %s", rec.Code, rec.Body)
	}
	var entries []store.Access
	rec := f.do(entC, "GET", "/api/v1/access-log", "")
	if err := json.Unmarshal(rec.Body.Bytes(), &entries); err != nil {
		t.Fatalf("decode access log: %v", err)
	}
	var found bool
	for _, e := range entries {
		if e.Action == "party.update" && e.ActorPartyID == "operator" && strings.HasPrefix(e.Actor, "token:") {
			found = true
		}
	}
	if !found {
		t.Errorf("C's access log lacks the administrator's update: %+v", entries)
	}
}
