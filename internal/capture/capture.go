// Package capture owns the capture pipeline: a decoded EPCIS document is
// validated, its identifiers canonicalised, each event hashed (CBV 2.0) and
// given an eventID when it has none, and the whole document stored in one
// transaction together with its audit-log leaves. It also keeps the
// capture job that reports what became of the document.
package capture

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/eventhash"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

// LeafHasher computes the audit-log leaf hash of a stored event. The audit
// log service implements it.
type LeafHasher interface {
	LeafHash(eventID, eventHash string, doc []byte) []byte
}

// Service runs captures. It is safe for concurrent use.
type Service struct {
	store  store.Store
	log    LeafHasher
	logger *slog.Logger
	// MaxEvents caps the events of one document; 0 means no cap.
	MaxEvents int
	// Authorizer, when set, decides per event whether the caller may
	// report it; a document with any denied event is rejected whole.
	Authorizer Authorizer
}

// Authorizer decides whether the caller identified by ctx may report an
// event. It returns one entry per broken rule, naming the event index,
// the identifier and the rule, and an error only when it could not decide.
type Authorizer interface {
	AuthorizeEvent(ctx context.Context, index int, e *epcis.Event, ids []store.IDRef) ([]store.JobError, error)
}

// New returns a capture service writing to st. log may be nil, in which
// case no audit-log leaves are written.
func New(st store.Store, log LeafHasher, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: st, log: log, logger: logger}
}

// ErrTooManyEvents is returned when a document has more events than
// Service.MaxEvents.
var ErrTooManyEvents = errors.New("too many events in one document")

// Result is what became of one captured document.
type Result struct {
	Job store.Job
	// EventIDs lists the eventID of each event in document order,
	// including IDs the capture assigned.
	EventIDs []string
}

// Capture reads every event from dec, validates and prepares it, and
// stores the document in one transaction. source names where the document
// came from (a file name, or "http"). The returned Result holds the
// finished capture job; the error is non-nil when the document was
// rejected: an *epcis.ValidationError for invalid content, an error
// wrapping store.ErrConflict for a reused eventID, or another error when
// storing failed. A rejected document leaves nothing in the store but its
// failed capture job.
func (s *Service) Capture(ctx context.Context, dec epcis.Decoder, source string) (Result, error) {
	job := store.Job{ID: NewJobID(), State: store.JobRunning, CreatedAt: time.Now().UTC(), Source: source}
	if err := s.store.CreateJob(ctx, job); err != nil {
		return Result{Job: job}, fmt.Errorf("create capture job: %w", err)
	}
	res, err := s.capture(ctx, dec, &job)
	job.FinishedAt = time.Now().UTC()
	if err != nil {
		job.State = store.JobFailed
		job.Rejected = max(1, job.Rejected)
		job.Errors = jobErrors(err)
	} else {
		job.State = store.JobSucceeded
	}
	res.Job = job
	// The job update must land even when the request context was
	// cancelled, so that clients polling the job see the outcome.
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if uerr := s.store.UpdateJob(uctx, job); uerr != nil {
		return res, errors.Join(err, fmt.Errorf("update capture job %s: %w", job.ID, uerr))
	}
	return res, err
}

func (s *Service) capture(ctx context.Context, dec epcis.Decoder, job *store.Job) (Result, error) {
	var (
		res      Result
		records  []store.Record
		invalid  []epcis.FieldError
		denied   []store.JobError
		previous *epcis.ValidationError
	)
	if _, err := dec.Header(); err != nil {
		return res, err
	}
	for index := 0; ; index++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		e, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var verr *epcis.ValidationError
		if errors.As(err, &verr) && eventLevel(verr) && verr != previous {
			// One event is invalid but the document goes on: note it
			// and read on, so that one response lists every invalid
			// event, up to maxErrors.
			previous = verr
			invalid = append(invalid, verr.Errors...)
			if len(invalid) >= maxErrors {
				return res, &epcis.ValidationError{Errors: invalid[:maxErrors]}
			}
			continue
		}
		if err != nil {
			if verr != nil && verr == previous {
				return res, &epcis.ValidationError{Errors: invalid}
			}
			if len(invalid) > 0 {
				return res, &epcis.ValidationError{Errors: append(invalid, fieldErrors(err, index)...)}
			}
			return res, err
		}
		if s.MaxEvents > 0 && index >= s.MaxEvents {
			return res, fmt.Errorf("%w: the limit is %d events; split the document", ErrTooManyEvents, s.MaxEvents)
		}
		rec, errs := s.prepare(e, index)
		if len(errs) > 0 {
			invalid = append(invalid, errs...)
			continue
		}
		if s.Authorizer != nil && len(invalid) == 0 {
			reasons, err := s.Authorizer.AuthorizeEvent(ctx, index, e, rec.IDs)
			if err != nil {
				return res, fmt.Errorf("authorize event %d: %w", index, err)
			}
			denied = append(denied, reasons...)
		}
		records = append(records, rec)
		res.EventIDs = append(res.EventIDs, rec.Event.EventID)
	}
	if len(invalid) > 0 {
		return res, &epcis.ValidationError{Errors: invalid}
	}
	if len(denied) > 0 {
		return res, &store.ForbiddenError{Errors: denied}
	}
	out, err := s.store.Capture(ctx, job.ID, records)
	if err != nil {
		return res, fmt.Errorf("store document: %w", err)
	}
	for _, o := range out.Outcomes {
		switch o {
		case store.Stored:
			job.Accepted++
		case store.Duplicate:
			job.Duplicates++
		case store.Declared:
			job.Declared++
		}
	}
	s.logger.Info("document captured", "capture_id", job.ID, "source", job.Source,
		"accepted", job.Accepted, "duplicates", job.Duplicates, "declared", job.Declared)
	return res, nil
}

// maxErrors caps the errors collected from one document.
const maxErrors = 1000

// eventLevel reports whether every error of verr concerns one event, so
// that the decoder can go on with the next one (see epcis.Decoder).
func eventLevel(verr *epcis.ValidationError) bool {
	for _, fe := range verr.Errors {
		if fe.EventIndex < 0 {
			return false
		}
	}
	return len(verr.Errors) > 0
}

// prepare validates one event and turns it into a store record.
func (s *Service) prepare(e *epcis.Event, index int) (store.Record, []epcis.FieldError) {
	ids, errs := identifiers(e, index)
	if len(errs) > 0 {
		return store.Record{}, errs
	}
	hash, err := eventhash.Hash(e)
	if err != nil {
		return store.Record{}, []epcis.FieldError{{EventIndex: index, Rule: "CBV 2.0 event hash", Message: err.Error()}}
	}
	if e.EventID == "" {
		e.EventID = hash
	}
	// The record time belongs to the store; a client-sent one is dropped.
	e.RecordTime = time.Time{}
	doc, err := epcis.MarshalEventJSON(e)
	if err != nil {
		return store.Record{}, []epcis.FieldError{{EventIndex: index, Rule: "JSON-LD encoding", Message: err.Error()}}
	}
	rec := store.Record{Event: e, Doc: doc, Hash: hash, IDs: ids, Lineage: trace.Derive(e, ids)}
	if s.log != nil {
		rec.LeafHash = s.log.LeafHash(e.EventID, hash, doc)
	}
	return rec, nil
}

// fieldErrors returns the field errors carried by err, or one document
// level error describing it.
func fieldErrors(err error, index int) []epcis.FieldError {
	var verr *epcis.ValidationError
	if errors.As(err, &verr) {
		return verr.Errors
	}
	var ferr epcis.FieldError
	if errors.As(err, &ferr) {
		return []epcis.FieldError{ferr}
	}
	return []epcis.FieldError{{EventIndex: -1, Message: err.Error()}}
}

// jobErrors converts a capture error into the job's error list.
func jobErrors(err error) []store.JobError {
	var out []store.JobError
	var verr *epcis.ValidationError
	if errors.As(err, &verr) {
		for _, fe := range verr.Errors {
			out = append(out, store.JobError{
				EventIndex: fe.EventIndex, Pointer: fe.Pointer, Value: fe.Value, Rule: fe.Rule, Message: fe.Error(),
			})
		}
		return out
	}
	var conflict *store.ConflictError
	if errors.As(err, &conflict) {
		msg := conflict.Error()
		if conflict.StoredJob != "" {
			msg += " by capture job " + conflict.StoredJob
		}
		return []store.JobError{{EventIndex: conflict.Index, Value: conflict.EventID, Rule: "eventID unique", Message: msg}}
	}
	var forbidden *store.ForbiddenError
	if errors.As(err, &forbidden) {
		return forbidden.Errors
	}
	if errors.Is(err, ErrTooManyEvents) {
		return []store.JobError{{EventIndex: -1, Rule: "capture limit", Message: err.Error()}}
	}
	// Other failures are internal; their text stays in the server log.
	return []store.JobError{{EventIndex: -1, Message: "storing the document failed; try again later or ask the operator"}}
}

// NewJobID returns a new random capture job identifier.
func NewJobID() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("capture: crypto/rand failed: " + err.Error())
	}
	return "cj" + hex.EncodeToString(b[:])
}
