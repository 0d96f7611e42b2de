package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Target is one request of a load mix.
type Target struct {
	// Kind groups targets in the report, such as "page drug code".
	Kind string
	// Path is the path and query sent, relative to LoadOptions.BaseURL.
	Path string
	// Header holds extra request headers, such as Accept; it may be nil.
	Header http.Header
	// Status is the expected response status. Any other status counts as
	// a mismatch.
	Status int
}

// LoadOptions configure RunLoad.
type LoadOptions struct {
	// BaseURL is the server's scheme and host, such as
	// http://127.0.0.1:8080.
	BaseURL string
	// Targets are sent in turn: request i goes to Targets[i%len(Targets)].
	Targets []Target
	// Rate is the number of requests scheduled per second.
	Rate float64
	// Warmup is the time at the start whose requests are sent but not
	// measured; Duration is the measured time after it.
	Warmup, Duration time.Duration
	// Connections is the number of requests in flight at most, each on its
	// own keep-alive connection. A request whose send time comes while all
	// of them are busy waits, and its latency includes the wait.
	Connections int
	// Timeout bounds one request; a request that times out counts as an
	// error. Zero means 10 seconds.
	Timeout time.Duration
	// Client sends the requests; nil means a client with a transport of
	// Connections connections that follows no redirects.
	Client *http.Client
}

// LoadResult is the outcome of a measured phase of RunLoad.
type LoadResult struct {
	// Scheduled is the number of requests whose send time fell in the
	// measured phase; Completed counts those that got a response.
	Scheduled, Completed int
	// Errors counts requests that got no response (connection failures,
	// timeouts); Mismatches counts responses whose status differed from
	// the target's.
	Errors, Mismatches int
	// LateSends counts requests sent more than LateThreshold after their
	// scheduled time, because every connection was busy.
	LateSends int
	// Elapsed runs from the start of the measured phase to the last
	// response to one of its requests.
	Elapsed time.Duration
	// Latency summarises the responses with the expected status, each
	// timed from the request's scheduled send time to the end of its body.
	Latency Summary
	// Kinds summarises the same per Target.Kind, in first-seen order.
	Kinds []KindResult
	// FirstProblems lists up to 10 errors and mismatches, for the report.
	FirstProblems []string
	// Interrupted is set when the context was cancelled before the end.
	Interrupted bool
}

// AchievedRate returns the completed requests per second of the measured
// phase.
func (r *LoadResult) AchievedRate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Completed) / r.Elapsed.Seconds()
}

// KindResult is the part of a LoadResult for one Target.Kind.
type KindResult struct {
	Kind               string
	Scheduled          int
	Errors, Mismatches int
	Latency            Summary
}

// LateThreshold is how late a send must be to count in
// LoadResult.LateSends.
const LateThreshold = 10 * time.Millisecond

// Summary holds latency percentiles. Percentiles use the nearest-rank
// method: the q-th is the smallest value that at least q of the sample is
// at or below.
type Summary struct {
	Count                         int
	P50, P90, P99, P999, Max, Min time.Duration
}

// Summarize returns the percentiles of d. It sorts d in place.
func Summarize(d []time.Duration) Summary {
	if len(d) == 0 {
		return Summary{}
	}
	slices.Sort(d)
	return Summary{
		Count: len(d),
		P50:   Percentile(d, 0.50),
		P90:   Percentile(d, 0.90),
		P99:   Percentile(d, 0.99),
		P999:  Percentile(d, 0.999),
		Min:   d[0],
		Max:   d[len(d)-1],
	}
}

// Percentile returns the nearest-rank q-th percentile (0 < q ≤ 1) of the
// sorted sample d: the value at rank ⌈q·n⌉.
func Percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// sample is the record of one measured request.
type sample struct {
	target  int
	latency time.Duration
	status  int
	err     error
	done    time.Time
}

// RunLoad sends requests at a constant rate (an open loop). Request i is
// scheduled at start + i/Rate whatever became of the requests before it.
// A slow server therefore meets a queue of waiting requests, as it would
// with independent users, and not a client that waits for each response.
// Latency is measured from the scheduled time, so the time a request
// waited for a free connection is counted (no coordinated omission).
func RunLoad(ctx context.Context, opts LoadOptions) (*LoadResult, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	base, err := url.Parse(opts.BaseURL)
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("base URL %q: give a scheme and host, such as http://127.0.0.1:8080", opts.BaseURL)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	client := opts.Client
	if client == nil {
		transport := &http.Transport{
			MaxConnsPerHost:     opts.Connections,
			MaxIdleConnsPerHost: opts.Connections,
			IdleConnTimeout:     time.Minute,
		}
		defer transport.CloseIdleConnections()
		client = &http.Client{
			Transport:     transport,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	requests := make([]*http.Request, len(opts.Targets))
	for i, t := range opts.Targets {
		req, err := http.NewRequest(http.MethodGet, opts.BaseURL+t.Path, nil)
		if err != nil {
			return nil, fmt.Errorf("target %s %q: %w", t.Kind, t.Path, err)
		}
		for k, vs := range t.Header {
			req.Header[k] = vs
		}
		requests[i] = req
	}

	run := &loadRun{
		client:        client,
		requests:      requests,
		timeout:       opts.Timeout,
		interval:      float64(time.Second) / opts.Rate,
		total:         int64(math.Ceil((opts.Warmup + opts.Duration).Seconds() * opts.Rate)),
		firstMeasured: int64(math.Ceil(opts.Warmup.Seconds() * opts.Rate)),
		start:         time.Now().Add(10 * time.Millisecond),
	}
	var wg sync.WaitGroup
	for range opts.Connections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run.work(ctx)
		}()
	}
	wg.Wait()

	res := summarizeLoad(opts.Targets, run.samples, run.scheduled(run.firstMeasured))
	res.Scheduled = int(run.total - run.firstMeasured)
	res.LateSends = run.lateSends
	res.Interrupted = ctx.Err() != nil
	return res, nil
}

// loadRun is the state RunLoad shares between its workers.
type loadRun struct {
	client   *http.Client
	requests []*http.Request
	timeout  time.Duration
	// interval is the time between two scheduled requests in
	// nanoseconds; total counts the requests of the run, the first
	// firstMeasured of which are the warm-up.
	interval             float64
	total, firstMeasured int64
	start                time.Time

	next atomic.Int64

	mu        sync.Mutex
	samples   []sample
	lateSends int
}

func (r *loadRun) scheduled(i int64) time.Time {
	return r.start.Add(time.Duration(float64(i) * r.interval))
}

// work takes the next request of the schedule, waits for its time and
// sends it, until the schedule ends or ctx is cancelled. One worker has
// one request in flight at a time.
func (r *loadRun) work(ctx context.Context) {
	var local []sample
	late := 0
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for ctx.Err() == nil {
		i := r.next.Add(1) - 1
		if i >= r.total {
			break
		}
		scheduled := r.scheduled(i)
		if wait := time.Until(scheduled); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				continue
			case <-timer.C:
			}
		} else if -wait > LateThreshold && i >= r.firstMeasured {
			late++
		}

		target := int(i % int64(len(r.requests)))
		s := send(ctx, r.client, r.requests[target], r.timeout)
		if i < r.firstMeasured {
			continue
		}
		s.target = target
		s.latency = s.done.Sub(scheduled)
		local = append(local, s)
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	r.samples = append(r.samples, local...)
	r.lateSends += late
}

func (o *LoadOptions) validate() error {
	switch {
	case len(o.Targets) == 0:
		return errors.New("no targets: give at least one request to send")
	case !(o.Rate > 0) || math.IsInf(o.Rate, 0):
		return fmt.Errorf("rate %v: give a positive number of requests per second", o.Rate)
	case o.Duration <= 0:
		return fmt.Errorf("duration %v: give a positive measured duration", o.Duration)
	case o.Warmup < 0:
		return fmt.Errorf("warmup %v: give zero or a positive duration", o.Warmup)
	case o.Connections <= 0:
		return fmt.Errorf("connections %d: give a positive number", o.Connections)
	}
	return nil
}

// send sends one request and reads the whole response body.
func send(ctx context.Context, client *http.Client, tmpl *http.Request, timeout time.Duration) sample {
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp, err := client.Do(tmpl.Clone(rctx))
	if err != nil {
		return sample{err: err, done: time.Now()}
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return sample{status: resp.StatusCode, err: err, done: time.Now()}
}

// summarizeLoad turns the samples of the measured phase, which began at
// measureStart, into a LoadResult.
func summarizeLoad(targets []Target, samples []sample, measureStart time.Time) *LoadResult {
	res := &LoadResult{}
	kindIndex := map[string]int{}
	var kindLatencies [][]time.Duration
	for _, t := range targets {
		if _, ok := kindIndex[t.Kind]; !ok {
			kindIndex[t.Kind] = len(res.Kinds)
			res.Kinds = append(res.Kinds, KindResult{Kind: t.Kind})
			kindLatencies = append(kindLatencies, nil)
		}
	}
	var all []time.Duration
	var last time.Time
	for _, s := range samples {
		t := targets[s.target]
		k := kindIndex[t.Kind]
		res.Kinds[k].Scheduled++
		switch {
		case s.err != nil:
			res.Errors++
			res.Kinds[k].Errors++
			res.problem(fmt.Sprintf("%s: %v", t.Path, s.err))
			continue
		case s.status != t.Status:
			res.Mismatches++
			res.Kinds[k].Mismatches++
			res.problem(fmt.Sprintf("%s: status %d, want %d", t.Path, s.status, t.Status))
		default:
			all = append(all, s.latency)
			kindLatencies[k] = append(kindLatencies[k], s.latency)
		}
		res.Completed++
		if s.done.After(last) {
			last = s.done
		}
	}
	if !last.IsZero() {
		res.Elapsed = last.Sub(measureStart)
	}
	res.Latency = Summarize(all)
	for k := range res.Kinds {
		res.Kinds[k].Latency = Summarize(kindLatencies[k])
	}
	return res
}

func (r *LoadResult) problem(msg string) {
	if len(r.FirstProblems) < 10 {
		r.FirstProblems = append(r.FirstProblems, msg)
	}
}
