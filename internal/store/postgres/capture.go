package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlq"
)

// Column lists of the COPY statements, in the order rows are built.
var (
	eventColumns = []string{
		"seq", "event_id", "hash", "event_type", "event_time", "record_time",
		"action", "biz_step", "disposition", "read_point", "biz_location",
		"error_declared", "error_reason", "declaration_time", "declared_hash",
		"capture_id", "doc", "declared_doc",
	}
	identifierColumns     = []string{"canonical", "original", "role", "type", "event_seq", "quantity", "uom"}
	bizTransactionColumns = []string{"event_seq", "type", "value"}
	dispositionColumns    = []string{"event_seq", "op", "value"}
	leafColumns           = []string{"idx", "event_seq", "event_id", "leaf_hash"}
)

// SQL run by Capture.
const (
	sqlCaptureLock = `SELECT pg_advisory_xact_lock($1)`

	// sqlCaptureState assigns the batch's record time and reads the
	// values Capture continues from. The record time is the database
	// server's clock (microseconds), or one nanosecond after the last
	// record time when that is later, so servers with skewed clocks still
	// assign increasing record times. The statement must run after
	// sqlCaptureLock, as a statement of its own: under READ COMMITTED each
	// statement reads the rows committed before it starts, so it then
	// reads every capture that held the lock before this one.
	sqlCaptureState = `WITH clock AS (
			UPDATE capture_clock SET last_record_time = greatest(last_record_time + 1,
				(extract(epoch FROM clock_timestamp()) * 1000000)::bigint * 1000)
			RETURNING last_record_time)
		SELECT
			(SELECT last_record_time FROM clock),
			(SELECT coalesce(max(seq), 0) FROM events),
			(SELECT coalesce(max(idx) + 1, 0) FROM log_leaves)`

	// sqlCaptureExisting finds the stored events whose eventID or hash a
	// batch repeats, with one index probe per key. LIMIT 1 keeps the
	// planner from turning the lateral subqueries into a hash join, which
	// scans the whole table while its statistics are stale. It loses
	// nothing, because event_id is unique and for a hash Capture only
	// needs to know that some event has it.
	sqlCaptureExisting = `SELECT e.seq, e.event_id, e.hash, e.error_declared, coalesce(e.declared_hash, ''), e.capture_id
		FROM unnest($1::text[]) AS k(event_id)
		CROSS JOIN LATERAL (SELECT * FROM events WHERE event_id = k.event_id LIMIT 1) e
		UNION
		SELECT e.seq, e.event_id, e.hash, e.error_declared, coalesce(e.declared_hash, ''), e.capture_id
		FROM unnest($2::text[]) AS k(hash)
		CROSS JOIN LATERAL (SELECT * FROM events WHERE hash = k.hash LIMIT 1) e`

	sqlCaptureDeclare = `UPDATE events SET error_declared = true, error_reason = $2,
		declaration_time = $3, declared_hash = $4, declared_doc = $5 WHERE seq = $1`
)

// knownEvent is an event stored before the batch or earlier in it, as
// Capture needs it to classify later records.
type knownEvent struct {
	seq          int64
	hash         string
	declared     bool
	declaredHash string
	captureID    string
	// row is the pending row when the event is stored by this batch.
	row *eventRow
}

// eventRow is one new row of the events table.
type eventRow struct {
	seq             int64
	record          *store.Record
	readPoint       string
	bizLocation     string
	declared        bool
	errorReason     string
	declarationTime *int64
	declaredHash    *string
	declaredDoc     []byte
}

// declaration is an error declaration attached to an event stored before
// the batch.
type declaration struct {
	seq    int64
	record *store.Record
}

// Capture stores records in one transaction as store.Store documents it.
// It holds a transaction-scoped advisory lock from reading the stored
// eventIDs until commit, so concurrent captures, also from other processes,
// commit one after another in record-time order. Rows go in through COPY.
func (s *Store) Capture(ctx context.Context, captureID string, records []store.Record) (store.CaptureResult, error) {
	if err := s.checkWritable("capture"); err != nil {
		return store.CaptureResult{}, err
	}
	if captureID == "" {
		return store.CaptureResult{}, fmt.Errorf("capture: capture job id is empty: %w", store.ErrInvalid)
	}
	if err := checkRecords(records); err != nil {
		return store.CaptureResult{}, err
	}
	outcomes := make([]store.Outcome, 0, len(records))
	recordTime, err := s.capture(ctx, captureID, len(records), func(chunk []store.Record) ([]store.Record, error) {
		n := min(len(records), store.StreamChunk)
		chunk = append(chunk, records[:n]...)
		records = records[n:]
		return chunk, nil
	}, func(o store.Outcome) { outcomes = append(outcomes, o) })
	if err != nil {
		return store.CaptureResult{}, err
	}
	return store.CaptureResult{Outcomes: outcomes, RecordTime: recordTime}, nil
}

// CaptureStream stores the records next yields in one transaction, as
// store.Store documents it: like Capture, a chunk of records at a time.
func (s *Store) CaptureStream(ctx context.Context, captureID string, next func() (store.Record, error)) (store.CaptureCounts, error) {
	if err := s.checkWritable("capture"); err != nil {
		return store.CaptureCounts{}, err
	}
	if captureID == "" {
		return store.CaptureCounts{}, fmt.Errorf("capture: capture job id is empty: %w", store.ErrInvalid)
	}
	var counts store.CaptureCounts
	index := 0
	recordTime, err := s.capture(ctx, captureID, store.StreamChunk, func(chunk []store.Record) ([]store.Record, error) {
		for len(chunk) < store.StreamChunk {
			r, err := next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("capture: read record %d: %w", index, err)
			}
			if err := checkRecord(index, &r); err != nil {
				return nil, err
			}
			chunk = append(chunk, r)
			index++
		}
		return chunk, nil
	}, counts.Add)
	if err != nil {
		return store.CaptureCounts{}, err
	}
	counts.RecordTime = recordTime
	return counts, nil
}

// capture runs one capture transaction. fill appends the next records to
// the empty chunk it is given and returns it; an empty chunk ends the
// input. outcome is called for every record in order. Each chunk is
// looked up, classified and copied in before the next is read, so memory
// stays bounded by the chunk size. The lookups of later chunks see the
// rows of earlier ones because they share the transaction.
func (s *Store) capture(ctx context.Context, captureID string, sizeHint int, fill func([]store.Record) ([]store.Record, error), outcome func(store.Outcome)) (time.Time, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return time.Time{}, fmt.Errorf("capture: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))

	var recordTime, lastSeq, logSize int64
	batch := &pgx.Batch{}
	batch.Queue(sqlCaptureLock, captureLockKey)
	batch.Queue(sqlCaptureState).QueryRow(func(row pgx.Row) error {
		return row.Scan(&recordTime, &lastSeq, &logSize)
	})
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return time.Time{}, fmt.Errorf("capture: lock and read store position: %w", err)
	}
	c := &pgCapture{tx: tx, captureID: captureID, recordTime: recordTime, nextSeq: lastSeq, logSize: logSize}
	chunk := make([]store.Record, 0, min(sizeHint, store.StreamChunk))
	for {
		chunk, err = fill(chunk[:0])
		if err != nil {
			return time.Time{}, err
		}
		if len(chunk) == 0 {
			break
		}
		if err := c.chunk(ctx, chunk, outcome); err != nil {
			return time.Time{}, err
		}
		c.first += len(chunk)
	}
	if err := tx.Commit(ctx); err != nil {
		return time.Time{}, fmt.Errorf("capture: commit: %w", err)
	}
	return time.Unix(0, recordTime).UTC(), nil
}

// pgCapture is the state of one capture transaction across its chunks.
type pgCapture struct {
	tx               pgx.Tx
	captureID        string
	recordTime       int64
	nextSeq, logSize int64
	first            int // index of the chunk's first record in the capture
}

// chunk looks up, classifies and copies in one chunk of records.
func (c *pgCapture) chunk(ctx context.Context, records []store.Record, outcome func(store.Outcome)) error {
	ids := make([]string, len(records))
	hashes := make([]string, len(records))
	for i := range records {
		ids[i] = records[i].Event.EventID
		hashes[i] = records[i].Hash
	}
	byID := make(map[string]*knownEvent, len(records))
	byHash := make(map[string]bool, len(records))
	rows, err := c.tx.Query(ctx, sqlCaptureExisting, ids, hashes)
	if err != nil {
		return fmt.Errorf("capture: read stored events: %w", err)
	}
	for rows.Next() {
		var (
			k       knownEvent
			eventID string
		)
		if err := rows.Scan(&k.seq, &eventID, &k.hash, &k.declared, &k.declaredHash, &k.captureID); err != nil {
			rows.Close()
			return fmt.Errorf("capture: read stored events: %w", err)
		}
		byID[eventID] = &k
		byHash[k.hash] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("capture: read stored events: %w", err)
	}

	// Classify each record in order against the stored events and the
	// records before it.
	var (
		newRows  []*eventRow
		declared []declaration
		leaves   [][]any
		// corrective holds the identifier rows of the correctiveEventIDs
		// of declarations attached to events stored before or by the
		// batch.
		corrective [][]any
	)
	for i := range records {
		r := &records[i]
		index := c.first + i
		var leafSeq int64
		known, ok := byID[r.Event.EventID]
		switch {
		case ok && r.Event.ErrorDeclaration != nil:
			// The CBV 2.0 hash may leave errorDeclaration out, so a
			// declaration can carry the hash of the event it declares.
			if known.declared {
				if r.Hash == known.declaredHash || r.Hash == known.hash {
					outcome(store.Duplicate)
					continue
				}
				return &store.ConflictError{EventID: r.Event.EventID, Index: index, StoredJob: known.captureID}
			}
			known.declared = true
			known.declaredHash = r.Hash
			if known.row != nil {
				known.row.declare(r)
			} else {
				declared = append(declared, declaration{seq: known.seq, record: r})
			}
			corrective = appendCorrective(corrective, known.seq, r)
			outcome(store.Declared)
			leafSeq = known.seq
		case ok && known.hash == r.Hash:
			outcome(store.Duplicate)
			continue
		case ok:
			return &store.ConflictError{EventID: r.Event.EventID, Index: index, StoredJob: known.captureID}
		case byHash[r.Hash]:
			outcome(store.Duplicate)
			continue
		default:
			c.nextSeq++
			row := newEventRow(c.nextSeq, r)
			newRows = append(newRows, row)
			added := &knownEvent{seq: c.nextSeq, hash: r.Hash, declared: row.declared, captureID: c.captureID, row: row}
			if row.declared {
				added.declaredHash = r.Hash
			}
			byID[r.Event.EventID] = added
			byHash[r.Hash] = true
			outcome(store.Stored)
			leafSeq = c.nextSeq
		}
		if r.LeafHash != nil {
			leaves = append(leaves, []any{c.logSize, leafSeq, r.Event.EventID, r.LeafHash})
			c.logSize++
		}
	}

	if err := copyRows(ctx, c.tx, c.captureID, c.recordTime, newRows); err != nil {
		return err
	}
	if len(corrective) > 0 {
		if _, err := c.tx.CopyFrom(ctx, pgx.Identifier{"identifiers"}, identifierColumns, pgx.CopyFromRows(corrective)); err != nil {
			return fmt.Errorf("capture: copy correctiveEventIDs: %w", err)
		}
	}
	if len(leaves) > 0 {
		if _, err := c.tx.CopyFrom(ctx, pgx.Identifier{"log_leaves"}, leafColumns, pgx.CopyFromRows(leaves)); err != nil {
			return fmt.Errorf("capture: copy log leaves: %w", err)
		}
	}
	if len(declared) > 0 {
		batch := &pgx.Batch{}
		for _, d := range declared {
			ed := d.record.Event.ErrorDeclaration
			batch.Queue(sqlCaptureDeclare, d.seq, nullable(ed.Reason), declarationNanos(ed), d.record.Hash, d.record.Doc)
		}
		if err := c.tx.SendBatch(ctx, batch).Close(); err != nil {
			return fmt.Errorf("capture: attach error declarations: %w", err)
		}
	}
	return nil
}

// checkRecords rejects, with errors wrapping store.ErrInvalid, records
// that the capture service should never hand over, before any database
// work.
func checkRecords(records []store.Record) error {
	for i := range records {
		if err := checkRecord(i, &records[i]); err != nil {
			return err
		}
	}
	return nil
}

// checkRecord rejects record i, with an error wrapping store.ErrInvalid,
// when it lacks what the store needs.
func checkRecord(i int, r *store.Record) error {
	switch {
	case r.Event == nil:
		return fmt.Errorf("capture: record %d has no event: %w", i, store.ErrInvalid)
	case r.Event.EventID == "":
		return fmt.Errorf("capture: record %d has an empty eventID, assign the event hash as eventID before storing: %w", i, store.ErrInvalid)
	case r.Hash == "":
		return fmt.Errorf("capture: record %d (eventID %s) has an empty hash, compute the CBV 2.0 event hash before storing: %w", i, r.Event.EventID, store.ErrInvalid)
	case len(r.Doc) == 0:
		return fmt.Errorf("capture: record %d (eventID %s) has an empty document: %w", i, r.Event.EventID, store.ErrInvalid)
	case r.Event.Type == "":
		return fmt.Errorf("capture: record %d (eventID %s) has an empty event type: %w", i, r.Event.EventID, store.ErrInvalid)
	case r.LeafHash != nil && len(r.LeafHash) != hashSize:
		return fmt.Errorf("capture: record %d (eventID %s) has a leaf hash of %d bytes, want %d: %w",
			i, r.Event.EventID, len(r.LeafHash), hashSize, store.ErrInvalid)
	}
	if err := sqlq.CheckTime("eventTime", r.Event.EventTime); err != nil {
		return fmt.Errorf("capture: record %d (eventID %s): %w", i, r.Event.EventID, err)
	}
	if ed := r.Event.ErrorDeclaration; ed != nil && !ed.DeclarationTime.IsZero() {
		if err := sqlq.CheckTime("declarationTime", ed.DeclarationTime); err != nil {
			return fmt.Errorf("capture: record %d (eventID %s): %w", i, r.Event.EventID, err)
		}
	}
	for _, id := range r.IDs {
		if id.Canonical == "" || id.Role == "" {
			return fmt.Errorf("capture: record %d (eventID %s): identifier %q has an empty canonical form or role: %w",
				i, r.Event.EventID, id.Original, store.ErrInvalid)
		}
	}
	return nil
}

// declarationNanos returns the declarationTime of ed in Unix nanoseconds,
// or nil (NULL) when it is the zero time.
func declarationNanos(ed *epcis.ErrorDeclaration) *int64 {
	if ed.DeclarationTime.IsZero() {
		return nil
	}
	t := ed.DeclarationTime.UnixNano()
	return &t
}

// nullable returns nil for the empty string, which the schema stores as
// NULL, and s otherwise.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// newEventRow derives the typed columns of a new event from its record.
func newEventRow(seq int64, r *store.Record) *eventRow {
	row := &eventRow{seq: seq, record: r}
	if loc := r.Event.ReadPoint; loc != nil {
		row.readPoint = canonicalID(r.IDs, store.RoleReadPoint, loc.ID)
	}
	if loc := r.Event.BizLocation; loc != nil {
		row.bizLocation = canonicalID(r.IDs, store.RoleBizLocation, loc.ID)
	}
	if ed := r.Event.ErrorDeclaration; ed != nil {
		row.declared = true
		row.errorReason = ed.Reason
		row.declarationTime = declarationNanos(ed)
		row.declaredHash = &r.Hash
	}
	return row
}

// declare attaches the error declaration r to a row stored by the same
// batch.
func (row *eventRow) declare(r *store.Record) {
	ed := r.Event.ErrorDeclaration
	row.declared = true
	row.errorReason = ed.Reason
	row.declarationTime = declarationNanos(ed)
	row.declaredHash = &r.Hash
	row.declaredDoc = r.Doc
}

// canonicalID returns the canonical form of the identifier in role, or
// fallback when the record lists none.
func canonicalID(ids []store.IDRef, role store.Role, fallback string) string {
	for _, id := range ids {
		if id.Role == role {
			return id.Canonical
		}
	}
	return fallback
}

// copySet is the rows of one table that a capture copies in.
type copySet struct {
	table   string
	columns []string
	rows    [][]any
}

// buildCopies returns the rows of new events and of their index tables.
func buildCopies(captureID string, recordTime int64, rows []*eventRow) []copySet {
	events := make([][]any, 0, len(rows))
	var identifiers, bizTransactions, dispositions [][]any
	for _, row := range rows {
		ev := row.record.Event
		events = append(events, []any{
			row.seq, ev.EventID, row.record.Hash, string(ev.Type), ev.EventTime.UnixNano(), recordTime,
			nullable(string(ev.Action)), nullable(ev.BizStep), nullable(ev.Disposition),
			nullable(row.readPoint), nullable(row.bizLocation),
			row.declared, nullable(row.errorReason), row.declarationTime, row.declaredHash,
			captureID, row.record.Doc, row.declaredDoc,
		})
		for _, id := range row.record.IDs {
			if store.IndexedRole(id.Role) {
				identifiers = append(identifiers, identifierRow(row.seq, id))
			}
		}
		for _, id := range store.EdgeSources(row.record.Lineage) {
			identifiers = append(identifiers, identifierRow(row.seq, id))
		}
		for _, bt := range ev.BizTransactionList {
			bizTransactions = append(bizTransactions, []any{row.seq, bt.Type, bt.Value})
		}
		dispositions = appendDispositions(dispositions, row.seq, ev.PersistentDisposition)
	}
	return []copySet{
		{"events", eventColumns, events},
		{"identifiers", identifierColumns, identifiers},
		{"biz_transactions", bizTransactionColumns, bizTransactions},
		{"persistent_dispositions", dispositionColumns, dispositions},
	}
}

// identifierRow returns the identifiers row of id for event seq, in the
// order of identifierColumns.
func identifierRow(seq int64, id store.IDRef) []any {
	return []any{id.Canonical, id.Original, string(id.Role), id.Type, seq, id.Quantity, nullable(id.UOM)}
}

// appendCorrective appends the identifier rows of the correctiveEventIDs
// that the declaration r lists, for event seq. The declaration's other
// identifiers are the declared event's own and already indexed.
func appendCorrective(dst [][]any, seq int64, r *store.Record) [][]any {
	for _, id := range r.IDs {
		if id.Role == store.RoleCorrectiveEventID {
			dst = append(dst, identifierRow(seq, id))
		}
	}
	return dst
}

// copyRows copies new events and their index rows into the database.
func copyRows(ctx context.Context, tx pgx.Tx, captureID string, recordTime int64, rows []*eventRow) error {
	if len(rows) == 0 {
		return nil
	}
	for _, c := range buildCopies(captureID, recordTime, rows) {
		if len(c.rows) == 0 {
			continue
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.columns, pgx.CopyFromRows(c.rows)); err != nil {
			return fmt.Errorf("capture: copy %s: %w", c.table, err)
		}
	}
	return copyLineage(ctx, tx, rows)
}

// appendDispositions appends the persistent_dispositions rows of pd.
func appendDispositions(dst [][]any, seq int64, pd *epcis.PersistentDisposition) [][]any {
	if pd == nil {
		return dst
	}
	for _, v := range pd.Set {
		dst = append(dst, []any{seq, "set", v})
	}
	for _, v := range pd.Unset {
		dst = append(dst, []any{seq, "unset", v})
	}
	return dst
}
