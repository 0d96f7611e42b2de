package auditlog

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/testonly"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors_*.json from the naive reference tree")

// vectorFile is a set of proof test vectors for one hasher. Hashes are hex.
type vectorFile struct {
	Hash        string              `json:"hash"`
	LeafInputs  []string            `json:"leafInputs"`
	Roots       []string            `json:"roots"`
	Inclusion   []inclusionVector   `json:"inclusion"`
	Consistency []consistencyVector `json:"consistency"`
	Leaf        leafVector          `json:"leaf"`
}

type inclusionVector struct {
	LeafIndex uint64   `json:"leafIndex"`
	TreeSize  uint64   `json:"treeSize"`
	Proof     []string `json:"proof"`
}

type consistencyVector struct {
	Size1 uint64   `json:"size1"`
	Size2 uint64   `json:"size2"`
	Proof []string `json:"proof"`
}

type leafVector struct {
	EventID   string `json:"eventID"`
	EventHash string `json:"eventHash"`
	Doc       string `json:"doc"`
	LeafHash  string `json:"leafHash"`
}

const vectorLeaves = 21

func vectorLeafInput(i int) []byte { return []byte(fmt.Sprintf("suyuan test vector leaf %d", i)) }

func hexAll(hs [][]byte) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = hex.EncodeToString(h)
	}
	return out
}

func unhexAll(t *testing.T, ss []string) [][]byte {
	t.Helper()
	out := make([][]byte, len(ss))
	for i, s := range ss {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatalf("vector hash %q: %v", s, err)
		}
		out[i] = b
	}
	return out
}

// referenceVectors computes the vectors with the naive recursive tree.
func referenceVectors(h *Hasher) vectorFile {
	v := vectorFile{Hash: h.Name()}
	var leaves [][]byte
	for i := 0; i < vectorLeaves; i++ {
		v.LeafInputs = append(v.LeafInputs, hex.EncodeToString(vectorLeafInput(i)))
		leaves = append(leaves, h.HashLeaf(vectorLeafInput(i)))
	}
	for size := 0; size <= vectorLeaves; size++ {
		v.Roots = append(v.Roots, hex.EncodeToString(refRoot(h, leaves[:size])))
		for index := 0; index < size; index++ {
			v.Inclusion = append(v.Inclusion, inclusionVector{uint64(index), uint64(size), hexAll(refPath(h, index, leaves[:size]))})
		}
		for size1 := 1; size1 <= size; size1++ {
			v.Consistency = append(v.Consistency, consistencyVector{uint64(size1), uint64(size), hexAll(refProof(h, size1, leaves[:size]))})
		}
	}
	lv := leafVector{
		EventID:   "urn:uuid:7a2b7c1e-3d3f-4c55-9a31-0f5b6c9d2e11",
		EventHash: "ni:///sha-256;6a1f0b7e3c0d4f3a9b8e7d6c5b4a3928171605f4e3d2c1b0a99887766554433?ver=CBV2.0",
		Doc:       `{"type":"ObjectEvent","eventTime":"2026-12-04T08:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":["urn:epc:id:sgtin:6901234.012345.1001"],"action":"OBSERVE","bizStep":"shipping"}`,
	}
	lv.LeafHash = hex.EncodeToString(LeafHash(h, lv.EventID, lv.EventHash, []byte(lv.Doc)))
	v.Leaf = lv
	return v
}

func loadVectors(t *testing.T, h *Hasher) vectorFile {
	t.Helper()
	path := filepath.Join("testdata", "vectors_"+h.Name()+".json")
	if *update {
		b, err := json.MarshalIndent(referenceVectors(h), "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read vectors (run with -update to create them): %v", err)
	}
	var v vectorFile
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

// TestVectorsMatchTransparencyDevReference checks the stored vectors
// against the transparency-dev/merkle reference tree and its verifiers.
func TestVectorsMatchTransparencyDevReference(t *testing.T) {
	for _, h := range []*Hasher{SHA256, SM3} {
		t.Run(h.Name(), func(t *testing.T) {
			v := loadVectors(t, h)
			tree := testonly.New(h)
			for _, in := range unhexAll(t, v.LeafInputs) {
				tree.AppendData(in)
			}
			roots := unhexAll(t, v.Roots)
			for size := range roots {
				if got := tree.HashAt(uint64(size)); hex.EncodeToString(got) != v.Roots[size] {
					t.Errorf("root at size %d: reference %x, vector %s", size, got, v.Roots[size])
				}
			}
			for _, iv := range v.Inclusion {
				got, err := tree.InclusionProof(iv.LeafIndex, iv.TreeSize)
				if err != nil {
					t.Fatal(err)
				}
				if !equalHashes(got, unhexAll(t, iv.Proof)) {
					t.Errorf("inclusion %d in %d: reference proof differs from the vector", iv.LeafIndex, iv.TreeSize)
				}
				if err := proof.VerifyInclusion(h, iv.LeafIndex, iv.TreeSize, tree.LeafHash(iv.LeafIndex), unhexAll(t, iv.Proof), roots[iv.TreeSize]); err != nil {
					t.Errorf("inclusion %d in %d: %v", iv.LeafIndex, iv.TreeSize, err)
				}
			}
			for _, cv := range v.Consistency {
				got, err := tree.ConsistencyProof(cv.Size1, cv.Size2)
				if err != nil {
					t.Fatal(err)
				}
				if !equalHashes(got, unhexAll(t, cv.Proof)) {
					t.Errorf("consistency %d to %d: reference proof differs from the vector", cv.Size1, cv.Size2)
				}
				if err := proof.VerifyConsistency(h, cv.Size1, cv.Size2, unhexAll(t, cv.Proof), roots[cv.Size1], roots[cv.Size2]); err != nil {
					t.Errorf("consistency %d to %d: %v", cv.Size1, cv.Size2, err)
				}
			}
			if got := hex.EncodeToString(LeafHash(h, v.Leaf.EventID, v.Leaf.EventHash, []byte(v.Leaf.Doc))); got != v.Leaf.LeafHash {
				t.Errorf("leaf hash: got %s, want %s", got, v.Leaf.LeafHash)
			}
		})
	}
}

// TestLogProofsMatchVectors builds the vector tree in a tiled log and
// checks every root and proof it serves against the vectors.
func TestLogProofsMatchVectors(t *testing.T) {
	for _, h := range []*Hasher{SHA256, SM3} {
		t.Run(h.Name(), func(t *testing.T) {
			ctx := context.Background()
			v := loadVectors(t, h)
			l, st := newTestLog(t, h, AlgEd25519)
			for i, in := range unhexAll(t, v.LeafInputs) {
				st.add(fmt.Sprintf("event-%d", i), h.HashLeaf(in))
				c, err := l.Integrate(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if got := hex.EncodeToString(c.Hash); got != v.Roots[i+1] {
					t.Errorf("root at size %d: got %s, want %s", i+1, got, v.Roots[i+1])
				}
			}
			for _, iv := range v.Inclusion {
				got, err := l.InclusionProof(ctx, iv.LeafIndex, iv.TreeSize)
				if err != nil {
					t.Fatal(err)
				}
				if !equalHashes(got, unhexAll(t, iv.Proof)) {
					t.Errorf("inclusion %d in %d: log proof differs from the vector", iv.LeafIndex, iv.TreeSize)
				}
			}
			for _, cv := range v.Consistency {
				got, err := l.ConsistencyProof(ctx, cv.Size1, cv.Size2)
				if err != nil {
					t.Fatal(err)
				}
				if !equalHashes(got, unhexAll(t, cv.Proof)) {
					t.Errorf("consistency %d to %d: log proof differs from the vector", cv.Size1, cv.Size2)
				}
			}
		})
	}
}
