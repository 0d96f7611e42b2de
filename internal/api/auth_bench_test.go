package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// BenchmarkEnterpriseQueryPage measures one page of GET /events for an
// enterprise that may see none of the page's events, which is the most
// expensive case of the visibility check: every event needs the upstream
// walk.
func BenchmarkEnterpriseQueryPage(b *testing.B) {
	f := newFixture(b)
	var events []string
	for i := range 300 {
		item := fmt.Sprintf("urn:epc:id:sgtin:6901234.012345.%d", 1000+i)
		id := fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", 1000+i)
		ship := fmt.Sprintf("urn:uuid:00000000-0000-4000-9000-%012d", 1000+i)
		events = append(events,
			objectEvent(id, "2026-03-05T08:00:00+08:00", "ADD", "commissioning", locA, []string{item}, ""),
			objectEvent(ship, "2026-03-06T08:00:00+08:00", "OBSERVE", "shipping", locA, []string{item},
				`"destinationList":[{"type":"location","destination":"`+locC+`"}]`))
	}
	if rec := f.do(entA, "POST", "/capture", jsonDoc(events...)); rec.Code != http.StatusAccepted {
		b.Fatalf("capture: status %d: %s", rec.Code, rec.Body)
	}
	b.ResetTimer()
	for b.Loop() {
		rec := f.do(entB, "GET", "/events?perPage=100&GE_eventTime=2026-03-05T00:00:00%2B08:00", "")
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "4000-9000") {
			b.Fatalf("query: status %d", rec.Code)
		}
	}
}
