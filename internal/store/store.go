// Package store owns persistence: the Store interface that the capture,
// query, trace and audit-log services call, its shared types and sentinel
// errors, and the shared test suite (package storetest) that every backend
// passes. Backends live in sub-packages: sqlite (embedded, the default) and
// postgres (production).
//
// The store knows tables, not HTTP or codecs: callers hand it events that
// are already decoded, validated, canonicalised and hashed, and get back
// stored rows.
package store

import (
	"errors"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
)

// Sentinel errors. Callers test for them with errors.Is; the HTTP layer maps
// them to status codes in one place.
var (
	// ErrNotFound is returned when the requested event, job or key does
	// not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned when a write collides with stored data, such
	// as an eventID already stored for an event with different content.
	ErrConflict = errors.New("conflict")
	// ErrSchemaTooNew is returned by Open when the database was migrated by
	// a newer Suyuan than this one. Upgrade the binary; never downgrade
	// the database.
	ErrSchemaTooNew = errors.New("database schema is newer than this program")
	// ErrQueryTooLarge is returned by QueryEvents, inside a
	// *QueryTooLargeError, when more events match than
	// Query.MaxEventCount allows.
	ErrQueryTooLarge = errors.New("query result too large")
)

// Role says where in an event an identifier appears. The identifier index
// holds one row per (identifier, role, event).
type Role string

// Identifier roles. EPC roles name instance-level identifiers; Class roles
// name the epcClass of a quantity element.
const (
	RoleEPC          Role = "epc"           // epcList
	RoleParent       Role = "parent"        // parentID
	RoleChild        Role = "child"         // childEPCs
	RoleInput        Role = "input"         // inputEPCList
	RoleOutput       Role = "output"        // outputEPCList
	RoleClass        Role = "class"         // quantityList
	RoleChildClass   Role = "child_class"   // childQuantityList
	RoleInputClass   Role = "input_class"   // inputQuantityList
	RoleOutputClass  Role = "output_class"  // outputQuantityList
	RoleReadPoint    Role = "read_point"    // readPoint id
	RoleBizLocation  Role = "biz_location"  // bizLocation id
	RoleSource       Role = "source"        // sourceList value
	RoleDestination  Role = "destination"   // destinationList value
	RoleSensorDevice Role = "sensor_device" // sensor deviceID
	// RoleTransformationID rows hold the transformationID of a
	// TransformationEvent, in canonical form when package ident reads it
	// and as given otherwise. They serve EQ_transformationID; this is no
	// object role (see ObjectRoles), so traces never read these rows.
	RoleTransformationID Role = "transformation_id"
	// RoleCorrectiveEventID rows hold the correctiveEventIDs of an
	// attached errorDeclaration, as given, for EQ_correctiveEventID.
	RoleCorrectiveEventID Role = "corrective_event_id"
	// RoleEdgeFrom rows mark the From of each stored lineage edge (see
	// EdgeSources). Stores write them from Record.Lineage in the capture
	// transaction, so that one read of an identifier's rows shows whether
	// any stored edge leaves it. Capture lists none in Record.IDs.
	RoleEdgeFrom Role = "edge_from"
)

// IndexedRole reports whether identifiers in role r get rows in the
// identifier index. readPoint and bizLocation do not: the events row
// holds them in canonical form, indexed, and every query and listing on
// them reads that column.
func IndexedRole(r Role) bool {
	return r != RoleReadPoint && r != RoleBizLocation
}

// IDRef is one identifier of an event as listed in Record.IDs; the
// identifier index stores those whose role is indexed (see IndexedRole).
type IDRef struct {
	// Canonical is the identifier in the platform's one canonical form
	// (see package ident); queries match on it.
	Canonical string
	// Original is the form the client sent; exports keep it.
	Original string
	Role     Role
	// Type qualifies RoleSource and RoleDestination rows with the CBV
	// source/destination type URI; empty for other roles.
	Type string
	// Quantity and UOM are set for class roles when the quantity element
	// carried a quantity.
	Quantity *float64
	UOM      string
}

// Record is one event ready to store: decoded, validated, canonicalised
// and hashed by the capture service.
type Record struct {
	Event *epcis.Event
	// Doc is the event's canonical EPCIS 2.0 JSON-LD encoding (identifiers
	// in the client's original form), stored verbatim and served by queries.
	Doc []byte
	// Hash is the CBV 2.0 event hash ("ni:///sha-256;…?ver=CBV2.0").
	Hash string
	// IDs lists every identifier of the event with its canonical form.
	IDs []IDRef
	// LeafHash is the RFC 6962 leaf hash that the audit log appends for
	// this event, computed by the caller; nil when the log is disabled.
	LeafHash []byte
	// Lineage holds the lineage edges, touches and step of the event,
	// written with it when the event is stored; nil writes none.
	Lineage *Lineage
}

// Outcome says what capture did with one record.
type Outcome int

// Capture outcomes.
const (
	Stored    Outcome = iota // a new event was stored
	Duplicate                // the same event (by eventID or hash) was already stored
	Declared                 // an error declaration was attached to the stored event
)

// CaptureResult reports the outcome of each record of a batch, in order,
// and the record time assigned to the batch.
type CaptureResult struct {
	Outcomes   []Outcome
	RecordTime time.Time
}

// CaptureCounts counts the outcomes of a streamed capture (see
// Store.CaptureStream) and gives the record time assigned to it.
type CaptureCounts struct {
	Stored, Duplicates, Declared int
	RecordTime                   time.Time
}

// Add counts one outcome.
func (c *CaptureCounts) Add(o Outcome) {
	switch o {
	case Stored:
		c.Stored++
	case Duplicate:
		c.Duplicates++
	case Declared:
		c.Declared++
	}
}

// StreamChunk is the number of records a backend's CaptureStream
// decides and writes at a time; memory grows with it, not with the
// document.
const StreamChunk = 1000

// ConflictError is returned (wrapping ErrConflict) when a record reuses the
// eventID of a stored event with different content.
type ConflictError struct {
	EventID string
	// Index is the position of the record in the batch.
	Index int
	// StoredJob is the capture job that stored the existing event, if known.
	StoredJob string
}

func (e *ConflictError) Error() string {
	return "eventID " + e.EventID + " is already stored for a different event"
}

func (e *ConflictError) Unwrap() error { return ErrConflict }

// StoredEvent is an event as read back from the store.
type StoredEvent struct {
	// Seq is the store's internal, increasing event number.
	Seq        int64
	EventID    string
	Hash       string
	RecordTime time.Time
	// Doc is the stored JSON-LD encoding of the event as captured, or of
	// the error declaration that replaced it (see Store.Capture). It has no
	// recordTime member: callers add RecordTime when they encode it.
	Doc []byte
	// Declared reports whether an error declaration was attached.
	Declared bool
	// CaptureID is the capture job that stored the event.
	CaptureID string
}
