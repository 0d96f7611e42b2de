package eventhash

import (
	"path/filepath"
	"testing"

	"github.com/suyuan-trace/suyuan/epcis"
)

// BenchmarkHash hashes every event of the event hash example documents
// that the decoders accept, and reports hashes per second.
func BenchmarkHash(b *testing.B) {
	dir := conformanceDir(b, "event-hash", "examples")
	var events []*epcis.Event
	for _, pattern := range []string{"*.jsonld", "*.xml"} {
		files, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range files {
			decodedEvents, _ := decodeFile(b, f)
			for _, d := range decodedEvents {
				if d.err == nil {
					events = append(events, d.event)
				}
			}
		}
	}
	if len(events) == 0 {
		b.Fatalf("no events decoded from %s", dir)
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		for _, e := range events {
			if _, err := Hash(e); err != nil {
				b.Fatalf("Hash: %v", err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "hashes/s")
}
