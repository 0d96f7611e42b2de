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
	s.mu.Lock()
	defer s.mu.Unlock()

	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return store.CaptureCounts{}, fmt.Errorf("capture: begin transaction: %w", err)
	}
	defer tx.Rollback()

	var lastStored, lastSeq, nextLeaf int64
	for _, q := range []struct {
		sql string
		dst *int64
	}{{sqlMaxRecordTime, &lastStored}, {sqlMaxSeq, &lastSeq}, {sqlLogSize, &nextLeaf}} {
		if err := tx.QueryRowContext(ctx, q.sql).Scan(q.dst); err != nil {
			return store.CaptureCounts{}, fmt.Errorf("capture: read store position: %w", err)
		}
	}
	recordTime := max(time.Now().UnixNano(), lastStored+1, s.lastRecordTime+1)
	c := &captureTx{s: s, tx: tx, ctx: ctx, captureID: captureID, recordTime: recordTime,
		nextSeq: lastSeq + 1, nextLeaf: nextLeaf}

	counts := store.CaptureCounts{RecordTime: time.Unix(0, recordTime).UTC()}
	chunk := make([]store.Record, 0, store.StreamChunk)
	first := 0
	for done := false; !done; {
		chunk = chunk[:0]
		for len(chunk) < store.StreamChunk {
			r, err := next()
			if errors.Is(err, io.EOF) {
				done = true
				break
			}
			if err != nil {
				return store.CaptureCounts{}, fmt.Errorf("capture: read record %d: %w", first+len(chunk), err)
			}
			if err := checkRecord(first+len(chunk), &r); err != nil {
				return store.CaptureCounts{}, err
			}
			chunk = append(chunk, r)
		}
		if len(chunk) == 0 {
			break
		}
		if err := c.lookup(chunk); err != nil {
			return store.CaptureCounts{}, err
		}
		for i := range chunk {
			out, err := c.decide(first+i, &chunk[i])
			if err != nil {
				return store.CaptureCounts{}, err
			}
			counts.Add(out)
		}
		if err := c.flush(); err != nil {
			return store.CaptureCounts{}, err
		}
		c.reset()
		first += len(chunk)
	}
	if err := tx.Commit(); err != nil {
		return store.CaptureCounts{}, fmt.Errorf("capture: commit: %w", err)
	}
	s.lastRecordTime = recordTime
	s.ckpt.signal()
	return counts, nil
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
