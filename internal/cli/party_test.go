package cli

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/internal/api"
	"github.com/suyuan-trace/suyuan/internal/party"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

// servedFixture is the server as serve builds it (authentication,
// consumer pages), over a store where enterprise A sold item 1 to B and
// item 2 to C.
type servedFixture struct {
	handler http.Handler
	srv     *api.Server
	tokenA  string
}

const (
	servedItem1 = "urn:epc:id:sgtin:6901234.012345.1"
	servedItem2 = "urn:epc:id:sgtin:6901234.012345.2"
)

func newServedFixture(t *testing.T) *servedFixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "suyuan.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	svc := &party.Service{Store: st}
	enterprises := []struct {
		p        store.Party
		location string
		division string
	}{
		{store.Party{ID: "pa", Kind: store.PartyEnterprise, NameZH: "甲乳业有限公司", USCC: "914401010812345618", Region: "440106", CompanyPrefixes: []string{"6901234"}}, "urn:epc:id:sgln:6901234.00001.0", "440106"},
		{store.Party{ID: "pb", Kind: store.PartyEnterprise, NameZH: "乙商贸有限公司", USCC: "914403000812345614", Region: "440305", CompanyPrefixes: []string{"6905678"}}, "urn:epc:id:sgln:6905678.00001.0", "440305"},
		{store.Party{ID: "pc", Kind: store.PartyEnterprise, NameZH: "丙超市有限公司", USCC: "914403001812345773", Region: "440305", CompanyPrefixes: []string{"6907777"}}, "urn:epc:id:sgln:6907777.00001.0", "440305"},
	}
	for _, e := range enterprises {
		if _, err := svc.CreateParty(ctx, e.p); err != nil {
			t.Fatalf("CreateParty(%s): %v", e.p.ID, err)
		}
		if _, err := svc.PutLocation(ctx, store.Location{Original: e.location, PartyID: e.p.ID, Name: e.p.NameZH + "仓库", Division: e.division}); err != nil {
			t.Fatalf("PutLocation: %v", err)
		}
	}
	tok, err := svc.IssueToken(ctx, "pa", "test", []store.Scope{store.ScopeCapture, store.ScopeQuery}, time.Hour)
	if err != nil {
		t.Fatalf("IssueToken: %v", err)
	}

	logger := slog.New(slog.DiscardHandler)
	cfg := &serveConfig{maxBody: 1 << 20}
	srv, err := securedServer(ctx, st, cfg, logger)
	if err != nil {
		t.Fatalf("securedServer: %v", err)
	}
	closeWeb, err := mountWeb(ctx, st, srv, cfg.directory, logger)
	if err != nil {
		t.Fatalf("mountWeb: %v", err)
	}
	t.Cleanup(closeWeb)
	f := &servedFixture{handler: srv.Handler(), srv: srv, tokenA: tok.Secret}

	doc := `{"@context":["https://ref.gs1.org/standards/epcis/epcis-context.jsonld",{"ex":"https://example.com/ns/"}],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-03-01T00:00:00Z","epcisBody":{"eventList":[` +
		`{"type":"ObjectEvent","eventTime":"2026-03-01T08:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":["` + servedItem1 + `","` + servedItem2 + `"],"action":"ADD","bizStep":"commissioning","readPoint":{"id":"urn:epc:id:sgln:6901234.00001.0"},"bizLocation":{"id":"urn:epc:id:sgln:6901234.00001.0"}},` +
		`{"type":"ObjectEvent","eventTime":"2026-03-02T08:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":["` + servedItem1 + `"],"action":"OBSERVE","bizStep":"shipping","readPoint":{"id":"urn:epc:id:sgln:6901234.00001.0"},"bizTransactionList":[{"type":"po","bizTransaction":"urn:example:po:PO-B-1001"}],"destinationList":[{"type":"location","destination":"urn:epc:id:sgln:6905678.00001.0"}],"ex:price":"CNY-9.99"},` +
		`{"type":"ObjectEvent","eventTime":"2026-03-02T09:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":["` + servedItem2 + `"],"action":"OBSERVE","bizStep":"shipping","readPoint":{"id":"urn:epc:id:sgln:6901234.00001.0"},"bizTransactionList":[{"type":"po","bizTransaction":"urn:example:po:PO-C-2002"}],"destinationList":[{"type":"location","destination":"urn:epc:id:sgln:6907777.00001.0"}],"ex:price":"CNY-8.88"}` +
		`]}}`
	req := httptest.NewRequest("POST", "/capture", strings.NewReader(doc))
	req.Header.Set("Content-Type", "application/ld+json")
	req.Header.Set("Authorization", "Bearer "+tok.Secret)
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("capture: status %d: %s", rec.Code, rec.Body)
	}
	return f
}

// publicTarget returns a request path for a public route pattern, with
// its wildcards filled with item 1.
func publicTarget(pattern string) string {
	_, path, _ := strings.Cut(pattern, " ")
	path = strings.TrimSuffix(path, "{$}")
	switch {
	case path == "/static/":
		return "/static/scan.js"
	case path == "/scan":
		return "/scan?code=" + url.QueryEscape("https://id.gs1.org/01/06901234123456/21/1")
	case path == "/01/":
		return "/01/06901234123456/21/1"
	case strings.HasSuffix(path, "/") && path != "/":
		return path + "0"
	}
	for strings.Contains(path, "{") {
		i := strings.Index(path, "{")
		j := strings.Index(path[i:], "}")
		path = path[:i] + url.PathEscape(servedItem1) + path[i+j+1:]
	}
	return path
}

// TestServedPublicRoutesLeakNothing walks every route of the server that
// serve builds as an anonymous caller: routes that need credentials must
// refuse, and public routes (consumer pages, resolver, audit log) must
// never show prices, business documents or another customer of A.
func TestServedPublicRoutesLeakNothing(t *testing.T) {
	f := newServedFixture(t)
	never := []string{"PO-B-1001", "PO-C-2002", "CNY-9.99", "CNY-8.88", "丙超市", "6907777.00001", f.tokenA}

	// The consumer page names the producer from the registry.
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, httptest.NewRequest("GET", publicTarget("GET /scan"), nil))
	if !strings.Contains(rec.Body.String(), "甲乳业有限公司") {
		t.Errorf("consumer page lacks the producer's registered name")
	}

	patterns := make([]string, 0)
	for p := range f.srv.Patterns() {
		patterns = append(patterns, p)
	}
	sort.Strings(patterns)
	for _, pattern := range patterns {
		policy := f.srv.Patterns()[pattern]
		method, _, _ := strings.Cut(pattern, " ")
		t.Run(pattern, func(t *testing.T) {
			target := publicTarget(pattern)
			var body *bytes.Reader
			if method == "POST" || method == "PUT" {
				body = bytes.NewReader([]byte("{}"))
			} else {
				body = bytes.NewReader(nil)
			}
			req := httptest.NewRequest(method, target, body)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			f.handler.ServeHTTP(rec, req)
			if policy != api.PolicyPublic {
				if rec.Code != http.StatusUnauthorized {
					t.Errorf("anonymous %s %s: status %d, want 401 for a %s route", method, target, rec.Code, policy)
				}
				return
			}
			if rec.Code == http.StatusUnauthorized {
				t.Errorf("anonymous %s %s: status 401 on a public route", method, target)
			}
			text := rec.Body.String()
			for _, s := range never {
				if strings.Contains(text, s) {
					t.Errorf("anonymous %s %s: response contains %q", method, target, s)
				}
			}
		})
	}
}

func TestPartyCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "suyuan.db")

	code, out, _ := runMain(t, "", "admin", "bootstrap", "--db", db)
	if code != ExitOK || !strings.Contains(out, "syt_") {
		t.Fatalf("admin bootstrap: exit %d, output %q", code, out)
	}
	if code, _, errOut := runMain(t, "", "admin", "bootstrap", "--db", db); code != ExitFailure || !strings.Contains(errOut, "already has users") {
		t.Errorf("second admin bootstrap: exit %d, stderr %q", code, errOut)
	}

	code, _, errOut := runMain(t, "", "party", "add", "--db", db, "--name-zh", "丁公司", "--uscc", "914401010812345619", "--region", "440106")
	if code != ExitFailure || !strings.Contains(errOut, "第 18 位") || !strings.Contains(errOut, "position 18") {
		t.Errorf("party add with a wrong check character: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runMain(t, "", "party", "add", "--db", db, "--id", "pa", "--name-zh", "甲乳业有限公司", "--uscc", "914401010812345618",
		"--region", "440106", "--company-prefixes", "6901234", "--licence", "food-production|SC10644010600017|dairy|2024-01-01|2029-01-01")
	if code != ExitOK {
		t.Fatalf("party add: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := runMain(t, "", "party", "update", "--db", db, "--name-en", "A Dairy", "pa"); code != ExitOK {
		t.Errorf("party update: exit %d, stderr %q", code, errOut)
	}
	if code, out, _ := runMain(t, "", "party", "show", "--db", db, "pa"); code != ExitOK || !strings.Contains(out, `"nameEN": "A Dairy"`) || !strings.Contains(out, `"nameZH": "甲乳业有限公司"`) {
		t.Errorf("party show after update: exit %d, output %q", code, out)
	}
	if code, _, errOut := runMain(t, "", "location", "add", "--db", db, "--id", "urn:epc:id:sgln:6901234.00001.0", "--party", "pa", "--name", "广州工厂", "--division", "440106"); code != ExitOK {
		t.Errorf("location add: exit %d, stderr %q", code, errOut)
	}
	if code, out, _ := runMain(t, "", "location", "list", "--db", db, "--party", "pa"); code != ExitOK || !strings.Contains(out, "https://id.gs1.org/414/6901234000016") {
		t.Errorf("location list: exit %d, output %q", code, out)
	}

	code, out, _ = runMain(t, "", "token", "create", "--db", db, "--party", "pa", "--scopes", "capture,query")
	secret := strings.TrimSpace(out)
	if code != ExitOK || !strings.HasPrefix(secret, party.TokenPrefix) {
		t.Fatalf("token create: exit %d, output %q", code, out)
	}
	code, out, _ = runMain(t, "", "token", "list", "--db", db, "--party", "pa")
	if code != ExitOK || strings.Contains(out, secret) || !strings.Contains(out, "valid") {
		t.Errorf("token list: exit %d, output %q", code, out)
	}
	tokenID := strings.Fields(strings.Split(out, "\n")[1])[0]
	if code, _, errOut := runMain(t, "", "token", "revoke", "--db", db, tokenID); code != ExitOK {
		t.Errorf("token revoke: exit %d, stderr %q", code, errOut)
	}
	if _, out, _ := runMain(t, "", "token", "list", "--db", db, "--party", "pa"); !strings.Contains(out, "revoked") {
		t.Errorf("token list after revoke: %q", out)
	}

	if code, _, errOut := runMain(t, "", "admin", "user-add", "--db", db, "--username", "li", "--party", "pa"); code != ExitOK {
		t.Fatalf("admin user-add: exit %d, stderr %q", code, errOut)
	}
	if code, out, errOut := runMain(t, "", "admin", "user-disable", "--db", db, "li"); code != ExitOK || !strings.Contains(out, "disabled") {
		t.Errorf("admin user-disable: exit %d, output %q, stderr %q", code, out, errOut)
	}
	if code, _, _ := runMain(t, "", "admin", "user-disable", "--db", db, "nobody"); code != ExitFailure {
		t.Errorf("admin user-disable of an unknown user: exit %d, want %d", code, ExitFailure)
	}
	code, out, _ = runMain(t, "", "log", "decisions", "--db", db, "--subject", "pa")
	if code != ExitOK {
		t.Fatalf("log decisions: exit %d, output %q", code, out)
	}
	for _, kind := range []string{"party.create", "party.update", "location.create", "token.issue", "token.revoke", "user.create", "user.disable"} {
		if !strings.Contains(out, kind) {
			t.Errorf("log decisions lacks %s:\n%s", kind, out)
		}
	}
	if !strings.Contains(out, "cli:") {
		t.Errorf("log decisions does not name the command-line actor:\n%s", out)
	}
	key := filepath.Join(filepath.Dir(db), "log.key")
	expectRun(t, ExitOK, "log", "keygen", "--alg", "ed25519", "--name", "log.test.invalid", "--out", key)
	expectRun(t, ExitOK, "log", "integrate", "--db", db, "--log-key", key, "--origin", "test.suyuan.invalid/log")
	out = expectRun(t, ExitOK, "verify", "--all", "--db", db, "--vkey", key+".pub")
	if !strings.Contains(out, "决定 decisions: 10") {
		t.Errorf("verify --all after registry changes:\n%s", out)
	}
}

func TestPartyImportAllOrNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "suyuan.db")
	bad := writeFile(t, "bad.csv", "type,id,name_zh,uscc,region\nenterprise,pa,甲,914401010812345618,440106\nenterprise,pb,乙,914403000812345619,440305\n")
	good := writeFile(t, "good.csv", "type,id,name_zh,uscc,region,party_id,location_id,division\nenterprise,pa,甲,914401010812345618,440106,,,\nlocation,,甲工厂,,,pa,urn:epc:id:sgln:6901234.00001.0,440106\n")

	code, _, errOut := runMain(t, "", "party", "import", "--db", db, bad)
	if code != ExitFailure || !strings.Contains(errOut, "line 3") || !strings.Contains(errOut, "nothing imported") {
		t.Errorf("import of a bad file: exit %d, stderr %q", code, errOut)
	}
	if code, _, _ := runMain(t, "", "party", "show", "--db", db, "pa"); code != ExitFailure {
		t.Errorf("party pa after a failed import: exit %d, want it absent", code)
	}
	code, out, errOut := runMain(t, "", "party", "import", "--db", db, good)
	if code != ExitOK || !strings.Contains(out, "1 parties, 1 locations") {
		t.Errorf("import: exit %d, output %q, stderr %q", code, out, errOut)
	}
}
