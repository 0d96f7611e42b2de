package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

func TestPercentileNearestRank(t *testing.T) {
	d := make([]time.Duration, 1000)
	for i := range d {
		d[i] = time.Duration(1000-i) * time.Millisecond // reversed: Summarize sorts
	}
	s := Summarize(d)
	for _, c := range []struct {
		name      string
		got, want time.Duration
	}{
		{"p50", s.P50, 500 * time.Millisecond},
		{"p90", s.P90, 900 * time.Millisecond},
		{"p99", s.P99, 990 * time.Millisecond},
		{"p99.9", s.P999, 999 * time.Millisecond},
		{"max", s.Max, 1000 * time.Millisecond},
		{"min", s.Min, 1 * time.Millisecond},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if s.Count != 1000 {
		t.Errorf("count: got %d, want 1000", s.Count)
	}
}

func TestPercentileSmallSample(t *testing.T) {
	d := []time.Duration{3, 1, 2}
	s := Summarize(d)
	if s.P50 != 2 || s.P99 != 3 || s.P999 != 3 || s.Max != 3 {
		t.Errorf("got %+v, want p50 2 and p99, p99.9, max 3", s)
	}
	if got := Percentile(nil, 0.5); got != 0 {
		t.Errorf("empty sample: got %v, want 0", got)
	}
}

// arrivals records the time each request path arrives at a test server.
type arrivals struct {
	mu    sync.Mutex
	times map[string][]time.Time
}

func (a *arrivals) add(path string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.times == nil {
		a.times = map[string][]time.Time{}
	}
	a.times[path] = append(a.times[path], time.Now())
}

func TestRunLoadSendsScheduledRate(t *testing.T) {
	var got arrivals
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.add(r.URL.Path)
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	start := time.Now()
	res, err := RunLoad(context.Background(), LoadOptions{
		BaseURL: srv.URL,
		Targets: []Target{{Kind: "a", Path: "/a", Status: 200}, {Kind: "b", Path: "/b", Status: 200}},
		Rate:    400, Warmup: 250 * time.Millisecond, Duration: time.Second, Connections: 8,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Scheduled != 400 {
		t.Errorf("scheduled: got %d, want 400 (rate × duration)", res.Scheduled)
	}
	if res.Completed != 400 {
		t.Errorf("completed: got %d, want 400", res.Completed)
	}
	if res.Errors != 0 || res.Mismatches != 0 {
		t.Errorf("errors %d, mismatches %d: want none", res.Errors, res.Mismatches)
	}
	if res.Latency.Count != 400 {
		t.Errorf("latency sample: got %d, want 400", res.Latency.Count)
	}
	total := len(got.times["/a"]) + len(got.times["/b"])
	if total != 500 {
		t.Errorf("requests at the server: got %d, want 500 (warm-up 100 + measured 400)", total)
	}
	if len(got.times["/a"]) != 250 || len(got.times["/b"]) != 250 {
		t.Errorf("targets: got /a %d, /b %d; want 250 each (sent in turn)", len(got.times["/a"]), len(got.times["/b"]))
	}
	// Requests are sent at their scheduled times, not all at once: the
	// last one cannot leave before warm-up + duration − one interval.
	var last time.Time
	for _, ts := range got.times {
		for _, at := range ts {
			if at.After(last) {
				last = at
			}
		}
	}
	if span := last.Sub(start); span < 1247*time.Millisecond {
		t.Errorf("last request arrived %v after the start, want at least 1.247s: the rate was exceeded", span)
	}
	if len(res.Kinds) != 2 || res.Kinds[0].Kind != "a" || res.Kinds[0].Scheduled != 200 {
		t.Errorf("kinds: got %+v, want a and b with 200 each", res.Kinds)
	}
	if r := res.AchievedRate(); r <= 0 || r > 400*1.01 {
		t.Errorf("achieved rate: got %.1f, want above 0 and at most the scheduled 400/s", r)
	}
}

func TestRunLoadCountsErrorsAndMismatches(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/missing":
			http.NotFound(w, r)
		case "/broken":
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		default:
			w.WriteHeader(http.StatusOK)
		}
	}))
	defer srv.Close()
	res, err := RunLoad(context.Background(), LoadOptions{
		BaseURL: srv.URL,
		Targets: []Target{
			{Kind: "ok", Path: "/ok", Status: 200},
			{Kind: "missing", Path: "/missing", Status: 200},
			{Kind: "broken", Path: "/broken", Status: 200},
		},
		Rate: 300, Duration: 500 * time.Millisecond, Connections: 4,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Scheduled != 150 {
		t.Errorf("scheduled: got %d, want 150", res.Scheduled)
	}
	if res.Mismatches != 50 {
		t.Errorf("mismatches: got %d, want 50 (every 404 of /missing)", res.Mismatches)
	}
	if res.Errors != 50 {
		t.Errorf("errors: got %d, want 50 (every closed connection of /broken)", res.Errors)
	}
	if res.Completed != 100 {
		t.Errorf("completed: got %d, want 100 responses", res.Completed)
	}
	if res.Latency.Count != 50 {
		t.Errorf("latency sample: got %d, want only the 50 responses with the expected status", res.Latency.Count)
	}
	if len(res.FirstProblems) != 10 {
		t.Errorf("first problems: got %d, want 10", len(res.FirstProblems))
	}
	for _, k := range res.Kinds {
		want := map[string][2]int{"ok": {0, 0}, "missing": {0, 50}, "broken": {50, 0}}[k.Kind]
		if k.Errors != want[0] || k.Mismatches != want[1] {
			t.Errorf("kind %s: got %d errors, %d mismatches; want %d, %d", k.Kind, k.Errors, k.Mismatches, want[0], want[1])
		}
	}
}

// TestRunLoadCountsQueueing checks that latency runs from the scheduled
// send time: when the server stalls, the requests scheduled during the
// stall wait for the one connection and their latency shows the wait. A
// closed-loop client timing from the actual send would see one slow
// request only.
func TestRunLoadCountsQueueing(t *testing.T) {
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("stall") != "" {
			once.Do(func() { time.Sleep(300 * time.Millisecond) })
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	targets := make([]Target, 10)
	for i := range targets {
		targets[i] = Target{Kind: "k", Path: "/", Status: 200}
	}
	targets[0].Path = "/?stall=1"
	res, err := RunLoad(context.Background(), LoadOptions{
		BaseURL: srv.URL, Targets: targets,
		Rate: 100, Duration: time.Second, Connections: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	// The stall holds the one connection for 300 ms, so the about 30
	// requests scheduled during it queue. The first of them waits about
	// 290 ms.
	if res.Latency.P90 < 100*time.Millisecond {
		t.Errorf("p90: got %v, want at least 100ms: queued requests were timed from their send", res.Latency.P90)
	}
	if res.Latency.Max < 300*time.Millisecond {
		t.Errorf("max: got %v, want at least the 300ms stall", res.Latency.Max)
	}
	if res.LateSends < 20 {
		t.Errorf("late sends: got %d, want at least 20 sent after the stall", res.LateSends)
	}
}

func TestRunLoadRejectsBadOptions(t *testing.T) {
	ok := LoadOptions{BaseURL: "http://127.0.0.1:1", Targets: []Target{{Path: "/"}}, Rate: 1, Duration: time.Second, Connections: 1}
	for _, c := range []struct {
		name string
		edit func(*LoadOptions)
	}{
		{"no targets", func(o *LoadOptions) { o.Targets = nil }},
		{"zero rate", func(o *LoadOptions) { o.Rate = 0 }},
		{"zero duration", func(o *LoadOptions) { o.Duration = 0 }},
		{"negative warmup", func(o *LoadOptions) { o.Warmup = -time.Second }},
		{"zero connections", func(o *LoadOptions) { o.Connections = 0 }},
		{"no scheme", func(o *LoadOptions) { o.BaseURL = "127.0.0.1:8080" }},
	} {
		o := ok
		c.edit(&o)
		if _, err := RunLoad(context.Background(), o); err == nil {
			t.Errorf("%s: got no error", c.name)
		}
	}
}
