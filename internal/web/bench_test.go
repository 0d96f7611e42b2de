package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"
)

// benchmarkHTTP sends b.N GET requests for target over loopback from
// parallel clients and reports requests per second and the 50th and 99th
// percentile latency.
func benchmarkHTTP(b *testing.B, site *demoSite, target string, wantStatus int) {
	srv := httptest.NewServer(site.h)
	defer srv.Close()
	transport := &http.Transport{MaxIdleConnsPerHost: 64}
	client := &http.Client{Transport: transport, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	var (
		mu        sync.Mutex
		latencies []time.Duration
	)
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var local []time.Duration
		for pb.Next() {
			t0 := time.Now()
			resp, err := client.Get(srv.URL + target)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != wantStatus {
				b.Errorf("status: got %d, want %d", resp.StatusCode, wantStatus)
				return
			}
			local = append(local, time.Since(t0))
		}
		mu.Lock()
		latencies = append(latencies, local...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if len(latencies) == 0 {
		return
	}
	slices.Sort(latencies)
	p := func(q float64) float64 {
		return float64(latencies[int(q*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "req/s")
	b.ReportMetric(p(0.50), "p50-ms")
	b.ReportMetric(p(0.99), "p99-ms")
}

// Run with: go test ./internal/web -run '^$' -bench HTTP -benchtime 20000x
func BenchmarkScanPageHTTP(b *testing.B) {
	site := newDemoSite(b, 30)
	code := site.code(b, "drug traceability code (suspected clone: sold in two cities)")
	benchmarkHTTP(b, site, "/scan?code="+url.QueryEscape(code), http.StatusOK)
}

func BenchmarkScanPageLotHTTP(b *testing.B) {
	site := newDemoSite(b, 30)
	code := site.code(b, "chilled pork (recalled lot)")
	benchmarkHTTP(b, site, "/scan?code="+url.QueryEscape(code), http.StatusOK)
}

func BenchmarkResolverHTTP(b *testing.B) {
	site := newDemoSite(b, 30)
	benchmarkHTTP(b, site, "/01/06931002000016/10/BT2609010", http.StatusTemporaryRedirect)
}

// BenchmarkScanPageHandler measures the CPU cost of one consumer page
// without the network: its inverse bounds the page rate per core.
func BenchmarkScanPageHandler(b *testing.B) {
	site := newDemoSite(b, 30)
	target := "/scan?code=" + url.QueryEscape(site.code(b, "drug traceability code (suspected clone: sold in two cities)"))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		site.h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("status: got %d, want 200", rec.Code)
		}
	}
}
