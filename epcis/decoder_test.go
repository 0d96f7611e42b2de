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
