package storetest

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// queryFixture is the event set the query tests run on. Events are
// captured one per Capture call in the order A to F, so record time
// follows that order. Event times follow another order: D, B, F, A, E, C.
type queryFixture struct {
	ids  map[string]string // fixture name -> eventID
	name map[string]string // eventID -> fixture name
	// rt holds the record time of each fixture event.
	rt map[string]time.Time
}

func fixtureEvents() (names []string, events map[string]*epcis.Event) {
	at := func(minutes int) time.Time { return base.Add(time.Duration(minutes) * time.Minute) }
	events = map[string]*epcis.Event{
		"A": {
			Type: epcis.ObjectEvent, EventTime: at(30), EventTimeZoneOffset: "+08:00",
			Action: epcis.ActionAdd, EPCList: []string{sgtin1, sgtin2},
			BizStep: bizCommission, Disposition: dispActive,
			ReadPoint: loc(gln1), BizLocation: loc(gln1),
			BizTransactionList:    []epcis.BizTransaction{{Type: btPO, Value: po1}},
			PersistentDisposition: &epcis.PersistentDisposition{Set: []string{dispActive}},
		},
		"B": {
			Type: epcis.ObjectEvent, EventTime: at(10), EventTimeZoneOffset: "+08:00",
			Action: epcis.ActionObserve, EPCList: []string{sgtin3},
			QuantityList: []epcis.QuantityElement{{EPCClass: lot1, Quantity: 10, HasQuantity: true, UOM: "KGM"}},
			BizStep:      bizShipping, Disposition: dispInTransit,
			ReadPoint: loc(gln2), BizLocation: loc(gln2),
			BizTransactionList: []epcis.BizTransaction{{Type: btPO, Value: po1}, {Type: btDesadv, Value: po2}},
			SourceList:         []epcis.SourceDest{{Type: sdOwning, Value: pgln1}},
			DestinationList:    []epcis.SourceDest{{Type: sdOwning, Value: pgln2}},
		},
		"C": {
			Type: epcis.AggregationEvent, EventTime: at(50), EventTimeZoneOffset: "+08:00",
			Action: epcis.ActionAdd, ParentID: sscc1, ChildEPCs: []string{sgtin1, sgtin2},
			ChildQuantityList: []epcis.QuantityElement{{EPCClass: lot2, Quantity: 5, HasQuantity: true, UOM: "KGM"}},
			BizStep:           bizShipping, ReadPoint: loc(glnDC),
			PersistentDisposition: &epcis.PersistentDisposition{Set: []string{dispRecalled}, Unset: []string{dispActive}},
		},
		"D": {
			Type: epcis.TransformationEvent, EventTime: at(0), EventTimeZoneOffset: "+08:00",
			InputEPCList:       []string{sgtinPct},
			InputQuantityList:  []epcis.QuantityElement{{EPCClass: lot1, Quantity: 10, HasQuantity: true, UOM: "KGM"}},
			OutputQuantityList: []epcis.QuantityElement{{EPCClass: lot2, Quantity: 4, HasQuantity: true, UOM: "KGM"}},
			BizStep:            bizCommission, BizLocation: loc(glnDC),
			SourceList:       []epcis.SourceDest{{Type: sdLocation, Value: gln1}},
			TransformationID: gdti1,
		},
		"E": {
			Type: epcis.TransactionEvent, EventTime: at(40), EventTimeZoneOffset: "+08:00",
			Action: epcis.ActionDelete, EPCList: []string{sgtin1}, ReadPoint: loc(gln1),
			BizTransactionList: []epcis.BizTransaction{{Value: po2}},
		},
		"F": {
			Type: epcis.AssociationEvent, EventTime: at(20), EventTimeZoneOffset: "+08:00",
			Action: epcis.ActionAdd, ParentID: sscc1, ChildEPCs: []string{sgtin3},
			BizStep: bizReceiving, Disposition: dispActive,
			DestinationList: []epcis.SourceDest{{Type: sdLocation, Value: glnDC}},
		},
	}
	return []string{"A", "B", "C", "D", "E", "F"}, events
}

// loadFixture captures the fixture events, then an error declaration for
// E that names fix1 and fix2 as its corrective events.
func loadFixture(t *testing.T, s store.Store) queryFixture {
	t.Helper()
	f := queryFixture{ids: map[string]string{}, name: map[string]string{}, rt: map[string]time.Time{}}
	names, events := fixtureEvents()
	var recE store.Record
	for _, n := range names {
		r := record(events[n])
		res := capture(t, s, "job-"+n, r)
		checkOutcomes(t, res, store.Stored)
		f.ids[n] = r.Event.EventID
		f.name[r.Event.EventID] = n
		f.rt[n] = res.RecordTime
		if n == "E" {
			recE = r
		}
	}
	res := capture(t, s, "job-declare", declaration(recE, erDidNotOccur, base.Add(2*time.Hour), fix1, fix2))
	checkOutcomes(t, res, store.Declared)
	return f
}

// names returns the fixture names of events, in result order.
func (f queryFixture) names(events []store.StoredEvent) string {
	var out []string
	for _, e := range events {
		n, ok := f.name[e.EventID]
		if !ok {
			n = "?" + e.EventID
		}
		out = append(out, n)
	}
	return strings.Join(out, ",")
}

// all runs q through every page and returns the events.
func all(t *testing.T, s store.Store, q store.Query) []store.StoredEvent {
	t.Helper()
	var out []store.StoredEvent
	for range 10000 {
		p, err := s.QueryEvents(context.Background(), q)
		if err != nil {
			t.Fatalf("QueryEvents: %v", err)
		}
		out = append(out, p.Events...)
		if p.Next == nil {
			return out
		}
		q.After = p.Next
	}
	t.Fatalf("QueryEvents: more than 10000 pages")
	return nil
}

func testQuery(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	f := loadFixture(t, s)
	epc := func(roles []store.Role, values ...string) store.IDMatch {
		return store.IDMatch{Roles: roles, Values: values}
	}
	epcRole := []store.Role{store.RoleEPC}
	classRoles := store.ClassRoles

	cases := []struct {
		name string
		q    store.Query
		want string // fixture names, sorted
	}{
		{"no restriction", store.Query{}, "A,B,C,D,E,F"},
		{"eventType one", store.Query{EventTypes: []string{"AggregationEvent"}}, "C"},
		{"eventType two", store.Query{EventTypes: []string{"ObjectEvent", "TransformationEvent"}}, "A,B,D"},
		{"eventType none", store.Query{EventTypes: []string{"QuantityEvent"}}, ""},
		{"GE_eventTime", store.Query{GEEventTime: ptrTime(base.Add(20 * time.Minute))}, "A,C,E,F"},
		{"LT_eventTime", store.Query{LTEventTime: ptrTime(base.Add(20 * time.Minute))}, "B,D"},
		{"eventTime window", store.Query{GEEventTime: ptrTime(base.Add(10 * time.Minute)), LTEventTime: ptrTime(base.Add(40 * time.Minute))}, "A,B,F"},
		{"eventTime far future", store.Query{GEEventTime: ptrTime(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))}, ""},
		{"LT_eventTime far future", store.Query{LTEventTime: ptrTime(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))}, "A,B,C,D,E,F"},
		{"GE_recordTime", store.Query{GERecordTime: ptrTime(f.rt["C"])}, "C,D,E,F"},
		{"LT_recordTime", store.Query{LTRecordTime: ptrTime(f.rt["C"])}, "A,B"},
		{"action ADD", store.Query{Actions: []string{"ADD"}}, "A,C,F"},
		{"action OBSERVE or DELETE", store.Query{Actions: []string{"OBSERVE", "DELETE"}}, "B,E"},
		{"bizStep one", store.Query{BizSteps: []string{bizShipping}}, "B,C"},
		{"bizStep two", store.Query{BizSteps: []string{bizShipping, bizReceiving}}, "B,C,F"},
		{"bizStep none", store.Query{BizSteps: []string{"urn:epcglobal:cbv:bizstep:destroying"}}, ""},
		{"bizStep short form not matched", store.Query{BizSteps: []string{"shipping"}}, ""},
		{"disposition", store.Query{Dispositions: []string{dispActive}}, "A,F"},
		{"disposition none", store.Query{Dispositions: []string{dispRecalled}}, ""},
		{"persistentDisposition set", store.Query{PersistentDispositionSet: []string{dispActive}}, "A"},
		{"persistentDisposition set recalled", store.Query{PersistentDispositionSet: []string{dispRecalled}}, "C"},
		{"persistentDisposition unset", store.Query{PersistentDispositionUnset: []string{dispActive}}, "C"},
		{"persistentDisposition set and unset", store.Query{PersistentDispositionSet: []string{dispActive}, PersistentDispositionUnset: []string{dispActive}}, ""},
		{"readPoint", store.Query{ReadPoints: []string{gln1}}, "A,E"},
		{"readPoint two", store.Query{ReadPoints: []string{gln2, glnDC}}, "B,C"},
		{"readPoint WD", store.Query{ReadPointsWD: []string{gln1}}, "A,E"},
		{"readPoint none", store.Query{ReadPoints: []string{pgln1}}, ""},
		{"bizLocation", store.Query{BizLocations: []string{gln1}}, "A"},
		{"bizLocation WD", store.Query{BizLocationsWD: []string{glnDC}}, "D"},
		{"bizLocation none", store.Query{BizLocations: []string{gln2 + "0"}}, ""},
		{"MATCH_epc", store.Query{Matches: []store.IDMatch{epc(epcRole, sgtin1)}}, "A,E"},
		{"MATCH_epc or", store.Query{Matches: []store.IDMatch{epc(epcRole, sgtin2, sgtin3)}}, "A,B"},
		{"MATCH_epc none", store.Query{Matches: []store.IDMatch{epc(epcRole, sscc1)}}, ""},
		{"MATCH_epc and", store.Query{Matches: []store.IDMatch{epc(epcRole, sgtin1), epc(epcRole, sgtin2)}}, "A"},
		{"MATCH_anyEPC roles", store.Query{Matches: []store.IDMatch{epc([]store.Role{store.RoleEPC, store.RoleParent, store.RoleChild}, sgtin1)}}, "A,C,E"},
		{"MATCH_parentID", store.Query{Matches: []store.IDMatch{epc([]store.Role{store.RoleParent}, sscc1)}}, "C,F"},
		{"MATCH_childEPC", store.Query{Matches: []store.IDMatch{epc([]store.Role{store.RoleChild}, sgtin3)}}, "F"},
		{"MATCH_inputEPC", store.Query{Matches: []store.IDMatch{epc([]store.Role{store.RoleInput}, sgtinPct)}}, "D"},
		{"MATCH_outputEPC none", store.Query{Matches: []store.IDMatch{epc([]store.Role{store.RoleOutput}, sgtinPct)}}, ""},
		{"MATCH_epcClass", store.Query{Matches: []store.IDMatch{epc([]store.Role{store.RoleClass}, lot1)}}, "B"},
		{"MATCH_inputEPCClass", store.Query{Matches: []store.IDMatch{epc([]store.Role{store.RoleInputClass}, lot1)}}, "D"},
		{"MATCH_outputEPCClass", store.Query{Matches: []store.IDMatch{epc([]store.Role{store.RoleOutputClass}, lot2)}}, "D"},
		{"MATCH_anyEPCClass", store.Query{Matches: []store.IDMatch{epc(classRoles, lot2)}}, "C,D"},
		{"pattern prefix", store.Query{Matches: []store.IDMatch{epc(epcRole, "https://id.gs1.org/01/09521234500019/21/*")}}, "A,E"},
		{"pattern or exact", store.Query{Matches: []store.IDMatch{epc(epcRole, "https://id.gs1.org/01/09521234500026/*", sgtin2)}}, "A,B"},
		{"pattern all", store.Query{Matches: []store.IDMatch{epc([]store.Role{store.RoleInput}, "*")}}, "D"},
		{"pattern literal percent", store.Query{Matches: []store.IDMatch{epc([]store.Role{store.RoleInput}, "https://id.gs1.org/01/09521234500033/21/A%_*")}}, "D"},
		{"pattern percent not wildcard", store.Query{Matches: []store.IDMatch{epc([]store.Role{store.RoleInput}, "https://id.gs1.org/01/09521234500033/21/%*")}}, ""},
		{"pattern underscore not wildcard", store.Query{Matches: []store.IDMatch{epc([]store.Role{store.RoleInput}, "https://id.gs1.org/01/0952123450003_/*")}}, ""},
		{"pattern case sensitive", store.Query{Matches: []store.IDMatch{epc(epcRole, "https://ID.GS1.ORG/01/*")}}, ""},
		{"pattern matches whole value", store.Query{Matches: []store.IDMatch{epc(epcRole, sgtin1+"*")}}, "A,E"},
		{"eventID", store.Query{EventIDs: []string{f.ids["A"], f.ids["C"]}}, "A,C"},
		{"eventID none", store.Query{EventIDs: []string{"urn:uuid:00000000-0000-4000-8000-000000000000"}}, ""},
		{"EXISTS_errorDeclaration", store.Query{ExistsErrorDeclaration: true}, "E"},
		{"EQ_errorReason", store.Query{ErrorReasons: []string{erDidNotOccur}}, "E"},
		{"EQ_errorReason none", store.Query{ErrorReasons: []string{erIncorrect}}, ""},
		{"GE_errorDeclarationTime", store.Query{GEErrorDeclarationTime: ptrTime(base.Add(2 * time.Hour))}, "E"},
		{"GE_errorDeclarationTime after", store.Query{GEErrorDeclarationTime: ptrTime(base.Add(2*time.Hour + time.Nanosecond))}, ""},
		{"LT_errorDeclarationTime", store.Query{LTErrorDeclarationTime: ptrTime(base.Add(2*time.Hour + time.Nanosecond))}, "E"},
		{"LT_errorDeclarationTime at", store.Query{LTErrorDeclarationTime: ptrTime(base.Add(2 * time.Hour))}, ""},
		{"errorDeclarationTime far future", store.Query{LTErrorDeclarationTime: ptrTime(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))}, "E"},
		{"EQ_correctiveEventID", store.Query{CorrectiveEventIDs: []string{fix2}}, "E"},
		{"EQ_correctiveEventID or", store.Query{CorrectiveEventIDs: []string{"urn:uuid:00000000-0000-4000-8000-000000000000", fix1}}, "E"},
		{"EQ_correctiveEventID none", store.Query{CorrectiveEventIDs: []string{"urn:uuid:00000000-0000-4000-8000-000000000000"}}, ""},
		{"EQ_correctiveEventID not eventID", store.Query{CorrectiveEventIDs: []string{f.ids["E"]}}, ""},
		{"EQ_correctiveEventID with errorReason", store.Query{CorrectiveEventIDs: []string{fix1}, ErrorReasons: []string{erIncorrect}}, ""},
		{"EQ_transformationID", store.Query{TransformationIDs: []string{gdti1}}, "D"},
		{"EQ_transformationID or", store.Query{TransformationIDs: []string{gdti1 + "0", gdti1}}, "D"},
		{"EQ_transformationID none", store.Query{TransformationIDs: []string{gdti1 + "0"}}, ""},
		{"EQ_transformationID exact not prefix", store.Query{TransformationIDs: []string{"https://id.gs1.org/253/*"}}, ""},
		{"EQ_transformationID not input", store.Query{TransformationIDs: []string{sgtinPct}}, ""},
		{"MATCH_anyEPC not transformationID", store.Query{Matches: []store.IDMatch{epc(store.InstanceRoles, gdti1)}}, ""},
		{"MATCH_anyEPC not correctiveEventID", store.Query{Matches: []store.IDMatch{epc(store.InstanceRoles, fix1)}}, ""},
		{"bizTransaction typed", store.Query{BizTransactions: map[string][]string{btPO: {po1}}}, "A,B"},
		{"bizTransaction other type", store.Query{BizTransactions: map[string][]string{btDesadv: {po2}}}, "B"},
		{"bizTransaction untyped", store.Query{BizTransactions: map[string][]string{"": {po2}}}, "E"},
		{"bizTransaction two types and", store.Query{BizTransactions: map[string][]string{btPO: {po1}, btDesadv: {po2}}}, "B"},
		{"bizTransaction wrong type", store.Query{BizTransactions: map[string][]string{btPO: {po2}}}, ""},
		{"source owning party", store.Query{Sources: map[string][]string{sdOwning: {pgln1}}}, "B"},
		{"source location", store.Query{Sources: map[string][]string{sdLocation: {gln1}}}, "D"},
		{"source wrong type", store.Query{Sources: map[string][]string{sdOwning: {gln1}}}, ""},
		{"source value is not destination", store.Query{Sources: map[string][]string{sdOwning: {pgln2}}}, ""},
		{"destination owning party", store.Query{Destinations: map[string][]string{sdOwning: {pgln2}}}, "B"},
		{"destination location", store.Query{Destinations: map[string][]string{sdLocation: {glnDC}}}, "F"},
		{"quantity with class match", store.Query{Matches: []store.IDMatch{epc([]store.Role{store.RoleClass}, lot1)}, Quantity: []store.QuantityBound{{Op: "EQ", Value: 10}}}, "B"},
		{"quantity with class match none", store.Query{Matches: []store.IDMatch{epc([]store.Role{store.RoleClass}, lot1)}, Quantity: []store.QuantityBound{{Op: "GT", Value: 10}}}, ""},
		{"quantity with any class", store.Query{Matches: []store.IDMatch{epc(classRoles, lot2)}, Quantity: []store.QuantityBound{{Op: "GE", Value: 5}}}, "C"},
		{"quantity range", store.Query{Matches: []store.IDMatch{epc(classRoles, lot2)}, Quantity: []store.QuantityBound{{Op: "GT", Value: 3}, {Op: "LE", Value: 4}}}, "D"},
		{"quantity alone", store.Query{Quantity: []store.QuantityBound{{Op: "LT", Value: 5}}}, "D"},
		{"quantity alone GE", store.Query{Quantity: []store.QuantityBound{{Op: "GE", Value: 10}}}, "B,D"},
		{"fields combine with and", store.Query{BizSteps: []string{bizShipping}, EventTypes: []string{"AggregationEvent"}}, "C"},
		{"fields combine to none", store.Query{BizSteps: []string{bizReceiving}, Actions: []string{"DELETE"}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			events := all(t, s, tc.q)
			got := strings.Split(f.names(events), ",")
			slices.Sort(got)
			if g := strings.Join(got, ","); g != tc.want {
				t.Errorf("events: got %q, want %q", g, tc.want)
			}
		})
	}

	invalid := []struct {
		name string
		q    store.Query
	}{
		{"unknown orderBy", store.Query{OrderBy: "bizStep"}},
		{"negative perPage", store.Query{PerPage: -1}},
		{"negative eventCountLimit", store.Query{EventCountLimit: -5}},
		{"unknown quantity operator", store.Query{Quantity: []store.QuantityBound{{Op: "NE", Value: 1}}}},
	}
	for _, tc := range invalid {
		t.Run("invalid "+tc.name, func(t *testing.T) {
			if _, err := s.QueryEvents(context.Background(), tc.q); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("QueryEvents: got %v, want ErrInvalid", err)
			}
		})
	}
}

func testOrder(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	f := loadFixture(t, s)

	// Three more events in one batch share a record time and an event
	// time, so only Seq orders them.
	tie := []store.Record{
		record(objectEvent(100, epcis.ActionObserve, sgtin1)),
		record(objectEvent(100, epcis.ActionObserve, sgtin2)),
		record(objectEvent(100, epcis.ActionObserve, sgtin3)),
	}
	capture(t, s, "job-tie", tie...)
	for i, n := range []string{"T1", "T2", "T3"} {
		f.ids[n] = tie[i].Event.EventID
		f.name[tie[i].Event.EventID] = n
	}

	cases := []struct {
		orderBy    string
		descending bool
		perPage    int
		want       string
	}{
		{"", false, 0, "A,B,C,D,E,F,T1,T2,T3"},
		{"recordTime", false, 2, "A,B,C,D,E,F,T1,T2,T3"},
		{"recordTime", true, 0, "T3,T2,T1,F,E,D,C,B,A"},
		{"recordTime", true, 2, "T3,T2,T1,F,E,D,C,B,A"},
		{"eventTime", false, 0, "D,B,F,A,E,C,T1,T2,T3"},
		{"eventTime", false, 1, "D,B,F,A,E,C,T1,T2,T3"},
		{"eventTime", true, 0, "T3,T2,T1,C,E,A,F,B,D"},
		{"eventTime", true, 2, "T3,T2,T1,C,E,A,F,B,D"},
	}
	for _, tc := range cases {
		dir := "asc"
		if tc.descending {
			dir = "desc"
		}
		t.Run(tc.orderBy+" "+dir, func(t *testing.T) {
			events := all(t, s, store.Query{OrderBy: tc.orderBy, Descending: tc.descending, PerPage: tc.perPage})
			if got := f.names(events); got != tc.want {
				t.Errorf("order (perPage %d): got %q, want %q", tc.perPage, got, tc.want)
			}
		})
	}
}

// testCorrectiveEventIDs checks that correctiveEventIDs become queryable
// however the declaration arrives: for an event stored by an earlier
// capture, for one stored earlier in the same batch, on a new event that
// carries its declaration, and through CaptureStream. A declaration that
// repeats an attached one adds nothing.
func testCorrectiveEventIDs(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)

	earlier := record(objectEvent(0, epcis.ActionAdd, sgtin1))
	capture(t, s, "job-1", earlier)
	checkOutcomes(t, capture(t, s, "job-2", declaration(earlier, erIncorrect, base.Add(time.Hour), fix1)), store.Declared)

	batched := record(objectEvent(1, epcis.ActionAdd, sgtin2))
	checkOutcomes(t, capture(t, s, "job-3", batched, declaration(batched, erIncorrect, base.Add(time.Hour), fix2)),
		store.Stored, store.Declared)

	carrying := objectEvent(2, epcis.ActionAdd, sgtin3)
	carrying.ErrorDeclaration = &epcis.ErrorDeclaration{DeclarationTime: base.Add(time.Hour), Reason: erDidNotOccur,
		CorrectiveEventIDs: []string{fix1, fix2}}
	carried := record(carrying)
	checkOutcomes(t, capture(t, s, "job-4", carried), store.Stored)

	streamed := record(objectEvent(3, epcis.ActionObserve, sgtinPct))
	const fix3 = "urn:uuid:6d2c3b1e-0b7a-4c55-9f8e-000000000f03"
	pending := []store.Record{streamed, declaration(streamed, erIncorrect, base.Add(time.Hour), fix3)}
	counts, err := s.CaptureStream(ctx, "job-5", func() (store.Record, error) {
		if len(pending) == 0 {
			return store.Record{}, io.EOF
		}
		r := pending[0]
		pending = pending[1:]
		return r, nil
	})
	if err != nil || counts.Stored != 1 || counts.Declared != 1 {
		t.Fatalf("CaptureStream: got %+v, %v; want 1 stored and 1 declared", counts, err)
	}

	// Repeating the first declaration is a duplicate and writes no row.
	checkOutcomes(t, capture(t, s, "job-6", declaration(earlier, erIncorrect, base.Add(time.Hour), fix1)), store.Duplicate)

	names := map[string]string{
		earlier.Event.EventID: "earlier", batched.Event.EventID: "batched",
		carried.Event.EventID: "carried", streamed.Event.EventID: "streamed",
	}
	cases := []struct {
		name string
		ids  []string
		want string
	}{
		{"fix1", []string{fix1}, "carried,earlier"},
		{"fix2", []string{fix2}, "batched,carried"},
		{"fix3", []string{fix3}, "streamed"},
		{"fix1 or fix3", []string{fix1, fix3}, "carried,earlier,streamed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, e := range all(t, s, store.Query{CorrectiveEventIDs: tc.ids}) {
				got = append(got, names[e.EventID])
			}
			slices.Sort(got)
			if g := strings.Join(got, ","); g != tc.want {
				t.Errorf("events: got %q, want %q", g, tc.want)
			}
		})
	}
}

// testMaxEventCount checks maxEventCount over the six fixture events. A
// query that matches at most that many events pages through them as
// without the limit. One that matches more fails on its first page,
// whatever the page size. A query whose total grows past the limit while
// it is paged fails on the page that would pass it.
func testMaxEventCount(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	f := loadFixture(t, s)

	allowed := []struct {
		name string
		q    store.Query
		want string
	}{
		{"equal to total", store.Query{MaxEventCount: 6}, "A,B,C,D,E,F"},
		{"equal to total paged", store.Query{MaxEventCount: 6, PerPage: 2}, "A,B,C,D,E,F"},
		{"equal to total page of limit", store.Query{MaxEventCount: 6, PerPage: 6}, "A,B,C,D,E,F"},
		{"above total paged", store.Query{MaxEventCount: 7, PerPage: 4}, "A,B,C,D,E,F"},
		{"equal to matches desc", store.Query{MaxEventCount: 2, EventTypes: []string{"ObjectEvent"}, Descending: true}, "B,A"},
		{"equal to matches by eventTime", store.Query{MaxEventCount: 3, Actions: []string{"ADD"}, OrderBy: "eventTime", PerPage: 1}, "F,A,C"},
		{"no match", store.Query{MaxEventCount: 1, BizSteps: []string{"urn:epcglobal:cbv:bizstep:destroying"}}, ""},
	}
	for _, tc := range allowed {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.names(all(t, s, tc.q)); got != tc.want {
				t.Errorf("events: got %q, want %q", got, tc.want)
			}
		})
	}

	tooMany := []struct {
		name string
		q    store.Query
	}{
		{"one above", store.Query{MaxEventCount: 5}},
		{"one above paged", store.Query{MaxEventCount: 5, PerPage: 2}},
		{"limit below page", store.Query{MaxEventCount: 1, PerPage: 3}},
		{"limit equals page", store.Query{MaxEventCount: 3, PerPage: 3}},
		{"with restriction", store.Query{MaxEventCount: 1, EventTypes: []string{"ObjectEvent"}}},
		{"by eventTime desc", store.Query{MaxEventCount: 2, OrderBy: "eventTime", Descending: true, PerPage: 1}},
		{"MATCH_anyEPC", store.Query{MaxEventCount: 1, Matches: []store.IDMatch{{Roles: store.InstanceRoles, Values: []string{sgtin1}}}}},
	}
	for _, tc := range tooMany {
		t.Run("too many "+tc.name, func(t *testing.T) {
			p, err := s.QueryEvents(ctx, tc.q)
			var tooLarge *store.QueryTooLargeError
			if !errors.As(err, &tooLarge) || !errors.Is(err, store.ErrQueryTooLarge) {
				t.Fatalf("QueryEvents: got %d events, %v; want a *QueryTooLargeError wrapping ErrQueryTooLarge", len(p.Events), err)
			}
			if tooLarge.MaxEventCount != tc.q.MaxEventCount {
				t.Errorf("QueryTooLargeError.MaxEventCount: got %d, want %d", tooLarge.MaxEventCount, tc.q.MaxEventCount)
			}
		})
	}

	t.Run("grows while paged", func(t *testing.T) {
		q := store.Query{MaxEventCount: 8, PerPage: 3}
		p, err := s.QueryEvents(ctx, q)
		if err != nil {
			t.Fatalf("QueryEvents page 1: %v", err)
		}
		if got := f.names(p.Events); got != "A,B,C" || p.Next == nil {
			t.Fatalf("page 1: got %q, Next %v; want A,B,C and a next page", got, p.Next)
		}
		for i := range 3 {
			capture(t, s, "job-late", record(objectEvent(200+i, epcis.ActionObserve, sgtin3)))
		}
		q.After = p.Next
		if p, err = s.QueryEvents(ctx, q); err != nil {
			t.Fatalf("QueryEvents page 2: %v", err)
		}
		if got := f.names(p.Events); got != "D,E,F" || p.Next == nil {
			t.Fatalf("page 2: got %q, Next %v; want D,E,F and a next page", got, p.Next)
		}
		q.After = p.Next
		p, err = s.QueryEvents(ctx, q)
		if !errors.Is(err, store.ErrQueryTooLarge) {
			t.Errorf("page 3 with 9 events matching: got %d events, %v; want ErrQueryTooLarge", len(p.Events), err)
		}
	})

	invalid := []struct {
		name string
		q    store.Query
	}{
		{"negative", store.Query{MaxEventCount: -1}},
		{"with eventCountLimit", store.Query{MaxEventCount: 3, EventCountLimit: 2}},
	}
	for _, tc := range invalid {
		t.Run("invalid "+tc.name, func(t *testing.T) {
			if _, err := s.QueryEvents(ctx, tc.q); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("QueryEvents: got %v, want ErrInvalid", err)
			}
		})
	}
}
