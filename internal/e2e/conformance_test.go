package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/api"
	"github.com/suyuan-trace/suyuan/internal/capture"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

// env is one server over a fresh SQLite store.
type env struct {
	t     *testing.T
	store store.Store
	srv   *httptest.Server
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "suyuan.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	srv := httptest.NewServer(api.New(st, capture.New(st, nil, nil), nil, api.Options{}).Handler())
	t.Cleanup(srv.Close)
	return &env{t: t, store: st, srv: srv}
}

func examplesDir(t *testing.T) string {
	t.Helper()
	dir, ok := ConformanceDir(filepath.Join("..", ".."))
	if !ok {
		t.Skip("../shared/conformance/gs1-epcis not found beside the checkout: EPCIS example tests skipped")
	}
	return dir
}

func mediaType(path string) string {
	if filepath.Ext(path) == ".xml" {
		return "application/xml"
	}
	return "application/ld+json"
}

// captureFile posts a document to /capture and returns the response.
func (e *env) captureFile(path string) *http.Response {
	e.t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.post("/capture", mediaType(path), body)
}

func (e *env) post(path, contentType string, body []byte) *http.Response {
	e.t.Helper()
	resp, err := http.Post(e.srv.URL+path, contentType, bytes.NewReader(body))
	if err != nil {
		e.t.Fatalf("POST %s: %v", path, err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (e *env) get(path string, header ...string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// queryDoc is the part of an EPCISQueryDocument the tests read.
type queryDoc struct {
	EPCISBody struct {
		QueryResults struct {
			ResultsBody struct {
				EventList []json.RawMessage `json:"eventList"`
			} `json:"resultsBody"`
		} `json:"queryResults"`
	} `json:"epcisBody"`
}

// queryAll follows the next links of a query and returns every event
// document and the number of pages.
func (e *env) queryAll(path string) ([]json.RawMessage, int) {
	e.t.Helper()
	var events []json.RawMessage
	pages := 0
	for path != "" {
		resp := e.get(path)
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(resp.Body)
			e.t.Fatalf("GET %s: status %d: %s", path, resp.StatusCode, b)
		}
		var doc queryDoc
		if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
			e.t.Fatalf("GET %s: decode: %v", path, err)
		}
		pages++
		events = append(events, doc.EPCISBody.QueryResults.ResultsBody.EventList...)
		path = nextLink(resp.Header.Get("Link"))
		if pages > 10000 {
			e.t.Fatal("paging does not end")
		}
	}
	return events, pages
}

func nextLink(h string) string {
	if h == "" {
		return ""
	}
	start, end := strings.Index(h, "<"), strings.Index(h, ">")
	if start < 0 || end < start || !strings.Contains(h, `rel="next"`) {
		return ""
	}
	return h[start+1 : end]
}

func decodeEvents(t *testing.T, path string) []*epcis.Event {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec, err := epcis.NewDecoder(f, mediaType(path))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dec.Header(); err != nil {
		t.Fatalf("%s: header: %v", path, err)
	}
	var out []*epcis.Event
	for {
		ev, err := dec.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, ev)
	}
}

func TestExamplesCapturedWhole(t *testing.T) {
	dir := examplesDir(t)
	docs, err := CaptureDocuments(dir)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, rel := range docs {
		t.Run(rel, func(t *testing.T) {
			want, err := CountEvents(filepath.Join(dir, rel))
			if err != nil {
				t.Fatal(err)
			}
			total += want
			e := newEnv(t)
			resp := e.captureFile(filepath.Join(dir, rel))
			if resp.StatusCode != http.StatusAccepted {
				b, _ := io.ReadAll(resp.Body)
				t.Fatalf("POST /capture: status %d, want 202: %s", resp.StatusCode, b)
			}
			job := e.get(resp.Header.Get("Location"))
			var jd struct {
				Success  bool `json:"success"`
				Running  bool `json:"running"`
				Accepted int  `json:"accepted"`
				Declared int  `json:"declared"`
			}
			if err := json.NewDecoder(job.Body).Decode(&jd); err != nil {
				t.Fatal(err)
			}
			if !jd.Success || jd.Running {
				t.Errorf("capture job: success=%v running=%v, want finished successfully", jd.Success, jd.Running)
			}
			// An error declaration without an eventID has the CBV 2.0 hash
			// of the event it declares erroneous (the hash leaves
			// errorDeclaration out), so it attaches to that event when the
			// document also holds the original.
			if got := jd.Accepted + jd.Declared; got != want {
				t.Errorf("capture job: %d accepted + %d declared, want %d events", jd.Accepted, jd.Declared, want)
			}
			events, _ := e.queryAll("/events?perPage=1000")
			if len(events) != jd.Accepted {
				t.Errorf("query returns %d events, want the %d accepted", len(events), jd.Accepted)
			}
		})
	}
	if want := 133; total != want && !t.Failed() {
		t.Errorf("examples hold %d events in all, want %d", total, want)
	}
}

func TestExamplesAllInOneStore(t *testing.T) {
	dir := examplesDir(t)
	docs, err := CaptureDocuments(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	var conflicts []string
	for _, rel := range docs {
		resp := e.captureFile(filepath.Join(dir, rel))
		switch resp.StatusCode {
		case http.StatusAccepted:
		case http.StatusConflict:
			var p api.Problem
			if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(p.Detail, "eventID") {
				t.Errorf("%s: conflict detail %q does not name the eventID", rel, p.Detail)
			}
			conflicts = append(conflicts, rel)
		default:
			b, _ := io.ReadAll(resp.Body)
			t.Errorf("%s: status %d, want 202 or 409: %s", rel, resp.StatusCode, b)
		}
	}
	t.Logf("documents rejected for reusing a stored eventID: %d %v", len(conflicts), conflicts)
	declared, _ := e.queryAll("/events?EXISTS_errorDeclaration&perPage=100")
	if len(declared) == 0 {
		t.Error("EXISTS_errorDeclaration finds no event after importing the error-declaration examples")
	}
}

func TestExamplesReimportIsDuplicate(t *testing.T) {
	dir := examplesDir(t)
	docs, err := CaptureDocuments(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range docs {
		t.Run(rel, func(t *testing.T) {
			e := newEnv(t)
			for round := 0; round < 2; round++ {
				resp := e.captureFile(filepath.Join(dir, rel))
				if resp.StatusCode != http.StatusAccepted {
					t.Fatalf("round %d: status %d", round, resp.StatusCode)
				}
				var jd struct {
					Accepted   int `json:"accepted"`
					Duplicates int `json:"duplicates"`
					Declared   int `json:"declared"`
				}
				if err := json.NewDecoder(e.get(resp.Header.Get("Location")).Body).Decode(&jd); err != nil {
					t.Fatal(err)
				}
				if round == 1 && (jd.Accepted != 0 || jd.Declared != 0) {
					t.Errorf("second import stored %d events and %d declarations, want none", jd.Accepted, jd.Declared)
				}
			}
		})
	}
}

// firstEPC returns an identifier of the event that MATCH_anyEPC finds.
func firstEPC(ev *epcis.Event) string {
	for _, list := range [][]string{ev.EPCList, ev.ChildEPCs, ev.InputEPCList, ev.OutputEPCList} {
		if len(list) > 0 {
			return list[0]
		}
	}
	return ev.ParentID
}

func TestExamplesQueryByEPCAndBizStep(t *testing.T) {
	dir := examplesDir(t)
	docs, err := CaptureDocuments(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range docs {
		t.Run(rel, func(t *testing.T) {
			path := filepath.Join(dir, rel)
			events := decodeEvents(t, path)
			var probe *epcis.Event
			for _, ev := range events {
				if firstEPC(ev) != "" && ev.BizStep != "" {
					probe = ev
					break
				}
			}
			if probe == nil {
				t.Skip("no event with both an EPC and a bizStep")
			}
			epc := firstEPC(probe)
			canonical, err := ident.Canonical(epc)
			if err != nil {
				t.Fatalf("canonical %q: %v", epc, err)
			}
			from := probe.EventTime.Add(-time.Minute)
			to := probe.EventTime.Add(time.Minute)
			want := 0
			for _, ev := range events {
				if ev.BizStep != probe.BizStep || ev.EventTime.Before(from) || !ev.EventTime.Before(to) {
					continue
				}
				if hasID(ev, canonical) {
					want++
				}
			}
			e := newEnv(t)
			if resp := e.captureFile(path); resp.StatusCode != http.StatusAccepted {
				t.Fatalf("capture: status %d", resp.StatusCode)
			}
			params := url.Values{
				"MATCH_anyEPC": {epc},
				"EQ_bizStep":   {probe.BizStep},
				"GE_eventTime": {from.Format(time.RFC3339Nano)},
				"LT_eventTime": {to.Format(time.RFC3339Nano)},
				"perPage":      {"1"},
			}
			got, pages := e.queryAll("/events?" + params.Encode())
			if len(got) != want {
				t.Errorf("query found %d events, want %d", len(got), want)
			}
			if pages != max(want, 1) {
				t.Errorf("query took %d pages of 1, want %d", pages, max(want, 1))
			}
			seen := map[string]bool{}
			for _, raw := range got {
				var ev struct {
					EventID string `json:"eventID"`
				}
				json.Unmarshal(raw, &ev)
				if seen[ev.EventID] {
					t.Errorf("event %s returned twice while paging", ev.EventID)
				}
				seen[ev.EventID] = true
			}
		})
	}
}

func hasID(ev *epcis.Event, canonical string) bool {
	var all []string
	all = append(all, ev.EPCList...)
	all = append(all, ev.ChildEPCs...)
	all = append(all, ev.InputEPCList...)
	all = append(all, ev.OutputEPCList...)
	if ev.ParentID != "" {
		all = append(all, ev.ParentID)
	}
	for _, id := range all {
		if c, err := ident.Canonical(id); err == nil && c == canonical {
			return true
		}
	}
	return false
}

func TestMalformedInputLeavesStoreUnchanged(t *testing.T) {
	valid := `{"type":"ObjectEvent","eventTime":"2026-03-01T08:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":["urn:epc:id:sgtin:6901234.012345.1"],"action":"OBSERVE","bizStep":"shipping"}`
	doc := func(events ...string) string {
		return `{"@context":["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-03-01T08:00:00+08:00","epcisBody":{"eventList":[` + strings.Join(events, ",") + `]}}`
	}
	cases := []struct {
		name, contentType, body string
		status                  int
		mention                 string
	}{
		{"broken JSON", "application/ld+json", `{"type":"EPCISDocument",`, 400, ""},
		{"broken XML", "application/xml", `<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"><EPCISBody>`, 400, ""},
		{"offset without leading zero", "application/ld+json", doc(valid, strings.Replace(valid, `"+08:00","epcList"`, `"+5:30","epcList"`, 1)), 400, "+5:30"},
		{"offset Z", "application/ld+json", doc(valid, strings.Replace(valid, `"+08:00","epcList"`, `"Z","epcList"`, 1)), 400, "eventTimeZoneOffset"},
		{"unknown bizStep", "application/ld+json", doc(valid, strings.Replace(valid, `"shipping"`, `"shippping"`, 1)), 400, "shippping"},
		{"wrong type", "application/ld+json", doc(valid, strings.Replace(valid, `["urn:epc:id:sgtin:6901234.012345.1"]`, `"urn:epc:id:sgtin:6901234.012345.1"`, 1)), 400, "epcList"},
		{"wrong content type", "text/plain", doc(valid), 415, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			resp := e.post("/capture", tc.contentType, []byte(tc.body))
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, b)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q, want application/problem+json", ct)
			}
			if tc.mention != "" && !bytes.Contains(b, []byte(tc.mention)) {
				t.Errorf("problem does not mention %q: %s", tc.mention, b)
			}
			if events, _ := e.queryAll("/events"); len(events) != 0 {
				t.Errorf("store holds %d events after a rejected document, want 0", len(events))
			}
		})
	}
}

func TestOversizedBodyRejected(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(api.New(st, capture.New(st, nil, nil), nil, api.Options{MaxBodyBytes: 1 << 20}).Handler())
	defer srv.Close()
	// A body announced as 2 GiB is refused before it is read.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/capture", io.LimitReader(zeroReader{}, 2<<30))
	req.ContentLength = 2 << 30
	req.Header.Set("Content-Type", "application/ld+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", resp.StatusCode)
	}
	var p api.Problem
	json.NewDecoder(resp.Body).Decode(&p)
	if p.Type != "epcisException:CaptureLimitExceededException" {
		t.Errorf("problem type %q, want CaptureLimitExceededException", p.Type)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func TestUnknownQueryParameterRejected(t *testing.T) {
	e := newEnv(t)
	resp := e.get("/events?EQ_bizStepp=shipping")
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", resp.StatusCode)
	}
	var p api.Problem
	json.NewDecoder(resp.Body).Decode(&p)
	if p.Type != "epcisException:QueryParameterException" || !strings.Contains(p.Detail, "EQ_bizStepp") {
		t.Errorf("problem %+v, want QueryParameterException naming EQ_bizStepp", p)
	}
}

var _ = sort.Strings
var _ = fmt.Sprint
