package capture

import (
	"fmt"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// identifiers lists every identifier of e with its canonical form, for the
// identifier index. Identifiers that package ident rejects (a GS1 key with a
// wrong check digit, say) are returned as field errors.
func identifiers(e *epcis.Event, index int) ([]store.IDRef, []epcis.FieldError) {
	var (
		refs []store.IDRef
		errs []epcis.FieldError
	)
	add := func(pointer, original string, role store.Role, typ string, q *epcis.QuantityElement) {
		canonical, err := ident.Canonical(original)
		if err != nil {
			errs = append(errs, epcis.FieldError{
				EventIndex: index,
				Pointer:    pointer,
				Value:      epcis.TruncateValue(original),
				Rule:       "well-formed identifier",
				Message:    err.Error(),
			})
			return
		}
		ref := store.IDRef{Canonical: canonical, Original: original, Role: role, Type: typ}
		if q != nil && q.HasQuantity {
			quantity := q.Quantity
			ref.Quantity = &quantity
			ref.UOM = q.UOM
		}
		refs = append(refs, ref)
	}
	list := func(name string, values []string, role store.Role) {
		for i, v := range values {
			add(fmt.Sprintf("/%s/%d", name, i), v, role, "", nil)
		}
	}
	quantities := func(name string, values []epcis.QuantityElement, role store.Role) {
		for i := range values {
			add(fmt.Sprintf("/%s/%d/epcClass", name, i), values[i].EPCClass, role, "", &values[i])
		}
	}

	if e.ParentID != "" {
		add("/parentID", e.ParentID, store.RoleParent, "", nil)
	}
	list("epcList", e.EPCList, store.RoleEPC)
	list("childEPCs", e.ChildEPCs, store.RoleChild)
	list("inputEPCList", e.InputEPCList, store.RoleInput)
	list("outputEPCList", e.OutputEPCList, store.RoleOutput)
	quantities("quantityList", e.QuantityList, store.RoleClass)
	quantities("childQuantityList", e.ChildQuantityList, store.RoleChildClass)
	quantities("inputQuantityList", e.InputQuantityList, store.RoleInputClass)
	quantities("outputQuantityList", e.OutputQuantityList, store.RoleOutputClass)
	if e.ReadPoint != nil {
		add("/readPoint/id", e.ReadPoint.ID, store.RoleReadPoint, "", nil)
	}
	if e.BizLocation != nil {
		add("/bizLocation/id", e.BizLocation.ID, store.RoleBizLocation, "", nil)
	}
	for i, s := range e.SourceList {
		add(fmt.Sprintf("/sourceList/%d/source", i), s.Value, store.RoleSource, s.Type, nil)
	}
	for i, d := range e.DestinationList {
		add(fmt.Sprintf("/destinationList/%d/destination", i), d.Value, store.RoleDestination, d.Type, nil)
	}
	for i, se := range e.SensorElementList {
		if se.Metadata != nil && se.Metadata.DeviceID != "" {
			add(fmt.Sprintf("/sensorElementList/%d/sensorMetadata/deviceID", i), se.Metadata.DeviceID, store.RoleSensorDevice, "", nil)
		}
	}
	return refs, errs
}
