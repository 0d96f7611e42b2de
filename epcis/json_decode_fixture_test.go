package epcis

import (
	"os"
	"path/filepath"
	"testing"
)

func TestJSONDecodeFixtures(t *testing.T) {
	tests := []struct {
		file       string
		kind       DocumentKind
		events     int
		queryName  string
		namespaces int
	}{
		{"document_all_fields.jsonld", KindEPCISDocument, 6, "", 2},
		{"query_document.jsonld", KindEPCISQueryDocument, 2, "SimpleEventQuery", 1},
		{"bare_event.jsonld", KindBareEvent, 1, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "json", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			h, events := decodeAll(t, raw)
			if h.Kind != tt.kind {
				t.Errorf("Kind: got %q, want %q", h.Kind, tt.kind)
			}
			if len(events) != tt.events {
				t.Errorf("events: got %d, want %d", len(events), tt.events)
			}
			if h.QueryName != tt.queryName {
				t.Errorf("QueryName: got %q, want %q", h.QueryName, tt.queryName)
			}
			if len(h.Namespaces) != tt.namespaces {
				t.Errorf("Namespaces: got %v, want %d entries", h.Namespaces, tt.namespaces)
			}
		})
	}
}
