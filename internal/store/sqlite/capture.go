package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlq"
)

// Statements of the capture transaction, prepared once on the write
// connection and bound to each transaction with Tx.StmtContext.
const (
	sqlEventByID = `SELECT seq, hash, capture_id, error_declared, COALESCE(declared_hash, '')
FROM events WHERE event_id = ?`
	sqlHashExists  = `SELECT 1 FROM events WHERE hash = ? LIMIT 1`
	sqlInsertEvent = `INSERT INTO events (event_id, hash, event_type, event_time, record_time, action, biz_step,
    disposition, read_point, biz_location, error_declared, error_reason, declaration_time, declared_hash, capture_id, doc)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlDeclare = `UPDATE events SET error_declared = 1, error_reason = ?, declaration_time = ?, declared_hash = ?, declared_doc = ?
WHERE seq = ?`
	sqlInsertIdentifier = `INSERT INTO identifiers (canonical, original, role, type, event_seq, quantity, uom)
VALUES (?, ?, ?, ?, ?, ?, ?)`
	sqlInsertBizTransaction = `INSERT INTO biz_transactions (event_seq, type, value) VALUES (?, ?, ?)`
	sqlInsertPersistentDisp = `INSERT INTO persistent_dispositions (event_seq, op, value) VALUES (?, ?, ?)`
	sqlInsertLeaf           = `INSERT INTO log_leaves (idx, event_seq, event_id, leaf_hash) VALUES (?, ?, ?, ?)`
	sqlMaxRecordTime        = `SELECT COALESCE(MAX(record_time), 0) FROM events`
	sqlLogSize              = `SELECT COALESCE(MAX(idx) + 1, 0) FROM log_leaves`
)

// statements holds the prepared capture statements.
type statements struct {
	eventByID, hashExists, insertEvent, declare       *sql.Stmt
	insertIdentifier, insertBizTx, insertPD, insertLf *sql.Stmt
}

func (st *statements) prepare(ctx context.Context, db *sql.DB) error {
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&st.eventByID, sqlEventByID},
		{&st.hashExists, sqlHashExists},
		{&st.insertEvent, sqlInsertEvent},
		{&st.declare, sqlDeclare},
		{&st.insertIdentifier, sqlInsertIdentifier},
		{&st.insertBizTx, sqlInsertBizTransaction},
		{&st.insertPD, sqlInsertPersistentDisp},
		{&st.insertLf, sqlInsertLeaf},
	} {
		stmt, err := db.PrepareContext(ctx, p.sql)
		if err != nil {
			return fmt.Errorf("prepare capture statement: %w", err)
		}
		*p.dst = stmt
	}
	return nil
}

func (st *statements) close() {
	for _, s := range []*sql.Stmt{st.eventByID, st.hashExists, st.insertEvent, st.declare,
		st.insertIdentifier, st.insertBizTx, st.insertPD, st.insertLf} {
		if s != nil {
			s.Close()
		}
	}
}

// storedEvent is what capture needs to know of an event already stored.
type storedEvent struct {
	seq          int64
	hash         string
	captureID    string
	declared     bool
	declaredHash string
}

// Capture stores records in one transaction, as store.Store documents.
// Records are checked one by one while the transaction runs, so an invalid
// record (no event, eventID, hash or document, a leaf hash that is not 32
// bytes, or a time outside the years 1678 to 2262) fails the whole batch
// with an error wrapping store.ErrInvalid after earlier records were
// written and rolled back.
func (s *Store) Capture(ctx context.Context, captureID string, records []store.Record) (store.CaptureResult, error) {
	if captureID == "" {
		return store.CaptureResult{}, fmt.Errorf("capture: capture job id is empty: %w", store.ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return store.CaptureResult{}, fmt.Errorf("capture: begin transaction: %w", err)
	}
	defer tx.Rollback()

	var lastStored, nextLeaf int64
	if err := tx.QueryRowContext(ctx, sqlMaxRecordTime).Scan(&lastStored); err != nil {
		return store.CaptureResult{}, fmt.Errorf("capture: read latest record time: %w", err)
	}
	if err := tx.QueryRowContext(ctx, sqlLogSize).Scan(&nextLeaf); err != nil {
		return store.CaptureResult{}, fmt.Errorf("capture: read log size: %w", err)
	}
	// Record time is strictly increasing across calls, even when the
	// clock steps back.
	recordTime := max(time.Now().UnixNano(), lastStored+1, s.lastRecordTime+1)

	c := captureTx{
		ctx:        ctx,
		captureID:  captureID,
		recordTime: recordTime,
		nextLeaf:   nextLeaf,
		eventByID:  tx.StmtContext(ctx, s.stmts.eventByID),
		hashExists: tx.StmtContext(ctx, s.stmts.hashExists),
		insertEv:   tx.StmtContext(ctx, s.stmts.insertEvent),
		declare:    tx.StmtContext(ctx, s.stmts.declare),
		insertID:   tx.StmtContext(ctx, s.stmts.insertIdentifier),
		insertBT:   tx.StmtContext(ctx, s.stmts.insertBizTx),
		insertPD:   tx.StmtContext(ctx, s.stmts.insertPD),
		insertLf:   tx.StmtContext(ctx, s.stmts.insertLf),
	}
	res := store.CaptureResult{Outcomes: make([]store.Outcome, len(records)), RecordTime: time.Unix(0, recordTime).UTC()}
	for i := range records {
		out, err := c.record(i, &records[i])
		if err != nil {
			return store.CaptureResult{}, err
		}
		res.Outcomes[i] = out
	}
	if err := tx.Commit(); err != nil {
		return store.CaptureResult{}, fmt.Errorf("capture: commit: %w", err)
	}
	s.lastRecordTime = recordTime
	return res, nil
}

// captureTx is the state of one capture transaction.
type captureTx struct {
	ctx        context.Context
	captureID  string
	recordTime int64
	nextLeaf   int64

	eventByID, hashExists, insertEv, declare *sql.Stmt
	insertID, insertBT, insertPD, insertLf   *sql.Stmt
}

// record stores one record and returns its outcome.
func (c *captureTx) record(i int, r *store.Record) (store.Outcome, error) {
	if err := checkRecord(i, r); err != nil {
		return 0, err
	}
	e := r.Event

	var old storedEvent
	err := c.eventByID.QueryRowContext(c.ctx, e.EventID).Scan(&old.seq, &old.hash, &old.captureID, &old.declared, &old.declaredHash)
	switch {
	case err == nil:
		return c.existing(i, r, old)
	case !errors.Is(err, sql.ErrNoRows):
		return 0, fmt.Errorf("capture record %d: look up eventID %s: %w", i, e.EventID, err)
	}

	var one int
	err = c.hashExists.QueryRowContext(c.ctx, r.Hash).Scan(&one)
	switch {
	case err == nil:
		return store.Duplicate, nil
	case !errors.Is(err, sql.ErrNoRows):
		return 0, fmt.Errorf("capture record %d: look up hash %s: %w", i, r.Hash, err)
	}

	seq, err := c.insert(r)
	if err != nil {
		return 0, fmt.Errorf("capture record %d (eventID %s): %w", i, e.EventID, err)
	}
	if err := c.leaf(seq, r); err != nil {
		return 0, fmt.Errorf("capture record %d (eventID %s): %w", i, e.EventID, err)
	}
	return store.Stored, nil
}

// existing decides the outcome of a record whose eventID is stored. An
// error declaration for an event without one is Declared (EPCIS 2.0
// section 7.4.1.2), whatever its hash, because the CBV 2.0 hash may leave
// the errorDeclaration out. Otherwise the same hash as the stored event or
// its declaration is a Duplicate, and anything else a conflict.
func (c *captureTx) existing(i int, r *store.Record, old storedEvent) (store.Outcome, error) {
	e := r.Event
	if e.ErrorDeclaration != nil && !old.declared {
		d := e.ErrorDeclaration
		if _, err := c.declare.ExecContext(c.ctx, nullString(d.Reason), nanosOrNull(d.DeclarationTime), r.Hash, r.Doc, old.seq); err != nil {
			return 0, fmt.Errorf("capture record %d: attach error declaration to %s: %w", i, e.EventID, err)
		}
		if err := c.leaf(old.seq, r); err != nil {
			return 0, fmt.Errorf("capture record %d (eventID %s): %w", i, e.EventID, err)
		}
		return store.Declared, nil
	}
	if r.Hash == old.hash || (old.declared && r.Hash == old.declaredHash) {
		return store.Duplicate, nil
	}
	return 0, fmt.Errorf("capture record %d: %w", i, &store.ConflictError{EventID: e.EventID, Index: i, StoredJob: old.captureID})
}

// insert writes the event row and its index rows and returns its seq.
func (c *captureTx) insert(r *store.Record) (int64, error) {
	e := r.Event
	var readPoint, bizLocation string
	if e.ReadPoint != nil {
		readPoint = e.ReadPoint.ID
	}
	if e.BizLocation != nil {
		bizLocation = e.BizLocation.ID
	}
	for _, id := range r.IDs {
		switch id.Role {
		case store.RoleReadPoint:
			readPoint = id.Canonical
		case store.RoleBizLocation:
			bizLocation = id.Canonical
		}
	}
	declared, reason, declTime, declHash := 0, any(nil), any(nil), any(nil)
	if d := e.ErrorDeclaration; d != nil {
		declared, reason, declTime, declHash = 1, nullString(d.Reason), nanosOrNull(d.DeclarationTime), r.Hash
	}
	res, err := c.insertEv.ExecContext(c.ctx, e.EventID, r.Hash, string(e.Type), e.EventTime.UnixNano(), c.recordTime,
		nullString(string(e.Action)), nullString(e.BizStep), nullString(e.Disposition),
		nullString(readPoint), nullString(bizLocation),
		declared, reason, declTime, declHash, c.captureID, r.Doc)
	if err != nil {
		return 0, fmt.Errorf("insert event: %w", err)
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("read event seq: %w", err)
	}

	for _, id := range r.IDs {
		var qty any
		if id.Quantity != nil {
			qty = *id.Quantity
		}
		if _, err := c.insertID.ExecContext(c.ctx, id.Canonical, id.Original, string(id.Role), id.Type, seq, qty, nullString(id.UOM)); err != nil {
			return 0, fmt.Errorf("insert identifier %s: %w", id.Canonical, err)
		}
	}
	for _, bt := range e.BizTransactionList {
		if _, err := c.insertBT.ExecContext(c.ctx, seq, bt.Type, bt.Value); err != nil {
			return 0, fmt.Errorf("insert bizTransaction %s: %w", bt.Value, err)
		}
	}
	if pd := e.PersistentDisposition; pd != nil {
		for _, v := range pd.Set {
			if _, err := c.insertPD.ExecContext(c.ctx, seq, "set", v); err != nil {
				return 0, fmt.Errorf("insert persistentDisposition set %s: %w", v, err)
			}
		}
		for _, v := range pd.Unset {
			if _, err := c.insertPD.ExecContext(c.ctx, seq, "unset", v); err != nil {
				return 0, fmt.Errorf("insert persistentDisposition unset %s: %w", v, err)
			}
		}
	}
	return seq, nil
}

// leaf appends the record's audit-log leaf, if it has one.
func (c *captureTx) leaf(seq int64, r *store.Record) error {
	if r.LeafHash == nil {
		return nil
	}
	if _, err := c.insertLf.ExecContext(c.ctx, c.nextLeaf, seq, r.Event.EventID, r.LeafHash); err != nil {
		return fmt.Errorf("append log leaf %d: %w", c.nextLeaf, err)
	}
	c.nextLeaf++
	return nil
}

// leafHashSize is the size of an RFC 6962 leaf hash with SHA-256 (and of
// an SM3 hash).
const leafHashSize = 32

// checkRecord returns an error wrapping store.ErrInvalid when r lacks
// what the store needs.
func checkRecord(i int, r *store.Record) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("capture record %d: %s: %w", i, fmt.Sprintf(format, args...), store.ErrInvalid)
	}
	switch {
	case r.Event == nil:
		return fail("event is missing")
	case r.Event.EventID == "":
		return fail("eventID is empty; the capture service sets it to the event hash when the client sent none")
	case r.Hash == "":
		return fail("hash of event %s is empty", r.Event.EventID)
	case len(r.Doc) == 0:
		return fail("document of event %s is empty", r.Event.EventID)
	case r.Event.Type == "":
		return fail("type of event %s is empty", r.Event.EventID)
	case r.LeafHash != nil && len(r.LeafHash) != leafHashSize:
		return fail("leaf hash of event %s has %d bytes, want %d", r.Event.EventID, len(r.LeafHash), leafHashSize)
	}
	if err := sqlq.CheckTime("eventTime", r.Event.EventTime); err != nil {
		return fmt.Errorf("capture record %d (eventID %s): %w", i, r.Event.EventID, err)
	}
	if d := r.Event.ErrorDeclaration; d != nil && !d.DeclarationTime.IsZero() {
		if err := sqlq.CheckTime("declarationTime", d.DeclarationTime); err != nil {
			return fmt.Errorf("capture record %d (eventID %s): %w", i, r.Event.EventID, err)
		}
	}
	for _, id := range r.IDs {
		if id.Canonical == "" || id.Role == "" {
			return fail("identifier %q of event %s has an empty canonical form or role", id.Original, r.Event.EventID)
		}
	}
	return nil
}

// nullString returns nil (SQL NULL) for the empty string.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nanosOrNull returns t in Unix nanoseconds, or nil (SQL NULL) for the
// zero time.
func nanosOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}
