package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlq"
)

var _ store.DecisionStore = (*Store)(nil)

const (
	sqlMaxDecisionSeq = `SELECT COALESCE(MAX(seq), 0) FROM decisions`
	sqlInsertLeaf     = `INSERT INTO log_leaves (idx, event_seq, event_id, leaf_hash) VALUES (?, NULL, NULL, ?)`
	sqlInsertDecision = `INSERT INTO decisions (seq, kind, subject, actor, actor_party_id, decided_at, body, leaf_idx)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	// decisionSelect reads decisions with the hash of their leaf.
	decisionSelect = sqlq.DecisionSelect
)

// AppendDecision stores d and its audit-log leaf in one transaction, as
// store.DecisionStore documents. The transaction takes the database's
// write lock before it reads the next Seq and leaf index, as Capture
// does, so decisions and captures from any process get dense leaf
// indexes in commit order.
func (s *Store) AppendDecision(ctx context.Context, d store.Decision) (store.Decision, error) {
	if err := store.CheckDecision(d); err != nil {
		return store.Decision{}, err
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return store.Decision{}, fmt.Errorf("append decision %s %q: begin: %w", d.Kind, d.Subject, err)
	}
	defer tx.Rollback()
	d, err = appendDecisionTx(ctx, tx, d)
	if err != nil {
		return store.Decision{}, err
	}
	if err := tx.Commit(); err != nil {
		return store.Decision{}, fmt.Errorf("append decision %s %q: commit: %w", d.Kind, d.Subject, err)
	}
	s.ckpt.signal()
	return d, nil
}

// appendDecisionTx writes d and its leaf in tx, which must hold the write
// lock (every transaction on the write connection does), and returns d
// with Seq and LeafIndex set. The caller has checked d.
func appendDecisionTx(ctx context.Context, tx *sql.Tx, d store.Decision) (store.Decision, error) {
	fail := func(step string, err error) (store.Decision, error) {
		return store.Decision{}, fmt.Errorf("append decision %s %q: %s: %w", d.Kind, d.Subject, step, err)
	}
	var lastSeq, nextLeaf int64
	if err := tx.QueryRowContext(ctx, sqlMaxDecisionSeq).Scan(&lastSeq); err != nil {
		return fail("read last seq", err)
	}
	var leaf any
	if d.LeafHash != nil {
		if err := tx.QueryRowContext(ctx, sqlLogSize).Scan(&nextLeaf); err != nil {
			return fail("read log size", err)
		}
		if _, err := tx.ExecContext(ctx, sqlInsertLeaf, nextLeaf, d.LeafHash); err != nil {
			return fail("insert leaf", err)
		}
		leaf = nextLeaf
	}
	d.Seq = lastSeq + 1
	d.LeafIndex = uint64(nextLeaf)
	d.Time = d.Time.UTC()
	_, err := tx.ExecContext(ctx, sqlInsertDecision, d.Seq, d.Kind, d.Subject, d.Actor, d.ActorPartyID,
		d.Time.UnixMilli(), []byte(d.Body), leaf)
	if err != nil {
		return fail("insert", err)
	}
	return d, nil
}

// Decisions lists the decisions matching f in ascending Seq order. It
// returns an error wrapping store.ErrInvalid for a negative Limit or
// AfterSeq.
func (s *Store) Decisions(ctx context.Context, f store.DecisionFilter) ([]store.Decision, error) {
	q, args, err := sqlq.Decisions(sqlq.SQLite, f)
	if err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list decisions: %w", err)
	}
	defer rows.Close()
	out := []store.Decision{}
	for rows.Next() {
		d, err := scanDecision(rows)
		if err != nil {
			return nil, fmt.Errorf("list decisions: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list decisions: %w", err)
	}
	return out, nil
}

// DecisionAt returns the decision recorded at leaf index i, or an error
// wrapping store.ErrNotFound when that leaf records an event or does not
// exist.
func (s *Store) DecisionAt(ctx context.Context, i uint64) (store.Decision, error) {
	if i > math.MaxInt64 {
		return store.Decision{}, fmt.Errorf("decision of log leaf %d: %w", i, store.ErrNotFound)
	}
	row := s.read.QueryRowContext(ctx, decisionSelect+` WHERE d.leaf_idx = ?`, int64(i))
	d, err := scanDecision(row)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Decision{}, fmt.Errorf("decision of log leaf %d: %w", i, store.ErrNotFound)
	}
	if err != nil {
		return store.Decision{}, fmt.Errorf("read decision of log leaf %d: %w", i, err)
	}
	return d, nil
}

// scanDecision reads one row of decisionSelect.
func scanDecision(row interface{ Scan(...any) error }) (store.Decision, error) {
	var (
		d      store.Decision
		millis int64
		body   []byte
		leaf   sql.NullInt64
	)
	if err := row.Scan(&d.Seq, &d.Kind, &d.Subject, &d.Actor, &d.ActorPartyID, &millis, &body, &leaf, &d.LeafHash); err != nil {
		return store.Decision{}, err
	}
	d.Time = time.UnixMilli(millis).UTC()
	d.Body = body
	d.LeafIndex = uint64(leaf.Int64)
	return d, nil
}
