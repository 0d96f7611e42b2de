package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// LegacyEvent is one events row as a store at schema version 8 holds it,
// with no transformation_id or corrective_event_id identifier rows.
type LegacyEvent struct {
	Seq       int64
	EventID   string
	EventType string
	// Declared is the error_declared column; DeclaredDoc is nil unless a
	// declaration was attached after the event was stored.
	Declared         bool
	Doc, DeclaredDoc []byte
}

// legacyGDTI is a transformationID in EPC URN form, as the EPCIS 2.0
// examples write it; capture stores its Digital Link legacyGDTIDL.
const (
	legacyGDTI   = "urn:epc:id:gdti:0614141.12345.400"
	legacyGDTIDL = "https://id.gs1.org/253/0614141123452400"
	legacyOpaque = "urn:suyuan:demo:transformation:6901234:blending:L1"
)

// legacyDoc returns the JSON-LD document of an event with the given
// eventID, type and further members.
func legacyDoc(eventID, eventType, members string) []byte {
	doc := `{"type":"` + eventType + `","eventID":"` + eventID + `","eventTime":"2026-03-01T08:00:00+08:00","eventTimeZoneOffset":"+08:00"`
	if members != "" {
		doc += "," + members
	}
	return []byte(doc + "}")
}

// legacyID returns the eventID of legacy event n, which ends in n as two
// digits.
func legacyID(n int) string { return fmt.Sprintf("urn:uuid:3b9f0c2e-5d4a-4e8b-9c1d-%012d", n) }

// LegacyEvents returns the events rows that the backends' migration tests
// write at schema version 8 before migrating to version 9. They are
// TransformationEvents with and without transformationID, and declared
// ObjectEvents with and without correctiveEventIDs. A declaration sits
// in declared_doc when it came after the event, in doc when it came with
// it.
func LegacyEvents() []LegacyEvent {
	declaration := func(ids string) string {
		return `"errorDeclaration":{"declarationTime":"2026-03-02T08:00:00+08:00","reason":"urn:epcglobal:cbv:er:incorrect_data"` + ids + `}`
	}
	epcs := `"epcList":["urn:epc:id:sgtin:0614141.107346.2017"],"action":"OBSERVE"`
	return []LegacyEvent{
		{Seq: 1, EventID: legacyID(1), EventType: "TransformationEvent",
			Doc: legacyDoc(legacyID(1), "TransformationEvent", `"inputEPCList":["urn:epc:id:sgtin:0614141.107346.2018"],"transformationID":"`+legacyGDTI+`"`)},
		{Seq: 2, EventID: legacyID(2), EventType: "TransformationEvent",
			Doc: legacyDoc(legacyID(2), "TransformationEvent", `"transformationID":"`+legacyOpaque+`","outputEPCList":["urn:epc:id:sgtin:0614141.107346.2019"]`)},
		{Seq: 3, EventID: legacyID(3), EventType: "TransformationEvent",
			Doc: legacyDoc(legacyID(3), "TransformationEvent", `"inputEPCList":["urn:epc:id:sgtin:0614141.107346.2020"],"outputEPCList":["urn:epc:id:sgtin:0614141.107346.2021"]`)},
		{Seq: 4, EventID: legacyID(4), EventType: "ObjectEvent", Declared: true,
			Doc:         legacyDoc(legacyID(4), "ObjectEvent", epcs),
			DeclaredDoc: legacyDoc(legacyID(4), "ObjectEvent", epcs+","+declaration(`,"correctiveEventIDs":["`+fix1+`","`+fix2+`"]`))},
		{Seq: 5, EventID: legacyID(5), EventType: "ObjectEvent", Declared: true,
			Doc: legacyDoc(legacyID(5), "ObjectEvent", epcs+","+declaration(`,"correctiveEventIDs":["`+fix2+`"]`))},
		{Seq: 6, EventID: legacyID(6), EventType: "ObjectEvent", Declared: true,
			Doc: legacyDoc(legacyID(6), "ObjectEvent", epcs+","+declaration(""))},
		{Seq: 7, EventID: legacyID(7), EventType: "ObjectEvent",
			Doc: legacyDoc(legacyID(7), "ObjectEvent", epcs)},
	}
}

// CheckMigratedIDs checks that s, migrated to the current schema from
// version 8 with LegacyEvents stored, finds those events by
// EQ_transformationID and EQ_correctiveEventID, together with events
// captured after the migration.
func CheckMigratedIDs(t *testing.T, s store.Store) {
	t.Helper()
	ctx := context.Background()
	seqs := func(q store.Query) string {
		t.Helper()
		var out []string
		for _, e := range all(t, s, q) {
			out = append(out, e.EventID[len(e.EventID)-2:])
		}
		slices.Sort(out)
		return strings.Join(out, ",")
	}
	cases := []struct {
		name string
		q    store.Query
		want string // last two digits of the eventIDs
	}{
		{"transformationID EPC URN", store.Query{TransformationIDs: []string{legacyGDTI}}, "01"},
		{"transformationID opaque URI", store.Query{TransformationIDs: []string{legacyOpaque}}, "02"},
		{"transformationID either", store.Query{TransformationIDs: []string{legacyOpaque, legacyGDTI}}, "01,02"},
		{"transformationID unknown", store.Query{TransformationIDs: []string{"urn:suyuan:demo:transformation:none"}}, ""},
		{"correctiveEventID declared later", store.Query{CorrectiveEventIDs: []string{fix1}}, "04"},
		{"correctiveEventID twice", store.Query{CorrectiveEventIDs: []string{fix2}}, "04,05"},
		{"correctiveEventID unknown", store.Query{CorrectiveEventIDs: []string{legacyID(6)}}, ""},
		{"declared", store.Query{ExistsErrorDeclaration: true}, "04,05,06"},
	}
	for _, tc := range cases {
		if got := seqs(tc.q); got != tc.want {
			t.Errorf("%s after migration: got events %q, want %q", tc.name, got, tc.want)
		}
	}

	// Events captured after the migration join the migrated ones: a
	// TransformationEvent whose transformationID capture stored as a
	// Digital Link, and a declaration attached to a migrated event.
	later := &epcis.Event{Type: epcis.TransformationEvent, EventID: legacyID(8), EventTime: base,
		EventTimeZoneOffset: "+08:00", OutputEPCList: []string{sgtin1}, TransformationID: legacyGDTI}
	r := record(later)
	for i, id := range r.IDs {
		if id.Role == store.RoleTransformationID {
			r.IDs[i].Canonical = legacyGDTIDL
		}
	}
	checkOutcomes(t, capture(t, s, "job-after-migration", r), store.Stored)
	undeclared := &epcis.Event{Type: epcis.ObjectEvent, EventID: legacyID(7), EventTime: base,
		EventTimeZoneOffset: "+08:00", Action: epcis.ActionObserve, EPCList: []string{sgtin2}}
	d := declaration(record(undeclared), erIncorrect, base.Add(time.Hour), fix1)
	if _, err := s.Capture(ctx, "job-declare-after-migration", []store.Record{d}); err != nil {
		t.Fatalf("Capture(declaration of migrated event): %v", err)
	}
	if got, want := seqs(store.Query{TransformationIDs: []string{legacyGDTI, legacyGDTIDL}}), "01,08"; got != want {
		t.Errorf("transformationID in both forms: got events %q, want %q", got, want)
	}
	if got, want := seqs(store.Query{CorrectiveEventIDs: []string{fix1}}), "04,07"; got != want {
		t.Errorf("correctiveEventID after a new declaration: got events %q, want %q", got, want)
	}
}

// Legacy lineage edges: two edges leave LegacyEdgeFrom, written by legacy
// event 1, before stores marked the From of stored edges.
const (
	LegacyEdgeFrom = "https://id.gs1.org/01/06141411073467/10/LEGACY1"
	legacyEdgeTo1  = "https://id.gs1.org/01/06141411073467/21/L1"
	legacyEdgeTo2  = "https://id.gs1.org/01/06141411073467/21/L2"
)

// LegacyEdges returns the lineage_edges rows of LegacyEdgeFrom as
// (from_id, to_id, kind, op, event_time, event_seq), for a test to insert
// into a store at a schema version before the marks.
func LegacyEdges() [][]any {
	return [][]any{
		{LegacyEdgeFrom, legacyEdgeTo1, string(store.EdgeSameLot), string(store.OpAdd), int64(1), int64(1)},
		{LegacyEdgeFrom, legacyEdgeTo2, string(store.EdgeSameLot), string(store.OpAdd), int64(1), int64(1)},
	}
}

// CheckMigratedEdgeSources checks that a store migrated with the rows of
// LegacyEdges reads both edges as leaving LegacyEdgeFrom, through
// Adjacent as through Edges.
func CheckMigratedEdgeSources(t *testing.T, s store.LineageStore) {
	t.Helper()
	ctx := context.Background()
	got, err := s.Adjacent(ctx, []string{LegacyEdgeFrom}, false)
	if err != nil {
		t.Fatalf("Adjacent: %v", err)
	}
	want, err := s.Edges(ctx, store.EdgeFilter{From: []string{LegacyEdgeFrom}})
	if err != nil {
		t.Fatalf("Edges: %v", err)
	}
	if len(want) != 2 || len(got.Out) != len(want) {
		t.Fatalf("edges leaving %s after migration: Adjacent gives %d, Edges %d; want 2 each", LegacyEdgeFrom, len(got.Out), len(want))
	}
	for i := range want {
		if got.Out[i].To != want[i].To || got.Out[i].Kind != want[i].Kind {
			t.Errorf("edge %d leaving %s: Adjacent gives %s %s, Edges %s %s", i, LegacyEdgeFrom, got.Out[i].Kind, got.Out[i].To, want[i].Kind, want[i].To)
		}
	}
}
