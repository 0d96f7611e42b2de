package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// webSchema holds the tables of the public pages: lookup counts per code
// and city, and consumer complaints.
// NOTE: the tables are created on first use rather than by a numbered
// migration, because migration numbers must be consecutive and numbers 2
// and 3 are not yet taken. Move this into migrations/0004_web.sql once
// they are.
const webSchema = `
CREATE TABLE IF NOT EXISTS web_scan (
    canonical TEXT        NOT NULL, -- canonical identifier looked up (package ident)
    city      TEXT        NOT NULL, -- city the consumer gave; '' when not given
    count     BIGINT      NOT NULL, -- number of lookups
    first_at  TIMESTAMPTZ NOT NULL, -- first lookup
    last_at   TIMESTAMPTZ NOT NULL, -- latest lookup
    PRIMARY KEY (canonical, city)
);
CREATE TABLE IF NOT EXISTS web_complaint (
    id         BIGSERIAL PRIMARY KEY, -- complaint number shown to the consumer
    canonical  TEXT        NOT NULL,  -- canonical identifier complained about
    kind       TEXT        NOT NULL,  -- complaint kind key, such as 'quality'
    message    TEXT        NOT NULL,  -- what the consumer wrote
    contact    TEXT        NOT NULL,  -- optional phone or e-mail; '' when not given
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS web_complaint_canonical ON web_complaint (canonical);
`

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

// WebFeedback creates the tables of the public pages when missing and
// returns their store.
func (s *Store) WebFeedback(ctx context.Context) (*WebFeedback, error) {
	if s.readOnly {
		return nil, fmt.Errorf("create web tables: %w", ErrReadOnly)
	}
	if _, err := s.pool.Exec(ctx, webSchema); err != nil {
		return nil, fmt.Errorf("create web tables: %w", err)
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
