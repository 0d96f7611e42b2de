package epcis

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// BenchmarkXMLDecode decodes a document of 1,000 events that use most
// fields, extensions and sensor data, and reports events per second.
func BenchmarkXMLDecode(b *testing.B) {
	h := Header{Kind: KindEPCISDocument, Namespaces: map[string]string{"sy": "https://suyuan.example.cn/ns/"}}
	var buf bytes.Buffer
	enc := NewXMLEncoder(&buf, h)
	full := fullXMLTestEvents()
	const n = 1000
	for i := 0; i < n; i++ {
		if err := enc.Encode(full[i%len(full)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		b.Fatal(err)
	}
	doc := buf.Bytes()

	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := NewXMLDecoder(bytes.NewReader(doc))
		count := 0
		for {
			_, err := d.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			count++
		}
		if count != n {
			b.Fatalf("events: got %d, want %d", count, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkXMLEncode writes the same 1,000 events.
func BenchmarkXMLEncode(b *testing.B) {
	full := fullXMLTestEvents()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		enc := NewXMLEncoder(io.Discard, Header{})
		for j := 0; j < 1000; j++ {
			if err := enc.Encode(full[j%len(full)]); err != nil {
				b.Fatal(err)
			}
		}
		if err := enc.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "events/s")
}

// TestXMLDecoderMemoryStaysBounded decodes a long document and checks that
// the decoder keeps no per-event state: the line counter buffer and path
// stack stay small.
func TestXMLDecoderMemoryStaysBounded(t *testing.T) {
	doc := xmlTestDoc(strings.Repeat(xmlTestEvent+"\n", 5000))
	d := NewXMLDecoder(strings.NewReader(doc))
	count := 0
	for {
		_, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		count++
		if len(d.lines.pending) > 64<<10 {
			t.Fatalf("line counter holds %d bytes after event %d", len(d.lines.pending), count)
		}
		if len(d.path) > 3 {
			t.Fatalf("path stack depth %d after event %d", len(d.path), count)
		}
	}
	if count != 5000 {
		t.Errorf("events: got %d, want 5000", count)
	}
}
