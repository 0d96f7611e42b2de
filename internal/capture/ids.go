package capture

import (
	"strconv"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// identifiers lists every identifier of e with its canonical form, for the
// identifier index, taking canonical forms from c when it has them. Identifiers that package ident rejects (a GS1 key with a
// wrong check digit, say) are returned as field errors.
func identifiers(e *epcis.Event, index int, c *canonicalCache) ([]store.IDRef, []epcis.FieldError) {
	var (
		refs = make([]store.IDRef, 0, idCount(e))
		errs []epcis.FieldError
	)
	// pointer names the field as "/name/i/suffix", or "/name" when i is
	// negative; it is only formatted for an error.
	add := func(name string, i int, suffix, original string, role store.Role, typ string, q *epcis.QuantityElement) {
		canonical, err := c.canonical(original)
		if err != nil {
			pointer := "/" + name
			if i >= 0 {
				pointer += "/" + strconv.Itoa(i)
			}
			errs = append(errs, epcis.FieldError{
				EventIndex: index,
				Pointer:    pointer + suffix,
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
			add(name, i, "", v, role, "", nil)
		}
	}
	quantities := func(name string, values []epcis.QuantityElement, role store.Role) {
		for i := range values {
			add(name, i, "/epcClass", values[i].EPCClass, role, "", &values[i])
		}
	}

	if e.ParentID != "" {
		add("parentID", -1, "", e.ParentID, store.RoleParent, "", nil)
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
		add("readPoint", -1, "/id", e.ReadPoint.ID, store.RoleReadPoint, "", nil)
	}
	if e.BizLocation != nil {
		add("bizLocation", -1, "/id", e.BizLocation.ID, store.RoleBizLocation, "", nil)
	}
	for i, s := range e.SourceList {
		add("sourceList", i, "/source", s.Value, store.RoleSource, s.Type, nil)
	}
	for i, d := range e.DestinationList {
		add("destinationList", i, "/destination", d.Value, store.RoleDestination, d.Type, nil)
	}
	for i, se := range e.SensorElementList {
		if se.Metadata != nil && se.Metadata.DeviceID != "" {
			add("sensorElementList", i, "/sensorMetadata/deviceID", se.Metadata.DeviceID, store.RoleSensorDevice, "", nil)
		}
	}
	if e.TransformationID != "" {
		// A transformationID may be any absolute URI, so one that
		// package ident cannot read is indexed as given, not rejected.
		canonical, err := c.canonical(e.TransformationID)
		if err != nil {
			canonical = e.TransformationID
		}
		refs = append(refs, store.IDRef{Canonical: canonical, Original: e.TransformationID, Role: store.RoleTransformationID})
	}
	if d := e.ErrorDeclaration; d != nil {
		// eventIDs are compared as given, as for EQ_eventID.
		for _, id := range d.CorrectiveEventIDs {
			refs = append(refs, store.IDRef{Canonical: id, Original: id, Role: store.RoleCorrectiveEventID})
		}
	}
	return refs, errs
}

// idCount returns how many identifiers identifiers lists for e at most.
func idCount(e *epcis.Event) int {
	n := len(e.EPCList) + len(e.ChildEPCs) + len(e.InputEPCList) + len(e.OutputEPCList) +
		len(e.QuantityList) + len(e.ChildQuantityList) + len(e.InputQuantityList) + len(e.OutputQuantityList) +
		len(e.SourceList) + len(e.DestinationList) + len(e.SensorElementList) + 4
	if e.ErrorDeclaration != nil {
		n += len(e.ErrorDeclaration.CorrectiveEventIDs)
	}
	return n
}

// canonicalCache keeps the canonical forms of identifiers that repeat
// across the events of one document: locations, parties, classes. It
// holds at most canonicalCacheSize entries, so a document of any size
// uses bounded memory; instance identifiers (EPCs) that rarely repeat
// simply miss.
type canonicalCache struct {
	m map[string]string
}

// canonicalCacheSize caps the entries of a canonicalCache.
const canonicalCacheSize = 4096

// canonical returns ident.Canonical(id), from the cache when it is there.
// Failures are not cached: they end the event's preparation anyway.
func (c *canonicalCache) canonical(id string) (string, error) {
	if c == nil {
		return ident.Canonical(id)
	}
	if v, ok := c.m[id]; ok {
		return v, nil
	}
	v, err := ident.Canonical(id)
	if err != nil {
		return "", err
	}
	if c.m == nil {
		c.m = make(map[string]string)
	}
	if len(c.m) >= canonicalCacheSize {
		clear(c.m)
	}
	c.m[id] = v
	return v, nil
}
