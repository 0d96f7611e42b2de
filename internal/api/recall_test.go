package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/suyuan-trace/suyuan/internal/auditlog"
	"github.com/suyuan-trace/suyuan/internal/credit"
	"github.com/suyuan-trace/suyuan/internal/recall"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

// usccD is the unified social credit code of enterprise D, a Guangzhou
// enterprise that is not registered on the platform and that the
// fixture's credit-list entry names.
const usccD = "91440101MA5D00016R"

// newDecisions returns the recall and credit-list services over st.
func newDecisions(st *sqlite.Store) Decisions {
	return Decisions{
		Recalls: &recall.Service{Store: st, Parties: st, Tracer: trace.New(st), LeafHash: auditlog.SHA256.DecisionLeafHash},
		Credit:  &credit.Service{Store: st, Parties: st, LeafHash: auditlog.SHA256.DecisionLeafHash},
	}
}

// issueDecisions has the regulator of A's city open two recall notices
// for A's items and list enterprise D.
func (f *fixture) issueDecisions() {
	f.t.Helper()
	ctx := context.Background()
	reg := f.parties[regLocal]
	ra := recall.Actor{Name: "token:fixture", Party: reg}
	for i, number := range []string{"穗食召〔2026〕001号", "穗食召〔2026〕002号"} {
		res, err := f.decisions.Recalls.Open(ctx, ra, recall.OpenRequest{
			Number: number, Level: "二级", ReasonZH: "标签标示的生产日期有误", ReasonEN: "wrong production date on the label",
			CategoryZH: "乳制品", CategoryEN: "dairy", IDs: []string{item1, item2},
		})
		if err != nil {
			f.t.Fatalf("open recall %s: %v", number, err)
		}
		if i == 0 {
			f.recallOpen = res.Notice.ID
		} else {
			f.recallToClose = res.Notice.ID
		}
	}
	res, err := f.decisions.Credit.Add(ctx, credit.Actor{Name: "token:fixture", Party: reg}, credit.AddRequest{
		Party: usccD, NameZH: "丁食品有限公司", ReasonZH: "使用非食品原料生产食品", DocumentNumber: "穗市监信〔2026〕1号", EffectiveFrom: "2026-01-01",
	})
	if err != nil {
		f.t.Fatalf("add credit-list entry: %v", err)
	}
	f.creditEntry = res.Entry.ID
}

// decisionLeakCases are the leak-table rows of the recall and credit-list
// routes. Writes name the regulator of A's city: the other regulator may
// not act in its name, and the administrator, who comes last, reuses a
// number that is taken by then.
func decisionLeakCases(f *fixture) map[string]leakCase {
	const conflict = http.StatusConflict
	issuerOnly := [audiences]int{unau, forb, forb, forb, forb, ok, ok}
	return map[string]leakCase{
		"GET /api/v1/recalls":            {method: "GET", target: "/api/v1/recalls", want: everyone},
		"GET /api/v1/recalls/{recallID}": {method: "GET", target: "/api/v1/recalls/" + f.recallOpen, want: everyone},
		"POST /api/v1/recalls": {method: "POST", target: "/api/v1/recalls",
			body: `{"number":"穗食召〔2026〕099号","regulator":"rgz","level":"III","reasonZH":"标签不符","ids":["` + item1 + `"]}`,
			want: [audiences]int{unau, forb, forb, forb, forb, crt, conflict}},
		"POST /api/v1/recalls/{recallID}/updates": {method: "POST", target: "/api/v1/recalls/" + f.recallOpen + "/updates",
			body: `{"recovered":12,"uom":"EA","noteZH":"已下架"}`, want: issuerOnly},
		"POST /api/v1/recalls/{recallID}/close": {method: "POST", target: "/api/v1/recalls/" + f.recallToClose + "/close",
			body: `{"resultZH":"已全部召回"}`, want: [audiences]int{unau, forb, forb, forb, forb, ok, conflict}},
		"GET /api/v1/credit/entries": {method: "GET", target: "/api/v1/credit/entries?status=all", want: everyone},
		"POST /api/v1/credit/entries": {method: "POST", target: "/api/v1/credit/entries",
			body: `{"party":"91440101MA5D00024L","nameZH":"戊食品有限公司","regulator":"rgz","reasonZH":"拒不履行召回义务","documentNumber":"穗市监信〔2026〕2号"}`,
			want: [audiences]int{unau, forb, forb, forb, forb, crt, conflict}},
		"POST /api/v1/credit/entries/{entryID}/remove": {method: "POST", target: "/api/v1/credit/entries/" + f.creditEntry + "/remove",
			body: `{"reasonZH":"已完成信用修复"}`, want: [audiences]int{unau, forb, forb, forb, forb, ok, conflict}},
	}
}

// getJSON requests target as who and decodes the JSON response into v.
func (f *fixture) getJSON(who int, target string, v any) {
	f.t.Helper()
	rec := f.do(who, "GET", target, "")
	if rec.Code != http.StatusOK {
		f.t.Fatalf("GET %s as %s: status %d: %s", target, audienceNames[who], rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		f.t.Fatalf("GET %s: decode: %v\n%s", target, err, rec.Body)
	}
}

func TestRecallProjectionPerAudience(t *testing.T) {
	f := newFixture(t)
	target := "/api/v1/recalls/" + url.PathEscape("穗食召〔2026〕001号")
	for who := range audiences {
		var n map[string]any
		f.getJSON(who, target, &n)
		if n["number"] != "穗食召〔2026〕001号" || n["regulatorName"] != "广州市市场监督管理局" || n["levelZH"] != "二级" {
			t.Errorf("%s: notice = %v, want number, regulator name and level", audienceNames[who], n)
		}
		refs, _ := n["decisions"].([]any)
		if len(refs) != 1 {
			t.Fatalf("%s: decisions = %v, want the recall.open reference", audienceNames[who], n["decisions"])
		}
		ref := refs[0].(map[string]any)
		if ref["kind"] != "recall.open" || ref["seq"] == nil || ref["leafIndex"] == nil || ref["actor"] != nil {
			t.Errorf("%s: decision reference = %v, want kind, seq and leafIndex without actor", audienceNames[who], ref)
		}
		scope, hasScope := n["scope"].(map[string]any)
		switch who {
		case anon, entA, entB, entC:
			if hasScope || n["progress"] != nil || n["actors"] != nil {
				t.Errorf("%s sees the scope, progress or actors: %v", audienceNames[who], n)
			}
		case regOther:
			if !hasScope || scope["byHolder"] != nil || scope["byRegion"] == nil {
				t.Errorf("%s: scope = %v, want sums by region without holders", audienceNames[who], scope)
			}
		case regLocal, admin:
			holders, _ := scope["byHolder"].([]any)
			if len(holders) == 0 || scope["affected"].(float64) != 2 {
				t.Errorf("%s: scope = %v, want two affected items by holder", audienceNames[who], scope)
			}
		}
	}
}

func TestRecallLifecycleOverHTTP(t *testing.T) {
	f := newFixture(t)
	rec := f.do(regLocal, "POST", "/api/v1/recalls", `{"number":"穗食召〔2026〕050号","level":"一级","reasonZH":"检出致病菌","ids":["`+item1+`"]}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("open: status %d: %s", rec.Code, rec.Body)
	}
	var opened struct {
		Notice struct {
			ID  string   `json:"id"`
			IDs []string `json:"ids"`
		} `json:"notice"`
		Decision decisionRef `json:"decision"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &opened); err != nil {
		t.Fatal(err)
	}
	id := opened.Notice.ID
	if loc := rec.Header().Get("Location"); loc != "/api/v1/recalls/"+id {
		t.Errorf("Location = %q, want /api/v1/recalls/%s", loc, id)
	}
	canonical, err := trace.CanonicalID(item1)
	if err != nil {
		t.Fatal(err)
	}
	if opened.Decision.Kind != "recall.open" || opened.Decision.Seq == 0 || len(opened.Notice.IDs) != 1 || opened.Notice.IDs[0] != canonical {
		t.Errorf("open result = %+v", opened)
	}

	rec = f.do(regLocal, "POST", "/api/v1/recalls/"+id+"/updates", `{"recovered":1,"uom":"EA"}`)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"recall.update"`) {
		t.Errorf("update: status %d: %s", rec.Code, rec.Body)
	}
	rec = f.do(regLocal, "POST", "/api/v1/recalls/"+id+"/close", `{"resultZH":"已召回并销毁"}`)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"closed"`) {
		t.Errorf("close: status %d: %s", rec.Code, rec.Body)
	}
	rec = f.do(regLocal, "POST", "/api/v1/recalls/"+id+"/updates", `{"noteZH":"补充"}`)
	if rec.Code != http.StatusConflict || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("update after close: status %d %s, want 409 problem+json: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}

	rec = f.do(regLocal, "POST", "/api/v1/recalls", `{"number":"穗食召〔2026〕051号","level":"一级","reasonZH":"x","ids":["(01)123"]}`)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `(01)123`) || !strings.Contains(rec.Body.String(), "ids[0]") {
		t.Errorf("bad identifier: status %d, want 400 naming ids[0] and its value: %s", rec.Code, rec.Body)
	}
	var problem Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &problem); err != nil {
		t.Fatalf("decode problem: %v", err)
	}
	if len(problem.Errors) != 1 || problem.Errors[0].Pointer != "/ids/0" || problem.Errors[0].Value != "(01)123" {
		t.Errorf("problem errors = %+v, want one at /ids/0 with the value", problem.Errors)
	}

	var open []map[string]any
	f.getJSON(anon, "/api/v1/recalls?status=open", &open)
	for _, n := range open {
		if n["id"] == id {
			t.Errorf("closed notice %s listed as open", id)
		}
	}
	if rec := f.do(anon, "GET", "/api/v1/recalls?state=open", ""); rec.Code != http.StatusBadRequest {
		t.Errorf("unknown parameter: status %d, want 400", rec.Code)
	}
	if rec := f.do(anon, "GET", "/api/v1/recalls/rcnone", ""); rec.Code != http.StatusNotFound {
		t.Errorf("missing notice: status %d, want 404", rec.Code)
	}
}

func TestCreditListOverHTTP(t *testing.T) {
	f := newFixture(t)
	var entries []map[string]any
	f.getJSON(anon, "/api/v1/credit/entries", &entries)
	if len(entries) != 1 || entries[0]["uscc"] != usccD || entries[0]["nameZH"] != "丁食品有限公司" || entries[0]["status"] != "listed" {
		t.Fatalf("public list = %v, want enterprise D listed", entries)
	}
	if entries[0]["actors"] != nil || entries[0]["regulatorName"] != "广州市市场监督管理局" {
		t.Errorf("public entry = %v, want the regulator's name and no actors", entries[0])
	}
	f.getJSON(regLocal, "/api/v1/credit/entries?party="+usccD, &entries)
	if len(entries) != 1 || entries[0]["actors"] == nil {
		t.Errorf("regulator's list = %v, want D with actors", entries)
	}

	rec := f.do(regLocal, "POST", "/api/v1/credit/entries/"+f.creditEntry+"/remove", `{"reasonZH":"已完成信用修复","reasonEN":"credit repaired"}`)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"credit.remove"`) {
		t.Fatalf("remove: status %d: %s", rec.Code, rec.Body)
	}
	f.getJSON(anon, "/api/v1/credit/entries", &entries)
	if len(entries) != 0 {
		t.Errorf("public list after removal = %v, want none in force", entries)
	}
	f.getJSON(anon, "/api/v1/credit/entries?status=removed", &entries)
	if len(entries) != 1 || entries[0]["removal"] == nil {
		t.Errorf("removed entries = %v, want D with its removal", entries)
	}

	rec = f.do(regLocal, "POST", "/api/v1/credit/entries", `{"party":"914401010812345619","nameZH":"x","reasonZH":"x","documentNumber":"x"}`)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "914401010812345619") {
		t.Errorf("bad USCC: status %d, want 400 naming the value: %s", rec.Code, rec.Body)
	}
	rec = f.do(regOther, "POST", "/api/v1/credit/entries", `{"party":"`+usccD+`","nameZH":"丁食品有限公司","reasonZH":"x","documentNumber":"鄂市监信1号"}`)
	if rec.Code != http.StatusForbidden {
		t.Errorf("regulator outside the jurisdiction: status %d, want 403: %s", rec.Code, rec.Body)
	}
}
