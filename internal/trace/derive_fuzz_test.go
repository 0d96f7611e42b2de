package trace_test

import (
	"testing"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

// FuzzDerive checks that Derive accepts any event the JSON codec reads
// and writes each edge once, never from an identifier to itself.
func FuzzDerive(f *testing.F) {
	for _, seed := range []string{
		`{"type":"AggregationEvent","eventTime":"2026-03-01T08:00:00Z","eventTimeZoneOffset":"+00:00","action":"ADD","parentID":"urn:x:p","childEPCs":["urn:x:a","urn:x:b"],"childQuantityList":[{"epcClass":"urn:x:c","quantity":2,"uom":"KGM"}]}`,
		`{"type":"AggregationEvent","eventTime":"2026-03-01T08:00:00Z","eventTimeZoneOffset":"+00:00","action":"DELETE","parentID":"urn:x:p"}`,
		`{"type":"TransformationEvent","eventTime":"2026-03-01T08:00:00Z","eventTimeZoneOffset":"+00:00","transformationID":"urn:x:t","inputEPCList":["urn:x:a"],"outputQuantityList":[{"epcClass":"urn:x:c"},{"epcClass":"urn:x:c"}]}`,
		`{"type":"ObjectEvent","eventTime":"2026-03-01T08:00:00Z","eventTimeZoneOffset":"+00:00","action":"ADD","epcList":["https://id.gs1.org/01/09506000134352/21/1"],"quantityList":[{"epcClass":"https://id.gs1.org/01/09506000134352/10/L"}],"ilmd":{"cbvmda:lotNumber":"L2"}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := epcis.UnmarshalEventJSON(data)
		if err != nil {
			return
		}
		ids := identifierRows(e)
		lin := trace.Derive(e, ids)
		seen := map[[3]string]bool{}
		for _, edge := range lin.Edges {
			if edge.From == edge.To {
				t.Errorf("edge from %s to itself", edge.From)
			}
			key := [3]string{edge.From, edge.To, string(edge.Kind)}
			if seen[key] {
				t.Errorf("edge %v written twice", key)
			}
			seen[key] = true
		}
	})
}

// identifierRows lists the object identifiers of e as their own canonical
// form, as the capture service would for identifiers already canonical.
func identifierRows(e *epcis.Event) []store.IDRef {
	var ids []store.IDRef
	add := func(role store.Role, vs ...string) {
		for _, v := range vs {
			ids = append(ids, store.IDRef{Canonical: v, Original: v, Role: role})
		}
	}
	addQ := func(role store.Role, qs []epcis.QuantityElement) {
		for _, q := range qs {
			ids = append(ids, store.IDRef{Canonical: q.EPCClass, Original: q.EPCClass, Role: role, UOM: q.UOM})
		}
	}
	if e.ParentID != "" {
		add(store.RoleParent, e.ParentID)
	}
	add(store.RoleEPC, e.EPCList...)
	add(store.RoleChild, e.ChildEPCs...)
	add(store.RoleInput, e.InputEPCList...)
	add(store.RoleOutput, e.OutputEPCList...)
	addQ(store.RoleClass, e.QuantityList)
	addQ(store.RoleChildClass, e.ChildQuantityList)
	addQ(store.RoleInputClass, e.InputQuantityList)
	addQ(store.RoleOutputClass, e.OutputQuantityList)
	return ids
}
