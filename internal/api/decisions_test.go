package api

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// decisionSubjects returns "kind subject" of each listed decision.
func decisionSubjects(docs []decisionDocument) []string {
	var out []string
	for _, d := range docs {
		out = append(out, d.Kind+" "+d.Subject)
	}
	return out
}

func TestDecisionsPerAudience(t *testing.T) {
	f := newFixture(t)
	var all []decisionDocument
	f.getJSON(admin, "/api/v1/decisions?kind=party.&limit=1000", &all)
	got := decisionSubjects(all)
	for _, want := range []string{"party.create operator", "party.create pa", "party.create pb", "party.create pc", "party.create rwh", "party.create rgz"} {
		if !slices.Contains(got, want) {
			t.Errorf("administrator: decisions %q lack %q", got, want)
		}
	}

	var local []decisionDocument
	f.getJSON(regLocal, "/api/v1/decisions?limit=1000", &local)
	got = decisionSubjects(local)
	for _, want := range []string{"party.create pa", "location.create pa", "party.create rgz", "token.issue rgz"} {
		if !slices.Contains(got, want) {
			t.Errorf("regulator of A's city: decisions %q lack %q", got, want)
		}
	}
	for _, d := range local {
		switch {
		case d.Subject == "pb" || d.Subject == "pc" || d.Subject == "rwh" || d.Subject == "operator":
			t.Errorf("regulator of A's city sees %s about %s, which it does not supervise", d.Kind, d.Subject)
		case d.Kind == "token.issue" && d.Subject != "rgz":
			t.Errorf("regulator of A's city sees the token decision of %s", d.Subject)
		}
	}
	var reads []map[string]any
	f.getJSON(admin, "/api/v1/access-log?party=pa", &reads)
	if !slices.ContainsFunc(reads, func(a map[string]any) bool { return a["actorPartyID"] == "rgz" && a["target"] == "decisions" }) {
		t.Errorf("access log of pa lacks the regulator's read of its decisions: %v", reads)
	}

	var other []decisionDocument
	f.getJSON(regOther, "/api/v1/decisions?limit=1000", &other)
	for _, d := range other {
		if d.Subject != "rwh" && d.ActorPartyID != "rwh" {
			t.Errorf("regulator of another region sees %s about %s", d.Kind, d.Subject)
		}
	}
	if len(other) == 0 {
		t.Errorf("regulator of another region sees none of its own decisions")
	}

	for who := range audiences {
		body := f.do(who, "GET", "/api/v1/decisions?limit=1000", "").Body.String()
		if who == admin {
			continue
		}
		if strings.Contains(body, "argon2") || strings.Contains(body, "syt_") {
			t.Errorf("%s: decisions carry a password hash or token secret", audienceNames[who])
		}
	}
}

func TestDecisionsFiltersAndPages(t *testing.T) {
	f := newFixture(t)
	var pa []decisionDocument
	f.getJSON(admin, "/api/v1/decisions?subject=pa&kind=party.", &pa)
	if got := decisionSubjects(pa); !slices.Equal(got, []string{"party.create pa"}) {
		t.Errorf("subject pa, kind party.: got %q", got)
	}

	rec := f.do(admin, "GET", "/api/v1/decisions?limit=2", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("limit 2: status %d: %s", rec.Code, rec.Body)
	}
	link := rec.Header().Get("Link")
	if !strings.Contains(link, "after=2") || !strings.Contains(link, `rel="next"`) {
		t.Errorf("limit 2: Link %q, want the next page after seq 2", link)
	}
	var next []decisionDocument
	f.getJSON(admin, "/api/v1/decisions?limit=2&after=2", &next)
	if len(next) != 2 || next[0].Seq != 3 || next[1].Seq != 4 {
		t.Errorf("page after seq 2: got %+v, want seqs 3 and 4", decisionSubjects(next))
	}

	for _, q := range []string{"limit=0", "limit=1001", "after=-1", "after=x", "party=pa"} {
		if rec := f.do(admin, "GET", "/api/v1/decisions?"+q, ""); rec.Code != http.StatusBadRequest {
			t.Errorf("?%s: status %d, want 400: %s", q, rec.Code, rec.Body)
		}
	}
}
