// Package e2e holds the end-to-end tests of the repository core: the EPCIS
// 2.0 standard's example documents captured through the HTTP interface
// into a real store, queried, exported and captured again. It has no
// non-test code besides the helpers that count events independently of the
// decoders under test.
package e2e

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ConformanceDir returns the folder of the EPCIS standard's examples beside
// the checkout, and whether it exists.
func ConformanceDir(root string) (string, bool) {
	dir := filepath.Join(root, "..", "shared", "conformance", "gs1-epcis")
	info, err := os.Stat(dir)
	return dir, err == nil && info.IsDir()
}

// inEventList reports whether an element whose ancestors are stack stands
// in an event list: directly below EventList, or below EventList inside
// the extension elements by which EPCIS 1.2 added event types.
func inEventList(stack []string) bool {
	for i := len(stack) - 1; i >= 0; i-- {
		switch stack[i] {
		case "EventList":
			return true
		case "extension":
			continue
		}
		return false
	}
	return false
}

// captureDocument reports whether a file of the examples folder is an
// EPCIS capture document, as opposed to a capture-job response, a master
// data document or a README.
func captureDocument(rel string) bool {
	rel = filepath.ToSlash(rel)
	switch {
	case strings.HasPrefix(rel, "XML/CaptureJob/"),
		rel == "XML/CBV/CBV-11.4-2020-06-16a.xml",
		rel == "XML/Mimasu/Example-masterData.xml",
		rel == "XML/WithFullCombinationOfFields/masterdata_all_possible_fields.xml":
		return false
	}
	// The JSON folder holds JSON-LD documents, the XML folders XML ones;
	// a JSON file among the XML examples is a companion of an XML one.
	ext := filepath.Ext(rel)
	if strings.HasPrefix(rel, "JSON/") {
		return ext == ".jsonld" || ext == ".json"
	}
	return ext == ".xml"
}

// CaptureDocuments lists the capture documents under dir (JSON/, XML/ and
// XML-1.2/), as paths relative to dir, sorted.
func CaptureDocuments(dir string) ([]string, error) {
	var out []string
	for _, sub := range []string{"JSON", "XML", "XML-1.2"} {
		err := filepath.WalkDir(filepath.Join(dir, sub), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			if captureDocument(rel) {
				out = append(out, rel)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}

// CountEvents counts the events of a document without the project's
// decoders: the members of eventList in JSON, the event elements under
// EventList (and its EPCIS 1.2 extension element) in XML.
func CountEvents(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if filepath.Ext(path) == ".xml" {
		return countXML(f)
	}
	var doc struct {
		EPCISBody struct {
			EventList    []json.RawMessage `json:"eventList"`
			QueryResults struct {
				ResultsBody struct {
					EventList []json.RawMessage `json:"eventList"`
				} `json:"resultsBody"`
			} `json:"queryResults"`
		} `json:"epcisBody"`
		Type string `json:"type"`
	}
	if err := json.NewDecoder(f).Decode(&doc); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	if doc.Type != "EPCISDocument" && doc.Type != "EPCISQueryDocument" {
		return 1, nil // a bare event
	}
	return len(doc.EPCISBody.EventList) + len(doc.EPCISBody.QueryResults.ResultsBody.EventList), nil
}

func countXML(r io.Reader) (int, error) {
	dec := xml.NewDecoder(r)
	var stack []string
	n := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if inEventList(stack) && strings.HasSuffix(t.Name.Local, "Event") {
				n++
			}
			stack = append(stack, t.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
}
