package web

import (
	"html/template"
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
