package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	sqlScanStats = `SELECT city, count, first_at, last_at FROM web_scan WHERE canonical = $1 ORDER BY count DESC, city`
	sqlScanAdd   = `INSERT INTO web_scan (canonical, city, count, first_at, last_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (canonical, city) DO UPDATE SET count = web_scan.count + excluded.count,
    first_at = LEAST(web_scan.first_at, excluded.first_at), last_at = GREATEST(web_scan.last_at, excluded.last_at)`
	sqlComplaintAdd = `INSERT INTO web_complaint (canonical, kind, message, contact, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`
)

// WebFeedback stores lookup counts and complaints of the public pages in
// the store's database. Create it with Store.WebFeedback; it is safe for
// concurrent use, also by several processes on one database.
type WebFeedback struct {
	s *Store
}

// ScanStats are the stored lookups of one code: the total, the first and
// latest time, and the counts per city (most frequent first, unknown city
// left out).
type ScanStats struct {
	Count       int64
	First, Last time.Time
	Cities      []CityScans
}

// CityScans is the number of lookups from one city.
type CityScans struct {
	City  string
	Count int64
}

// ScanCount is a number of lookups of one code from one city between
// First and Last.
type ScanCount struct {
	Canonical, City string
	Count           int64
	First, Last     time.Time
}

// Complaint is a stored consumer complaint.
type Complaint struct {
	Canonical, Kind, Message, Contact string
	CreatedAt                         time.Time
}

// WebFeedback returns the store of the public pages' tables (migration
// 0004_web.sql). On a read-only store it fails with ErrReadOnly, because
// every page view counts a lookup.
func (s *Store) WebFeedback(ctx context.Context) (*WebFeedback, error) {
	if s.readOnly {
		return nil, fmt.Errorf("open web tables: %w", ErrReadOnly)
	}
	return &WebFeedback{s: s}, nil
}

// ScanStats returns the stored lookup counts of canonical.
func (f *WebFeedback) ScanStats(ctx context.Context, canonical string) (ScanStats, error) {
	var st ScanStats
	rows, err := f.s.pool.Query(ctx, sqlScanStats, canonical)
	if err != nil {
		return st, fmt.Errorf("read lookup counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			c           CityScans
			first, last time.Time
		)
		if err := rows.Scan(&c.City, &c.Count, &first, &last); err != nil {
			return st, fmt.Errorf("read lookup counts: %w", err)
		}
		st.Count += c.Count
		if st.First.IsZero() || first.Before(st.First) {
			st.First = first.UTC()
		}
		if last.After(st.Last) {
			st.Last = last.UTC()
		}
		if c.City != "" {
			st.Cities = append(st.Cities, c)
		}
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("read lookup counts: %w", err)
	}
	return st, nil
}

// AddScans adds lookup counts in one transaction.
func (f *WebFeedback) AddScans(ctx context.Context, counts []ScanCount) error {
	if f.s.readOnly {
		return fmt.Errorf("count lookups: %w", ErrReadOnly)
	}
	batch := &pgx.Batch{}
	for _, c := range counts {
		batch.Queue(sqlScanAdd, c.Canonical, c.City, c.Count, c.First, c.Last)
	}
	tx, err := f.s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("count lookups: %w", err)
	}
	defer tx.Rollback(ctx)
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("count lookups: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("count lookups: %w", err)
	}
	return nil
}

// AddComplaint stores a complaint and returns its number.
func (f *WebFeedback) AddComplaint(ctx context.Context, c Complaint) (int64, error) {
	if f.s.readOnly {
		return 0, fmt.Errorf("store complaint: %w", ErrReadOnly)
	}
	var id int64
	if err := f.s.pool.QueryRow(ctx, sqlComplaintAdd, c.Canonical, c.Kind, c.Message, c.Contact, c.CreatedAt).Scan(&id); err != nil {
		return 0, fmt.Errorf("store complaint: %w", err)
	}
	return id, nil
}
