package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// CaptureStream stores the records next yields in one transaction, as
// store.Store documents it. It reads store.StreamChunk records at a time,
// looks up their eventIDs and hashes, decides their outcomes and writes
// their rows before reading the next chunk, so memory does not grow with
// the document. Rows written by earlier chunks are visible to the lookups
// of later ones because they share the transaction. An invalid record
// (see Capture) or an error from next rolls everything back.

func (s *Store) CaptureStream(ctx context.Context, captureID string, next func() (store.Record, error)) (store.CaptureCounts, error) {
	if captureID == "" {
		return store.CaptureCounts{}, fmt.Errorf("capture: capture job id is empty: %w", store.ErrInvalid)
	}
	var counts store.CaptureCounts
	index := 0
	recordTime, err := s.capture(ctx, captureID, func(chunk []store.Record) ([]store.Record, error) {
		for len(chunk) < store.StreamChunk {
			r, err := next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("capture: read record %d: %w", index, err)
			}
			if err := checkRecord(index, &r); err != nil {
				return nil, err
			}
			chunk = append(chunk, r)
			index++
		}
		return chunk, nil
	}, counts.Add)
	if err != nil {
		return store.CaptureCounts{}, err
	}
	counts.RecordTime = recordTime
	return counts, nil
}

// capture runs one capture transaction and returns its record time. fill
// appends the next records to the empty chunk it is given and returns it;
// an empty chunk ends the input. outcome is called for every record in
// order.
func (s *Store) capture(ctx context.Context, captureID string, fill func([]store.Record) ([]store.Record, error), outcome func(store.Outcome)) (time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.prepareLineage(ctx); err != nil {
		return time.Time{}, fmt.Errorf("capture: %w", err)
	}

	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return time.Time{}, fmt.Errorf("capture: begin transaction: %w", err)
	}
	defer tx.Rollback()

	var lastStored, lastSeq, nextLeaf int64
	for _, q := range []struct {
		sql string
		dst *int64
	}{{sqlMaxRecordTime, &lastStored}, {sqlMaxSeq, &lastSeq}, {sqlLogSize, &nextLeaf}} {
		if err := tx.QueryRowContext(ctx, q.sql).Scan(q.dst); err != nil {
			return time.Time{}, fmt.Errorf("capture: read store position: %w", err)
		}
	}
	// Record time is strictly increasing across calls, even when the
	// clock steps back.
	recordTime := max(time.Now().UnixNano(), lastStored+1, s.lastRecordTime+1)
	c := &captureTx{s: s, tx: tx, ctx: ctx, captureID: captureID, recordTime: recordTime,
		nextSeq: lastSeq + 1, nextLeaf: nextLeaf}

	chunk := make([]store.Record, 0, store.StreamChunk)
	for first := 0; ; {
		chunk, err = fill(chunk[:0])
		if err != nil {
			return time.Time{}, err
		}
		if len(chunk) == 0 {
			break
		}
		if err := c.lookup(chunk); err != nil {
			return time.Time{}, err
		}
		for i := range chunk {
			out, err := c.decide(first+i, &chunk[i])
			if err != nil {
				return time.Time{}, err
			}
			outcome(out)
		}
		if err := c.flush(); err != nil {
			return time.Time{}, err
		}
		c.reset()
		clear(chunk)
		first += len(chunk)
	}
	if err := tx.Commit(); err != nil {
		return time.Time{}, fmt.Errorf("capture: commit: %w", err)
	}
	s.lastRecordTime = recordTime
	s.ckpt.signal()
	return time.Unix(0, recordTime).UTC(), nil
}

// reset drops the rows queued for the chunk just flushed, keeping the
// slices' memory for the next chunk.
func (c *captureTx) reset() {
	clear(c.events)
	clear(c.identifiers)
	clear(c.bizTransactions)
	clear(c.persistentDisp)
	clear(c.leaves)
	c.events, c.identifiers, c.bizTransactions = c.events[:0], c.identifiers[:0], c.bizTransactions[:0]
	c.persistentDisp, c.leaves = c.persistentDisp[:0], c.leaves[:0]
	c.declarations = nil
	c.lineage = lineageRows{}
}
