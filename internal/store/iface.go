package store

import (
	"context"
	"time"
)

// Store is the persistence interface of the platform. Implementations are
// safe for concurrent use by multiple goroutines and, for the PostgreSQL
// backend, by multiple processes on one database.
type Store interface {
	// Capture stores one document's records in a single transaction:
	// event rows, identifier index rows and audit-log leaves commit
	// together or not at all. A record whose eventID or hash is already
	// stored with the same hash is a Duplicate; one carrying an
	// errorDeclaration and the eventID of a stored event without one is
	// Declared: its Doc becomes the event's served Doc (the original Doc
	// is kept), its declaration fields and its RoleCorrectiveEventID rows
	// become queryable (its other identifier rows are not written), and
	// it gets its own audit-log leaf. A record that reuses a stored eventID with another
	// hash fails the whole batch with a *ConflictError. captureID names
	// the capture job; recordTime is assigned by the store.
	Capture(ctx context.Context, captureID string, records []Record) (CaptureResult, error)

	// CaptureStream stores one document like Capture, in a single
	// transaction, but takes its records one at a time from next, so that
	// memory stays flat however many records the document has. next
	// returns io.EOF after the last record. Any other error from next
	// rolls the transaction back and stores nothing; CaptureStream
	// returns it wrapped, for errors.Is. Records are written in chunks
	// inside the transaction; a later record may duplicate, declare or
	// conflict with an earlier one of the same stream exactly as within a
	// Capture batch. The result counts the outcomes instead of listing
	// them.
	CaptureStream(ctx context.Context, captureID string, next func() (Record, error)) (CaptureCounts, error)

	// QueryEvents returns one page of events matching q.
	QueryEvents(ctx context.Context, q Query) (Page, error)

	// Event returns the event with the given eventID, or ErrNotFound.
	Event(ctx context.Context, eventID string) (StoredEvent, error)

	// Distinct lists the distinct canonical values stored for a top-level
	// resource (see Resource), in ascending order, after the value
	// `after`, at most limit of them.
	Distinct(ctx context.Context, r Resource, after string, limit int) ([]string, error)

	// CreateJob, UpdateJob, Job and Jobs manage capture jobs.
	CreateJob(ctx context.Context, job Job) error
	UpdateJob(ctx context.Context, job Job) error
	Job(ctx context.Context, id string) (Job, error)
	Jobs(ctx context.Context, after string, limit int) ([]Job, error)

	LogStore

	// Close releases the store's resources.
	Close() error
}

// Resource is a top-level EPCIS REST resource that lists distinct values.
type Resource string

// Top-level resources of the EPCIS 2.0 REST binding.
const (
	ResourceEventTypes   Resource = "eventTypes"
	ResourceEPCs         Resource = "epcs"
	ResourceBizSteps     Resource = "bizSteps"
	ResourceBizLocations Resource = "bizLocations"
	ResourceReadPoints   Resource = "readPoints"
	ResourceDispositions Resource = "dispositions"
)

// JobState is the state of a capture job.
type JobState string

// Capture job states, as the EPCIS 2.0 REST binding names them.
const (
	JobRunning   JobState = "RUNNING"
	JobSucceeded JobState = "SUCCESS"
	JobFailed    JobState = "FAILED"
)

// Job is a capture job: one submitted document and what became of it.
type Job struct {
	ID         string
	State      JobState
	CreatedAt  time.Time
	FinishedAt time.Time
	// Source names where the document came from (a file name, or "http").
	Source string
	// Accepted, Duplicates and Declared count the document's events by
	// outcome; Rejected is nonzero when the document was rejected.
	Accepted, Duplicates, Declared, Rejected int
	// Errors lists what was wrong with the document, as JSON-ready
	// problem entries; empty on success.
	Errors []JobError
}

// JobError is one reason a document was rejected.
type JobError struct {
	// EventIndex is the position of the event in the document, or -1 for
	// a document-level error.
	EventIndex int    `json:"eventIndex"`
	Pointer    string `json:"pointer,omitempty"`
	Value      string `json:"value,omitempty"`
	Rule       string `json:"rule,omitempty"`
	Message    string `json:"message"`
}

// LogStore is the part of a store that keeps the audit log's tree. Leaf
// hashes are written by Capture and by DecisionStore.AppendDecision (and
// the registry changes that carry decisions), in commit order, so a leaf
// records either an event or a decision. Interior tiles and signed
// checkpoints are written by the audit log service.
type LogStore interface {
	// LogSize returns the number of audit-log leaves.
	LogSize(ctx context.Context) (uint64, error)
	// LeafHashes returns the leaf hashes with indexes in [start, end).
	LeafHashes(ctx context.Context, start, end uint64) ([][]byte, error)
	// LeafIndex returns the leaf index of an event's entry, or ErrNotFound.
	LeafIndex(ctx context.Context, eventID string) (uint64, error)
	// LeafEvent returns the eventID whose entry is at leaf index i, or
	// ErrNotFound when that leaf records a decision (see
	// DecisionStore.DecisionAt) or does not exist.
	LeafEvent(ctx context.Context, i uint64) (string, error)

	// PutTiles stores complete or partial tiles of interior hashes; a
	// tile with the same key replaces the stored one only if it is wider.
	PutTiles(ctx context.Context, tiles []Tile) error
	// Tiles returns the stored tiles for the given keys; missing tiles are
	// left out of the result, not reported as errors.
	Tiles(ctx context.Context, keys []TileKey) ([]Tile, error)

	// PutCheckpoint stores a signed checkpoint note for a tree size;
	// Checkpoint returns the one for size, or the latest when size is 0.
	PutCheckpoint(ctx context.Context, size uint64, note []byte) error
	Checkpoint(ctx context.Context, size uint64) (uint64, []byte, error)
}

// TileKey addresses a tile of the Merkle tree: Level counts tile levels
// (each spans 8 tree levels) and Index counts tiles from the left.
type TileKey struct {
	Level uint8
	Index uint64
}

// Tile is up to 256 consecutive node hashes of one tree level,
// concatenated (32 bytes each).
type Tile struct {
	TileKey
	Hashes []byte
}
