package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
)

const jobColumns = "id, state, created_at, finished_at, source, accepted, duplicates, declared, rejected, errors"

// CreateJob stores a new capture job. It returns an error wrapping
// store.ErrConflict when a job with the same ID exists, and one wrapping
// store.ErrInvalid when the ID is empty.
func (s *Store) CreateJob(ctx context.Context, job store.Job) error {
	if job.ID == "" {
		return fmt.Errorf("create capture job: job id is empty: %w", store.ErrInvalid)
	}
	errs, err := encodeJobErrors(job)
	if err != nil {
		return err
	}
	res, err := s.write.ExecContext(ctx, `INSERT INTO capture_jobs (`+jobColumns+`)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		job.ID, string(job.State), nanosOrNull(job.CreatedAt), nanosOrNull(job.FinishedAt), job.Source,
		job.Accepted, job.Duplicates, job.Declared, job.Rejected, errs)
	if err != nil {
		return fmt.Errorf("create capture job %s: %w", job.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("create capture job %s: %w", job.ID, err)
	} else if n == 0 {
		return fmt.Errorf("create capture job %s: a job with this id exists: %w", job.ID, store.ErrConflict)
	}
	return nil
}

// UpdateJob replaces the stored state of a capture job. It returns an
// error wrapping store.ErrNotFound when no job has job.ID.
func (s *Store) UpdateJob(ctx context.Context, job store.Job) error {
	errs, err := encodeJobErrors(job)
	if err != nil {
		return err
	}
	res, err := s.write.ExecContext(ctx, `UPDATE capture_jobs SET state = ?, created_at = ?, finished_at = ?, source = ?,
    accepted = ?, duplicates = ?, declared = ?, rejected = ?, errors = ? WHERE id = ?`,
		string(job.State), nanosOrNull(job.CreatedAt), nanosOrNull(job.FinishedAt), job.Source,
		job.Accepted, job.Duplicates, job.Declared, job.Rejected, errs, job.ID)
	if err != nil {
		return fmt.Errorf("update capture job %s: %w", job.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update capture job %s: %w", job.ID, err)
	} else if n == 0 {
		return fmt.Errorf("update capture job %s: %w", job.ID, store.ErrNotFound)
	}
	return nil
}

// Job returns the capture job with the given ID, or an error wrapping
// store.ErrNotFound.
func (s *Store) Job(ctx context.Context, id string) (store.Job, error) {
	job, err := scanJob(s.read.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM capture_jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Job{}, fmt.Errorf("capture job %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Job{}, fmt.Errorf("read capture job %s: %w", id, err)
	}
	return job, nil
}

// Jobs lists at most limit capture jobs with IDs greater than after, in
// ascending ID order. It returns an error wrapping store.ErrInvalid when
// limit is below 1.
func (s *Store) Jobs(ctx context.Context, after string, limit int) ([]store.Job, error) {
	if limit < 1 {
		return nil, fmt.Errorf("list capture jobs: limit %d is below 1: %w", limit, store.ErrInvalid)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+jobColumns+` FROM capture_jobs WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list capture jobs: %w", err)
	}
	defer rows.Close()
	var out []store.Job
	for rows.Next() {
		job, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("list capture jobs: %w", err)
		}
		out = append(out, job)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list capture jobs: %w", err)
	}
	return out, nil
}

func encodeJobErrors(job store.Job) (string, error) {
	if len(job.Errors) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(job.Errors)
	if err != nil {
		return "", fmt.Errorf("encode errors of capture job %s: %w", job.ID, err)
	}
	return string(b), nil
}

func scanJob(row interface{ Scan(...any) error }) (store.Job, error) {
	var job store.Job
	var state, errs string
	var created, finished sql.NullInt64
	if err := row.Scan(&job.ID, &state, &created, &finished, &job.Source,
		&job.Accepted, &job.Duplicates, &job.Declared, &job.Rejected, &errs); err != nil {
		return store.Job{}, err
	}
	job.State = store.JobState(state)
	if created.Valid {
		job.CreatedAt = time.Unix(0, created.Int64).UTC()
	}
	if finished.Valid {
		job.FinishedAt = time.Unix(0, finished.Int64).UTC()
	}
	if errs != "" && errs != "[]" {
		if err := json.Unmarshal([]byte(errs), &job.Errors); err != nil {
			return store.Job{}, fmt.Errorf("decode errors of capture job %s: %w", job.ID, err)
		}
	}
	return job, nil
}
