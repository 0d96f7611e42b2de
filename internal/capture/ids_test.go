package capture

import (
	"context"
	"testing"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// TestCaptureIndexesTransformationCorrectiveIDs captures a
// TransformationEvent with a GDTI transformationID in EPC URN form, one
// with a transformationID that package ident cannot read, and an error
// declaration naming corrective events, then queries the store by the
// values capture indexed.
func TestCaptureIndexesTransformationCorrectiveIDs(t *testing.T) {
	s, st := newService(t)
	const (
		gdti       = "urn:epc:id:gdti:0614141.12345.400"
		gdtiDL     = "https://id.gs1.org/253/0614141123452400"
		unreadable = "https://id.gs1.org/01/06141411234567/21/1"
		fix1       = "urn:uuid:6d2c3b1e-0b7a-4c55-9f8e-000000000f01"
		declared   = "urn:uuid:6d2c3b1e-0b7a-4c55-9f8e-0000000000d1"
	)
	transformation := func(id, eventID string) string {
		return `{"type":"TransformationEvent","eventID":"` + eventID + `","eventTime":"2026-03-01T08:00:00+08:00","eventTimeZoneOffset":"+08:00",` +
			`"inputEPCList":["urn:epc:id:sgtin:6901234.000001.S1"],"transformationID":"` + id + `"}`
	}
	observe := `{"type":"ObjectEvent","eventID":"` + declared + `","eventTime":"2026-03-01T08:00:00+08:00","eventTimeZoneOffset":"+08:00",` +
		`"epcList":["urn:epc:id:sgtin:6901234.000001.S2"],"action":"OBSERVE"`
	declaration := observe + `,"errorDeclaration":{"declarationTime":"2026-03-02T08:00:00+08:00","reason":"incorrect_data","correctiveEventIDs":["` + fix1 + `"]}}`

	if _, err := capture(t, s, document(transformation(gdti, "urn:uuid:6d2c3b1e-0b7a-4c55-9f8e-0000000000a1"),
		transformation(unreadable, "urn:uuid:6d2c3b1e-0b7a-4c55-9f8e-0000000000a2"), observe+"}"), "application/ld+json"); err != nil {
		t.Fatalf("Capture(events): %v", err)
	}
	if _, err := capture(t, s, document(declaration), "application/ld+json"); err != nil {
		t.Fatalf("Capture(declaration): %v", err)
	}

	cases := []struct {
		name string
		q    store.Query
		want string
	}{
		{"GDTI as Digital Link", store.Query{TransformationIDs: []string{gdtiDL}}, "urn:uuid:6d2c3b1e-0b7a-4c55-9f8e-0000000000a1"},
		{"GDTI as EPC URN is not stored", store.Query{TransformationIDs: []string{gdti}}, ""},
		{"unreadable as given", store.Query{TransformationIDs: []string{unreadable}}, "urn:uuid:6d2c3b1e-0b7a-4c55-9f8e-0000000000a2"},
		{"correctiveEventID", store.Query{CorrectiveEventIDs: []string{fix1}}, declared},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := st.QueryEvents(context.Background(), tc.q)
			if err != nil {
				t.Fatalf("QueryEvents: %v", err)
			}
			got := ""
			for _, e := range page.Events {
				got += e.EventID
			}
			if got != tc.want {
				t.Errorf("events: got %q, want %q", got, tc.want)
			}
		})
	}
}
