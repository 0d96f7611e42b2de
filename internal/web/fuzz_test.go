package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

// FuzzResolve sends arbitrary paths and queries to the resolver and the
// consumer page: they must answer with a defined status, never panic.
func FuzzResolve(f *testing.F) {
	for _, seed := range []string{
		"/01/04006381333931", "/01/4006381333931/10/ABC%2F1?linkType=all", "/01/04006381333932",
		"/8004/0950600013435452?17=261231", "/00/106141412345678908", "/414/9520123456788/254/1",
		"/01/04006381333931/21/%", "/scan?code=%2801%2904006381333931", "/scan?code=8612345000000007", "/01/",
	} {
		f.Add(seed)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	fb, err := st.WebFeedback(ctx)
	if err != nil {
		f.Fatal(err)
	}
	h, err := New(Options{Store: st, Feedback: testFeedback{fb}})
	if err != nil {
		f.Fatal(err)
	}
	defer h.Close()
	allowed := map[int]bool{200: true, 204: true, 307: true, 400: true, 404: true, 405: true, 301: true}
	f.Fuzz(func(t *testing.T, target string) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \t\r\n#") {
			return
		}
		req, err := http.NewRequest(http.MethodGet, "http://resolver.test"+target, nil)
		if err != nil {
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if !allowed[rec.Code] {
			t.Errorf("%s: status %d", target, rec.Code)
		}
	})
}
