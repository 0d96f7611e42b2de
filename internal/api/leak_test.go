package api

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
)

// leakCase is one request of the leak walk: what to send for a route
// pattern and the status each audience must get, in the order anonymous,
// A, B, C, regulator of another region, regulator of A's city,
// administrator.
type leakCase struct {
	method, target, body string
	want                 [audiences]int
}

// Statuses used by the table.
const (
	ok   = http.StatusOK
	no   = http.StatusNoContent
	acc  = http.StatusAccepted
	crt  = http.StatusCreated
	unau = http.StatusUnauthorized
	forb = http.StatusForbidden
	nf   = http.StatusNotFound
	bad  = http.StatusBadRequest
)

// everyone and signedIn are common rows.
var (
	everyone    = [audiences]int{ok, ok, ok, ok, ok, ok, ok}
	optionsRow  = [audiences]int{no, no, no, no, no, no, no}
	signedIn    = [audiences]int{unau, ok, ok, ok, ok, ok, ok}
	adminOnly   = [audiences]int{unau, forb, forb, forb, forb, forb, ok}
	ownPartyRow = [audiences]int{unau, nf, nf, ok, nf, nf, ok}
	// lineageRow is a trace of item 1: every enterprise and the regulator
	// of A's city see some of its events, the regulator of another region
	// none of them.
	lineageRow = [audiences]int{unau, ok, ok, ok, nf, ok, ok}
)

// leakTable returns the request for every route pattern of the server.
// A pattern without an entry fails the test: every new endpoint must
// state who may call it.
func leakTable(f *fixture) map[string]leakCase {
	item := url.PathEscape(item1)
	loc := url.PathEscape(locA)
	table := map[string]leakCase{
		"GET /{$}":                      {method: "GET", target: "/", want: everyone},
		"OPTIONS /{$}":                  {method: "OPTIONS", target: "/", want: optionsRow},
		"POST /capture":                 {method: "POST", target: "/capture", body: jsonDoc(eventE1()), want: [audiences]int{unau, acc, forb, forb, forb, forb, acc}},
		"GET /capture":                  {method: "GET", target: "/capture", want: signedIn},
		"OPTIONS /capture":              {method: "OPTIONS", target: "/capture", want: optionsRow},
		"GET /capture/{captureID}":      {method: "GET", target: "/capture/" + f.captureA, want: [audiences]int{unau, ok, nf, nf, nf, nf, ok}},
		"OPTIONS /capture/{captureID}":  {method: "OPTIONS", target: "/capture/x", want: optionsRow},
		"GET /events":                   {method: "GET", target: "/events", want: signedIn},
		"POST /events":                  {method: "POST", target: "/events", body: jsonDoc(eventE2()), want: [audiences]int{unau, crt, crt, forb, forb, forb, crt}},
		"OPTIONS /events":               {method: "OPTIONS", target: "/events", want: optionsRow},
		"GET /events/{eventID}":         {method: "GET", target: "/events/" + url.PathEscape(e3), want: [audiences]int{unau, ok, nf, ok, nf, ok, ok}},
		"OPTIONS /events/{eventID}":     {method: "OPTIONS", target: "/events/x", want: optionsRow},
		"GET /api/v1/codes/parse":       {method: "GET", target: "/api/v1/codes/parse?s=" + url.QueryEscape("(01)06901234000016"), want: everyone},
		"POST /api/v1/login":            {method: "POST", target: "/api/v1/login", body: `{"username":"admin","password":"wrong password!"}`, want: [audiences]int{unau, unau, unau, unau, unau, unau, unau}},
		"POST /api/v1/logout":           {method: "POST", target: "/api/v1/logout", want: [audiences]int{unau, no, no, no, no, no, no}},
		"GET /api/v1/me":                {method: "GET", target: "/api/v1/me", want: signedIn},
		"GET /api/v1/parties":           {method: "GET", target: "/api/v1/parties", want: signedIn},
		"POST /api/v1/parties":          {method: "POST", target: "/api/v1/parties", body: `{"kind":"regulator","nameZH":"深圳市市场监督管理局","department":"稽查局","jurisdiction":"4403"}`, want: [audiences]int{unau, forb, forb, forb, forb, forb, crt}},
		"POST /api/v1/parties/import":   {method: "POST", target: "/api/v1/parties/import", body: "type,id,name_zh,department,jurisdiction\nregulator,rsz2,佛山市市场监督管理局,食品处,4406\n", want: adminOnly},
		"GET /api/v1/parties/{partyID}": {method: "GET", target: "/api/v1/parties/pc", want: ownPartyRow},
		"PUT /api/v1/parties/{partyID}": {method: "PUT", target: "/api/v1/parties/pc",
			body: `{"kind":"enterprise","nameZH":"丙超市有限公司","uscc":"914403001812345773","region":"440305","companyPrefixes":["6907777"]}`, want: adminOnly},
		"GET /api/v1/parties/{partyID}/tokens":  {method: "GET", target: "/api/v1/parties/pc/tokens", want: ownPartyRow},
		"POST /api/v1/parties/{partyID}/tokens": {method: "POST", target: "/api/v1/parties/pc/tokens", body: `{"name":"walk","scopes":["query"],"expiresIn":"1h"}`, want: [audiences]int{unau, nf, nf, crt, nf, nf, crt}},
		"DELETE /api/v1/tokens/{tokenID}":       {method: "DELETE", target: "/api/v1/tokens/tk-none", want: [audiences]int{unau, nf, nf, nf, nf, nf, nf}},
		"GET /api/v1/locations":                 {method: "GET", target: "/api/v1/locations", want: signedIn},
		"POST /api/v1/locations":                {method: "POST", target: "/api/v1/locations", body: `{"original":"urn:epc:id:sgln:6907777.00002.0","partyID":"pc","name":"丙二号店","division":"440305"}`, want: adminOnly},
		"GET /api/v1/access-log":                {method: "GET", target: "/api/v1/access-log", want: signedIn},
		// Decision bodies name registry data: enterprises and the public
		// get none, regulators what they supervise (TestDecisionsPerAudience).
		"GET /api/v1/decisions": {method: "GET", target: "/api/v1/decisions", want: [audiences]int{unau, forb, forb, forb, ok, ok, ok}},
		// Lineage walks are projected per audience: TestTraceEachAudience
		// checks what each one gets.
		"GET /api/v1/trace/{id...}": {method: "GET", target: "/api/v1/trace/" + url.PathEscape(item1), want: lineageRow},
		"GET /api/v1/recall-scope":  {method: "GET", target: "/api/v1/recall-scope?id=" + url.QueryEscape(item1), want: lineageRow},
		"GET /api/v1/export/fsma204": {method: "GET", target: "/api/v1/export/fsma204?format=csv&lot=" + url.QueryEscape("https://id.gs1.org/01/06901234123456/10/L1"),
			want: signedIn},
	}
	for pattern, tc := range decisionLeakCases(f) {
		table[pattern] = tc
	}
	for _, tl := range topLevels {
		id := "ObjectEvent"
		switch tl.path {
		case "epcs":
			id = item
		case "bizLocations", "readPoints":
			id = loc
		case "bizSteps":
			id = "shipping"
		case "dispositions":
			id = "in_progress"
		}
		table["GET /"+tl.path] = leakCase{method: "GET", target: "/" + tl.path, want: signedIn}
		table["OPTIONS /"+tl.path] = leakCase{method: "OPTIONS", target: "/" + tl.path, want: optionsRow}
		table["GET /"+tl.path+"/{id}"] = leakCase{method: "GET", target: "/" + tl.path + "/" + id, want: signedIn}
		table["OPTIONS /"+tl.path+"/{id}"] = leakCase{method: "OPTIONS", target: "/" + tl.path + "/" + id, want: optionsRow}
		table["GET /"+tl.path+"/{id}/events"] = leakCase{method: "GET", target: "/" + tl.path + "/" + id + "/events", want: signedIn}
		table["OPTIONS /"+tl.path+"/{id}/events"] = leakCase{method: "OPTIONS", target: "/" + tl.path + "/" + id + "/events", want: optionsRow}
	}
	return table
}

// secrets lists strings that must never appear in a response to each
// audience: other enterprises' business documents, prices, customers and
// codes.
func secrets() [audiences][]string {
	var s [audiences][]string
	downstreamOfB := []string{"PO-B-DOWN-5", e4}
	bWithA := []string{"PO-B-1001", "CNY-9.99"}
	cWithA := []string{"PO-C-2002", "CNY-8.88", "6907777.00001", "414/6907777"}
	aInternal := []string{"WO-77", "CNY-3.21"}
	allBusiness := slices.Concat(downstreamOfB, bWithA, cWithA, aInternal, []string{e1, e2, e3})

	s[anon] = slices.Concat(allBusiness, []string{"914401010812345618", "914403000812345614", "914403001812345773"})
	s[entA] = downstreamOfB
	s[entB] = slices.Concat(cWithA, aInternal, []string{e3, "914403001812345773"})
	s[entC] = slices.Concat(bWithA, downstreamOfB, aInternal, []string{e2, "914403000812345614", "6905678.00001", "414/6905678"})
	s[regOther] = slices.Concat(allBusiness, []string{"914401010812345618", "914403000812345614", "914403001812345773"})
	// The regulator of A's city sees A's events but not B's, which
	// happened in another city.
	s[regLocal] = slices.Concat(downstreamOfB, []string{"914403000812345614", "914403001812345773"})
	return s
}

func TestLeakEveryEndpoint(t *testing.T) {
	f := newFixture(t)
	table := leakTable(f)
	secret := secrets()

	patterns := make([]string, 0, len(f.srv.Patterns()))
	for p := range f.srv.Patterns() {
		patterns = append(patterns, p)
	}
	sort.Strings(patterns)
	for _, pattern := range patterns {
		tc, found := table[pattern]
		if !found {
			t.Errorf("route %q has no leak-test entry: add one to leakTable stating what each audience gets", pattern)
			continue
		}
		t.Run(pattern, func(t *testing.T) {
			for who := range audiences {
				rec := f.do(who, tc.method, tc.target, tc.body)
				if rec.Code != tc.want[who] {
					t.Errorf("%s %s as %s: status %d, want %d\n%s", tc.method, tc.target, audienceNames[who], rec.Code, tc.want[who], rec.Body)
				}
				body := rec.Body.String() + strings.Join(rec.Header().Values("Link"), " ") + rec.Header().Get("Location")
				for _, s := range secret[who] {
					// A value the caller sent itself may be echoed back.
					if strings.Contains(body, s) && !strings.Contains(tc.target+tc.body, s) {
						t.Errorf("%s %s as %s: response contains %q, which this audience must not see", tc.method, tc.target, audienceNames[who], s)
					}
				}
				if f.tokens[who] != "" && strings.Contains(body, f.tokens[who]) {
					t.Errorf("%s %s as %s: response echoes the caller's token", tc.method, tc.target, audienceNames[who])
				}
			}
		})
	}
	for pattern := range table {
		if _, served := f.srv.Patterns()[pattern]; !served {
			t.Errorf("leak-test entry %q matches no route; remove it", pattern)
		}
	}
}

func TestEventsVisibleToEachAudience(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		who  int
		want []string
	}{
		{entA, []string{e1, e2, e3}},
		{entB, []string{e1, e2, e4}},
		{entC, []string{e1, e3}},
		{regOther, nil},
		{regLocal, []string{e1, e2, e3}},
		{admin, []string{e1, e2, e3, e4}},
	}
	for _, tt := range tests {
		t.Run(audienceNames[tt.who], func(t *testing.T) {
			rec := f.do(tt.who, "GET", "/events?perPage=100", "")
			if rec.Code != http.StatusOK {
				t.Fatalf("GET /events: status %d: %s", rec.Code, rec.Body)
			}
			got := eventIDs(t, rec.Body.Bytes())
			if !slices.Equal(got, tt.want) {
				t.Errorf("GET /events: got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestUpstreamEventProjection(t *testing.T) {
	f := newFixture(t)
	// B received item 1, so it sees A's commissioning, without A's
	// production order and cost.
	rec := f.do(entB, "GET", "/events/"+url.PathEscape(e1), "")
	if rec.Code != http.StatusOK {
		t.Fatalf("B reads e1: status %d: %s", rec.Code, rec.Body)
	}
	for _, hidden := range []string{"WO-77", "unitCost", "CNY-3.21"} {
		if strings.Contains(rec.Body.String(), hidden) {
			t.Errorf("B's view of A's commissioning contains %q", hidden)
		}
	}
	rec = f.do(entA, "GET", "/events/"+url.PathEscape(e1), "")
	if !strings.Contains(rec.Body.String(), "WO-77") {
		t.Errorf("A's view of its own event lacks its production order: %s", rec.Body)
	}
}
