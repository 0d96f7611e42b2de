package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
)

func testPaging(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()

	t.Run("last page has no cursor", func(t *testing.T) {
		s := open(t)
		for i := range 4 {
			capture(t, s, "job", record(objectEvent(i, epcis.ActionObserve, sgtin1)))
		}
		p1, err := s.QueryEvents(ctx, store.Query{PerPage: 2})
		if err != nil {
			t.Fatalf("QueryEvents page 1: %v", err)
		}
		if len(p1.Events) != 2 || p1.Next == nil {
			t.Fatalf("page 1: got %d events, Next %v; want 2 events and a cursor", len(p1.Events), p1.Next)
		}
		p2, err := s.QueryEvents(ctx, store.Query{PerPage: 2, After: p1.Next})
		if err != nil {
			t.Fatalf("QueryEvents page 2: %v", err)
		}
		if len(p2.Events) != 2 || p2.Next != nil {
			t.Errorf("page 2: got %d events, Next %v; want 2 events and no cursor", len(p2.Events), p2.Next)
		}
	})

	t.Run("default page size", func(t *testing.T) {
		s := open(t)
		var recs []store.Record
		for i := range store.DefaultPerPage + 1 {
			recs = append(recs, record(objectEvent(i, epcis.ActionObserve, sgtin1)))
		}
		capture(t, s, "job", recs...)
		p, err := s.QueryEvents(ctx, store.Query{})
		if err != nil {
			t.Fatalf("QueryEvents: %v", err)
		}
		if len(p.Events) != store.DefaultPerPage || p.Next == nil {
			t.Errorf("first page: got %d events, Next %v; want %d and a cursor", len(p.Events), p.Next, store.DefaultPerPage)
		}
	})

	for _, tc := range []struct {
		orderBy    string
		descending bool
	}{
		{"recordTime", false},
		{"recordTime", true},
		{"eventTime", false},
		{"eventTime", true},
	} {
		t.Run(fmt.Sprintf("per page 1 under concurrent capture %s desc=%v", tc.orderBy, tc.descending), func(t *testing.T) {
			s := open(t)
			const initial = 12
			want := map[string]bool{}
			for i := range initial {
				r := record(objectEvent(i*10, epcis.ActionObserve, sgtin1))
				capture(t, s, "job", r)
				want[r.Event.EventID] = true
			}

			// A writer captures events with event times in the middle of
			// the range and after it while the reader pages.
			var stop atomic.Bool
			var wg sync.WaitGroup
			wg.Add(1)
			writerErr := make(chan error, 1)
			go func() {
				defer wg.Done()
				for i := 0; !stop.Load(); i++ {
					minute := 5 + (i%20)*10
					r := record(objectEvent(minute, epcis.ActionObserve, sgtin2, fmt.Sprintf("%s/w%d", sscc1, i)))
					if _, err := s.Capture(ctx, "writer", []store.Record{r}); err != nil {
						writerErr <- err
						return
					}
				}
			}()

			q := store.Query{OrderBy: tc.orderBy, Descending: tc.descending, PerPage: 1,
				Matches: []store.IDMatch{{Roles: []store.Role{store.RoleEPC}, Values: []string{sgtin1}}}}
			var got []store.StoredEvent
			var cursors []*store.Cursor
			for page := 0; ; page++ {
				if page > 2*initial+5 {
					t.Fatalf("more pages than matching events")
				}
				p, err := s.QueryEvents(ctx, q)
				if err != nil {
					t.Fatalf("QueryEvents page %d: %v", page, err)
				}
				if len(p.Events) > 1 {
					t.Fatalf("page %d: got %d events, want at most 1", page, len(p.Events))
				}
				// A matching capture between pages, besides the writer's
				// events that do not match. Only the first pages capture,
				// so that paging ends.
				if page < initial {
					capture(t, s, "between", record(objectEvent(page*10+3, epcis.ActionObserve, sgtin1, fmt.Sprintf("%s/p%d", sscc1, page))))
				}
				got = append(got, p.Events...)
				if p.Next == nil {
					break
				}
				cursors = append(cursors, p.Next)
				q.After = p.Next
			}
			stop.Store(true)
			wg.Wait()
			select {
			case err := <-writerErr:
				t.Fatalf("writer Capture: %v", err)
			default:
			}

			seen := map[string]bool{}
			for i, e := range got {
				if seen[e.EventID] {
					t.Errorf("event %d (%s) returned twice", i, e.EventID)
				}
				seen[e.EventID] = true
			}
			for id := range want {
				if !seen[id] {
					t.Errorf("event %s stored before paging began was never returned", id)
				}
			}

			// The result is in the requested order.
			ordered := slices.Clone(got)
			slices.SortStableFunc(ordered, func(a, b store.StoredEvent) int {
				if tc.orderBy == "recordTime" {
					return compareKey(a.RecordTime.UnixNano(), a.Seq, b.RecordTime.UnixNano(), b.Seq, tc.descending)
				}
				return 0
			})
			if tc.orderBy == "recordTime" {
				for i := range got {
					if got[i].EventID != ordered[i].EventID {
						t.Fatalf("event %d: got %s, want %s in record order", i, got[i].EventID, ordered[i].EventID)
					}
				}
			}

			// A cursor keeps its position: in record-time order, where
			// new events never land before a cursor, reusing an early
			// one returns the same next event as before.
			if tc.orderBy == "recordTime" && len(cursors) > 1 {
				again := q
				again.After = cursors[0]
				p, err := s.QueryEvents(ctx, again)
				if err != nil {
					t.Fatalf("QueryEvents with reused cursor: %v", err)
				}
				if len(p.Events) != 1 || p.Events[0].EventID != got[1].EventID {
					t.Errorf("reused cursor: got %s, want %s", f0(p.Events), got[1].EventID)
				}
			}
		})
	}
}

func compareKey(ak, as, bk, bs int64, desc bool) int {
	c := 0
	switch {
	case ak < bk || (ak == bk && as < bs):
		c = -1
	case ak > bk || (ak == bk && as > bs):
		c = 1
	}
	if desc {
		return -c
	}
	return c
}

func f0(events []store.StoredEvent) string {
	if len(events) == 0 {
		return "no event"
	}
	return events[0].EventID
}

func testEventCountLimit(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	for i := range 5 {
		capture(t, s, "job", record(objectEvent(i, epcis.ActionObserve, sgtin1)))
	}
	cases := []struct {
		name       string
		limit      int
		perPage    int
		descending bool
		wantPages  []int
	}{
		{"limit below total", 3, 2, false, []int{2, 1}},
		{"limit below total desc", 3, 2, true, []int{2, 1}},
		{"limit equals page", 2, 2, false, []int{2}},
		{"limit below page", 2, 5, false, []int{2}},
		{"limit above total", 10, 2, false, []int{2, 2, 1}},
		{"limit equals total", 5, 5, false, []int{5}},
		{"no limit", 0, 4, false, []int{4, 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := store.Query{EventCountLimit: tc.limit, PerPage: tc.perPage, Descending: tc.descending}
			var pages []int
			var first []store.StoredEvent
			for range 10 {
				p, err := s.QueryEvents(context.Background(), q)
				if err != nil {
					t.Fatalf("QueryEvents: %v", err)
				}
				pages = append(pages, len(p.Events))
				first = append(first, p.Events...)
				if p.Next == nil {
					break
				}
				q.After = p.Next
			}
			if !slices.Equal(pages, tc.wantPages) {
				t.Errorf("page sizes: got %v, want %v", pages, tc.wantPages)
			}
			for i := 1; i < len(first); i++ {
				if (first[i].Seq > first[i-1].Seq) == tc.descending {
					t.Errorf("event %d: seq %d out of order after %d", i, first[i].Seq, first[i-1].Seq)
				}
			}
		})
	}

	t.Run("cursor past limit", func(t *testing.T) {
		p, err := s.QueryEvents(context.Background(), store.Query{EventCountLimit: 2, After: &store.Cursor{Returned: 2}})
		if err != nil {
			t.Fatalf("QueryEvents: %v", err)
		}
		if len(p.Events) != 0 || p.Next != nil {
			t.Errorf("page after limit: got %d events, Next %v; want none", len(p.Events), p.Next)
		}
	})
}
