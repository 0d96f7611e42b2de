package auditlog

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

func TestWitnessAddCheckpointProtocol(t *testing.T) {
	ctx := context.Background()
	l, st := newTestLog(t, SHA256, AlgEd25519)
	leaves := grow(st, SHA256, nil, 10)
	c10, err := l.Integrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	witnessKey, _ := EphemeralSigner(AlgEd25519)
	cosigner, cosignVKey, err := Cosigner(witnessKey)
	if err != nil {
		t.Fatal(err)
	}
	cosignV, err := NewVerifier(cosignVKey)
	if err != nil {
		t.Fatal(err)
	}
	w := &Witness{Cosigner: cosigner, LogKey: l.signer.Verifier(), Origin: l.Origin(), Hasher: SHA256,
		State: &FileWitnessState{Path: filepath.Join(t.TempDir(), "state.json")}}
	srv := httptest.NewServer(w.AddCheckpointHandler())
	defer srv.Close()
	client := &WitnessClient{URL: srv.URL}

	sigs, err := client.AddCheckpoint(ctx, 0, nil, c10.Note)
	if err != nil {
		t.Fatalf("AddCheckpoint(old 0): %v", err)
	}
	if _, err := VerifyCosigned(append(append([]byte(nil), c10.Note...), sigs...), l.Origin(), l.signer.Verifier(), []note.Verifier{cosignV}, 1); err != nil {
		t.Errorf("checkpoint with the returned signature lines: %v", err)
	}

	leaves = grow(st, SHA256, leaves, 30)
	c30, err := l.Integrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var conflict *SizeConflictError
	if _, err := client.AddCheckpoint(ctx, 0, nil, c30.Note); !errors.As(err, &conflict) || conflict.Latest != 10 {
		t.Fatalf("AddCheckpoint with a stale old size: got %v, want a size conflict naming 10", err)
	}
	p, err := l.ConsistencyProof(ctx, 10, 30)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.AddCheckpoint(ctx, 10, p, c30.Note); err != nil {
		t.Fatalf("AddCheckpoint(old 10): %v", err)
	}

	other, _ := EphemeralSigner(AlgEd25519)
	otherLog, err := New(st, SHA256, other, "other.suyuan.invalid/log")
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := signCheckpoint(otherLog.signer, otherLog.Origin(), 30, c30.Hash)
	if err != nil {
		t.Fatal(err)
	}
	badSig, err := signCheckpoint(other, l.Origin(), 30, c30.Hash)
	if err != nil {
		t.Fatal(err)
	}
	forked, err := signCheckpoint(l.signer, l.Origin(), 30, SHA256.EmptyRoot())
	if err != nil {
		t.Fatal(err)
	}
	grow(st, SHA256, leaves, 40)
	c40, err := l.Integrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c40.Size != 40 {
		t.Fatalf("checkpoint size: got %d, want 40", c40.Size)
	}
	tests := []struct {
		name   string
		body   string
		status int
	}{
		{"other origin", "old 30\n\n" + string(foreign.Note), http.StatusNotFound},
		{"unknown key", "old 30\n\n" + string(badSig.Note), http.StatusForbidden},
		{"no old line", "30\n\n" + string(c40.Note), http.StatusBadRequest},
		{"leading zero", "old 030\n\n" + string(c40.Note), http.StatusBadRequest},
		{"old above size", "old 41\n\n" + string(c40.Note), http.StatusBadRequest},
		{"forked root", "old 30\n\n" + string(forked.Note), http.StatusConflict},
		{"bad proof", "old 30\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n" + string(c40.Note), http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Post(srv.URL, "text/plain", stringsReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status: got %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}
}

func FuzzParseAddCheckpoint(f *testing.F) {
	f.Add([]byte("old 3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\nlog\n4\nAA==\n\n— log AAAA\n"))
	f.Add([]byte("old 0\n\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		old, proof, _, err := ParseAddCheckpoint(body)
		if err != nil {
			return
		}
		if len(proof) > maxProofLines {
			t.Fatalf("accepted %d proof lines for old size %d", len(proof), old)
		}
		for _, h := range proof {
			if len(h) != hashSize {
				t.Fatalf("accepted a %d-byte proof hash", len(h))
			}
		}
	})
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

func TestRequestCosignatureStoresCosignedCheckpoint(t *testing.T) {
	ctx := context.Background()
	l, st := newTestLog(t, SHA256, AlgEd25519)
	leaves := grow(st, SHA256, nil, 12)
	if _, err := l.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	witnessKey, _ := EphemeralSigner(AlgSM2)
	cosigner, cosignVKey, err := Cosigner(witnessKey)
	if err != nil {
		t.Fatal(err)
	}
	cosignV, err := NewVerifier(cosignVKey)
	if err != nil {
		t.Fatal(err)
	}
	w := &Witness{Cosigner: cosigner, LogKey: l.signer.Verifier(), Origin: l.Origin(), Hasher: SHA256,
		State: &FileWitnessState{Path: filepath.Join(t.TempDir(), "state.json")}}
	srv := httptest.NewServer(w.AddCheckpointHandler())
	defer srv.Close()
	wc := &WitnessClient{URL: srv.URL}

	for _, size := range []int{12, 50} {
		leaves = grow(st, SHA256, leaves, size)
		if _, err := l.Integrate(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := l.RequestCosignature(ctx, wc); err != nil {
			t.Fatalf("RequestCosignature at %d: %v", size, err)
		}
		c, err := l.Checkpoint(ctx)
		if err != nil {
			t.Fatalf("Checkpoint after cosigning: %v", err)
		}
		if _, err := VerifyCosigned(c.Note, l.Origin(), l.signer.Verifier(), []note.Verifier{cosignV}, 1); err != nil {
			t.Errorf("stored checkpoint at %d: %v", size, err)
		}
	}
}
