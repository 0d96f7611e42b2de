package web

import (
	"html/template"
	"net/url"
	"strings"
	"testing"
)

// TestHTMLEscaperMatchesTemplate checks that the HTML the page builds in
// Go escapes text as html/template does, in element text and in quoted
// attribute values.
func TestHTMLEscaperMatchesTemplate(t *testing.T) {
	tmpl := template.Must(template.New("").Parse(`<p title="{{.}}">{{.}}</p>`))
	for _, s := range []string{
		`plain 中文`, `<script>alert("x")</script>`, `a&b`, `it's`, `2026-11-19T06:00+08:00`, "nul\x00byte", `"quoted"`,
	} {
		var want strings.Builder
		if err := tmpl.Execute(&want, s); err != nil {
			t.Fatal(err)
		}
		esc := htmlEscaper.Replace(s)
		if got := `<p title="` + esc + `">` + esc + `</p>`; got != want.String() {
			t.Errorf("%q: got %s, want %s", s, got, want.String())
		}
	}
}

func TestOptionsHTMLSelectsCity(t *testing.T) {
	got := string(cityOptions(LangEN, "广州市"))
	if !strings.Contains(got, `<option value="广州市" selected>Guangzhou</option>`) {
		t.Errorf("Guangzhou is not selected: %s", got)
	}
	if strings.Count(got, " selected") != 1 {
		t.Errorf("got %d selected options, want 1", strings.Count(got, " selected"))
	}
	if none := string(cityOptions(LangZH, "")); strings.Contains(none, "selected") || !strings.HasPrefix(none, `<option value="">`) {
		t.Errorf("no city: got %s", none)
	}
}

// TestHeadCacheKeepsPagesApart checks that cached page heads are shared
// only by pages whose heads are the same: each page shows its own code,
// language and display settings, also when served from the cache.
func TestHeadCacheKeepsPagesApart(t *testing.T) {
	site := newDemoSite(t, 2)
	drug := site.code(t, "drug traceability code (dispensed at a hospital)")
	pork := site.code(t, "chilled pork (recalled lot)")
	for round := range 2 {
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"code=" + url.QueryEscape(drug), []string{`value="` + drug + `"`, `<html lang="zh-CN">`}},
			{"code=" + url.QueryEscape(pork), []string{`value="(01)06931002000016(10)BT`, `<html lang="zh-CN">`}},
			{"code=" + url.QueryEscape(drug) + "&lang=en", []string{`value="` + drug + `"`, `<html lang="en">`, `name="lang" value="en"`}},
			{"code=" + url.QueryEscape(drug) + "&size=large&contrast=high", []string{`name="size" value="large"`, `name="contrast" value="high"`}},
		} {
			body := site.get(t, "/scan?"+tc.query, nil).Body.String()
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("round %d, %s: page lacks %s", round, tc.query, w)
				}
			}
		}
	}
	if n := len(site.h.heads.entries); n != 4 {
		t.Errorf("cached heads: got %d, want 4, one per distinct page", n)
	}
}
