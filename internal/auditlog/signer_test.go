package auditlog

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// splitNote returns the signed text and the raw signature bytes (key ID
// removed) of the first signature line of msg.
func splitNote(t *testing.T, msg []byte) (text, sig []byte) {
	t.Helper()
	i := bytes.LastIndex(msg, []byte("\n\n"))
	if i < 0 {
		t.Fatalf("note has no blank line:\n%s", msg)
	}
	text = msg[:i+1]
	line, _, _ := strings.Cut(string(msg[i+2:]), "\n")
	fields := strings.Fields(strings.TrimPrefix(line, "— "))
	if len(fields) != 2 {
		t.Fatalf("signature line %q has %d fields, want 2", line, len(fields))
	}
	raw, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil || len(raw) < 5 {
		t.Fatalf("signature %q is not base64 of key ID and signature", fields[1])
	}
	return text, raw[4:]
}

func TestCheckpointEd25519VerifiesWithCryptoEd25519(t *testing.T) {
	skey, vkey, err := GenerateKey(AlgEd25519, "log.test.invalid")
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	s, err := NewSigner(skey)
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	if s.VerifierKey() != vkey {
		t.Errorf("VerifierKey: got %q, want %q", s.VerifierKey(), vkey)
	}
	c, err := signCheckpoint(s, "log.test.invalid", 3, SHA256.EmptyRoot())
	if err != nil {
		t.Fatalf("signCheckpoint: %v", err)
	}
	text, sig := splitNote(t, c.Note)
	if want := "log.test.invalid\n3\n" + base64.StdEncoding.EncodeToString(SHA256.EmptyRoot()) + "\n"; string(text) != want {
		t.Errorf("checkpoint text: got %q, want %q", text, want)
	}
	raw, _ := base64.StdEncoding.DecodeString(strings.SplitN(vkey, "+", 3)[2])
	if len(raw) != 1+ed25519.PublicKeySize {
		t.Fatalf("verifier key %q has %d key bytes, want %d", vkey, len(raw), 1+ed25519.PublicKeySize)
	}
	if !ed25519.Verify(ed25519.PublicKey(raw[1:]), text, sig) {
		t.Errorf("crypto/ed25519 rejects the checkpoint signature")
	}
}

func TestCheckpointSM2VerifiesWithOpenSSL(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not installed; SM2 interoperability not checked")
	}
	skey, vkey, err := GenerateKey(AlgSM2, "log.test.invalid")
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	s, err := NewSigner(skey)
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	c, err := signCheckpoint(s, "log.test.invalid", 7, SM3.EmptyRoot())
	if err != nil {
		t.Fatalf("signCheckpoint: %v", err)
	}
	if _, err := OpenCheckpoint(c.Note, "log.test.invalid", s.Verifier()); err != nil {
		t.Fatalf("OpenCheckpoint: %v", err)
	}
	text, sig := splitNote(t, c.Note)
	pemKey, err := SM2PublicKeyPEM(vkey)
	if err != nil {
		t.Fatalf("SM2PublicKeyPEM: %v", err)
	}
	dir := t.TempDir()
	files := map[string][]byte{"pub.pem": pemKey, "msg": text, "sig": sig}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	verify := func(msgFile string) (string, error) {
		cmd := exec.Command(openssl, "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678",
			"-pubin", "-inkey", filepath.Join(dir, "pub.pem"), "-sigfile", filepath.Join(dir, "sig"), "-in", filepath.Join(dir, msgFile))
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := verify("msg")
	if strings.Contains(out, "unsupported") || strings.Contains(out, "unknown") || strings.Contains(out, "Could not read") {
		t.Skipf("openssl lacks SM2 support: %s", out)
	}
	if err != nil || !strings.Contains(out, "Signature Verified Successfully") {
		t.Fatalf("openssl rejects the SM2 checkpoint signature: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "changed"), append([]byte("x"), text...), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := verify("changed"); err == nil {
		t.Errorf("openssl accepts the signature over changed text:\n%s", out)
	}
}

func TestNewSignerRejectsBadKeys(t *testing.T) {
	skey, _, err := GenerateKey(AlgEd25519, "log.test.invalid")
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	tests := []struct {
		name, key string
		want      error
	}{
		{"empty", "", ErrInvalidKey},
		{"public key", "log.test.invalid+01234567+AQ==", ErrInvalidKey},
		{"wrong key ID", strings.Replace(skey, "+log.test.invalid+", "+log.test.invalid+", 1)[:len("PRIVATE+KEY+log.test.invalid+")] + "00000000" + skey[len("PRIVATE+KEY+log.test.invalid+")+8:], ErrInvalidKey},
		{"bad base64", "PRIVATE+KEY+a+00000000+!!!", ErrInvalidKey},
		{"unknown type", "PRIVATE+KEY+a+00000000+" + base64.StdEncoding.EncodeToString([]byte{9, 1, 2}), ErrUnknownAlgorithm},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewSigner(tt.key); !errors.Is(err, tt.want) {
				t.Errorf("NewSigner: got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestGenerateKeyRejectsBadInput(t *testing.T) {
	tests := []struct{ name, alg, keyName string }{
		{"space in name", AlgEd25519, "a b"},
		{"plus in name", AlgSM2, "a+b"},
		{"empty name", AlgEd25519, ""},
		{"unknown alg", "rsa", "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := GenerateKey(tt.alg, tt.keyName); err == nil {
				t.Errorf("GenerateKey(%q, %q) succeeded, want an error", tt.alg, tt.keyName)
			}
		})
	}
}

func TestLoadSignerSources(t *testing.T) {
	skey, vkey, err := GenerateKey(AlgSM2, "log.test.invalid")
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	path := filepath.Join(t.TempDir(), "log.key")
	if err := os.WriteFile(path, []byte(skey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Run("file", func(t *testing.T) {
		s, err := LoadSigner(path)
		if err != nil {
			t.Fatalf("LoadSigner: %v", err)
		}
		if s.VerifierKey() != vkey || s.Algorithm() != AlgSM2 {
			t.Errorf("LoadSigner: got %s key %q, want sm2 key %q", s.Algorithm(), s.VerifierKey(), vkey)
		}
	})
	t.Run("environment", func(t *testing.T) {
		t.Setenv(envLogKey, skey)
		s, err := LoadSigner("")
		if err != nil {
			t.Fatalf("LoadSigner: %v", err)
		}
		if s.VerifierKey() != vkey {
			t.Errorf("LoadSigner: got %q, want %q", s.VerifierKey(), vkey)
		}
	})
	t.Run("none", func(t *testing.T) {
		t.Setenv(envLogKey, "")
		if _, err := LoadSigner(""); !errors.Is(err, ErrNoKey) {
			t.Errorf("LoadSigner: got %v, want ErrNoKey", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		if _, err := LoadSigner(filepath.Join(t.TempDir(), "absent")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("LoadSigner: got %v, want os.ErrNotExist", err)
		}
	})
}

func TestNewVerifierRoundTrip(t *testing.T) {
	for _, alg := range []string{AlgEd25519, AlgSM2} {
		t.Run(alg, func(t *testing.T) {
			skey, vkey, err := GenerateKey(alg, "log.test.invalid")
			if err != nil {
				t.Fatalf("GenerateKey: %v", err)
			}
			s, err := NewSigner(skey)
			if err != nil {
				t.Fatalf("NewSigner: %v", err)
			}
			v, err := NewVerifier(vkey)
			if err != nil {
				t.Fatalf("NewVerifier: %v", err)
			}
			msg, err := note.Sign(&note.Note{Text: "a\nb\nc\n"}, s)
			if err != nil {
				t.Fatalf("note.Sign: %v", err)
			}
			if _, err := note.Open(msg, note.VerifierList(v)); err != nil {
				t.Errorf("note.Open: %v", err)
			}
			if v.KeyHash() != s.KeyHash() {
				t.Errorf("key ID: verifier %08x, signer %08x", v.KeyHash(), s.KeyHash())
			}
		})
	}
}

func TestWitnessCosignsConsistentGrowth(t *testing.T) {
	for _, alg := range []string{AlgEd25519, AlgSM2} {
		t.Run(alg, func(t *testing.T) {
			ctx := context.Background()
			h := SHA256
			if alg == AlgSM2 {
				h = SM3
			}
			l, st := newTestLog(t, h, alg)
			witnessKey, err := EphemeralSigner(alg)
			if err != nil {
				t.Fatal(err)
			}
			cosigner, cosignerVKey, err := Cosigner(witnessKey)
			if err != nil {
				t.Fatalf("Cosigner: %v", err)
			}
			cosignerV, err := NewVerifier(cosignerVKey)
			if err != nil {
				t.Fatalf("NewVerifier(%q): %v", cosignerVKey, err)
			}
			logV, err := NewVerifier(l.VerifierKey())
			if err != nil {
				t.Fatalf("NewVerifier(log): %v", err)
			}
			w := &Witness{Cosigner: cosigner, LogKey: logV, Origin: l.Origin(), Hasher: h,
				State: &FileWitnessState{Path: filepath.Join(t.TempDir(), "witness.json")}}

			leaves := grow(st, h, nil, 10)
			c1, err := l.Integrate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			cosigned, err := w.Cosign(ctx, c1.Note, nil)
			if err != nil {
				t.Fatalf("Cosign first: %v", err)
			}
			if _, err := VerifyCosigned(cosigned, l.Origin(), logV, []note.Verifier{cosignerV}, 1); err != nil {
				t.Errorf("VerifyCosigned: %v", err)
			}
			if _, err := VerifyCosigned(c1.Note, l.Origin(), logV, []note.Verifier{cosignerV}, 1); !errors.Is(err, ErrQuorum) {
				t.Errorf("VerifyCosigned without cosignature: got %v, want ErrQuorum", err)
			}

			grow(st, h, leaves, 300)
			c2, err := l.Integrate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Cosign(ctx, c2.Note, [][]byte{h.EmptyRoot()}); !errors.Is(err, ErrInconsistent) {
				t.Errorf("Cosign with a wrong proof: got %v, want ErrInconsistent", err)
			}
			p, err := l.ConsistencyProof(ctx, 10, 300)
			if err != nil {
				t.Fatal(err)
			}
			cosigned2, err := w.Cosign(ctx, c2.Note, p)
			if err != nil {
				t.Fatalf("Cosign grown: %v", err)
			}
			if _, err := VerifyCosigned(cosigned2, l.Origin(), logV, []note.Verifier{cosignerV}, 1); err != nil {
				t.Errorf("VerifyCosigned grown: %v", err)
			}
			if _, err := w.Cosign(ctx, c1.Note, nil); !errors.Is(err, ErrInconsistent) {
				t.Errorf("Cosign rolled back: got %v, want ErrInconsistent", err)
			}
			forked, err := signCheckpoint(l.signer, l.Origin(), 300, h.EmptyRoot())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Cosign(ctx, forked.Note, nil); !errors.Is(err, ErrInconsistent) {
				t.Errorf("Cosign forked: got %v, want ErrInconsistent", err)
			}
			tampered := bytes.Replace(cosigned2, []byte("\n300\n"), []byte("\n301\n"), 1)
			if _, err := VerifyCosigned(tampered, l.Origin(), logV, []note.Verifier{cosignerV}, 1); !errors.Is(err, ErrInvalidCheckpoint) {
				t.Errorf("VerifyCosigned tampered: got %v, want ErrInvalidCheckpoint", err)
			}
		})
	}
}
