package postgres

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlq"
)

var _ store.DecisionStore = (*Store)(nil)

const (
	// sqlDecisionState reads the last decision Seq and the log size. Like
	// sqlCaptureState it must run after sqlCaptureLock, as a statement of
	// its own, so that it reads every capture and decision that held the
	// lock before.
	sqlDecisionState = `SELECT (SELECT coalesce(max(seq), 0) FROM decisions),
		(SELECT coalesce(max(idx) + 1, 0) FROM log_leaves)`
	sqlInsertLeaf     = `INSERT INTO log_leaves (idx, event_seq, event_id, leaf_hash) VALUES ($1, NULL, NULL, $2)`
	sqlInsertDecision = `INSERT INTO decisions (seq, kind, subject, actor, actor_party_id, decided_at, body, leaf_idx)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	// decisionSelect reads decisions with the hash of their leaf.
	decisionSelect = sqlq.DecisionSelect
)

// AppendDecision stores d and its audit-log leaf in one transaction, as
// store.DecisionStore documents. It holds the capture advisory lock from
// reading the next Seq and leaf index until commit, so decisions and
// captures, also from other processes, get dense leaf indexes in commit
// order.
func (s *Store) AppendDecision(ctx context.Context, d store.Decision) (store.Decision, error) {
	if err := s.checkWritable("append decision"); err != nil {
		return store.Decision{}, err
	}
	if err := store.CheckDecision(d); err != nil {
		return store.Decision{}, err
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return store.Decision{}, fmt.Errorf("append decision %s %q: begin: %w", d.Kind, d.Subject, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	d, err = appendDecisionTx(ctx, tx, d)
	if err != nil {
		return store.Decision{}, err
	}
	if err := tx.Commit(ctx); err != nil {
		return store.Decision{}, fmt.Errorf("append decision %s %q: commit: %w", d.Kind, d.Subject, err)
	}
	return d, nil
}

// appendDecisionTx takes the capture advisory lock in tx, a READ
// COMMITTED transaction, writes d and its leaf, and returns d with Seq
// and LeafIndex set. The caller has checked d and commits tx.
//
// NOTE: a decision waits for the capture that holds the lock to commit,
// so a registry change made during the capture of a large document
// completes only after that capture.
func appendDecisionTx(ctx context.Context, tx pgx.Tx, d store.Decision) (store.Decision, error) {
	var lastSeq, logSize int64
	batch := &pgx.Batch{}
	batch.Queue(sqlCaptureLock, captureLockKey)
	batch.Queue(sqlDecisionState).QueryRow(func(row pgx.Row) error {
		return row.Scan(&lastSeq, &logSize)
	})
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return store.Decision{}, fmt.Errorf("append decision %s %q: lock and read log size: %w", d.Kind, d.Subject, err)
	}
	d.Seq = lastSeq + 1
	d.Time = d.Time.UTC()
	var leaf *int64
	batch = &pgx.Batch{}
	if d.LeafHash != nil {
		leaf = &logSize
		d.LeafIndex = uint64(logSize)
		batch.Queue(sqlInsertLeaf, logSize, d.LeafHash)
	}
	batch.Queue(sqlInsertDecision, d.Seq, d.Kind, d.Subject, d.Actor, d.ActorPartyID, d.Time.UnixMilli(), []byte(d.Body), leaf)
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return store.Decision{}, fmt.Errorf("append decision %s %q: insert: %w", d.Kind, d.Subject, err)
	}
	return d, nil
}

// Decisions lists the decisions matching f in ascending Seq order. It
// returns an error wrapping store.ErrInvalid for a negative Limit or
// AfterSeq.
func (s *Store) Decisions(ctx context.Context, f store.DecisionFilter) ([]store.Decision, error) {
	q, args, err := sqlq.Decisions(sqlq.Postgres, f)
	if err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, q, args...)
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
	d, err := scanDecision(s.pool.QueryRow(ctx, decisionSelect+` WHERE d.leaf_idx = $1`, int64(i)))
	if err != nil {
		return store.Decision{}, notFound(err, "decision of log leaf %d", i)
	}
	return d, nil
}

// scanDecision reads one row of decisionSelect.
func scanDecision(row pgx.Row) (store.Decision, error) {
	var (
		d      store.Decision
		millis int64
		body   []byte
		leaf   *int64
	)
	if err := row.Scan(&d.Seq, &d.Kind, &d.Subject, &d.Actor, &d.ActorPartyID, &millis, &body, &leaf, &d.LeafHash); err != nil {
		return store.Decision{}, err
	}
	d.Time = time.UnixMilli(millis).UTC()
	d.Body = body
	if leaf != nil {
		d.LeafIndex = uint64(*leaf)
	}
	return d, nil
}
