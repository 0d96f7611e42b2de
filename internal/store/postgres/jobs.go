package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/suyuan-trace/suyuan/internal/store"
)

const jobColumns = `id, state, created_at, finished_at, source, accepted, duplicates, declared, rejected, errors`

// uniqueViolation is the SQLSTATE of a unique constraint violation.
const uniqueViolation = "23505"

// jobArgs returns the column values of job in jobColumns order.
func jobArgs(job store.Job) ([]any, error) {
	if job.ID == "" {
		return nil, fmt.Errorf("capture job has an empty id: %w", store.ErrInvalid)
	}
	errs := job.Errors
	if errs == nil {
		errs = []store.JobError{}
	}
	errorsJSON, err := json.Marshal(errs)
	if err != nil {
		return nil, fmt.Errorf("encode errors of capture job %s: %w", job.ID, err)
	}
	return []any{
		job.ID, string(job.State), nanos(job.CreatedAt), nanos(job.FinishedAt), job.Source,
		job.Accepted, job.Duplicates, job.Declared, job.Rejected, string(errorsJSON),
	}, nil
}

// nanos returns t in Unix nanoseconds, or nil for the zero time.
func nanos(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	n := t.UnixNano()
	return &n
}

// CreateJob stores a new capture job. It returns an error wrapping
// store.ErrConflict when a job with the same ID exists.
func (s *Store) CreateJob(ctx context.Context, job store.Job) error {
	if err := s.checkWritable("create capture job"); err != nil {
		return err
	}
	args, err := jobArgs(job)
	if err != nil {
		return fmt.Errorf("create capture job: %w", err)
	}
	if args[2] == (*int64)(nil) {
		return fmt.Errorf("create capture job %s: CreatedAt is the zero time, set it to the time the job was created: %w", job.ID, store.ErrInvalid)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO capture_jobs (`+jobColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, args...)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == uniqueViolation {
		return fmt.Errorf("create capture job %s: a job with this id exists: %w", job.ID, store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create capture job %s: %w", job.ID, err)
	}
	return nil
}

// UpdateJob replaces every field of the stored job with job.ID, or returns
// an error wrapping store.ErrNotFound.
func (s *Store) UpdateJob(ctx context.Context, job store.Job) error {
	if err := s.checkWritable("update capture job"); err != nil {
		return err
	}
	args, err := jobArgs(job)
	if err != nil {
		return fmt.Errorf("update capture job: %w", err)
	}
	const update = `UPDATE capture_jobs SET state = $2, created_at = coalesce($3, created_at), finished_at = $4,
		source = $5, accepted = $6, duplicates = $7, declared = $8, rejected = $9, errors = $10 WHERE id = $1`
	tag, err := s.pool.Exec(ctx, update, args...)
	if err != nil {
		return fmt.Errorf("update capture job %s: %w", job.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("update capture job %s: %w", job.ID, store.ErrNotFound)
	}
	return nil
}

// Job returns the capture job with the given id, or an error wrapping
// store.ErrNotFound.
func (s *Store) Job(ctx context.Context, id string) (store.Job, error) {
	job, err := scanJob(s.pool.QueryRow(ctx, `SELECT `+jobColumns+` FROM capture_jobs WHERE id = $1`, id))
	if err != nil {
		return store.Job{}, notFound(err, "capture job %s", id)
	}
	return job, nil
}

// Jobs returns up to limit capture jobs with IDs after `after`, in
// ascending byte order of ID.
func (s *Store) Jobs(ctx context.Context, after string, limit int) ([]store.Job, error) {
	if err := checkLimit(limit); err != nil {
		return nil, fmt.Errorf("list capture jobs: %w", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+jobColumns+` FROM capture_jobs WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list capture jobs: %w", err)
	}
	jobs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Job, error) { return scanJob(row) })
	if err != nil {
		return nil, fmt.Errorf("list capture jobs: %w", err)
	}
	return jobs, nil
}

func scanJob(row pgx.Row) (store.Job, error) {
	var (
		job        store.Job
		state      string
		createdAt  int64
		finishedAt *int64
		errorsJSON []byte
	)
	err := row.Scan(&job.ID, &state, &createdAt, &finishedAt, &job.Source,
		&job.Accepted, &job.Duplicates, &job.Declared, &job.Rejected, &errorsJSON)
	if err != nil {
		return store.Job{}, err
	}
	job.State = store.JobState(state)
	job.CreatedAt = time.Unix(0, createdAt).UTC()
	if finishedAt != nil {
		job.FinishedAt = time.Unix(0, *finishedAt).UTC()
	}
	if err := json.Unmarshal(errorsJSON, &job.Errors); err != nil {
		return store.Job{}, fmt.Errorf("decode errors of capture job %s: %w", job.ID, err)
	}
	if len(job.Errors) == 0 {
		job.Errors = nil
	}
	return job, nil
}
