package web

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/suyuan-trace/suyuan/internal/recall"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

// countingRecalls counts how a page reads recall notices.
type countingRecalls struct {
	testRecalls
	covering, matching atomic.Int32
}

func (c *countingRecalls) Covering(ctx context.Context, ids []string) ([]RecallNotice, error) {
	c.covering.Add(1)
	return c.testRecalls.Covering(ctx, ids)
}

func (c *countingRecalls) Matching(ctx context.Context, ids []string) ([]RecallNotice, error) {
	c.matching.Add(1)
	return c.testRecalls.Matching(ctx, ids)
}

// TestRecallNoticeFromJourneyTrace checks that a page matches notices
// against its journey's trace instead of tracing again, and that a notice
// opened after a cached page view shows on the next view at once.
func TestRecallNoticeFromJourneyTrace(t *testing.T) {
	site := newDemoSite(t, 2)
	d := site.issueDecisions(t)
	counter := &countingRecalls{testRecalls: testRecalls{d.recalls}}
	site.h.opts.Recalls = counter

	code := site.code(t, "chilled pork (temperature excursion in transport)")
	if body := site.page(t, code, ""); strings.Contains(body, "warn-recall") {
		t.Fatalf("pork lot with a temperature excursion shows a recall before any notice")
	}
	if got := counter.matching.Load(); got != 1 {
		t.Errorf("Matching calls: got %d, want 1", got)
	}
	if got := counter.covering.Load(); got != 0 {
		t.Errorf("Covering calls: got %d, want 0 (the journey's trace reaches every id)", got)
	}

	lot, err := trace.CanonicalID(code)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.recalls.Open(context.Background(), d.rActor, recall.OpenRequest{
		Number: "粤食召〔2026〕021号", Level: "二级", ReasonZH: "冷链温度超标", ReasonEN: "cold chain temperature exceeded", IDs: []string{lot},
	}); err != nil {
		t.Fatalf("open notice: %v", err)
	}
	body := site.page(t, code, "")
	for _, want := range []string{"warn-recall", "冷链温度超标", "粤食召〔2026〕021号"} {
		if !strings.Contains(body, want) {
			t.Errorf("page after the notice lacks %q", want)
		}
	}

	// A Chinese drug code's product is not in the code's trace; the
	// journey traces it too, so the page still needs no Covering.
	site.page(t, site.code(t, "drug traceability code (dispensed at a hospital)"), "")
	if got := counter.covering.Load(); got != 0 {
		t.Errorf("Covering calls after a drug code: got %d, want 0", got)
	}
}
