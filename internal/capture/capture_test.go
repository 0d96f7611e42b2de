package capture

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

func newService(t *testing.T) (*Service, store.Store) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return New(st, nil, nil), st
}

const event = `{"type":"ObjectEvent","eventTime":"2026-03-01T08:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":["urn:epc:id:sgtin:6901234.000001.S1"],"action":"OBSERVE","bizStep":"shipping"}`

func document(events ...string) string {
	return `{"@context":["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-03-01T08:00:00+08:00","epcisBody":{"eventList":[` + strings.Join(events, ",") + `]}}`
}

func capture(t *testing.T, s *Service, doc, contentType string) (Result, error) {
	t.Helper()
	dec, err := epcis.NewDecoder(strings.NewReader(doc), contentType)
	if err != nil {
		t.Fatal(err)
	}
	return s.Capture(context.Background(), dec, "test")
}

func TestCaptureReportsEveryInvalidEvent(t *testing.T) {
	s, st := newService(t)
	bad1 := strings.Replace(event, `"+08:00","epcList"`, `"+8:00","epcList"`, 1)
	bad2 := strings.Replace(event, `"shipping"`, `"shippping"`, 1)
	badID := strings.Replace(event, "urn:epc:id:sgtin:6901234.000001.S1", "https://id.gs1.org/01/06901234000015/21/S1", 1)
	res, err := capture(t, s, document(bad1, event, bad2, badID), "application/ld+json")
	var verr *epcis.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("error %v, want *epcis.ValidationError", err)
	}
	indexes := map[int]bool{}
	for _, fe := range verr.Errors {
		indexes[fe.EventIndex] = true
	}
	for _, want := range []int{0, 2, 3} {
		if !indexes[want] {
			t.Errorf("no error reported for event %d; errors: %v", want, verr.Errors)
		}
	}
	if indexes[1] {
		t.Errorf("valid event 1 reported as invalid: %v", verr.Errors)
	}
	if res.Job.State != store.JobFailed || len(res.Job.Errors) != len(verr.Errors) {
		t.Errorf("job state %s with %d errors, want FAILED with %d", res.Job.State, len(res.Job.Errors), len(verr.Errors))
	}
	page, err := st.QueryEvents(context.Background(), store.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 0 {
		t.Errorf("store holds %d events after a rejected document, want 0", len(page.Events))
	}
}

func TestCaptureAssignsHashAsEventID(t *testing.T) {
	s, _ := newService(t)
	res, err := capture(t, s, document(event), "application/ld+json")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.EventIDs) != 1 || !strings.HasPrefix(res.EventIDs[0], "ni:///sha-256;") || !strings.HasSuffix(res.EventIDs[0], "?ver=CBV2.0") {
		t.Errorf("event IDs %v, want one CBV 2.0 hash", res.EventIDs)
	}
	again, err := capture(t, s, document(event), "application/ld+json")
	if err != nil {
		t.Fatal(err)
	}
	if again.Job.Duplicates != 1 || again.Job.Accepted != 0 {
		t.Errorf("second capture: %d accepted, %d duplicates; want 0 and 1", again.Job.Accepted, again.Job.Duplicates)
	}
}

func TestCaptureSyntaxErrorEndsDocument(t *testing.T) {
	s, _ := newService(t)
	for _, tc := range []struct{ name, doc, contentType string }{
		{"JSON", document(event)[:150], "application/ld+json"},
		{"XML", `<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2026-01-01T00:00:00Z"><EPCISBody><EventList><ObjectEvent><eventTime>2026-01-01T00:00:00Z</eventTime>`, "application/xml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := capture(t, s, tc.doc, tc.contentType)
			var verr *epcis.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("error %v, want *epcis.ValidationError", err)
			}
			if len(verr.Errors) > 5 {
				t.Errorf("%d errors for one syntax error: %v", len(verr.Errors), verr.Errors)
			}
		})
	}
}
