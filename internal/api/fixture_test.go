package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/internal/capture"
	"github.com/suyuan-trace/suyuan/internal/party"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

// Audiences of the fixture, in the order of the leak table's columns.
const (
	anon = iota
	entA
	entB
	entC
	regOther
	regLocal
	admin
	audiences
)

var audienceNames = [audiences]string{"anonymous", "enterprise A", "enterprise B", "enterprise C", "regulator of another region", "regulator of A's city", "administrator"}

// Locations of the fixture's enterprises (SGLN EPC URNs).
const (
	locA = "urn:epc:id:sgln:6901234.00001.0"
	locB = "urn:epc:id:sgln:6905678.00001.0"
	locC = "urn:epc:id:sgln:6907777.00001.0"
)

// Event IDs of the fixture's supply chain: A commissions two items (e1),
// ships item 1 to B (e2) and item 2 to C (e3); B receives item 1 (e4).
// B and C are competitors: neither may learn of the other's business with
// A.
const (
	e1 = "urn:uuid:00000000-0000-4000-8000-000000000001"
	e2 = "urn:uuid:00000000-0000-4000-8000-000000000002"
	e3 = "urn:uuid:00000000-0000-4000-8000-000000000003"
	e4 = "urn:uuid:00000000-0000-4000-8000-000000000004"
)

// fixture is a secured server over a SQLite store with three enterprises,
// two regulators and the operator, each with a token.
type fixture struct {
	t       testing.TB
	st      *sqlite.Store
	svc     *party.Service
	handler http.Handler
	srv     *Server
	tokens  [audiences]string
	parties [audiences]store.Party
	// captureA is the capture job in which A reported e1 to e3.
	captureA string
	dbPath   string
	logs     *syncBuffer
	clock    *fakeClock
	// decisions are the recall and credit-list services. recallOpen and
	// recallToClose are recall notices, and creditEntry a credit-list
	// entry, that the regulator of A's city issued.
	decisions                              Decisions
	recallOpen, recallToClose, creditEntry string
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "suyuan.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{t: t, st: st, dbPath: path, logs: &syncBuffer{}, clock: &fakeClock{now: time.Now().UTC()}}
	f.svc = &party.Service{Store: st, Now: f.clock.Now}
	logger := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	boot, err := f.svc.Bootstrap(ctx, "平台运营方", "admin")
	if err != nil {
		t.Fatalf("Bootstrap: %v", err)
	}
	f.tokens[admin] = boot.Token.Secret
	f.parties[admin] = boot.Operator

	regs := []struct {
		who          int
		p            store.Party
		locID, place string
	}{
		{entA, store.Party{ID: "pa", Kind: store.PartyEnterprise, NameZH: "甲乳业有限公司", USCC: "914401010812345618", Region: "440106", CompanyPrefixes: []string{"6901234"},
			Licences: []store.Licence{{Kind: "food-production", Number: "SC10644010600017", Categories: []string{"dairy"}}}}, locA, "440106"},
		{entB, store.Party{ID: "pb", Kind: store.PartyEnterprise, NameZH: "乙商贸有限公司", USCC: "914403000812345614", Region: "440305", CompanyPrefixes: []string{"6905678"}}, locB, "440305"},
		{entC, store.Party{ID: "pc", Kind: store.PartyEnterprise, NameZH: "丙超市有限公司", USCC: "914403001812345773", Region: "440305", CompanyPrefixes: []string{"6907777"}}, locC, "440305"},
		{regOther, store.Party{ID: "rwh", Kind: store.PartyRegulator, NameZH: "武汉市市场监督管理局", Department: "食品安全监督管理处", Jurisdiction: "4201"}, "", ""},
		{regLocal, store.Party{ID: "rgz", Kind: store.PartyRegulator, NameZH: "广州市市场监督管理局", Department: "食品生产监督管理处", Jurisdiction: "4401", Categories: []string{"dairy"}}, "", ""},
	}
	for _, r := range regs {
		p, err := f.svc.CreateParty(ctx, r.p)
		if err != nil {
			t.Fatalf("CreateParty(%s): %v", r.p.ID, err)
		}
		f.parties[r.who] = p
		scopes := []store.Scope{store.ScopeQuery}
		if r.locID != "" {
			scopes = append(scopes, store.ScopeCapture)
			if _, err := f.svc.PutLocation(ctx, store.Location{Original: r.locID, PartyID: p.ID, Name: p.NameZH + "仓库", Division: r.place}); err != nil {
				t.Fatalf("PutLocation(%s): %v", r.locID, err)
			}
		}
		tok, err := f.svc.IssueToken(ctx, p.ID, "test", scopes, 24*time.Hour)
		if err != nil {
			t.Fatalf("IssueToken(%s): %v", p.ID, err)
		}
		f.tokens[r.who] = tok.Secret
	}

	guard := party.NewGuard(st, st, logger)
	cs := capture.New(guard, nil, logger)
	cs.Authorizer = &party.CaptureRules{Parties: st, Events: st}
	f.srv = New(guard, cs, logger, Options{})
	f.srv.Secure(Security{Parties: f.svc, PublicRate: 1000, PublicBurst: 1000})
	f.decisions = newDecisions(st)
	f.srv.SetDecisions(f.decisions)
	f.handler = f.srv.Handler()

	rec := f.do(entA, "POST", "/capture", jsonDoc(eventE1(), eventE2(), eventE3()))
	if rec.Code != http.StatusAccepted {
		t.Fatalf("capture by A: status %d: %s", rec.Code, rec.Body)
	}
	f.captureA = strings.TrimPrefix(rec.Header().Get("Location"), "/capture/")
	if rec := f.do(entB, "POST", "/capture", jsonDoc(eventE4())); rec.Code != http.StatusAccepted {
		t.Fatalf("capture by B: status %d: %s", rec.Code, rec.Body)
	}
	f.issueDecisions()
	return f
}

// do sends a request as the audience and returns the recorded response.
func (f *fixture) do(who int, method, target string, body string) *httptest.ResponseRecorder {
	f.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if body != "" {
		switch {
		case strings.HasPrefix(body, "{") || strings.HasPrefix(body, "["):
			if strings.Contains(body, `"epcisBody"`) || strings.HasPrefix(body, `{"type":"`) {
				req.Header.Set("Content-Type", "application/ld+json")
			} else {
				req.Header.Set("Content-Type", "application/json")
			}
		default:
			req.Header.Set("Content-Type", "text/csv")
		}
	}
	if f.tokens[who] != "" && who != anon {
		req.Header.Set("Authorization", "Bearer "+f.tokens[who])
	}
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	return rec
}

// eventIDs returns the eventIDs in a query document.
func eventIDs(t *testing.T, body []byte) []string {
	t.Helper()
	var doc struct {
		EPCISBody struct {
			QueryResults struct {
				ResultsBody struct {
					EventList []struct {
						EventID string `json:"eventID"`
					} `json:"eventList"`
				} `json:"resultsBody"`
			} `json:"queryResults"`
		} `json:"epcisBody"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("decode query document: %v\n%s", err, body)
	}
	var ids []string
	for _, e := range doc.EPCISBody.QueryResults.ResultsBody.EventList {
		ids = append(ids, e.EventID)
	}
	return ids
}

func jsonDoc(events ...string) string {
	return `{"@context":["https://ref.gs1.org/standards/epcis/epcis-context.jsonld",{"ex":"https://example.com/ns/"}],` +
		`"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-03-01T00:00:00Z","epcisBody":{"eventList":[` +
		strings.Join(events, ",") + `]}}`
}

// objectEvent builds an ObjectEvent; extra holds further members.
func objectEvent(id, when, action, bizStep, loc string, epcs []string, extra string) string {
	quoted := make([]string, len(epcs))
	for i, e := range epcs {
		quoted[i] = fmt.Sprintf("%q", e)
	}
	ev := fmt.Sprintf(`{"type":"ObjectEvent","eventID":%q,"eventTime":%q,"eventTimeZoneOffset":"+08:00","epcList":[%s],"action":%q,"bizStep":%q`,
		id, when, strings.Join(quoted, ","), action, bizStep)
	if loc != "" {
		ev += fmt.Sprintf(`,"readPoint":{"id":%q},"bizLocation":{"id":%q}`, loc, loc)
	}
	if extra != "" {
		ev += "," + extra
	}
	return ev + "}"
}

const (
	item1 = "urn:epc:id:sgtin:6901234.012345.1"
	item2 = "urn:epc:id:sgtin:6901234.012345.2"
)

func eventE1() string {
	return objectEvent(e1, "2026-03-01T08:00:00+08:00", "ADD", "commissioning", locA, []string{item1, item2},
		`"bizTransactionList":[{"type":"prodorder","bizTransaction":"urn:example:prodorder:WO-77"}],"ex:unitCost":"CNY-3.21"`)
}

func eventE2() string {
	return objectEvent(e2, "2026-03-02T08:00:00+08:00", "OBSERVE", "shipping", locA, []string{item1},
		`"bizTransactionList":[{"type":"po","bizTransaction":"urn:example:po:PO-B-1001"}],"destinationList":[{"type":"location","destination":"`+locB+`"}],"ex:price":"CNY-9.99"`)
}

func eventE3() string {
	return objectEvent(e3, "2026-03-02T09:00:00+08:00", "OBSERVE", "shipping", locA, []string{item2},
		`"bizTransactionList":[{"type":"po","bizTransaction":"urn:example:po:PO-C-2002"}],"destinationList":[{"type":"location","destination":"`+locC+`"}],"ex:price":"CNY-8.88"`)
}

func eventE4() string {
	return objectEvent(e4, "2026-03-03T08:00:00+08:00", "OBSERVE", "receiving", locB, []string{item1},
		`"bizTransactionList":[{"type":"po","bizTransaction":"urn:example:po:PO-B-DOWN-5"}]`)
}
