package epcis

import (
	"errors"
	"io"
	"strings"
	"testing"
)

const jsonTestDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2024-01-01T00:00:00Z",
 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2024-01-01T08:00:00+08:00",
  "eventTimeZoneOffset": "+08:00", "epcList": ["urn:epc:id:sgtin:6901234.012345.1"], "action": "OBSERVE",
  "bizStep": "shipping"}]}}`

func TestNewDecoderChoosesSyntax(t *testing.T) {
	xmlDoc := xmlTestDoc(xmlTestEvent)
	tests := []struct {
		name        string
		contentType string
		body        string
		wantXML     bool
	}{
		{"application/xml", "application/xml", xmlDoc, true},
		{"text/xml with charset", "text/xml; charset=utf-8", xmlDoc, true},
		{"xml suffix", "application/epcis+xml", xmlDoc, true},
		{"application/json", "application/json", jsonTestDoc, false},
		{"application/ld+json", "application/ld+json; charset=UTF-8", jsonTestDoc, false},
		{"sniffed XML", "", "  \n" + xmlDoc, true},
		{"sniffed XML after byte order mark", "", "\ufeff" + xmlDoc, true},
		{"sniffed JSON", "", "\r\n\t" + jsonTestDoc, false},
		{"sniffed JSON after byte order mark", "", "\ufeff" + jsonTestDoc, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := NewDecoder(strings.NewReader(tt.body), tt.contentType)
			if err != nil {
				t.Fatalf("NewDecoder: %v", err)
			}
			_, isXML := d.(*XMLDecoder)
			if isXML != tt.wantXML {
				t.Fatalf("decoder %T, want XML %v", d, tt.wantXML)
			}
			if _, err := d.Header(); err != nil {
				t.Fatalf("Header: %v", err)
			}
			e, err := d.Next()
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if e.BizStep != "urn:epcglobal:cbv:bizstep:shipping" {
				t.Errorf("bizStep: got %q", e.BizStep)
			}
			if _, err := d.Next(); !errors.Is(err, io.EOF) {
				t.Errorf("second Next: got %v, want io.EOF", err)
			}
		})
	}
}

func TestNewDecoderRejectsUnknownInput(t *testing.T) {
	tests := []struct {
		name, contentType, body string
	}{
		{"text/plain", "text/plain", "<x/>"},
		{"unparsable content type", "application/", "<x/>"},
		{"empty body", "", ""},
		{"white space only", "", " \n\t "},
		{"CSV body", "", "epc,time\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewDecoder(strings.NewReader(tt.body), tt.contentType)
			if !errors.Is(err, ErrUnsupportedContentType) {
				t.Errorf("got %v, want ErrUnsupportedContentType", err)
			}
		})
	}
}

type brokenReader struct{}

var errBrokenRead = errors.New("connection reset")

func (brokenReader) Read([]byte) (int, error) { return 0, errBrokenRead }

func TestNewDecoderPassesReadError(t *testing.T) {
	_, err := NewDecoder(brokenReader{}, "")
	if !errors.Is(err, errBrokenRead) {
		t.Errorf("got %v, want the read error", err)
	}
}

// collectDecoderErrors reads a document as the Decoder contract describes.
// It goes on after an event error and stops at io.EOF or at an error that
// ends the document.
func collectDecoderErrors(t *testing.T, d Decoder) (events int, eventErrors int, fatal error) {
	t.Helper()
	var previous error
	for i := 0; i < 100; i++ {
		e, err := d.Next()
		if errors.Is(err, io.EOF) {
			return events, eventErrors, nil
		}
		if err == nil {
			if e == nil {
				t.Fatal("Next returned neither an event nor an error")
			}
			events++
			previous = nil
			continue
		}
		if e != nil {
			t.Errorf("Next returned an event with the error %v", err)
		}
		var ve *ValidationError
		isEventError := errors.As(err, &ve) && len(ve.Errors) > 0
		for _, fe := range ve.Errors {
			isEventError = isEventError && fe.EventIndex >= 0
		}
		if !isEventError || err == previous {
			return events, eventErrors, err
		}
		eventErrors++
		previous = err
	}
	t.Fatal("Next did not stop")
	return
}

// TestDecoderContractOnBrokenDocuments checks both decoders against the
// Decoder contract. Input that breaks inside an event yields an error with
// that event's index, which counts once as an event error and then ends
// the document when it repeats.
func TestDecoderContractOnBrokenDocuments(t *testing.T) {
	badOffset := strings.Replace(xmlTestEvent, "+08:00</eventTimeZoneOffset>", "8</eventTimeZoneOffset>", 1)
	jsonEvent := `{"type": "ObjectEvent", "eventTime": "2024-01-01T08:00:00+08:00", "eventTimeZoneOffset": "+08:00", "epcList": ["urn:epc:id:sgtin:6901234.012345.1"], "action": "OBSERVE"}`
	jsonHead := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2024-01-01T00:00:00Z", "epcisBody": {"eventList": [`
	tests := []struct {
		name            string
		contentType     string
		doc             string
		wantEvents      int
		wantEventErrors int
		wantFatal       bool
	}{
		{"XML complete", "application/xml", xmlTestDoc(xmlTestEvent, badOffset, "<Unknown/>", xmlTestEvent), 2, 2, false},
		{"XML cut inside an event", "application/xml", xmlTestDoc(xmlTestEvent, badOffset)[:len(xmlTestHead)+len(xmlTestEvent)+len(badOffset)-20], 1, 1, true},
		{"XML broken root", "application/xml", "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\">", 0, 0, true},
		{"JSON complete", "application/json", jsonHead + jsonEvent + "," + strings.Replace(jsonEvent, `"+08:00", "epcList"`, `"8", "epcList"`, 1) + "]}}", 1, 1, false},
		{"JSON cut inside an event", "application/json", jsonHead + jsonEvent + "," + jsonEvent[:40], 1, 1, true},
		{"JSON broken envelope", "application/json", `{"type": "EPCISDocument", "epcisBody": 5}`, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := NewDecoder(strings.NewReader(tt.doc), tt.contentType)
			if err != nil {
				t.Fatal(err)
			}
			events, eventErrors, fatal := collectDecoderErrors(t, d)
			if events != tt.wantEvents {
				t.Errorf("events: got %d, want %d", events, tt.wantEvents)
			}
			if eventErrors != tt.wantEventErrors {
				t.Errorf("event errors: got %d, want %d", eventErrors, tt.wantEventErrors)
			}
			if (fatal != nil) != tt.wantFatal {
				t.Errorf("error ending the document: got %v, want one %v", fatal, tt.wantFatal)
			}
		})
	}
}
