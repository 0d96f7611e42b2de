package auditlog

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

func TestRunSequencerIntegratesUntilCancelled(t *testing.T) {
	l, st := newTestLog(t, SHA256, AlgEd25519)
	grow(st, SHA256, nil, 3)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.RunSequencer(ctx, 5*time.Millisecond) }()

	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := l.Checkpoint(context.Background())
		if err == nil && c.Size == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint of size 3 after 5s: %v, %v", c.Size, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("RunSequencer: got %v, want nil after cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("RunSequencer did not stop after cancel")
	}
	if err := l.RunSequencer(context.Background(), 0); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("RunSequencer(0): got %v, want ErrInvalidRequest", err)
	}
}

func TestReaderServesProofsButCannotSign(t *testing.T) {
	ctx := context.Background()
	l, st := newTestLog(t, SHA256, AlgEd25519)
	grow(st, SHA256, nil, 50)
	if _, err := l.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(st, SHA256, "", nil)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	got, err := r.InclusionProof(ctx, 7, 50)
	if err != nil {
		t.Fatalf("InclusionProof: %v", err)
	}
	want, _ := l.InclusionProof(ctx, 7, 50)
	if !equalHashes(got, want) {
		t.Errorf("reader proof differs from the signing log's proof")
	}
	if _, err := r.Integrate(ctx); !errors.Is(err, ErrNoKey) {
		t.Errorf("reader Integrate: got %v, want ErrNoKey", err)
	}
	other, _ := EphemeralSigner(AlgEd25519)
	strict, err := NewReader(st, SHA256, "", other.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := strict.Checkpoint(ctx); !errors.Is(err, ErrInvalidCheckpoint) {
		t.Errorf("reader with another key: got %v, want ErrInvalidCheckpoint", err)
	}
}

func TestWitnessCosignsThroughClient(t *testing.T) {
	ctx := context.Background()
	l, leaves, srv := newTestServer(t, 40)
	client := &Client{BaseURL: srv.URL + "/log", HTTP: &http.Client{Timeout: 5 * time.Second}}
	witnessKey, _ := EphemeralSigner(AlgEd25519)
	cosigner, vkey, err := Cosigner(witnessKey)
	if err != nil {
		t.Fatal(err)
	}
	w := &Witness{Cosigner: cosigner, LogKey: l.signer.Verifier(), Origin: l.Origin(), Hasher: SHA256,
		State: &FileWitnessState{Path: filepath.Join(t.TempDir(), "state.json")}}
	msg, err := client.Checkpoint(ctx)
	if err != nil {
		t.Fatalf("Client.Checkpoint: %v", err)
	}
	if _, err := w.Cosign(ctx, msg, nil); err != nil {
		t.Fatalf("Cosign at 40: %v", err)
	}

	st := l.store.(*memStore)
	grow(st, SHA256, leaves, 90)
	if _, err := l.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	msg, err = client.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hashes, err := client.ConsistencyProof(ctx, 40, 90)
	if err != nil {
		t.Fatalf("Client.ConsistencyProof: %v", err)
	}
	cosigned, err := w.Cosign(ctx, msg, hashes)
	if err != nil {
		t.Fatalf("Cosign at 90: %v", err)
	}
	v, err := NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyCosigned(cosigned, l.Origin(), l.signer.Verifier(), []note.Verifier{v}, 1); err != nil {
		t.Errorf("VerifyCosigned: %v", err)
	}
	p, err := client.InclusionProof(ctx, "event-88", 0)
	if err != nil || p.LeafIndex != 88 || p.TreeSize != 90 {
		t.Errorf("Client.InclusionProof: got index %d size %d, %v", p.LeafIndex, p.TreeSize, err)
	}
	if _, err := client.InclusionProof(ctx, "event-missing", 0); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("Client.InclusionProof of a missing event: got %v, want a 404 error", err)
	}
}

func FuzzParseCheckpointUnverified(f *testing.F) {
	f.Add([]byte("log.example/x\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— log.example/x AAAA\n"))
	f.Add([]byte("\n\n\n\n"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		c, err := ParseCheckpointUnverified(msg)
		if err != nil {
			return
		}
		if len(c.Hash) != 32 || c.Origin == "" {
			t.Fatalf("accepted checkpoint with origin %q and %d-byte hash", c.Origin, len(c.Hash))
		}
		again, err := parseCheckpointText(c.Text())
		if err != nil || again.Size != c.Size || again.Origin != c.Origin {
			t.Fatalf("checkpoint text does not round-trip: %q: %v", c.Text(), err)
		}
	})
}

func FuzzNewVerifier(f *testing.F) {
	for _, alg := range []string{AlgEd25519, AlgSM2} {
		_, vkey, err := GenerateKey(alg, "fuzz.invalid")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(vkey)
	}
	f.Add("a+00000000+BA==")
	f.Fuzz(func(t *testing.T, vkey string) {
		v, err := NewVerifier(vkey)
		if err != nil {
			return
		}
		if v.Name() == "" {
			t.Fatalf("NewVerifier(%q) accepted an empty name", vkey)
		}
		v.Verify([]byte("a\nb\nc\n"), []byte("sig"))
	})
}

func TestIntegrateAfterKeyRotation(t *testing.T) {
	ctx := context.Background()
	old, st := newTestLog(t, SHA256, AlgEd25519)
	leaves := grow(st, SHA256, nil, 20)
	c1, err := old.Integrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	newKey, _ := EphemeralSigner(AlgEd25519)
	l, err := New(st, SHA256, newKey, old.Origin())
	if err != nil {
		t.Fatal(err)
	}
	c2, err := l.Integrate(ctx)
	if err != nil {
		t.Fatalf("Integrate with the new key: %v", err)
	}
	if c2.Size != 20 || string(c2.Hash) != string(c1.Hash) {
		t.Errorf("re-signed checkpoint: got size %d root %x, want 20 %x", c2.Size, c2.Hash, c1.Hash)
	}
	if _, err := OpenCheckpoint(c2.Note, l.Origin(), newKey.Verifier()); err != nil {
		t.Errorf("re-signed checkpoint does not verify with the new key: %v", err)
	}
	grow(st, SHA256, leaves, 25)
	if c3, err := l.Integrate(ctx); err != nil || c3.Size != 25 {
		t.Errorf("Integrate after rotation: size %d, %v", c3.Size, err)
	}

	tampered := bytes.Replace(c2.Note, []byte("\n20\n"), []byte("\n19\n"), 1)
	if err := st.PutCheckpoint(ctx, 30, tampered); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Integrate(ctx); !errors.Is(err, ErrInvalidCheckpoint) {
		t.Errorf("Integrate over a forged checkpoint: got %v, want ErrInvalidCheckpoint", err)
	}
}
