package epcis

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
	"time"
)

// generatedDocument is an io.Reader producing an EPCISDocument of n
// events on the fly, so that tests can decode documents larger than they
// would like to hold in memory.
type generatedDocument struct {
	n, next int
	buf     bytes.Buffer
	closed  bool
}

func newGeneratedDocument(n int) *generatedDocument {
	g := &generatedDocument{n: n}
	g.buf.WriteString(`{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"gd": "https://trace.example.gd.cn/ns/"}],
"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-01-01T00:00:00Z",
"epcisBody": {"eventList": [
`)
	return g
}

func (g *generatedDocument) Read(p []byte) (int, error) {
	for g.buf.Len() < len(p) && !g.closed {
		if g.next == g.n {
			g.buf.WriteString("\n]}}\n")
			g.closed = true
			break
		}
		if g.next > 0 {
			g.buf.WriteString(",\n")
		}
		fmt.Fprintf(&g.buf, `{"type": "ObjectEvent", "eventTime": "2026-01-01T08:%02d:%02d.%03d+08:00", "eventTimeZoneOffset": "+08:00",
"epcList": ["urn:epc:id:sgtin:6923456.078901.%d"], "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
"readPoint": {"id": "urn:epc:id:sgln:6923456.00001.0"}, "bizTransactionList": [{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:6923456000001:%d"}],
"gd:temperature": %d.5, "gd:batch": {"gd:lot": "L%d"}}`, g.next/60%60, g.next%60, g.next%1000, g.next, g.next/100, g.next%30, g.next/1000)
		g.next++
	}
	if g.buf.Len() == 0 && g.closed {
		return 0, io.EOF
	}
	return g.buf.Read(p)
}

// TestJSONDecodeStreamsLargeDocument decodes 100,000 events and checks
// that the live heap stays far below the size of the document, which
// shows that events are not accumulated.
func TestJSONDecodeStreamsLargeDocument(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	d := NewJSONDecoder(newGeneratedDocument(n))
	if _, err := d.Header(); err != nil {
		t.Fatalf("Header: %v", err)
	}
	var maxHeap uint64
	count := 0
	for {
		e, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("Next after %d events: %v", count, err)
		}
		if e.Type != ObjectEvent {
			t.Fatalf("event %d: type %q", count, e.Type)
		}
		count++
		if count%(n/10) == 0 {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			maxHeap = max(maxHeap, ms.HeapAlloc)
		}
	}
	if count != n {
		t.Fatalf("events: got %d, want %d", count, n)
	}
	// About 480 bytes per event, so the whole document is 48 MB at
	// 100,000 events. Holding it, or the events, would exceed this bound.
	const bound = 16 << 20
	if maxHeap > bound {
		t.Errorf("live heap reached %d bytes while decoding, want under %d", maxHeap, bound)
	}
	t.Logf("%d events, max live heap %.1f MiB", count, float64(maxHeap)/(1<<20))
}

// BenchmarkJSONDecode measures the streaming decoder on generated
// ObjectEvents with extensions, CBV values and a business transaction.
func BenchmarkJSONDecode(b *testing.B) {
	const perDoc = 10_000
	b.ReportAllocs()
	start := time.Now()
	events := 0
	for b.Loop() {
		d := NewJSONDecoder(newGeneratedDocument(perDoc))
		for {
			_, err := d.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			events++
		}
	}
	b.ReportMetric(float64(events)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkMarshalEventJSON measures encoding one event with extensions.
func BenchmarkMarshalEventJSON(b *testing.B) {
	e := constructedEvent()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := MarshalEventJSON(e); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzJSONDecoder(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "json", "*.jsonld"))
	for _, path := range seeds {
		raw, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(docWith(validObject)))
	f.Add([]byte(`{"@context": "https://ref.gs1.org/standards/epcis/epcis-context.jsonld", ` + validObject + `}`))
	f.Add([]byte(`{"type": "EPCISDocument", "epcisBody": {"eventList": [1, "x", null, {}]}}`))
	f.Add([]byte(`{"a": "\ud83d\ude00\u0000\"", "b": -0.0e+5}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		d := NewJSONDecoder(bytes.NewReader(data))
		if _, err := d.Header(); err != nil {
			return
		}
		// Every call consumes input or ends the stream, so this bound is
		// never reached by a correct decoder.
		for range len(data) + 2 {
			e, err := d.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			var ve *ValidationError
			if errors.As(err, &ve) {
				if len(ve.Errors) == 0 {
					t.Fatal("ValidationError without entries")
				}
				if ve.Errors[0].Rule == "JSON syntax" {
					return
				}
				continue
			}
			if err != nil {
				t.Fatalf("Next returned a non-validation error: %v", err)
			}
			b, err := MarshalEventJSON(e)
			if err != nil {
				t.Fatalf("MarshalEventJSON of a decoded event: %v", err)
			}
			back, err := UnmarshalEventJSON(b)
			if err != nil {
				t.Fatalf("UnmarshalEventJSON of encoded event: %v\n%s", err, b)
			}
			if got, want := normalizeEvent(back), normalizeEvent(e); !reflect.DeepEqual(got, want) {
				t.Fatalf("round trip changed the event:\n got %+v\nwant %+v\njson %s", got, want, b)
			}
		}
		t.Fatal("decoder did not finish")
	})
}

// BenchmarkUnmarshalEventJSON measures reading back one stored event.
func BenchmarkUnmarshalEventJSON(b *testing.B) {
	raw, err := MarshalEventJSON(constructedEvent())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := UnmarshalEventJSON(raw); err != nil {
			b.Fatal(err)
		}
	}
}
