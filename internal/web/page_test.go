package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/suyuan-trace/suyuan/internal/store"
)

func TestScanPageWarnings(t *testing.T) {
	site := newDemoSite(t, 2)
	tests := []struct {
		note, class string
	}{
		{"chilled pork (recalled lot)", "warn-recall"},
		{"chilled pork (temperature excursion in transport)", "warn-cold"},
		{"lettuce (producer on the credit blacklist)", "warn-blacklist"},
		{"imported infant formula (sold after expiry)", "warn-expired"},
		{"drug traceability code (suspected clone: sold in two cities)", "warn-counterfeit"},
		{"LPG cylinder (failed inspection, scrapped)", "warn-destroyed"},
		{"toluene (consignee without a hazardous chemicals licence)", "warn-licence"},
		{"PrNd oxide (separation output exceeds input)", "warn-mass"},
	}
	for _, tt := range tests {
		t.Run(tt.class, func(t *testing.T) {
			rec := site.get(t, "/scan?code="+url.QueryEscape(site.code(t, tt.note)), nil)
			body := rec.Body.String()
			if rec.Code != http.StatusOK {
				t.Fatalf("status: got %d, want 200", rec.Code)
			}
			if !strings.Contains(body, tt.class) {
				t.Errorf("page for %q has no %s warning", tt.note, tt.class)
			}
		})
	}
}

func TestScanPageCleanCodeHasNoWarnings(t *testing.T) {
	site := newDemoSite(t, 2)
	rec := site.get(t, "/scan?code="+url.QueryEscape(site.code(t, "drug traceability code (dispensed at a hospital)")), nil)
	body := rec.Body.String()
	if strings.Contains(body, `class="warn `) {
		t.Errorf("clean drug code shows a warning")
	}
	for _, want := range []string{"广州南粤制药有限公司", "东莞仁和医院", "医院发药", "东莞市"} {
		if !strings.Contains(body, want) {
			t.Errorf("journey lacks %q", want)
		}
	}
}

func TestScanPageHidesPrivateFields(t *testing.T) {
	site := newDemoSite(t, 2)
	for note, code := range site.samples {
		rec := site.get(t, "/scan?code="+url.QueryEscape(code), nil)
		body := rec.Body.String()
		for _, secret := range []string{"urn:epc:id:gdti", "urn:suyuan:demo:order", "urn:suyuan:demo:bol", "urn:suyuan:demo:waybill", "KGM", "H87", "消费者"} {
			if strings.Contains(body, secret) {
				t.Errorf("page for %q shows %q", note, secret)
			}
		}
	}
}

func TestScanPageEnglish(t *testing.T) {
	site := newDemoSite(t, 2)
	rec := site.get(t, "/scan?lang=en&code="+url.QueryEscape(site.code(t, "chilled pork (recalled lot)")), nil)
	body := rec.Body.String()
	for _, want := range []string{`lang="en"`, "This lot has been recalled", "Shunde Yuerou Slaughterhouse", "Foshan", "clenbuterol"} {
		if !strings.Contains(body, want) {
			t.Errorf("English page lacks %q", want)
		}
	}
	if got := rec.Header().Get("Content-Language"); got != "en" {
		t.Errorf("Content-Language: got %q, want en", got)
	}
}

func TestScanPageInvalidCode(t *testing.T) {
	site := newDemoSite(t, 1)
	for _, code := range []string{"(01)12345678901234", "not a code", strings.Repeat("9", 600)} {
		rec := site.get(t, "/scan?code="+url.QueryEscape(code), nil)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("code %.20q: status got %d, want 400", code, rec.Code)
		}
		if !strings.Contains(rec.Body.String(), "无法识别该追溯码") {
			t.Errorf("code %.20q: no error message", code)
		}
	}
}

func TestScanPageUnknownCode(t *testing.T) {
	site := newDemoSite(t, 1)
	rec := site.get(t, "/scan?code=4006381333931", nil)
	if rec.Code != http.StatusNotFound {
		t.Errorf("status: got %d, want 404", rec.Code)
	}
	body := rec.Body.String()
	if !strings.Contains(body, "无法确认来源") {
		t.Error("a code without records does not warn that its source cannot be confirmed")
	}
	if strings.Contains(body, "未发现异常") {
		t.Error("a code without records is shown as having no problems")
	}
}

func TestScanPageSecurityHeaders(t *testing.T) {
	site := newDemoSite(t, 1)
	rec := site.get(t, "/scan", nil)
	csp := rec.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy: got %q", csp)
	}
	body := rec.Body.String()
	if strings.Contains(body, "<script>") || strings.Contains(body, "style=") || strings.Contains(body, "onclick") {
		t.Errorf("page has inline script or style")
	}
}

func TestScanCounter(t *testing.T) {
	site := newDemoSite(t, 1)
	target := "/scan?city=" + url.QueryEscape("广州市") + "&code=" + url.QueryEscape(site.code(t, "chilled pork (recalled lot)"))
	first := site.get(t, target, nil).Body.String()
	if !strings.Contains(first, "第一次被查询") {
		t.Errorf("first lookup does not say it is the first")
	}
	second := site.get(t, target, nil).Body.String()
	if !strings.Contains(second, "此前已被查询 1 次") || !strings.Contains(second, "广州市 1") {
		t.Errorf("second lookup does not count the first one")
	}
}

func TestComplaintCSRF(t *testing.T) {
	site := newDemoSite(t, 1)
	code := site.code(t, "chilled pork (recalled lot)")
	page := site.get(t, "/scan?code="+url.QueryEscape(code), nil)
	cookies := page.Result().Cookies()
	if len(cookies) == 0 {
		t.Fatal("page set no CSRF cookie")
	}
	body := page.Body.String()
	i := strings.Index(body, `name="csrf" value="`)
	if i < 0 {
		t.Fatal("page has no CSRF field")
	}
	token := body[i+len(`name="csrf" value="`):]
	token = token[:strings.IndexByte(token, '"')]

	post := func(token string, withCookie bool, msg string) *httptest.ResponseRecorder {
		form := url.Values{"csrf": {token}, "code": {code}, "kind": {"quality"}, "message": {msg}}
		req := httptest.NewRequest(http.MethodPost, "/scan/complaint", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if withCookie {
			req.AddCookie(cookies[0])
		}
		rec := httptest.NewRecorder()
		site.h.ServeHTTP(rec, req)
		return rec
	}
	tests := []struct {
		name       string
		token      string
		cookie     bool
		msg        string
		wantStatus int
	}{
		{"no cookie", token, false, "肉有异味", http.StatusForbidden},
		{"wrong token", "forged", true, "肉有异味", http.StatusForbidden},
		{"empty message", token, true, "", http.StatusBadRequest},
		{"valid", token, true, "肉有异味", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := post(tt.token, tt.cookie, tt.msg)
			if rec.Code != tt.wantStatus {
				t.Errorf("status: got %d, want %d", rec.Code, tt.wantStatus)
			}
			if tt.wantStatus == http.StatusOK && !strings.Contains(rec.Body.String(), "投诉已收到，编号 1") {
				t.Errorf("no receipt with complaint number 1")
			}
		})
	}
}

// plainStore hides the lineage index of a store, so that the page walks
// the events itself.
type plainStore struct{ store.Store }

func TestScanJourneyTraceAndWalkAgree(t *testing.T) {
	site := newDemoSite(t, 2)
	walker, err := New(Options{Store: plainStore{site.h.opts.Store}, Directory: site.h.opts.Directory,
		Feedback: site.h.opts.Feedback, Now: site.h.opts.Now, CSRFKey: []byte("test key")})
	if err != nil {
		t.Fatal(err)
	}
	defer walker.Close()
	if walker.tracer != nil || site.h.tracer == nil {
		t.Fatalf("tracer: walker %v, demo site %v; want nil and set", walker.tracer, site.h.tracer)
	}
	tests := []struct {
		note  string
		wants []string
	}{
		{"chilled pork (recalled lot)", []string{"清远鸿丰生猪养殖场", "佛山顺德粤肉屠宰有限公司", "广州惠民超市天河店", "<strong>召回</strong>"}},
		{"drug traceability code (dispensed at a hospital)", []string{"广州南粤制药有限公司", "广东康达医药物流有限公司", "东莞仁和医院"}},
		{"PrNd oxide (separation output exceeds input)", []string{"梅州平远稀土矿业有限公司", "清远粤稀分离有限公司"}},
	}
	for _, tt := range tests {
		target := "/scan?code=" + url.QueryEscape(site.code(t, tt.note))
		for name, h := range map[string]http.Handler{"trace": site.h, "walk": walker} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
			for _, want := range tt.wants {
				if !strings.Contains(rec.Body.String(), want) {
					t.Errorf("%s journey of %q lacks %q", name, tt.note, want)
				}
			}
		}
	}
}
