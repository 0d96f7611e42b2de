package postgres

import (
	"context"
	"testing"
	"time"
)

func TestWebFeedbackScansAndComplaints(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, freshDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fb, err := s.WebFeedback(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WebFeedback(ctx); err != nil {
		t.Fatalf("second WebFeedback on the same database: %v", err)
	}
	const code = "urn:cn:nmpa:drug:86123450000000074614"
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	batches := [][]ScanCount{
		{{Canonical: code, City: "广州市", Count: 3, First: t0, Last: t0.Add(time.Hour)}},
		{{Canonical: code, City: "广州市", Count: 2, First: t0.Add(-time.Hour), Last: t0.Add(2 * time.Hour)},
			{Canonical: code, City: "", Count: 4, First: t0, Last: t0}},
	}
	for i, b := range batches {
		if err := fb.AddScans(ctx, b); err != nil {
			t.Fatalf("AddScans batch %d: %v", i, err)
		}
	}
	st, err := fb.ScanStats(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if st.Count != 9 {
		t.Errorf("count: got %d, want 9", st.Count)
	}
	if !st.First.Equal(t0.Add(-time.Hour)) || !st.Last.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("first/last: got %v/%v", st.First, st.Last)
	}
	if len(st.Cities) != 1 || st.Cities[0].City != "广州市" || st.Cities[0].Count != 5 {
		t.Errorf("cities: got %+v, want 广州市 5", st.Cities)
	}
	for want := int64(1); want <= 2; want++ {
		id, err := fb.AddComplaint(ctx, Complaint{Canonical: code, Kind: "quality", Message: "异味", CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		if id != want {
			t.Errorf("complaint number: got %d, want %d", id, want)
		}
	}
}
