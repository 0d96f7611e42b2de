// Package storetest owns the behavioural test suite that every store
// backend passes. Run checks capture outcomes, query parameters, paging,
// distinct values, capture jobs and the audit-log tables through the
// store.Store interface alone. RunCrash checks that a capture killed
// mid-way leaves none of its batch behind.
//
// Fixtures are built directly from epcis.Event values with hand-written
// identifiers that are already in canonical form, so the suite depends on
// no codec or identifier package.
package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// CBV 2.0 values used by the fixtures, in full URI form.
const (
	bizReceiving  = "urn:epcglobal:cbv:bizstep:receiving"
	bizShipping   = "urn:epcglobal:cbv:bizstep:shipping"
	bizCommission = "urn:epcglobal:cbv:bizstep:commissioning"
	dispActive    = "urn:epcglobal:cbv:disp:active"
	dispInTransit = "urn:epcglobal:cbv:disp:in_transit"
	dispRecalled  = "urn:epcglobal:cbv:disp:recalled"
	btPO          = "urn:epcglobal:cbv:btt:po"
	btDesadv      = "urn:epcglobal:cbv:btt:desadv"
	sdOwning      = "urn:epcglobal:cbv:sdt:owning_party"
	sdLocation    = "urn:epcglobal:cbv:sdt:location"
	erIncorrect   = "urn:epcglobal:cbv:er:incorrect_data"
	erDidNotOccur = "urn:epcglobal:cbv:er:did_not_occur"
)

// Identifiers in canonical form (GS1 Digital Link URIs).
const (
	sgtin1   = "https://id.gs1.org/01/09521234500019/21/1001"
	sgtin2   = "https://id.gs1.org/01/09521234500019/21/1002"
	sgtin3   = "https://id.gs1.org/01/09521234500026/21/2001"
	sgtinPct = "https://id.gs1.org/01/09521234500033/21/A%_1"
	sscc1    = "https://id.gs1.org/00/395212345000000017"
	lot1     = "https://id.gs1.org/01/09521234500040/10/LOT1"
	lot2     = "https://id.gs1.org/01/09521234500057/10/LOT2"
	gln1     = "https://id.gs1.org/414/9521234500001"
	gln2     = "https://id.gs1.org/414/9521234500018"
	glnDC    = "https://id.gs1.org/414/9521234500025"
	pgln1    = "https://id.gs1.org/417/9521234500001"
	pgln2    = "https://id.gs1.org/417/9521234500018"
	po1      = "urn:epcglobal:cbv:bt:9521234500001:PO-1"
	po2      = "urn:epcglobal:cbv:bt:9521234500001:PO-2"
	// gdti1 is a transformationID: a GDTI, the document key EPCIS 2.0
	// examples use for it.
	gdti1 = "https://id.gs1.org/253/9521234500018TR-1"
	// fix1 and fix2 are eventIDs of corrective events named by an error
	// declaration.
	fix1 = "urn:uuid:6d2c3b1e-0b7a-4c55-9f8e-000000000f01"
	fix2 = "urn:uuid:6d2c3b1e-0b7a-4c55-9f8e-000000000f02"
)

// base is the event time of the first fixture event.
var base = time.Date(2026, 3, 1, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))

// record returns a store record for e: the identifier index rows derived
// from e's fields (every identifier is taken as already canonical), a
// JSON document of e, a hash-like value of that document and a leaf hash.
// When e.EventID is empty it is set to the hash, as the capture service
// does.
func record(e *epcis.Event) store.Record {
	doc, err := json.Marshal(e)
	if err != nil {
		panic(fmt.Sprintf("storetest: encode fixture event: %v", err))
	}
	sum := sha256.Sum256(doc)
	hash := "ni:///sha-256;" + hex.EncodeToString(sum[:]) + "?ver=CBV2.0"
	if e.EventID == "" {
		e.EventID = hash
		doc, _ = json.Marshal(e)
	}
	leaf := sha256.Sum256(append([]byte{0}, doc...))
	return store.Record{Event: e, Doc: doc, Hash: hash, IDs: idRefs(e), LeafHash: leaf[:]}
}

// idRefs returns the identifier index rows of e, taking every identifier
// as already in canonical form.
func idRefs(e *epcis.Event) []store.IDRef {
	var ids []store.IDRef
	add := func(role store.Role, typ string, values ...string) {
		for _, v := range values {
			ids = append(ids, store.IDRef{Canonical: v, Original: v, Role: role, Type: typ})
		}
	}
	addQ := func(role store.Role, list []epcis.QuantityElement) {
		for _, q := range list {
			ref := store.IDRef{Canonical: q.EPCClass, Original: q.EPCClass, Role: role, UOM: q.UOM}
			if q.HasQuantity {
				v := q.Quantity
				ref.Quantity = &v
			}
			ids = append(ids, ref)
		}
	}
	add(store.RoleEPC, "", e.EPCList...)
	if e.ParentID != "" {
		add(store.RoleParent, "", e.ParentID)
	}
	add(store.RoleChild, "", e.ChildEPCs...)
	add(store.RoleInput, "", e.InputEPCList...)
	add(store.RoleOutput, "", e.OutputEPCList...)
	addQ(store.RoleClass, e.QuantityList)
	addQ(store.RoleChildClass, e.ChildQuantityList)
	addQ(store.RoleInputClass, e.InputQuantityList)
	addQ(store.RoleOutputClass, e.OutputQuantityList)
	if e.ReadPoint != nil {
		add(store.RoleReadPoint, "", e.ReadPoint.ID)
	}
	if e.BizLocation != nil {
		add(store.RoleBizLocation, "", e.BizLocation.ID)
	}
	for _, s := range e.SourceList {
		add(store.RoleSource, s.Type, s.Value)
	}
	for _, d := range e.DestinationList {
		add(store.RoleDestination, d.Type, d.Value)
	}
	if e.TransformationID != "" {
		add(store.RoleTransformationID, "", e.TransformationID)
	}
	if ed := e.ErrorDeclaration; ed != nil {
		add(store.RoleCorrectiveEventID, "", ed.CorrectiveEventIDs...)
	}
	return ids
}

// declaration returns the error declaration record for the stored event
// orig: a copy of its event carrying an errorDeclaration with reason and
// the given correctiveEventIDs.
func declaration(orig store.Record, reason string, declared time.Time, corrective ...string) store.Record {
	e := *orig.Event
	e.ErrorDeclaration = &epcis.ErrorDeclaration{DeclarationTime: declared, Reason: reason, CorrectiveEventIDs: corrective}
	return record(&e)
}

// objectEvent returns an ObjectEvent at base plus minutes with the given
// EPCs.
func objectEvent(minutes int, action epcis.Action, epcs ...string) *epcis.Event {
	return &epcis.Event{
		Type:                epcis.ObjectEvent,
		EventTime:           base.Add(time.Duration(minutes) * time.Minute),
		EventTimeZoneOffset: "+08:00",
		Action:              action,
		EPCList:             epcs,
	}
}

func loc(id string) *epcis.Location { return &epcis.Location{ID: id} }

func ptrTime(t time.Time) *time.Time { return &t }
