package postgres

import (
	"context"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// Tile geometry of the audit log (see store.Tile).
const (
	hashSize     = 32
	tileMaxNodes = 256
)

// LogSize returns the number of audit-log leaves.
func (s *Store) LogSize(ctx context.Context) (uint64, error) {
	var size int64
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(idx) + 1, 0) FROM log_leaves`).Scan(&size); err != nil {
		return 0, fmt.Errorf("read audit log size: %w", err)
	}
	return uint64(size), nil
}

// LeafHashes returns the leaf hashes with indexes in [start, end). It
// returns an error wrapping store.ErrInvalid when start > end or end is
// past the log size.
func (s *Store) LeafHashes(ctx context.Context, start, end uint64) ([][]byte, error) {
	if start > end || end > math.MaxInt64 {
		return nil, fmt.Errorf("read leaf hashes: range [%d, %d) is invalid, start must not exceed end: %w", start, end, store.ErrInvalid)
	}
	if start == end {
		return [][]byte{}, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT leaf_hash FROM log_leaves WHERE idx >= $1 AND idx < $2 ORDER BY idx`, int64(start), int64(end))
	if err != nil {
		return nil, fmt.Errorf("read leaf hashes [%d, %d): %w", start, end, err)
	}
	hashes, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, fmt.Errorf("read leaf hashes [%d, %d): %w", start, end, err)
	}
	if uint64(len(hashes)) != end-start {
		return nil, fmt.Errorf("read leaf hashes [%d, %d): the log has no leaf %d, request a range within the log size: %w",
			start, end, start+uint64(len(hashes)), store.ErrInvalid)
	}
	return hashes, nil
}

// LeafIndex returns the index of the first leaf recorded for eventID (an
// attached error declaration has a later leaf of its own), or an error
// wrapping store.ErrNotFound.
func (s *Store) LeafIndex(ctx context.Context, eventID string) (uint64, error) {
	var idx int64
	err := s.pool.QueryRow(ctx, `SELECT idx FROM log_leaves WHERE event_id = $1 ORDER BY idx LIMIT 1`, eventID).Scan(&idx)
	if err != nil {
		return 0, notFound(err, "leaf index of event %s", eventID)
	}
	return uint64(idx), nil
}

// LeafEvent returns the eventID recorded at leaf index i, or an error
// wrapping store.ErrNotFound when that leaf records a decision or does not
// exist.
func (s *Store) LeafEvent(ctx context.Context, i uint64) (string, error) {
	if i > math.MaxInt64 {
		return "", fmt.Errorf("event of leaf %d: %w", i, store.ErrNotFound)
	}
	var eventID string
	if err := s.pool.QueryRow(ctx, `SELECT event_id FROM log_leaves WHERE idx = $1 AND event_id IS NOT NULL`, int64(i)).Scan(&eventID); err != nil {
		return "", notFound(err, "event of leaf %d", i)
	}
	return eventID, nil
}

// PutTiles stores tiles in one transaction. A tile replaces the stored tile
// with the same key only when it holds more hashes.
func (s *Store) PutTiles(ctx context.Context, tiles []store.Tile) error {
	if err := s.checkWritable("put tiles"); err != nil {
		return err
	}
	for _, t := range tiles {
		if n := len(t.Hashes); n == 0 || n%hashSize != 0 || n > tileMaxNodes*hashSize {
			return fmt.Errorf("put tile level %d index %d: %d bytes of hashes, need 1 to %d hashes of %d bytes: %w",
				t.Level, t.Index, n, tileMaxNodes, hashSize, store.ErrInvalid)
		}
		if t.Index > math.MaxInt64 {
			return fmt.Errorf("put tile level %d index %d: index is out of range: %w", t.Level, t.Index, store.ErrInvalid)
		}
	}
	if len(tiles) == 0 {
		return nil
	}
	const upsert = `INSERT INTO log_tiles (level, idx, hashes) VALUES ($1, $2, $3)
		ON CONFLICT (level, idx) DO UPDATE SET hashes = EXCLUDED.hashes
		WHERE length(EXCLUDED.hashes) > length(log_tiles.hashes)`
	batch := &pgx.Batch{}
	for _, t := range tiles {
		batch.Queue(upsert, int16(t.Level), int64(t.Index), t.Hashes)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return tx.SendBatch(ctx, batch).Close()
	})
	if err != nil {
		return fmt.Errorf("put %d tiles: %w", len(tiles), err)
	}
	return nil
}

// Tiles returns the stored tiles among keys, in the order of keys; keys
// without a stored tile are left out.
func (s *Store) Tiles(ctx context.Context, keys []store.TileKey) ([]store.Tile, error) {
	if len(keys) == 0 {
		return []store.Tile{}, nil
	}
	levels := make([]int16, 0, len(keys))
	indexes := make([]int64, 0, len(keys))
	for _, k := range keys {
		if k.Index > math.MaxInt64 {
			continue
		}
		levels = append(levels, int16(k.Level))
		indexes = append(indexes, int64(k.Index))
	}
	const query = `SELECT t.level, t.idx, t.hashes
		FROM unnest($1::smallint[], $2::bigint[]) WITH ORDINALITY AS k(level, idx, pos)
		JOIN log_tiles t ON t.level = k.level AND t.idx = k.idx
		ORDER BY k.pos`
	rows, err := s.pool.Query(ctx, query, levels, indexes)
	if err != nil {
		return nil, fmt.Errorf("read %d tiles: %w", len(keys), err)
	}
	tiles, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Tile, error) {
		var (
			t     store.Tile
			level int16
			idx   int64
		)
		err := row.Scan(&level, &idx, &t.Hashes)
		t.Level, t.Index = uint8(level), uint64(idx)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("read %d tiles: %w", len(keys), err)
	}
	return tiles, nil
}

// PutCheckpoint stores the signed checkpoint note for tree size size,
// replacing one stored for the same size.
func (s *Store) PutCheckpoint(ctx context.Context, size uint64, note []byte) error {
	if err := s.checkWritable("put checkpoint"); err != nil {
		return err
	}
	if size == 0 || size > math.MaxInt64 {
		return fmt.Errorf("put checkpoint: tree size %d is out of range 1 to %d: %w", size, int64(math.MaxInt64), store.ErrInvalid)
	}
	if len(note) == 0 {
		return fmt.Errorf("put checkpoint for tree size %d: note is empty: %w", size, store.ErrInvalid)
	}
	const upsert = `INSERT INTO log_checkpoints (size, note) VALUES ($1, $2)
		ON CONFLICT (size) DO UPDATE SET note = EXCLUDED.note`
	if _, err := s.pool.Exec(ctx, upsert, int64(size), note); err != nil {
		return fmt.Errorf("put checkpoint for tree size %d: %w", size, err)
	}
	return nil
}

// Checkpoint returns the tree size and note of the checkpoint stored for
// size, or of the one with the largest size when size is 0. It returns an
// error wrapping store.ErrNotFound when there is none.
func (s *Store) Checkpoint(ctx context.Context, size uint64) (uint64, []byte, error) {
	var (
		row  pgx.Row
		got  int64
		note []byte
	)
	switch {
	case size == 0:
		row = s.pool.QueryRow(ctx, `SELECT size, note FROM log_checkpoints ORDER BY size DESC LIMIT 1`)
	case size > math.MaxInt64:
		return 0, nil, fmt.Errorf("checkpoint for tree size %d: %w", size, store.ErrNotFound)
	default:
		row = s.pool.QueryRow(ctx, `SELECT size, note FROM log_checkpoints WHERE size = $1`, int64(size))
	}
	if err := row.Scan(&got, &note); err != nil {
		if size == 0 {
			return 0, nil, notFound(err, "latest checkpoint")
		}
		return 0, nil, notFound(err, "checkpoint for tree size %d", size)
	}
	return uint64(got), note, nil
}
