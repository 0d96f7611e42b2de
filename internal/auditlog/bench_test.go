package auditlog

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"testing"
	"time"
)

// syntheticStore is a memStore whose leaf hashes are computed from their
// index on demand, so a benchmark can hold a 10-million-leaf log without
// keeping every leaf hash in memory. Tiles are stored as usual.
type syntheticStore struct {
	*memStore
	size uint64
}

func syntheticLeaf(i uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], i)
	return SHA256.HashLeaf(b[:])
}

func (s *syntheticStore) LogSize(context.Context) (uint64, error) { return s.size, nil }

func (s *syntheticStore) LeafHashes(_ context.Context, start, end uint64) ([][]byte, error) {
	if start > end || end > s.size {
		return nil, fmt.Errorf("leaf range [%d, %d) outside [0, %d)", start, end, s.size)
	}
	out := make([][]byte, 0, end-start)
	for i := start; i < end; i++ {
		out = append(out, syntheticLeaf(i))
	}
	return out, nil
}

var (
	bigLogOnce sync.Once
	bigLog     *Log
	bigLogErr  error
)

const bigLogSize = 10_000_000

// BenchmarkInclusionProof measures one inclusion proof in a log of 10
// million leaves. The setup integrates all leaves once (reported as
// setup-seconds) and the tile cache is disabled, so every proof reads its
// tiles from the store.
func BenchmarkInclusionProof(b *testing.B) {
	bigLogOnce.Do(func() {
		start := time.Now()
		signer, err := EphemeralSigner(AlgEd25519)
		if err != nil {
			bigLogErr = err
			return
		}
		st := &syntheticStore{memStore: newMemStore(), size: bigLogSize}
		bigLog, bigLogErr = New(st, SHA256, signer, "bench.suyuan.invalid/log")
		if bigLogErr != nil {
			return
		}
		if _, bigLogErr = bigLog.Integrate(context.Background()); bigLogErr != nil {
			return
		}
		bigLog.cache = newTileCache(0)
		fmt.Printf("BenchmarkInclusionProof setup: integrated %d leaves in %v\n", bigLogSize, time.Since(start).Round(time.Millisecond))
	})
	if bigLogErr != nil {
		b.Fatalf("setup: %v", bigLogErr)
	}
	ctx := context.Background()
	var i uint64
	for b.Loop() {
		index := (i * 7_919_993) % bigLogSize
		i++
		if _, err := bigLog.InclusionProof(ctx, index, bigLogSize); err != nil {
			b.Fatalf("InclusionProof(%d): %v", index, err)
		}
	}
}
