package store

import (
	"context"
	"errors"
)

// ErrInvalid is returned when a call to the store carries arguments the
// store cannot act on, such as a Query with an unknown OrderBy or a Record
// without an eventID. The caller must fix the request; retrying it
// unchanged fails again.
var ErrInvalid = errors.New("invalid store request")

// Scanner is implemented by stores that can list every stored event in
// storage order, for full scans such as audit-log verification and the
// export of everything.
type Scanner interface {
	// ScanEvents returns up to limit events with Seq greater than
	// afterSeq, in ascending Seq order. An empty result means the scan is
	// complete. limit must be positive.
	ScanEvents(ctx context.Context, afterSeq int64, limit int) ([]StoredEvent, error)
}

// InstanceRoles are the roles of instance-level identifiers (EPCs), the
// ones the EPCIS 2.0 REST binding lists under /epcs.
var InstanceRoles = []Role{RoleEPC, RoleParent, RoleChild, RoleInput, RoleOutput}

// ClassRoles are the roles of quantity elements (EPC classes), the rows
// that carry Quantity and UOM.
var ClassRoles = []Role{RoleClass, RoleChildClass, RoleInputClass, RoleOutputClass}

// IsClassRole reports whether r is one of ClassRoles.
func IsClassRole(r Role) bool {
	for _, c := range ClassRoles {
		if r == c {
			return true
		}
	}
	return false
}
