package capture

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// largeDocument streams a JSON-LD document of n object events into w,
// calling sample after every 1000 events. Event bad (when at least 0) has
// a misspelt bizStep.
func largeDocument(w io.Writer, n, bad int, sample func()) error {
	bw := bufio.NewWriter(w)
	head, tail, _ := strings.Cut(document("EVENTS"), "EVENTS")
	bw.WriteString(head)
	for i := range n {
		if i > 0 {
			bw.WriteByte(',')
		}
		step := "shipping"
		if i == bad {
			step = "shippping"
		}
		fmt.Fprintf(bw, `{"type":"ObjectEvent","eventTime":"2026-03-01T%02d:%02d:%02d+08:00","eventTimeZoneOffset":"+08:00",`+
			`"epcList":["urn:epc:id:sgtin:6901234.000001.S%d","urn:epc:id:sgtin:6901234.000001.T%d"],"action":"OBSERVE","bizStep":"%s",`+
			`"readPoint":{"id":"urn:epc:id:sgln:6901234.00001.%d"},"bizLocation":{"id":"urn:epc:id:sgln:6901234.00001.0"},`+
			`"bizTransactionList":[{"type":"po","bizTransaction":"urn:epcglobal:cbv:bt:6901234000004:PO-%d"}]}`,
			i/3600%24, i/60%60, i%60, i, i, step, i%50, i)
		if i%1000 == 999 {
			sample()
		}
	}
	bw.WriteString(tail)
	return bw.Flush()
}

// TestCaptureLargeDocumentBoundedHeap captures one large document and
// checks that the Go heap stays far below what holding every prepared
// event at once would take, and that an invalid last event still rolls
// the whole document back.
func TestCaptureLargeDocumentBoundedHeap(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 5000
	}
	// The bound is fixed, whatever n is. It leaves room for the decoder,
	// one store chunk, the read-ahead queue and the garbage collector's
	// slack. Holding every prepared record (event, JSON-LD, identifiers,
	// lineage) at once would make the heap grow with n instead.
	const bound = 48 << 20

	cases := []struct {
		name string
		bad  int
	}{
		{"valid", -1},
		{"invalid last event", n - 1},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			s, st := newService(t)
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			baseline, peak := ms.HeapAlloc, ms.HeapAlloc
			sample := func() {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}

			pr, pw := io.Pipe()
			go func() { pw.CloseWithError(largeDocument(pw, n, tt.bad, sample)) }()
			dec, err := epcis.NewDecoder(pr, "application/ld+json")
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.Capture(context.Background(), dec, "large")
			pr.Close()
			sample()

			t.Logf("heap grew by %d KiB capturing %d events", (peak-baseline)>>10, n)
			if grown := peak - baseline; grown > bound {
				t.Errorf("heap grew by %d MiB capturing %d events, want at most %d MiB", grown>>20, n, bound>>20)
			}
			if tt.bad < 0 {
				if err != nil {
					t.Fatalf("Capture: %v", err)
				}
				if res.Job.Accepted != n || res.Events != n {
					t.Errorf("accepted %d of %d events read, want %d", res.Job.Accepted, res.Events, n)
				}
				if len(res.EventIDs) != min(n, MaxListedEventIDs) {
					t.Errorf("listed eventIDs: got %d, want %d", len(res.EventIDs), min(n, MaxListedEventIDs))
				}
				return
			}
			var verr *epcis.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Capture(document with invalid last event): got %v, want *epcis.ValidationError", err)
			}
			if len(verr.Errors) != 1 || verr.Errors[0].EventIndex != tt.bad {
				t.Errorf("errors: got %v, want one for event %d", verr.Errors, tt.bad)
			}
			p, err := st.QueryEvents(context.Background(), store.Query{PerPage: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Events) != 0 {
				t.Errorf("events stored after rejected document: got at least %d, want 0", len(p.Events))
			}
			if size, err := st.LogSize(context.Background()); err != nil || size != 0 {
				t.Errorf("LogSize after rejected document: got %d, %v; want 0", size, err)
			}
		})
	}
}

// TestCaptureInvalidEventAfterChunks checks that invalid events found
// after whole chunks were written are all listed and nothing is stored.
func TestCaptureInvalidEventAfterChunks(t *testing.T) {
	s, st := newService(t)
	var events []string
	n := store.StreamChunk + 20
	for i := range n {
		e := strings.Replace(event, "S1", fmt.Sprintf("S%d", i), 1)
		if i == store.StreamChunk+5 || i == n-1 {
			e = strings.Replace(e, `"shipping"`, `"shippping"`, 1)
		}
		events = append(events, e)
	}
	_, err := capture(t, s, document(events...), "application/ld+json")
	var verr *epcis.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("error %v, want *epcis.ValidationError", err)
	}
	var got []int
	for _, fe := range verr.Errors {
		got = append(got, fe.EventIndex)
	}
	if len(got) != 2 || got[0] != store.StreamChunk+5 || got[1] != n-1 {
		t.Errorf("invalid event indexes: got %v, want [%d %d]", got, store.StreamChunk+5, n-1)
	}
	p, err := st.QueryEvents(context.Background(), store.Query{PerPage: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Events) != 0 {
		t.Errorf("events stored after rejected document: got %d, want 0", len(p.Events))
	}
}
