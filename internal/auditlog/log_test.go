package auditlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/transparency-dev/merkle/proof"
)

// testLeaf returns the leaf hash of the i-th test event.
func testLeaf(h *Hasher, i int) []byte {
	id := fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", i)
	return LeafHash(h, id, "ni:///sha-256;"+fmt.Sprintf("%064x", i)+"?ver=CBV2.0", []byte(fmt.Sprintf(`{"n":%d}`, i)))
}

func newTestLog(t testing.TB, h *Hasher, alg string) (*Log, *memStore) {
	t.Helper()
	s, err := EphemeralSigner(alg)
	if err != nil {
		t.Fatalf("EphemeralSigner(%s): %v", alg, err)
	}
	st := newMemStore()
	l, err := New(st, h, s, "test.suyuan.invalid/log")
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return l, st
}

// grow adds leaves until the store holds n and returns all leaf hashes.
func grow(st *memStore, h *Hasher, leaves [][]byte, n int) [][]byte {
	for i := len(leaves); i < n; i++ {
		lh := testLeaf(h, i)
		st.add(fmt.Sprintf("event-%d", i), lh)
		leaves = append(leaves, lh)
	}
	return leaves
}

func TestIntegrateRootMatchesReference(t *testing.T) {
	for _, h := range []*Hasher{SHA256, SM3} {
		t.Run(h.Name(), func(t *testing.T) {
			ctx := context.Background()
			l, st := newTestLog(t, h, AlgEd25519)
			var leaves [][]byte
			for _, size := range []int{0, 1, 2, 3, 7, 8, 255, 256, 257, 511, 600, 65535, 65536, 65537, 70000} {
				leaves = grow(st, h, leaves, size)
				c, err := l.Integrate(ctx)
				if err != nil {
					t.Fatalf("Integrate at %d: %v", size, err)
				}
				if c.Size != uint64(size) {
					t.Errorf("checkpoint size: got %d, want %d", c.Size, size)
				}
				if want := refRoot(h, leaves); !bytes.Equal(c.Hash, want) {
					t.Errorf("root at size %d: got %x, want %x", size, c.Hash, want)
				}
			}
		})
	}
}

func TestIntegrateReadsOnlyNewLeaves(t *testing.T) {
	ctx := context.Background()
	l, st := newTestLog(t, SHA256, AlgEd25519)
	leaves := grow(st, SHA256, nil, 100000)
	if _, err := l.Integrate(ctx); err != nil {
		t.Fatalf("Integrate: %v", err)
	}
	st.leafReads, st.tileReads = 0, 0
	leaves = grow(st, SHA256, leaves, 100010)
	c, err := l.Integrate(ctx)
	if err != nil {
		t.Fatalf("Integrate: %v", err)
	}
	if st.leafReads != 10 {
		t.Errorf("leaf hashes read: got %d, want 10", st.leafReads)
	}
	if st.tileReads > 4 {
		t.Errorf("tiles read: got %d, want at most 4 (one per tile level)", st.tileReads)
	}
	if want := refRoot(SHA256, leaves); !bytes.Equal(c.Hash, want) {
		t.Errorf("root: got %x, want %x", c.Hash, want)
	}
}

func TestIntegrateUnchangedReturnsLatest(t *testing.T) {
	ctx := context.Background()
	l, st := newTestLog(t, SHA256, AlgEd25519)
	grow(st, SHA256, nil, 5)
	c1, err := l.Integrate(ctx)
	if err != nil {
		t.Fatalf("Integrate: %v", err)
	}
	c2, err := l.Integrate(ctx)
	if err != nil {
		t.Fatalf("Integrate again: %v", err)
	}
	if !bytes.Equal(c1.Note, c2.Note) {
		t.Errorf("second Integrate signed a new note:\n%s\nwant\n%s", c2.Note, c1.Note)
	}
}

func TestIntegrateDetectsTamperedTile(t *testing.T) {
	ctx := context.Background()
	l, st := newTestLog(t, SHA256, AlgEd25519)
	leaves := grow(st, SHA256, nil, 300)
	if _, err := l.Integrate(ctx); err != nil {
		t.Fatalf("Integrate: %v", err)
	}
	st.tiles[store.TileKey{Level: 0, Index: 1}][0] ^= 1
	l.cache = newTileCache(0)
	grow(st, SHA256, leaves, 301)
	_, err := l.Integrate(ctx)
	if !errors.Is(err, ErrInconsistent) {
		t.Errorf("Integrate after tile change: got %v, want ErrInconsistent", err)
	}
}

func TestIntegrateDetectsDeletedLeaves(t *testing.T) {
	ctx := context.Background()
	l, st := newTestLog(t, SHA256, AlgEd25519)
	grow(st, SHA256, nil, 10)
	if _, err := l.Integrate(ctx); err != nil {
		t.Fatalf("Integrate: %v", err)
	}
	st.leaves, st.events = st.leaves[:9], st.events[:9]
	if _, err := l.Integrate(ctx); !errors.Is(err, ErrInconsistent) {
		t.Errorf("Integrate after deletion: got %v, want ErrInconsistent", err)
	}
}

func TestInclusionProofMatchesReference(t *testing.T) {
	for _, h := range []*Hasher{SHA256, SM3} {
		t.Run(h.Name(), func(t *testing.T) {
			ctx := context.Background()
			l, st := newTestLog(t, h, AlgEd25519)
			leaves := grow(st, h, nil, 1000)
			if _, err := l.Integrate(ctx); err != nil {
				t.Fatalf("Integrate: %v", err)
			}
			for _, size := range []int{1, 2, 5, 255, 256, 257, 513, 1000} {
				root := refRoot(h, leaves[:size])
				for _, index := range []int{0, 1, size / 2, size - 2, size - 1} {
					if index < 0 || index >= size {
						continue
					}
					got, err := l.InclusionProof(ctx, uint64(index), uint64(size))
					if err != nil {
						t.Fatalf("InclusionProof(%d, %d): %v", index, size, err)
					}
					if want := refPath(h, index, leaves[:size]); !equalHashes(got, want) {
						t.Errorf("InclusionProof(%d, %d): got %d hashes, differs from the reference's %d", index, size, len(got), len(want))
					}
					if err := proof.VerifyInclusion(h, uint64(index), uint64(size), leaves[index], got, root); err != nil {
						t.Errorf("VerifyInclusion(%d, %d): %v", index, size, err)
					}
				}
			}
		})
	}
}

func TestConsistencyProofMatchesReference(t *testing.T) {
	ctx := context.Background()
	h := SHA256
	l, st := newTestLog(t, h, AlgEd25519)
	leaves := grow(st, h, nil, 700)
	if _, err := l.Integrate(ctx); err != nil {
		t.Fatalf("Integrate: %v", err)
	}
	sizes := []int{0, 1, 2, 3, 8, 255, 256, 257, 512, 699, 700}
	for _, from := range sizes {
		for _, to := range sizes {
			if from > to {
				continue
			}
			got, err := l.ConsistencyProof(ctx, uint64(from), uint64(to))
			if err != nil {
				t.Fatalf("ConsistencyProof(%d, %d): %v", from, to, err)
			}
			if want := refProof(h, from, leaves[:to]); !equalHashes(got, want) {
				t.Errorf("ConsistencyProof(%d, %d): differs from the reference", from, to)
			}
			if from == 0 {
				continue
			}
			err = proof.VerifyConsistency(h, uint64(from), uint64(to), got, refRoot(h, leaves[:from]), refRoot(h, leaves[:to]))
			if err != nil {
				t.Errorf("VerifyConsistency(%d, %d): %v", from, to, err)
			}
		}
	}
}

func TestProofRejectsBadSizes(t *testing.T) {
	ctx := context.Background()
	l, st := newTestLog(t, SHA256, AlgEd25519)
	grow(st, SHA256, nil, 10)
	if _, err := l.Integrate(ctx); err != nil {
		t.Fatalf("Integrate: %v", err)
	}
	grow(st, SHA256, nil, 20)
	tests := []struct {
		name string
		run  func() error
	}{
		{"index equals size", func() error { _, err := l.InclusionProof(ctx, 5, 5); return err }},
		{"size above checkpoint", func() error { _, err := l.InclusionProof(ctx, 1, 11); return err }},
		{"consistency reversed", func() error { _, err := l.ConsistencyProof(ctx, 6, 5); return err }},
		{"consistency above checkpoint", func() error { _, err := l.ConsistencyProof(ctx, 1, 12); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); !errors.Is(err, ErrInvalidRequest) {
				t.Errorf("got %v, want ErrInvalidRequest", err)
			}
		})
	}
}

func equalHashes(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// FuzzTiledTreeMatchesNaive grows a log in steps taken from the input and
// checks every root, and one inclusion and one consistency proof per step,
// against the naive recursive reference tree.
func FuzzTiledTreeMatchesNaive(f *testing.F) {
	f.Add([]byte{1, 0, 255, 2}, uint16(3), uint16(1))
	f.Add([]byte{255, 255, 3}, uint16(400), uint16(256))
	f.Add([]byte{0, 0, 0}, uint16(0), uint16(0))
	f.Fuzz(func(t *testing.T, steps []byte, a, b uint16) {
		if len(steps) > 8 {
			steps = steps[:8]
		}
		ctx := context.Background()
		h := SHA256
		l, st := newTestLog(t, h, AlgEd25519)
		var leaves [][]byte
		for _, step := range steps {
			leaves = grow(st, h, leaves, len(leaves)+int(step))
			c, err := l.Integrate(ctx)
			if err != nil {
				t.Fatalf("Integrate at %d: %v", len(leaves), err)
			}
			if want := refRoot(h, leaves); !bytes.Equal(c.Hash, want) {
				t.Fatalf("root at %d: got %x, want %x", len(leaves), c.Hash, want)
			}
			if len(leaves) == 0 {
				continue
			}
			size := int(b)%len(leaves) + 1
			index := int(a) % size
			got, err := l.InclusionProof(ctx, uint64(index), uint64(size))
			if err != nil {
				t.Fatalf("InclusionProof(%d, %d): %v", index, size, err)
			}
			if want := refPath(h, index, leaves[:size]); !equalHashes(got, want) {
				t.Fatalf("InclusionProof(%d, %d) differs from the reference", index, size)
			}
			from := int(a) % (size + 1)
			cons, err := l.ConsistencyProof(ctx, uint64(from), uint64(size))
			if err != nil {
				t.Fatalf("ConsistencyProof(%d, %d): %v", from, size, err)
			}
			if want := refProof(h, from, leaves[:size]); !equalHashes(cons, want) {
				t.Fatalf("ConsistencyProof(%d, %d) differs from the reference", from, size)
			}
		}
	})
}
