package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/credit"
	"github.com/suyuan-trace/suyuan/internal/demo"
	"github.com/suyuan-trace/suyuan/internal/party"
	"github.com/suyuan-trace/suyuan/internal/recall"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

// siteDecisions are the recall and credit-list services of a demo site
// and the demo regulator acting on them.
type siteDecisions struct {
	recalls *recall.Service
	credit  *credit.Service
	rActor  recall.Actor
	cActor  credit.Actor
}

// issueDecisions has the demo regulator issue the demo's recall notice
// and credit-list entries, as the demo command does, and lets the pages
// read them.
func (s *demoSite) issueDecisions(tb testing.TB) *siteDecisions {
	tb.Helper()
	ctx := context.Background()
	reg := demo.Regulator
	regulator, err := (&party.Service{Store: s.st}).CreateParty(ctx, store.Party{ID: reg.ID, Kind: store.PartyRegulator, NameZH: reg.NameZH, Department: reg.Department, Jurisdiction: reg.Jurisdiction})
	if err != nil {
		tb.Fatalf("register regulator: %v", err)
	}
	d := &siteDecisions{
		recalls: &recall.Service{Store: s.st, Parties: s.st, Tracer: trace.New(s.st), LeafHash: s.log.DecisionLeafHash},
		credit:  &credit.Service{Store: s.st, Parties: s.st, LeafHash: s.log.DecisionLeafHash},
		rActor:  recall.Actor{Name: "system", Party: regulator},
		cActor:  credit.Actor{Name: "system", Party: regulator},
	}
	n := s.gen.PlantedRecall()
	if _, err := d.recalls.Open(ctx, d.rActor, recall.OpenRequest{Number: n.Number, Level: n.Level, ReasonZH: n.ReasonZH, ReasonEN: n.ReasonEN, IDs: n.IDs}); err != nil {
		tb.Fatalf("open planted recall: %v", err)
	}
	for _, e := range s.gen.PlantedCreditEntries() {
		if _, err := d.credit.Add(ctx, d.cActor, credit.AddRequest{Party: e.USCC, NameZH: e.NameZH, ReasonZH: e.ReasonZH, ReasonEN: e.ReasonEN,
			DocumentNumber: e.DocumentNumber, EffectiveFrom: e.EffectiveFrom}); err != nil {
			tb.Fatalf("add planted credit-list entry: %v", err)
		}
	}
	s.h.opts.Recalls = testRecalls{d.recalls}
	s.h.opts.Credit = testCredit{d.credit}
	return d
}

// usccOf returns the unified social credit code of the demo party named
// nameZH.
func (s *demoSite) usccOf(tb testing.TB, nameZH string) string {
	tb.Helper()
	for _, p := range s.gen.Directory().Parties() {
		if p.NameZH == nameZH {
			return p.USCC
		}
	}
	tb.Fatalf("no demo party %s", nameZH)
	return ""
}

// testRecalls adapts the recall service to Recalls.
type testRecalls struct{ s *recall.Service }

func (a testRecalls) Covering(ctx context.Context, ids []string) ([]RecallNotice, error) {
	ns, err := a.s.Covering(ctx, ids)
	return testNotices(ns), err
}

// Matching makes testRecalls a RecallMatcher, as the recall service is
// in the server, so that the tests read notices the way pages do there.
func (a testRecalls) Matching(ctx context.Context, ids []string) ([]RecallNotice, error) {
	ns, err := a.s.Matching(ctx, ids)
	return testNotices(ns), err
}

func testNotices(ns []recall.Notice) []RecallNotice {
	var out []RecallNotice
	for _, n := range ns {
		out = append(out, RecallNotice{Number: n.Number, ReasonZH: n.ReasonZH, ReasonEN: n.ReasonEN})
	}
	return out
}

// testCredit adapts the credit-list service to CreditList.
type testCredit struct{ s *credit.Service }

func (a testCredit) Listed(ctx context.Context, keys ...string) ([]CreditEntry, error) {
	es, err := a.s.Listed(ctx, keys...)
	var out []CreditEntry
	for _, e := range es {
		out = append(out, CreditEntry{ReasonZH: e.ReasonZH, ReasonEN: e.ReasonEN, DocumentNumber: e.DocumentNumber})
	}
	return out, err
}

func (s *demoSite) page(tb testing.TB, code, lang string) string {
	tb.Helper()
	target := "/scan?code=" + url.QueryEscape(code)
	if lang != "" {
		target += "&lang=" + lang
	}
	rec := s.get(tb, target, nil)
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET %s: status %d", target, rec.Code)
	}
	return rec.Body.String()
}

func TestRecallNoticeShownOnce(t *testing.T) {
	site := newDemoSite(t, 2)
	site.issueDecisions(t)
	body := site.page(t, site.code(t, "chilled pork (recalled lot)"), "")
	if n := strings.Count(body, "warn-recall"); n != 1 {
		t.Errorf("recalled pork lot: %d recall warnings, want 1 (the notice and its recall event are one recall)", n)
	}
	if !strings.Contains(body, "召回公告：粤食召〔2026〕017号") {
		t.Errorf("recalled pork lot: page lacks the notice number")
	}
}

func TestRecallNoticeWithoutRecallEvent(t *testing.T) {
	site := newDemoSite(t, 2)
	d := site.issueDecisions(t)
	code := site.code(t, "drug traceability code (dispensed at a hospital)")
	if body := site.page(t, code, ""); strings.Contains(body, "warn-recall") {
		t.Fatalf("drug code shows a recall warning before any notice")
	}
	sc, err := trace.CanonicalID(code)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.recalls.Open(context.Background(), d.rActor, recall.OpenRequest{
		Number: "粤药召〔2026〕003号", Level: "二级", ReasonZH: "含量测定不合格", ReasonEN: "assay out of specification", IDs: []string{sc},
	}); err != nil {
		t.Fatalf("open notice: %v", err)
	}
	body := site.page(t, code, "")
	for _, want := range []string{"warn-recall", "该批次已召回", "含量测定不合格", "粤药召〔2026〕003号"} {
		if !strings.Contains(body, want) {
			t.Errorf("drug code after the notice: page lacks %q", want)
		}
	}
	body = site.page(t, code, "en")
	for _, want := range []string{"This lot has been recalled", "assay out of specification", "Recall notice: 粤药召〔2026〕003号"} {
		if !strings.Contains(body, want) {
			t.Errorf("English page lacks %q", want)
		}
	}
}

func TestRecallNoticeOfDrugClass(t *testing.T) {
	site := newDemoSite(t, 2)
	d := site.issueDecisions(t)
	code := site.code(t, "drug traceability code (dispensed at a hospital)")
	sc, err := ident.Parse(code)
	if err != nil || sc.Class == "" {
		t.Fatalf("Parse(%s) = %+v, %v; want a drug product class", code, sc, err)
	}
	if _, err := d.recalls.Open(context.Background(), d.rActor, recall.OpenRequest{
		Number: "粤药召〔2026〕004号", Level: "一级", ReasonZH: "溶出度不合格", IDs: []string{sc.Class},
	}); err != nil {
		t.Fatalf("open notice: %v", err)
	}
	if body := site.page(t, code, ""); !strings.Contains(body, "粤药召〔2026〕004号") {
		t.Errorf("drug code: page lacks the notice naming its product %s", sc.Class)
	}
}

func TestCreditListWarnings(t *testing.T) {
	site := newDemoSite(t, 2)
	d := site.issueDecisions(t)
	ctx := context.Background()

	lettuce := site.page(t, site.code(t, "lettuce (producer on the credit blacklist)"), "")
	if !strings.Contains(lettuce, "warn-blacklist") || !strings.Contains(lettuce, "粤市监信〔2026〕021号") {
		t.Errorf("lettuce page lacks the producer's credit-list warning with its decision document")
	}

	code := site.code(t, "drug traceability code (dispensed at a hospital)")
	add := func(name, doc string) credit.Entry {
		t.Helper()
		res, err := d.credit.Add(ctx, d.cActor, credit.AddRequest{Party: site.usccOf(t, name), NameZH: name, ReasonZH: "伪造追溯数据", DocumentNumber: doc, EffectiveFrom: "2026-01-01"})
		if err != nil {
			t.Fatalf("Add(%s): %v", name, err)
		}
		return res.Entry
	}
	producer := add("广州南粤制药有限公司", "粤药监信〔2026〕5号")
	body := site.page(t, code, "")
	if !strings.Contains(body, "生产者已被列入严重失信主体名单") || !strings.Contains(body, "粤药监信〔2026〕5号") {
		t.Errorf("drug page lacks the producer's credit-list warning")
	}
	if strings.Contains(body, "旅程中的企业「广州南粤制药有限公司」") {
		t.Errorf("drug page warns of the producer twice")
	}

	add("东莞仁和医院", "粤药监信〔2026〕6号")
	body = site.page(t, code, "")
	if !strings.Contains(body, "旅程中的企业「东莞仁和医院」已被列入严重失信主体名单") {
		t.Errorf("drug page lacks the warning about the hospital on its journey")
	}

	if _, err := d.credit.Remove(ctx, d.cActor, producer.ID, credit.RemoveRequest{ReasonZH: "完成信用修复"}); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	body = site.page(t, code, "")
	if strings.Contains(body, "粤药监信〔2026〕5号") {
		t.Errorf("drug page still shows the removed entry")
	}
	if strings.Count(body, "warn-blacklist") != 1 {
		t.Errorf("drug page: %d credit warnings, want 1 (the hospital's)", strings.Count(body, "warn-blacklist"))
	}
}
