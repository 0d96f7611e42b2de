package epcis

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// decodeAll reads every event of a JSON document, failing the test on any
// error.
func decodeAll(t *testing.T, raw []byte) (Header, []*Event) {
	t.Helper()
	d := NewJSONDecoder(bytes.NewReader(raw))
	h, err := d.Header()
	if err != nil {
		t.Fatalf("Header: %v", err)
	}
	var events []*Event
	for {
		e, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				for _, fe := range ve.Errors {
					t.Errorf("event %d: %s line %d: %s (value %q, rule %s)", fe.EventIndex, fe.Pointer, fe.Line, fe.Message, fe.Value, fe.Rule)
				}
				if fe := ve.Errors; len(fe) > 0 && fe[0].Rule == "JSON syntax" {
					t.FailNow()
				}
				continue
			}
			t.Fatalf("Next: %v", err)
		}
		events = append(events, e)
	}
	return h, events
}

// conformanceJSONFiles lists the JSON-LD examples of the conformance data.
func conformanceJSONFiles(t *testing.T) []string {
	t.Helper()
	root := filepath.Join(conformanceDir(t), "JSON")
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".jsonld") || strings.HasSuffix(path, ".json")) {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", root, err)
	}
	if len(files) == 0 {
		t.Skipf("no JSON examples under %s", root)
	}
	return files
}

func TestJSONDecodeConformanceExamples(t *testing.T) {
	files := conformanceJSONFiles(t)
	total := 0
	for _, path := range files {
		rel, _ := filepath.Rel(filepath.Join(conformanceDir(t), "JSON"), path)
		t.Run(rel, func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, events := decodeAll(t, raw)
			total += len(events)
		})
	}
	t.Logf("%d files, %d events", len(files), total)
}
