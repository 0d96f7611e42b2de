package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlq"
)

const (
	sqlMaxRecordTime = `SELECT COALESCE(MAX(record_time), 0) FROM events`
	sqlMaxSeq        = `SELECT COALESCE(MAX(seq), 0) FROM events`
	sqlLogSize       = `SELECT COALESCE(MAX(idx) + 1, 0) FROM log_leaves`
	sqlDeclare       = `UPDATE events SET error_declared = 1, error_reason = ?, declaration_time = ?, declared_hash = ?, declared_doc = ?
WHERE seq = ?`
)

// Tables written by Capture, with their columns in insert order.
var (
	eventsTable = bulkTable{"events", []string{"seq", "event_id", "hash", "event_type", "event_time", "record_time",
		"action", "biz_step", "disposition", "read_point", "biz_location",
		"error_declared", "error_reason", "declaration_time", "declared_hash", "capture_id", "doc", "declared_doc"}}
	identifiersTable     = bulkTable{"identifiers", []string{"canonical", "original", "role", "type", "event_seq", "quantity", "uom"}}
	bizTransactionsTable = bulkTable{"biz_transactions", []string{"event_seq", "type", "value"}}
	persistentDispTable  = bulkTable{"persistent_dispositions", []string{"event_seq", "op", "value"}}
	leavesTable          = bulkTable{"log_leaves", []string{"idx", "event_seq", "event_id", "leaf_hash"}}
)

// Column positions in an events row, for declarations attached to an
// event stored by the same batch.
const (
	colErrorDeclared = 11
	colErrorReason   = 12
	colDeclTime      = 13
	colDeclaredHash  = 14
	colDeclaredDoc   = 17
)

// knownEvent is the capture state of an event that is stored, or that the
// current batch is about to store.
type knownEvent struct {
	seq          int64
	hash         string
	captureID    string
	declared     bool
	declaredHash string
	// batched is set when the current batch inserts the event; rowStart
	// is then the offset of its pending row in captureTx.events.
	batched  bool
	rowStart int
}

// Capture stores records in one transaction, as store.Store documents.
// An invalid record fails the whole batch with an error wrapping
// store.ErrInvalid: one without event, eventID, hash or document, with a
// leaf hash that is not 32 bytes, or with a time outside the years 1678 to
// 2262. A conflict fails it with a *store.ConflictError. Nothing of a
// failed batch is stored.
//
// Capture works through the batch a chunk at a time (see CaptureStream):
// it looks up the chunk's eventIDs and hashes with a few queries, decides
// every outcome in memory and writes the rows with multi-row INSERT
// statements.
func (s *Store) Capture(ctx context.Context, captureID string, records []store.Record) (store.CaptureResult, error) {
	if captureID == "" {
		return store.CaptureResult{}, fmt.Errorf("capture: capture job id is empty: %w", store.ErrInvalid)
	}
	for i := range records {
		if err := checkRecord(i, &records[i]); err != nil {
			return store.CaptureResult{}, err
		}
	}
	outcomes := make([]store.Outcome, 0, len(records))
	recordTime, err := s.capture(ctx, captureID, func(chunk []store.Record) ([]store.Record, error) {
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

// captureTx is the state of one capture transaction.
type captureTx struct {
	s          *Store
	tx         *sql.Tx
	ctx        context.Context
	captureID  string
	recordTime int64
	nextSeq    int64
	nextLeaf   int64

	byID   map[string]*knownEvent
	hashes map[string]bool

	events, identifiers, bizTransactions, persistentDisp, leaves []any
	// declarations holds the arguments of sqlDeclare for events stored
	// before this batch.
	declarations [][]any
	// lineage holds the lineage index rows of the new events.
	lineage lineageRows
}

// lookup loads the stored events that share an eventID with a record, and
// which of the records' hashes are stored.
func (c *captureTx) lookup(records []store.Record) error {
	c.byID = make(map[string]*knownEvent, len(records))
	c.hashes = make(map[string]bool, len(records))
	ids := make([]any, 0, len(records))
	hashes := make([]any, 0, len(records))
	seenID := make(map[string]bool, len(records))
	seenHash := make(map[string]bool, len(records))
	for i := range records {
		if id := records[i].Event.EventID; !seenID[id] {
			seenID[id] = true
			ids = append(ids, id)
		}
		if h := records[i].Hash; !seenHash[h] {
			seenHash[h] = true
			hashes = append(hashes, h)
		}
	}

	byIDSQL := func(n int) string { return inSQL(sqlEventsByID, n) }
	err := c.s.selectIn(c.ctx, c.tx, byIDSQL, 1, ids, func(rows *sql.Rows) error {
		var id string
		k := &knownEvent{}
		if err := rows.Scan(&id, &k.seq, &k.hash, &k.captureID, &k.declared, &k.declaredHash); err != nil {
			return err
		}
		c.byID[id] = k
		return nil
	})
	if err != nil {
		return fmt.Errorf("capture: look up eventIDs: %w", err)
	}
	err = c.s.selectIn(c.ctx, c.tx, hashesInSQL, 2, hashes, func(rows *sql.Rows) error {
		var h string
		if err := rows.Scan(&h); err != nil {
			return err
		}
		c.hashes[h] = true
		return nil
	})
	if err != nil {
		return fmt.Errorf("capture: look up hashes: %w", err)
	}
	return nil
}

// decide returns the outcome of record i and queues the rows it writes.
// An error declaration for an event without one is Declared (EPCIS 2.0
// section 7.4.1.2) whatever its hash, because the CBV 2.0 hash may leave
// the errorDeclaration out. Otherwise a record is a Duplicate when its
// hash is that of the event stored under its eventID, of that event's
// declaration, or of any stored event. A record that reuses an eventID
// with another hash is a conflict.
func (c *captureTx) decide(i int, r *store.Record) (store.Outcome, error) {
	e := r.Event
	if old, ok := c.byID[e.EventID]; ok {
		if e.ErrorDeclaration != nil && !old.declared {
			c.declare(old, r)
			c.leaf(old.seq, r)
			return store.Declared, nil
		}
		if r.Hash == old.hash || (old.declared && r.Hash == old.declaredHash) {
			return store.Duplicate, nil
		}
		return 0, fmt.Errorf("capture record %d: %w", i, &store.ConflictError{EventID: e.EventID, Index: i, StoredJob: old.captureID})
	}
	if c.hashes[r.Hash] {
		return store.Duplicate, nil
	}

	seq := c.nextSeq
	c.nextSeq++
	k := &knownEvent{seq: seq, hash: r.Hash, captureID: c.captureID}
	k.rowStart, k.batched = c.eventRow(seq, r), true
	if e.ErrorDeclaration != nil {
		k.declared, k.declaredHash = true, r.Hash
	}
	c.byID[e.EventID] = k
	c.hashes[r.Hash] = true
	c.indexRows(seq, r)
	if err := c.lineage.add(seq, r); err != nil {
		return 0, fmt.Errorf("capture record %d: %w", i, err)
	}
	c.leaf(seq, r)
	return store.Stored, nil
}

// declare attaches the error declaration r to the known event old.
//
// NOTE: the event keeps its record time and Seq, so cursors stay stable,
// but a GE_recordTime query issued after the declaration does not return
// the declared event. Subscriptions that must see declarations need
// another signal, such as declaration_time.
func (c *captureTx) declare(old *knownEvent, r *store.Record) {
	d := r.Event.ErrorDeclaration
	old.declared, old.declaredHash = true, r.Hash
	for _, id := range r.IDs {
		if id.Role == store.RoleCorrectiveEventID {
			c.identifierRow(old.seq, id)
		}
	}
	if old.batched {
		// The row is not written yet: change it in place. It is found by
		// its offset, because appends may have moved c.events.
		row := c.events[old.rowStart:]
		row[colErrorDeclared] = 1
		row[colErrorReason] = nullString(d.Reason)
		row[colDeclTime] = nanosOrNull(d.DeclarationTime)
		row[colDeclaredHash] = r.Hash
		row[colDeclaredDoc] = r.Doc
		return
	}
	c.declarations = append(c.declarations, []any{nullString(d.Reason), nanosOrNull(d.DeclarationTime), r.Hash, r.Doc, old.seq})
}

// eventRow queues the events row of a new event and returns it, so that a
// declaration later in the batch can still change it.
func (c *captureTx) eventRow(seq int64, r *store.Record) int {
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
	start := len(c.events)
	c.events = append(c.events, seq, e.EventID, r.Hash, string(e.Type), e.EventTime.UnixNano(), c.recordTime,
		nullString(string(e.Action)), nullString(e.BizStep), nullString(e.Disposition),
		nullString(readPoint), nullString(bizLocation),
		declared, reason, declTime, declHash, c.captureID, r.Doc, nil)
	return start
}

// indexRows queues the identifier, bizTransaction and
// persistentDisposition rows of a new event.
func (c *captureTx) indexRows(seq int64, r *store.Record) {
	for _, id := range r.IDs {
		if store.IndexedRole(id.Role) {
			c.identifierRow(seq, id)
		}
	}
	for _, id := range store.EdgeSources(r.Lineage) {
		c.identifierRow(seq, id)
	}
	for _, bt := range r.Event.BizTransactionList {
		c.bizTransactions = append(c.bizTransactions, seq, bt.Type, bt.Value)
	}
	if pd := r.Event.PersistentDisposition; pd != nil {
		for _, v := range pd.Set {
			c.persistentDisp = append(c.persistentDisp, seq, "set", v)
		}
		for _, v := range pd.Unset {
			c.persistentDisp = append(c.persistentDisp, seq, "unset", v)
		}
	}
}

// identifierRow queues the identifier index row of id for event seq.
func (c *captureTx) identifierRow(seq int64, id store.IDRef) {
	var qty any
	if id.Quantity != nil {
		qty = *id.Quantity
	}
	var original any
	if id.Original != id.Canonical {
		original = nullString(id.Original)
	}
	c.identifiers = append(c.identifiers, id.Canonical, original, string(id.Role), id.Type, seq, qty, nullString(id.UOM))
}

// leaf queues the record's audit-log leaf, if it has one, at the next
// index.
func (c *captureTx) leaf(seq int64, r *store.Record) {
	if r.LeafHash == nil {
		return
	}
	c.leaves = append(c.leaves, c.nextLeaf, seq, r.Event.EventID, r.LeafHash)
	c.nextLeaf++
}

// flush writes the queued rows; events first, because the other tables
// reference them.
func (c *captureTx) flush() error {
	sortRows(c.identifiers, len(identifiersTable.columns), 0)
	sortRows(c.bizTransactions, len(bizTransactionsTable.columns), 2)
	for _, b := range []struct {
		table bulkTable
		args  []any
	}{
		{eventsTable, c.events},
		{identifiersTable, c.identifiers},
		{bizTransactionsTable, c.bizTransactions},
		{persistentDispTable, c.persistentDisp},
		{leavesTable, c.leaves},
	} {
		if err := c.s.insertRows(c.ctx, c.tx, b.table, b.args); err != nil {
			return fmt.Errorf("capture: %w", err)
		}
	}
	if err := c.lineage.write(c.ctx, c.s, c.tx); err != nil {
		return fmt.Errorf("capture: lineage: %w", err)
	}
	if len(c.declarations) > 0 {
		stmt, err := c.tx.PrepareContext(c.ctx, sqlDeclare)
		if err != nil {
			return fmt.Errorf("capture: attach error declarations: %w", err)
		}
		defer stmt.Close()
		for _, args := range c.declarations {
			if _, err := stmt.ExecContext(c.ctx, args...); err != nil {
				return fmt.Errorf("capture: attach error declaration to event seq %v: %w", args[len(args)-1], err)
			}
		}
	}
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
