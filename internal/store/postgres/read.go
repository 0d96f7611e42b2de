package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlq"
)

// scanStoredEvent reads sqlq.EventColumns and then the extra destinations.
func scanStoredEvent(row pgx.Row, extra ...any) (store.StoredEvent, error) {
	var (
		e          store.StoredEvent
		recordTime int64
	)
	dest := append([]any{&e.Seq, &e.EventID, &e.Hash, &recordTime, &e.Doc, &e.Declared, &e.CaptureID}, extra...)
	if err := row.Scan(dest...); err != nil {
		return store.StoredEvent{}, err
	}
	e.RecordTime = time.Unix(0, recordTime).UTC()
	return e, nil
}

// Event returns the stored event with the given eventID, or an error
// wrapping store.ErrNotFound.
func (s *Store) Event(ctx context.Context, eventID string) (store.StoredEvent, error) {
	e, err := scanStoredEvent(s.pool.QueryRow(ctx, sqlq.EventByID(sqlq.Postgres), eventID))
	if err != nil {
		return store.StoredEvent{}, notFound(err, "event %s", eventID)
	}
	return e, nil
}

// ScanEvents returns up to limit stored events with Seq greater than
// afterSeq, in Seq order. Start with afterSeq 0 and continue from the last
// Seq returned; an empty result means the scan is complete.
func (s *Store) ScanEvents(ctx context.Context, afterSeq int64, limit int) ([]store.StoredEvent, error) {
	if err := checkLimit(limit); err != nil {
		return nil, fmt.Errorf("scan events: %w", err)
	}
	rows, err := s.pool.Query(ctx, sqlq.ScanEvents(sqlq.Postgres), afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("scan events after seq %d: %w", afterSeq, err)
	}
	events, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.StoredEvent, error) {
		return scanStoredEvent(row)
	})
	if err != nil {
		return nil, fmt.Errorf("scan events after seq %d: %w", afterSeq, err)
	}
	return events, nil
}

// QueryEvents returns one page of events matching q, built by sqlq. It
// returns an error wrapping store.ErrInvalid for a query sqlq rejects, and
// a *store.QueryTooLargeError when more events match than q.MaxEventCount
// allows.
func (s *Store) QueryEvents(ctx context.Context, q store.Query) (store.Page, error) {
	sel, err := sqlq.Build(sqlq.Postgres, q)
	if err != nil {
		return store.Page{}, fmt.Errorf("query events: %w", err)
	}
	if sel.SQL == "" {
		return sel.Page(nil)
	}
	// The unnamed statement of QueryExecModeExec is planned with the
	// actual arguments each time. A cached prepared statement may switch
	// to a generic plan after a few runs, which picks the same index for
	// a rare bizStep as for a common one.
	if sel.CountSQL != "" {
		var count int64
		countArgs := append([]any{pgx.QueryExecModeExec}, sel.CountArgs...)
		if err := s.pool.QueryRow(ctx, sel.CountSQL, countArgs...).Scan(&count); err != nil {
			return store.Page{}, fmt.Errorf("query events: count matching events: %w", err)
		}
		if err := sel.CheckCount(count); err != nil {
			return store.Page{}, fmt.Errorf("query events: %w", err)
		}
	}
	args := append([]any{pgx.QueryExecModeExec}, sel.Args...)
	rows, err := s.pool.Query(ctx, sel.SQL, args...)
	if err != nil {
		return store.Page{}, fmt.Errorf("query events: %w", err)
	}
	fetched, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (sqlq.Row, error) {
		var r sqlq.Row
		var err error
		r.Event, err = scanStoredEvent(row, &r.Key)
		return r, err
	})
	if err != nil {
		return store.Page{}, fmt.Errorf("query events: %w", err)
	}
	page, err := sel.Page(fetched)
	if err != nil {
		return store.Page{}, fmt.Errorf("query events: %w", err)
	}
	return page, nil
}

// Distinct lists the distinct canonical values of resource r in ascending
// byte order, after `after`, at most limit of them. Absent values (NULL)
// are never listed.
func (s *Store) Distinct(ctx context.Context, r store.Resource, after string, limit int) ([]string, error) {
	if err := checkLimit(limit); err != nil {
		return nil, fmt.Errorf("list distinct %s: %w", r, err)
	}
	query, args, err := sqlq.Distinct(sqlq.Postgres, r, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list distinct values: %w", err)
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list distinct %s: %w", r, err)
	}
	values, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list distinct %s: %w", r, err)
	}
	return values, nil
}

// checkLimit returns an error wrapping store.ErrInvalid when limit is
// below 1.
func checkLimit(limit int) error {
	if limit < 1 {
		return fmt.Errorf("limit %d is below 1, request at least one row: %w", limit, store.ErrInvalid)
	}
	return nil
}
