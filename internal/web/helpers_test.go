package web

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/auditlog"
	"github.com/suyuan-trace/suyuan/internal/capture"
	"github.com/suyuan-trace/suyuan/internal/demo"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

// testNow is the time the pages see in tests: after the demo's planted
// expiry date.
var testNow = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)

// demoSite is a handler over a store seeded with demo data.
type demoSite struct {
	h       *Handler
	samples map[string]string // NoteEN → code
	st      *sqlite.Store
	gen     *demo.Generator
	log     *auditlog.Log
}

// newDemoSite seeds a temporary SQLite store with rounds of demo data,
// signs an audit-log checkpoint over all of it and returns a handler over
// the store and the log.
func newDemoSite(tb testing.TB, rounds int) *demoSite {
	tb.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "demo.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	gen, err := demo.New(1)
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := gen.WriteDocument(ctx, &buf, rounds); err != nil {
		tb.Fatal(err)
	}
	signer, err := auditlog.EphemeralSigner("ed25519")
	if err != nil {
		tb.Fatal(err)
	}
	log, err := auditlog.New(st, auditlog.SHA256, signer, "suyuan.test/log")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := capture.New(st, log, nil).Capture(ctx, epcis.NewJSONDecoder(&buf), "demo"); err != nil {
		tb.Fatalf("capture demo data: %v", err)
	}
	if _, err := log.Integrate(ctx); err != nil {
		tb.Fatalf("integrate audit log: %v", err)
	}
	fb, err := st.WebFeedback(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	h, err := New(Options{
		Store: st, Directory: testDirectory{gen.Directory()}, Feedback: testFeedback{fb},
		Now: func() time.Time { return testNow }, CSRFKey: []byte("test key"),
		AuditLog: logReader{log: log, leaves: st},
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(h.Close)
	site := &demoSite{h: h, samples: map[string]string{}, st: st, gen: gen, log: log}
	for _, s := range gen.Samples() {
		site.samples[s.NoteEN] = s.Code
	}
	return site
}

// code returns the sample code whose English note is note.
func (s *demoSite) code(tb testing.TB, note string) string {
	tb.Helper()
	c, ok := s.samples[note]
	if !ok {
		tb.Fatalf("no demo sample %q", note)
	}
	return c
}

func (s *demoSite) get(tb testing.TB, target string, header http.Header) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

// testFeedback adapts the SQLite lookup and complaint tables to Feedback.
type testFeedback struct{ f *sqlite.WebFeedback }

func (a testFeedback) ScanStats(ctx context.Context, canonical string) (ScanStats, error) {
	st, err := a.f.ScanStats(ctx, canonical)
	out := ScanStats{Count: st.Count, First: st.First, Last: st.Last}
	for _, c := range st.Cities {
		out.Cities = append(out.Cities, CityCount{City: c.City, Count: c.Count})
	}
	return out, err
}

func (a testFeedback) AddScans(ctx context.Context, counts []ScanCount) error {
	list := make([]sqlite.ScanCount, len(counts))
	for i, c := range counts {
		list[i] = sqlite.ScanCount{Canonical: c.Canonical, City: c.City, Count: c.Count, First: c.First, Last: c.Last}
	}
	return a.f.AddScans(ctx, list)
}

func (a testFeedback) AddComplaint(ctx context.Context, c Complaint) (int64, error) {
	return a.f.AddComplaint(ctx, sqlite.Complaint{Canonical: c.Canonical, Kind: c.Kind, Message: c.Message, Contact: c.Contact, CreatedAt: c.CreatedAt})
}

// testDirectory adapts the demo master data to Directory.
type testDirectory struct{ d *demo.Directory }

func (a testDirectory) Party(_ context.Context, id string) (Party, bool, error) {
	p, ok := a.d.Party(id)
	if !ok {
		return Party{}, false, nil
	}
	out := Party{NameZH: p.NameZH, NameEN: p.NameEN, Division: p.Division, RoleZH: p.RoleZH, RoleEN: p.RoleEN,
		Blacklisted: p.Blacklisted, Private: p.Private, CityZH: p.CountryZH, CityEN: p.CountryEN, USCC: p.USCC}
	if d, ok := p.DivisionInfo(); ok {
		out.CityZH, out.CityEN = d.CityZH, d.CityEN
	}
	for _, l := range p.Licences {
		out.Licences = append(out.Licences, l.Kind)
	}
	return out, true, nil
}

func (a testDirectory) Product(_ context.Context, id string) (Product, bool, error) {
	p, ok := a.d.Product(id)
	if !ok {
		return Product{}, false, nil
	}
	return Product{NameZH: p.NameZH, NameEN: p.NameEN, CategoryZH: p.CategoryZH, CategoryEN: p.CategoryEN,
		Producer: p.Producer, OriginZH: p.OriginZH, OriginEN: p.OriginEN, Certifications: p.Certifications,
		ColdChainMaxCelsius: p.ColdChainMaxCelsius, RequiredLicence: p.RequiredLicence}, true, nil
}
