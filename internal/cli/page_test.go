package cli

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

func TestEachPageVisitsEveryRecord(t *testing.T) {
	for _, total := range []int{0, 1, listPageSize - 1, listPageSize, 2*listPageSize + 3} {
		t.Run(fmt.Sprint(total), func(t *testing.T) {
			var all []string
			for i := range total {
				all = append(all, fmt.Sprintf("id%05d", i))
			}
			fetches := 0
			fetch := func(after string) ([]string, error) {
				fetches++
				start, _ := slices.BinarySearch(all, after)
				if start < len(all) && all[start] == after {
					start++
				}
				return all[start:min(start+listPageSize, len(all))], nil
			}
			var seen []string
			err := eachPage(fetch, func(s string) string { return s }, func(s string) { seen = append(seen, s) })
			if err != nil {
				t.Fatalf("eachPage: %v", err)
			}
			if !slices.Equal(seen, all) {
				t.Errorf("visited %d records, want %d in order", len(seen), len(all))
			}
			if want := total/listPageSize + 1; fetches != want {
				t.Errorf("fetched %d pages, want %d", fetches, want)
			}
		})
	}
}

func TestEachPageStopsOnError(t *testing.T) {
	failed := errors.New("store offline")
	calls := 0
	err := eachPage(func(string) ([]int, error) { return nil, failed }, func(int) string { return "" }, func(int) { calls++ })
	if !errors.Is(err, failed) {
		t.Errorf("eachPage error = %v, want %v", err, failed)
	}
	if calls != 0 {
		t.Errorf("fn called %d times after a failed fetch, want 0", calls)
	}
}
