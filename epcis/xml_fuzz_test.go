package epcis

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzXMLDecoder feeds arbitrary bytes to the strict decoder: it must never
// panic, must end with io.EOF or an error, and every event it accepts must
// survive an encode and decode round trip.
func FuzzXMLDecoder(f *testing.F) {
	addXMLSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) { checkXMLDecoder(t, data, false) })
}

// FuzzXMLDecoderLenient is FuzzXMLDecoder for lenient reading. Every event
// it accepts, written again by the encoder, must pass strict reading
// unchanged, because lenient reading records nothing that the schema
// cannot represent.
func FuzzXMLDecoderLenient(f *testing.F) {
	addXMLSeeds(f)
	f.Add([]byte(xmlQueryDoc("<ex:ignoreFields/><queryName>q</queryName><resultsBody><EventList>\n" +
		strings.Replace(xmlTestEvent, "</ObjectEvent>", "<extension>"+xmlTestQuantity+"</extension></ObjectEvent>", 1) + "\n</EventList></resultsBody>")))
	f.Fuzz(func(t *testing.T, data []byte) { checkXMLDecoder(t, data, true) })
}

func addXMLSeeds(f *testing.F) {
	f.Add([]byte(xmlTestDoc(xmlTestEvent)))
	f.Add([]byte(xmlTestEvent))
	for _, name := range []string{"query-2.0.xml", "legacy-1.2.xml", "object-event.golden.xml"} {
		if raw, err := os.ReadFile(filepath.Join("testdata", "xml", name)); err == nil {
			f.Add(raw)
		}
	}
}

// checkXMLDecoder decodes data and checks the properties of the fuzz
// targets.
func checkXMLDecoder(t *testing.T, data []byte, lenient bool) {
	d := NewXMLDecoder(bytes.NewReader(data))
	d.SetLenient(lenient)
	h, err := d.Header()
	if err != nil {
		return
	}
	var events []*Event
	for i := 0; i < 1000; i++ {
		e, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var ve *ValidationError
		if err != nil && !errors.As(err, &ve) {
			t.Fatalf("Next returned %T %v, want *ValidationError or io.EOF", err, err)
		}
		if err != nil && d.fatal != nil {
			return
		}
		if err == nil {
			if e == nil {
				t.Fatal("Next returned a nil event without error")
			}
			events = append(events, e)
		}
	}
	if h.Kind == KindBareEvent {
		h.Kind = KindEPCISDocument
	}
	var buf bytes.Buffer
	enc := NewXMLEncoder(&buf, h)
	for _, e := range events {
		if err := enc.Encode(e); err != nil {
			t.Fatalf("Encode of a decoded event: %v", err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	again := NewXMLDecoder(&buf)
	for i := range events {
		e, err := again.Next()
		if err != nil {
			t.Fatalf("decode of re-encoded event %d: %v\n%s", i, err, buf.String())
		}
		if diff := eventDiff(events[i], e); diff != "" {
			t.Fatalf("event %d differs after the round trip: %s", i, diff)
		}
	}
}
