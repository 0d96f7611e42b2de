// Package capture owns the capture pipeline. A decoded EPCIS document is
// validated, its identifiers canonicalised, and each event hashed (CBV 2.0)
// and given an eventID when it has none. The whole document is then stored
// in one transaction together with its audit-log leaves. The package also
// keeps the capture job that reports the outcome of the document.
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

// Result is the outcome of one captured document.
type Result struct {
	Job store.Job
	// EventIDs lists the eventID of each valid event in document order,
	// including IDs the capture assigned, up to MaxListedEventIDs of them.
	EventIDs []string
	// Events counts the valid events read from the document.
	Events int
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

// capture streams the document's valid events into the store as they are
// read, so that memory stays flat in document size. As soon as one event
// is invalid or denied, the stream stops and the store's transaction
// rolls back. The rest of the document is still read, so that one
// response lists every invalid event.
func (s *Service) capture(ctx context.Context, dec epcis.Decoder, job *store.Job) (Result, error) {
	var res Result
	if _, err := dec.Header(); err != nil {
		return res, err
	}
	r := &docReader{s: s, dec: dec, res: &res}
	// The document is read, validated and hashed in its own goroutine,
	// a bounded number of events ahead of the store's writes.
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ahead := r.readAhead(rctx)
	src := &aheadSource{ahead: ahead}
	counts, err := s.store.CaptureStream(ctx, job.ID, src.next)
	var conflict *store.ConflictError
	readOn := err != nil && (errors.Is(err, errRejected) || errors.As(err, &conflict))
	if err != nil && !readOn {
		cancel()
	}
	// Wait for the reader; from here on r belongs to this goroutine.
	for range ahead {
	}
	switch {
	case err == nil:
	case r.stop != nil && errors.Is(err, r.stop):
		// Reading stopped the capture: the reason is r's own error.
		return res, r.stop
	case readOn:
		// The reader read on to the end: invalid events take precedence
		// over denials, and both over conflicts with stored events.
		if r.stop != nil {
			return res, r.stop
		}
		if rerr := r.rejection(); rerr != nil {
			return res, rerr
		}
		if conflict != nil {
			return res, fmt.Errorf("store document: %w", err)
		}
		return res, fmt.Errorf("store document: rejected document stream ended without a reason: %w", err)
	default:
		return res, fmt.Errorf("store document: %w", err)
	}
	job.Accepted, job.Duplicates, job.Declared = counts.Stored, counts.Duplicates, counts.Declared
	s.logger.Info("document captured", "capture_id", job.ID, "source", job.Source,
		"accepted", job.Accepted, "duplicates", job.Duplicates, "declared", job.Declared)
	return res, nil
}

// errRejected ends a capture stream once the document is known to be
// rejected (an invalid or denied event), so that the store rolls back.
var errRejected = errors.New("document rejected")

// MaxListedEventIDs is the most eventIDs a Result lists, so that a
// document of any size is captured in bounded memory.
const MaxListedEventIDs = 10000

// docReader reads, validates and prepares the events of one document.
type docReader struct {
	s        *Service
	dec      epcis.Decoder
	res      *Result
	index    int
	invalid  []epcis.FieldError
	denied   []store.JobError
	previous *epcis.ValidationError
	ids      canonicalCache
	// stop is the error that ended reading early, other than io.EOF.
	stop error
}

// rejection returns the error listing the invalid events, else the one
// listing the denied ones, else nil.
func (r *docReader) rejection() error {
	if len(r.invalid) > 0 {
		return &epcis.ValidationError{Errors: r.invalid}
	}
	if len(r.denied) > 0 {
		return &store.ForbiddenError{Errors: r.denied}
	}
	return nil
}

// step reads one event. It returns its record and true when the event is
// valid, false when it was invalid (noted in r.invalid), io.EOF at the end
// of the document, or a final error, also kept in r.stop, when reading
// cannot go on. At the end of a document with invalid or denied events it
// returns the rejection instead of io.EOF.
func (r *docReader) step(ctx context.Context) (store.Record, bool, error) {
	rec, ok, err := r.read(ctx)
	if err != nil && !errors.Is(err, io.EOF) {
		r.stop = err
	}
	return rec, ok, err
}

func (r *docReader) read(ctx context.Context) (store.Record, bool, error) {
	if err := ctx.Err(); err != nil {
		return store.Record{}, false, err
	}
	index := r.index
	e, err := r.dec.Next()
	if errors.Is(err, io.EOF) {
		return store.Record{}, false, io.EOF
	}
	var verr *epcis.ValidationError
	if errors.As(err, &verr) && eventLevel(verr) && verr != r.previous {
		// One event is invalid but the document goes on: note it and
		// read on, so that one response lists every invalid event, up
		// to maxErrors.
		r.index++
		r.previous = verr
		r.invalid = append(r.invalid, verr.Errors...)
		if len(r.invalid) >= maxErrors {
			return store.Record{}, false, &epcis.ValidationError{Errors: r.invalid[:maxErrors]}
		}
		return store.Record{}, false, nil
	}
	if err != nil {
		if verr != nil && verr == r.previous {
			return store.Record{}, false, &epcis.ValidationError{Errors: r.invalid}
		}
		if len(r.invalid) > 0 {
			return store.Record{}, false, &epcis.ValidationError{Errors: append(r.invalid, fieldErrors(err, index)...)}
		}
		return store.Record{}, false, err
	}
	r.index++
	if r.s.MaxEvents > 0 && index >= r.s.MaxEvents {
		return store.Record{}, false, fmt.Errorf("%w: the limit is %d events; split the document", ErrTooManyEvents, r.s.MaxEvents)
	}
	rec, errs := r.s.prepare(e, index, &r.ids)
	if len(errs) > 0 {
		r.invalid = append(r.invalid, errs...)
		return store.Record{}, false, nil
	}
	if r.s.Authorizer != nil && len(r.invalid) == 0 {
		reasons, err := r.s.Authorizer.AuthorizeEvent(ctx, index, e, rec.IDs)
		if err != nil {
			return store.Record{}, false, fmt.Errorf("authorize event %d: %w", index, err)
		}
		r.denied = append(r.denied, reasons...)
	}
	if len(r.res.EventIDs) < MaxListedEventIDs {
		r.res.EventIDs = append(r.res.EventIDs, rec.Event.EventID)
	}
	r.res.Events++
	return rec, true, nil
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

// prepare validates one event and turns it into a store record; cache
// caches canonical identifiers across the events of a document.
func (s *Service) prepare(e *epcis.Event, index int, cache *canonicalCache) (store.Record, []epcis.FieldError) {
	ids, errs := identifiers(e, index, cache)
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
