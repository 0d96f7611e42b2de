package sqlite

import (
	"context"
	"fmt"
	"time"
)

const (
	sqlScanStats = `SELECT city, count, first_at, last_at FROM web_scan WHERE canonical = ? ORDER BY count DESC, city`
	sqlScanAdd   = `INSERT INTO web_scan (canonical, city, count, first_at, last_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (canonical, city) DO UPDATE SET count = count + excluded.count,
    first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`
	sqlComplaintAdd = `INSERT INTO web_complaint (canonical, kind, message, contact, created_at) VALUES (?, ?, ?, ?, ?)`
)

// WebFeedback stores lookup counts and complaints of the public pages in
// the store's database. Create it with Store.WebFeedback; it is safe for
// concurrent use.
type WebFeedback struct {
	s *Store
}

// ScanStats are the earlier lookups of one code: the total, the first and
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

// Complaint is a stored consumer complaint.
type Complaint struct {
	Canonical, Kind, Message, Contact string
	CreatedAt                         time.Time
}

// WebFeedback returns the store of the public pages' tables (migration
// 0004_web.sql).
func (s *Store) WebFeedback(ctx context.Context) (*WebFeedback, error) {
	return &WebFeedback{s: s}, nil
}

// ScanStats returns the stored lookup counts of canonical.
func (f *WebFeedback) ScanStats(ctx context.Context, canonical string) (ScanStats, error) {
	var st ScanStats
	rows, err := f.s.read.QueryContext(ctx, sqlScanStats, canonical)
	if err != nil {
		return st, fmt.Errorf("read lookup counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			c           CityScans
			first, last int64
		)
		if err := rows.Scan(&c.City, &c.Count, &first, &last); err != nil {
			return st, fmt.Errorf("read lookup counts: %w", err)
		}
		st.Count += c.Count
		ft, lt := time.Unix(0, first).UTC(), time.Unix(0, last).UTC()
		if st.First.IsZero() || ft.Before(st.First) {
			st.First = ft
		}
		if lt.After(st.Last) {
			st.Last = lt
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

// ScanCount is a number of lookups of one code from one city between
// First and Last.
type ScanCount struct {
	Canonical, City string
	Count           int64
	First, Last     time.Time
}

// AddScans adds lookup counts in one transaction.
func (f *WebFeedback) AddScans(ctx context.Context, counts []ScanCount) error {
	tx, err := f.s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("count lookups: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, sqlScanAdd)
	if err != nil {
		return fmt.Errorf("count lookups: %w", err)
	}
	defer stmt.Close()
	for _, c := range counts {
		if _, err := stmt.ExecContext(ctx, c.Canonical, c.City, c.Count, c.First.UnixNano(), c.Last.UnixNano()); err != nil {
			return fmt.Errorf("count lookups of %s: %w", c.Canonical, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("count lookups: %w", err)
	}
	return nil
}

// AddComplaint stores a complaint and returns its number.
func (f *WebFeedback) AddComplaint(ctx context.Context, c Complaint) (int64, error) {
	res, err := f.s.write.ExecContext(ctx, sqlComplaintAdd, c.Canonical, c.Kind, c.Message, c.Contact, c.CreatedAt.UnixNano())
	if err != nil {
		return 0, fmt.Errorf("store complaint: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("store complaint: %w", err)
	}
	return id, nil
}
