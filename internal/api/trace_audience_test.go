package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// traceEventIDs returns the sorted distinct eventIDs of a trace graph's
// node steps and links.
func traceEventIDs(t *testing.T, body []byte) []string {
	t.Helper()
	var g struct {
		Nodes []struct {
			Steps []struct {
				EventID string `json:"eventID"`
			} `json:"steps"`
		} `json:"nodes"`
		Links []struct {
			EventID string `json:"eventID"`
		} `json:"links"`
	}
	if err := json.Unmarshal(body, &g); err != nil {
		t.Fatalf("decode trace graph: %v\n%s", err, body)
	}
	var ids []string
	for _, n := range g.Nodes {
		for _, s := range n.Steps {
			ids = append(ids, s.EventID)
		}
	}
	for _, l := range g.Links {
		if l.EventID != "" {
			ids = append(ids, l.EventID)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

func TestTraceEachAudience(t *testing.T) {
	f := newFixture(t)
	target := "/api/v1/trace/" + url.PathEscape(item1) + "?direction=both"
	tests := []struct {
		who    int
		status int
		want   []string
	}{
		{anon, http.StatusUnauthorized, nil},
		// A captured e1 and e2, not B's receipt e4.
		{entA, http.StatusOK, []string{e1, e2}},
		// B is the destination of e2 and captured e4; e1 is its upstream.
		{entB, http.StatusOK, []string{e1, e2, e4}},
		// C received item 2 of e1, so it sees e1 but nothing of item 1's
		// way to its competitor B.
		{entC, http.StatusOK, []string{e1}},
		{regOther, http.StatusNotFound, nil},
		// B's receipt happened in Shenzhen, outside Guangzhou.
		{regLocal, http.StatusOK, []string{e1, e2}},
		{admin, http.StatusOK, []string{e1, e2, e4}},
	}
	for _, tt := range tests {
		t.Run(audienceNames[tt.who], func(t *testing.T) {
			rec := f.do(tt.who, "GET", target, "")
			if rec.Code != tt.status {
				t.Fatalf("status: got %d, want %d\n%s", rec.Code, tt.status, rec.Body)
			}
			if tt.status != http.StatusOK {
				return
			}
			if got := traceEventIDs(t, rec.Body.Bytes()); !slices.Equal(got, tt.want) {
				t.Errorf("events: got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTraceUpstreamStepProjection(t *testing.T) {
	f := newFixture(t)
	target := "/api/v1/trace/" + url.PathEscape(item1)
	rec := f.do(entB, "GET", target, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("B traces item 1: status %d: %s", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), "WO-77") {
		t.Errorf("B's trace shows A's production order of e1: %s", rec.Body)
	}
	if !strings.Contains(rec.Body.String(), "PO-B-1001") {
		t.Errorf("B's trace lacks the purchase order of e2, which B is party to: %s", rec.Body)
	}
	rec = f.do(entA, "GET", target, "")
	if !strings.Contains(rec.Body.String(), "WO-77") {
		t.Errorf("A's trace of its own item lacks its production order: %s", rec.Body)
	}
}

// TestRecallScopeEachAudience checks the holder of item 1 that each
// audience gets: the last place its own view of the trace shows.
func TestRecallScopeEachAudience(t *testing.T) {
	f := newFixture(t)
	target := "/api/v1/recall-scope?id=" + url.QueryEscape(item1)
	tests := []struct {
		who                 int
		status              int
		holderEvent, holder string
	}{
		{anon, http.StatusUnauthorized, "", ""},
		// A shipped item 1 to B (e2), so it may name B as the holder.
		{entA, http.StatusOK, e2, locB},
		{entB, http.StatusOK, e4, locB},
		// C sees only the commissioning at A.
		{entC, http.StatusOK, e1, locA},
		{regOther, http.StatusNotFound, "", ""},
		{regLocal, http.StatusOK, e2, locB},
		{admin, http.StatusOK, e4, locB},
	}
	for _, tt := range tests {
		t.Run(audienceNames[tt.who], func(t *testing.T) {
			rec := f.do(tt.who, "GET", target, "")
			if rec.Code != tt.status {
				t.Fatalf("status: got %d, want %d\n%s", rec.Code, tt.status, rec.Body)
			}
			if tt.status != http.StatusOK {
				return
			}
			var sc struct {
				Affected []struct {
					Holder struct {
						Location string `json:"location"`
						EventID  string `json:"eventID"`
					} `json:"holder"`
				} `json:"affected"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &sc); err != nil {
				t.Fatalf("decode recall scope: %v\n%s", err, rec.Body)
			}
			if len(sc.Affected) != 1 {
				t.Fatalf("affected: got %d objects, want item 1 only\n%s", len(sc.Affected), rec.Body)
			}
			h := sc.Affected[0].Holder
			if h.EventID != tt.holderEvent {
				t.Errorf("holder event: got %s, want %s", h.EventID, tt.holderEvent)
			}
			if h.Location != tt.holder {
				t.Errorf("holder: got %s, want %s", h.Location, tt.holder)
			}
		})
	}
}

func TestRegulatorTraceLogged(t *testing.T) {
	f := newFixture(t)
	if rec := f.do(regLocal, "GET", "/api/v1/trace/"+url.PathEscape(item1), ""); rec.Code != http.StatusOK {
		t.Fatalf("regulator trace: status %d: %s", rec.Code, rec.Body)
	}
	var entries []store.Access
	rec := f.do(entA, "GET", "/api/v1/access-log", "")
	if err := json.Unmarshal(rec.Body.Bytes(), &entries); err != nil {
		t.Fatalf("decode access log: %v: %s", err, rec.Body)
	}
	found := slices.ContainsFunc(entries, func(e store.Access) bool {
		return e.ActorPartyID == "rgz" && e.Action == "trace" && e.PartyID == "pa"
	})
	if !found {
		t.Errorf("A's access log lacks the regulator's trace: %+v", entries)
	}
}
