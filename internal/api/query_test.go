package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/suyuan-trace/suyuan/internal/capture"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

// TestEventsTransformationCorrectiveMaxCount captures events over
// HTTP and checks that GET /events applies EQ_transformationID,
// EQ_correctiveEventID and maxEventCount, the last with the
// QueryTooLargeException problem of the REST binding.
func TestEventsTransformationCorrectiveMaxCount(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(New(st, capture.New(st, nil, nil), nil, Options{}).Handler())
	defer srv.Close()

	const (
		t1   = "urn:uuid:6d2c3b1e-0b7a-4c55-9f8e-0000000000a1"
		t2   = "urn:uuid:6d2c3b1e-0b7a-4c55-9f8e-0000000000a2"
		o1   = "urn:uuid:6d2c3b1e-0b7a-4c55-9f8e-0000000000b1"
		fix1 = "urn:uuid:6d2c3b1e-0b7a-4c55-9f8e-000000000f01"
		gdti = "urn:epc:id:gdti:0614141.12345.400"
	)
	head := func(eventType, eventID string) string {
		return `{"type":"` + eventType + `","eventID":"` + eventID + `","eventTime":"2026-03-01T08:00:00+08:00","eventTimeZoneOffset":"+08:00",`
	}
	observe := head("ObjectEvent", o1) + `"epcList":["urn:epc:id:sgtin:6901234.000001.S2"],"action":"OBSERVE"`
	events := []string{
		head("TransformationEvent", t1) + `"inputEPCList":["urn:epc:id:sgtin:6901234.000001.S1"],"transformationID":"` + gdti + `"}`,
		head("TransformationEvent", t2) + `"inputEPCList":["urn:epc:id:sgtin:6901234.000001.S3"],"transformationID":"urn:suyuan:demo:transformation:L2"}`,
		observe + "}",
	}
	declaration := observe + `,"errorDeclaration":{"declarationTime":"2026-03-02T08:00:00+08:00","reason":"incorrect_data","correctiveEventIDs":["` + fix1 + `"]}}`
	for _, doc := range []string{strings.Join(events, ","), declaration} {
		body := `{"@context":["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0",` +
			`"creationDate":"2026-03-01T08:00:00+08:00","epcisBody":{"eventList":[` + doc + `]}}`
		resp, err := http.Post(srv.URL+"/capture", "application/ld+json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("POST /capture: status %d, want 202", resp.StatusCode)
		}
	}

	get := func(t *testing.T, params url.Values) (int, []byte) {
		t.Helper()
		resp, err := http.Get(srv.URL + "/events?" + params.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, body
	}
	found := []struct {
		name   string
		params url.Values
		want   []string
	}{
		{"transformationID as EPC URN", url.Values{"EQ_transformationID": {gdti}}, []string{t1}},
		{"transformationID as Digital Link", url.Values{"EQ_transformationID": {"https://id.gs1.org/253/0614141123452400"}}, []string{t1}},
		{"transformationID opaque", url.Values{"EQ_transformationID": {"urn:suyuan:demo:transformation:L2"}}, []string{t2}},
		{"transformationID unknown", url.Values{"EQ_transformationID": {"urn:suyuan:demo:transformation:L3"}}, nil},
		{"correctiveEventID", url.Values{"EQ_correctiveEventID": {fix1}}, []string{o1}},
		{"correctiveEventID unknown", url.Values{"EQ_correctiveEventID": {t1}}, nil},
		{"maxEventCount equal", url.Values{"maxEventCount": {"3"}}, []string{t1, t2, o1}},
		{"maxEventCount with restriction", url.Values{"maxEventCount": {"1"}, "eventType": {"ObjectEvent"}}, []string{o1}},
	}
	for _, tc := range found {
		t.Run(tc.name, func(t *testing.T) {
			status, body := get(t, tc.params)
			if status != http.StatusOK {
				t.Fatalf("status %d, want 200: %s", status, body)
			}
			got := eventIDs(t, body)
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("events: got %q, want %q", got, tc.want)
			}
		})
	}

	for _, params := range []url.Values{
		{"maxEventCount": {"2"}},
		{"maxEventCount": {"2"}, "perPage": {"1"}},
	} {
		t.Run("maxEventCount exceeded "+params.Encode(), func(t *testing.T) {
			status, body := get(t, params)
			if status != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413: %s", status, body)
			}
			var p Problem
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatalf("decode problem: %v\n%s", err, body)
			}
			if p.Type != "epcisException:QueryTooLargeException" {
				t.Errorf("problem type %q, want epcisException:QueryTooLargeException", p.Type)
			}
			for _, want := range []string{"maxEventCount=2", "超过", "Narrow the query", "eventCountLimit"} {
				if !strings.Contains(p.Detail, want) {
					t.Errorf("problem detail %q does not contain %q", p.Detail, want)
				}
			}
		})
	}
}
