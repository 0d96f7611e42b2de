package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// maxTileBytes is the size of a full tile: 256 hashes of 32 bytes.
const maxTileBytes = 256 * leafHashSize

// LogSize returns the number of audit-log leaves.
func (s *Store) LogSize(ctx context.Context) (uint64, error) {
	var n int64
	if err := s.read.QueryRowContext(ctx, sqlLogSize).Scan(&n); err != nil {
		return 0, fmt.Errorf("read log size: %w", err)
	}
	return uint64(n), nil
}

// LeafHashes returns the leaf hashes with indexes in [start, end). It
// returns an error wrapping store.ErrInvalid when start > end or end is
// beyond the log size.
func (s *Store) LeafHashes(ctx context.Context, start, end uint64) ([][]byte, error) {
	if start > end || end > math.MaxInt64 {
		return nil, fmt.Errorf("read log leaves [%d, %d): invalid range: %w", start, end, store.ErrInvalid)
	}
	if start == end {
		return [][]byte{}, nil
	}

	size, err := s.LogSize(ctx)
	if err != nil {
		return nil, fmt.Errorf("read log leaves [%d, %d): %w", start, end, err)
	}
	if end > size {
		return nil, fmt.Errorf("read log leaves [%d, %d): the log has only %d leaves: %w", start, end, size, store.ErrInvalid)
	}

	rows, err := s.read.QueryContext(ctx, `SELECT leaf_hash FROM log_leaves WHERE idx >= ? AND idx < ? ORDER BY idx`, int64(start), int64(end))
	if err != nil {
		return nil, fmt.Errorf("read log leaves [%d, %d): %w", start, end, err)
	}
	defer rows.Close()
	out := make([][]byte, 0, end-start)
	for rows.Next() {
		var h []byte
		if err := rows.Scan(&h); err != nil {
			return nil, fmt.Errorf("read log leaves [%d, %d): %w", start, end, err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read log leaves [%d, %d): %w", start, end, err)
	}

	if uint64(len(out)) != end-start {
		return nil, fmt.Errorf("read log leaves [%d, %d): got %d leaves, the log has a gap: %w", start, end, len(out), store.ErrNotFound)
	}
	return out, nil
}

// LeafIndex returns the index of the leaf that recorded the capture of
// the event. An event declared erroneous later has a second leaf for the
// declaration; LeafIndex returns the first. It returns an error wrapping
// store.ErrNotFound when the event has no leaf.
func (s *Store) LeafIndex(ctx context.Context, eventID string) (uint64, error) {
	var idx int64
	err := s.read.QueryRowContext(ctx, `SELECT l.idx FROM events e JOIN log_leaves l ON l.event_seq = e.seq
WHERE e.event_id = ? ORDER BY l.idx LIMIT 1`, eventID).Scan(&idx)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("log leaf of event %s: %w", eventID, store.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("read log leaf of event %s: %w", eventID, err)
	}
	return uint64(idx), nil
}

// LeafEvent returns the eventID recorded at leaf index i, or an error
// wrapping store.ErrNotFound when that leaf records a decision or does not
// exist.
func (s *Store) LeafEvent(ctx context.Context, i uint64) (string, error) {
	if i > math.MaxInt64 {
		return "", fmt.Errorf("log leaf %d: %w", i, store.ErrNotFound)
	}
	var id string
	err := s.read.QueryRowContext(ctx, `SELECT event_id FROM log_leaves WHERE idx = ? AND event_id IS NOT NULL`, int64(i)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("log leaf %d: %w", i, store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("read log leaf %d: %w", i, err)
	}
	return id, nil
}

// PutTiles stores tiles in one transaction; a stored tile is replaced
// only by a wider one. It returns an error wrapping store.ErrInvalid for
// a tile that is empty, wider than 256 hashes or not a whole number of
// 32-byte hashes.
func (s *Store) PutTiles(ctx context.Context, tiles []store.Tile) error {
	for _, t := range tiles {
		if len(t.Hashes) == 0 || len(t.Hashes) > maxTileBytes || len(t.Hashes)%leafHashSize != 0 || t.Index > math.MaxInt64 {
			return fmt.Errorf("store tile level %d index %d: %d bytes is not 1 to 256 hashes of %d bytes: %w",
				t.Level, t.Index, len(t.Hashes), leafHashSize, store.ErrInvalid)
		}
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store tiles: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO log_tiles (level, idx, hashes) VALUES (?, ?, ?)
ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes
WHERE length(excluded.hashes) > length(log_tiles.hashes)`)
	if err != nil {
		return fmt.Errorf("store tiles: %w", err)
	}
	defer stmt.Close()
	for _, t := range tiles {
		if _, err := stmt.ExecContext(ctx, int64(t.Level), int64(t.Index), t.Hashes); err != nil {
			return fmt.Errorf("store tile level %d index %d: %w", t.Level, t.Index, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store tiles: %w", err)
	}
	return nil
}

// Tiles returns the stored tiles among keys, in the order of keys;
// missing tiles are left out.
func (s *Store) Tiles(ctx context.Context, keys []store.TileKey) ([]store.Tile, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	conn, err := s.read.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("read tiles: %w", err)
	}
	defer conn.Close()
	stmt, err := conn.PrepareContext(ctx, `SELECT hashes FROM log_tiles WHERE level = ? AND idx = ?`)
	if err != nil {
		return nil, fmt.Errorf("read tiles: %w", err)
	}
	defer stmt.Close()
	var out []store.Tile
	for _, k := range keys {
		if k.Index > math.MaxInt64 {
			continue
		}
		var h []byte
		err := stmt.QueryRowContext(ctx, int64(k.Level), int64(k.Index)).Scan(&h)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read tile level %d index %d: %w", k.Level, k.Index, err)
		}
		out = append(out, store.Tile{TileKey: k, Hashes: h})
	}
	return out, nil
}

// PutCheckpoint stores the signed checkpoint note for a tree size,
// replacing any stored for the same size. It returns an error wrapping
// store.ErrInvalid for an empty note.
func (s *Store) PutCheckpoint(ctx context.Context, size uint64, note []byte) error {
	if len(note) == 0 || size > math.MaxInt64 {
		return fmt.Errorf("store checkpoint for size %d: the note is empty or the size too large: %w", size, store.ErrInvalid)
	}
	_, err := s.write.ExecContext(ctx, `INSERT INTO log_checkpoints (size, note) VALUES (?, ?)
ON CONFLICT (size) DO UPDATE SET note = excluded.note`, int64(size), note)
	if err != nil {
		return fmt.Errorf("store checkpoint for size %d: %w", size, err)
	}
	return nil
}

// Checkpoint returns the checkpoint note for size, or the latest one when
// size is 0, with its size. It returns an error wrapping store.ErrNotFound
// when there is none.
func (s *Store) Checkpoint(ctx context.Context, size uint64) (uint64, []byte, error) {
	var row *sql.Row
	switch {
	case size == 0:
		row = s.read.QueryRowContext(ctx, `SELECT size, note FROM log_checkpoints ORDER BY size DESC LIMIT 1`)
	case size > math.MaxInt64:
		return 0, nil, fmt.Errorf("checkpoint for size %d: %w", size, store.ErrNotFound)
	default:
		row = s.read.QueryRowContext(ctx, `SELECT size, note FROM log_checkpoints WHERE size = ?`, int64(size))
	}
	var got int64
	var note []byte
	err := row.Scan(&got, &note)
	if errors.Is(err, sql.ErrNoRows) {
		if size == 0 {
			return 0, nil, fmt.Errorf("latest checkpoint: none stored: %w", store.ErrNotFound)
		}
		return 0, nil, fmt.Errorf("checkpoint for size %d: %w", size, store.ErrNotFound)
	}
	if err != nil {
		return 0, nil, fmt.Errorf("read checkpoint for size %d: %w", size, err)
	}
	return uint64(got), note, nil
}
