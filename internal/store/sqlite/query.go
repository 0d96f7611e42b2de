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

// QueryEvents returns one page of events matching q, built by package
// sqlq. It returns an error wrapping store.ErrInvalid for a query sqlq
// rejects, and a *store.QueryTooLargeError when more events match than
// q.MaxEventCount allows.
func (s *Store) QueryEvents(ctx context.Context, q store.Query) (store.Page, error) {
	sel, err := sqlq.Build(sqlq.SQLite, q)
	if err != nil {
		return store.Page{}, fmt.Errorf("query events: %w", err)
	}
	if sel.SQL == "" {
		return sel.Page(nil)
	}
	if sel.CountSQL != "" {
		var count int64
		if err := s.read.QueryRowContext(ctx, sel.CountSQL, sel.CountArgs...).Scan(&count); err != nil {
			return store.Page{}, fmt.Errorf("query events: count matching events: %w", err)
		}
		if err := sel.CheckCount(count); err != nil {
			return store.Page{}, fmt.Errorf("query events: %w", err)
		}
	}
	rows, err := s.read.QueryContext(ctx, sel.SQL, sel.Args...)
	if err != nil {
		return store.Page{}, fmt.Errorf("query events: %w", err)
	}
	defer rows.Close()
	var out []sqlq.Row
	for rows.Next() {
		var r sqlq.Row
		if err := scanEvent(rows, &r.Event, &r.Key); err != nil {
			return store.Page{}, fmt.Errorf("query events: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return store.Page{}, fmt.Errorf("query events: %w", err)
	}
	page, err := sel.Page(out)
	if err != nil {
		return store.Page{}, fmt.Errorf("query events: %w", err)
	}
	return page, nil
}

// scanEvent reads sqlq.EventColumns, and extra columns after them.
func scanEvent(row interface{ Scan(...any) error }, e *store.StoredEvent, extra ...any) error {
	var recordTime int64
	var declared int64
	dest := append([]any{&e.Seq, &e.EventID, &e.Hash, &recordTime, &e.Doc, &declared, &e.CaptureID}, extra...)
	if err := row.Scan(dest...); err != nil {
		return err
	}
	e.RecordTime = time.Unix(0, recordTime).UTC()
	e.Declared = declared != 0
	return nil
}

// Event returns the event with the given eventID, or an error wrapping
// store.ErrNotFound.
func (s *Store) Event(ctx context.Context, eventID string) (store.StoredEvent, error) {
	var e store.StoredEvent
	err := scanEvent(s.read.QueryRowContext(ctx, sqlq.EventByID(sqlq.SQLite), eventID), &e)
	if errors.Is(err, sql.ErrNoRows) {
		return store.StoredEvent{}, fmt.Errorf("event %s: %w", eventID, store.ErrNotFound)
	}
	if err != nil {
		return store.StoredEvent{}, fmt.Errorf("read event %s: %w", eventID, err)
	}
	return e, nil
}

// ScanEvents returns up to limit events with Seq after afterSeq, in Seq
// order. It returns an error wrapping store.ErrInvalid when limit is not
// positive.
func (s *Store) ScanEvents(ctx context.Context, afterSeq int64, limit int) ([]store.StoredEvent, error) {
	if limit < 1 {
		return nil, fmt.Errorf("scan events: limit %d is below 1: %w", limit, store.ErrInvalid)
	}
	rows, err := s.read.QueryContext(ctx, sqlq.ScanEvents(sqlq.SQLite), afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("scan events after %d: %w", afterSeq, err)
	}
	defer rows.Close()
	var out []store.StoredEvent
	for rows.Next() {
		var e store.StoredEvent
		if err := scanEvent(rows, &e); err != nil {
			return nil, fmt.Errorf("scan events after %d: %w", afterSeq, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("scan events after %d: %w", afterSeq, err)
	}
	return out, nil
}

// Distinct lists distinct values of a top-level resource, as store.Store
// documents. It returns an error wrapping store.ErrInvalid for an unknown
// resource or a limit below 1.
func (s *Store) Distinct(ctx context.Context, r store.Resource, after string, limit int) ([]string, error) {
	query, args, err := sqlq.Distinct(sqlq.SQLite, r, after, limit)
	if err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", r, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("list %s: %w", r, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", r, err)
	}
	return out, nil
}
