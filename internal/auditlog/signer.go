package auditlog

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Signature algorithm names, as accepted by GenerateKey and EphemeralSigner.
const (
	AlgEd25519 = "ed25519"
	AlgSM2     = "sm2"
)

// Signature type identifier bytes of C2SP signed-note.
const (
	sigTypeEd25519     = 0x01
	sigTypeCosigV1     = 0x04
	sigTypeUnassigned  = 0xff
	envLogKey          = "SUYUAN_LOG_KEY"
	ephemeralKeyPrefix = "ephemeral.suyuan.invalid"
)

// Errors about keys. They wrap the details; test for them with errors.Is.
var (
	// ErrNoKey is returned by LoadSigner when neither a key file nor the
	// SUYUAN_LOG_KEY environment variable names a signing key.
	ErrNoKey = errors.New("no audit-log signing key")
	// ErrInvalidKey is returned for a malformed signer or verifier key.
	ErrInvalidKey = errors.New("invalid key")
)

// Signer signs checkpoints as C2SP signed notes. It is a note.Signer that
// also reports its algorithm and its public verifier key.
type Signer interface {
	note.Signer
	// Algorithm returns AlgEd25519 or AlgSM2.
	Algorithm() string
	// Verifier returns the verifier for this signer's signatures.
	Verifier() note.Verifier
	// VerifierKey returns the public key in the signed-note "vkey" text
	// form: name+keyID+base64(type || public key).
	VerifierKey() string
}

// keySigner implements Signer for both algorithms.
type keySigner struct {
	alg      string
	name     string
	hash     uint32
	sign     func(msg []byte) ([]byte, error)
	verifier note.Verifier
	vkey     string
	// seed is the Ed25519 private key seed, kept to derive the
	// cosignature/v1 key of the same key pair; nil for SM2.
	seed []byte
}

func (s *keySigner) Name() string                    { return s.name }
func (s *keySigner) KeyHash() uint32                 { return s.hash }
func (s *keySigner) Sign(msg []byte) ([]byte, error) { return s.sign(msg) }
func (s *keySigner) Algorithm() string               { return s.alg }
func (s *keySigner) Verifier() note.Verifier         { return s.verifier }
func (s *keySigner) VerifierKey() string             { return s.vkey }

// keyID computes the C2SP signed-note key ID:
// SHA-256(key name || 0x0A || signature type || public key)[:4].
func keyID(name string, typedKey []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n'})
	h.Write(typedKey)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// validKeyName reports whether name is a valid signed-note key name:
// non-empty, without Unicode spaces or '+'.
func validKeyName(name string) bool {
	return name != "" && !strings.ContainsAny(name, "+ \t\n\r\u00a0\u2028\u2029\u3000")
}

// GenerateKey creates a new key pair for alg ("ed25519" or "sm2") under the
// key name name, and returns the private key text (signed-note "skey"
// form, to be kept secret) and the public verifier key text.
func GenerateKey(alg, name string) (skey, vkey string, err error) {
	if !validKeyName(name) {
		return "", "", fmt.Errorf("%w: key name %q must be non-empty without spaces or '+'; use a schema-less URL such as example.gov.cn/suyuan", ErrInvalidKey, name)
	}
	switch alg {
	case AlgEd25519:
		skey, vkey, err = note.GenerateKey(rand.Reader, name)
		if err != nil {
			return "", "", fmt.Errorf("generate ed25519 key: %w", err)
		}
		return skey, vkey, nil
	case AlgSM2:
		return generateSM2Key(name)
	}
	return "", "", fmt.Errorf("%w: signature algorithm %q; use %q or %q", ErrUnknownAlgorithm, alg, AlgEd25519, AlgSM2)
}

// NewSigner parses a private key in signed-note "skey" form:
// PRIVATE+KEY+name+keyID+base64(type || key). Type 0x01 is an Ed25519
// seed; type 0xff followed by the SM2 identifier is an SM2 key (see
// SM2SignatureType).
func NewSigner(skey string) (Signer, error) {
	skey = strings.TrimSpace(skey)
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return nil, fmt.Errorf("%w: private key must have the form PRIVATE+KEY+name+keyID+base64; create one with \"suyuan log keygen\"", ErrInvalidKey)
	}
	name, id, b64 := parts[2], parts[3], parts[4]
	wantID, err := strconv.ParseUint(id, 16, 32)
	if err != nil || len(id) != 8 {
		return nil, fmt.Errorf("%w: key ID %q is not 8 hexadecimal digits", ErrInvalidKey, id)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) == 0 {
		return nil, fmt.Errorf("%w: key material of %q is not base64", ErrInvalidKey, name)
	}

	var s *keySigner
	switch {
	case raw[0] == sigTypeEd25519:
		s, err = newEd25519Signer(name, raw[1:])
	case isSM2Type(raw):
		s, err = newSM2Signer(name, raw[len(sm2TypePrefix()):])
	default:
		return nil, fmt.Errorf("%w: key %q has signature type 0x%02x; supported are Ed25519 (0x01) and SM2 (0xff %s)", ErrUnknownAlgorithm, name, raw[0], SM2SignatureType)
	}
	if err != nil {
		return nil, err
	}
	if uint64(s.hash) != wantID {
		return nil, fmt.Errorf("%w: key %q has key ID %s but its public key gives %08x; the key file is damaged", ErrInvalidKey, name, id, s.hash)
	}
	return s, nil
}

func newEd25519Signer(name string, seed []byte) (*keySigner, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%w: Ed25519 key %q has %d bytes, want %d", ErrInvalidKey, name, len(seed), ed25519.SeedSize)
	}
	if !validKeyName(name) {
		return nil, fmt.Errorf("%w: key name %q contains spaces or '+'", ErrInvalidKey, name)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(name, pub)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	return &keySigner{
		alg:      AlgEd25519,
		name:     name,
		hash:     keyID(name, append([]byte{sigTypeEd25519}, pub...)),
		sign:     func(msg []byte) ([]byte, error) { return ed25519.Sign(priv, msg), nil },
		verifier: v,
		vkey:     vkey,
		seed:     append([]byte(nil), seed...),
	}, nil
}

// NewVerifier parses a public verifier key in signed-note "vkey" form:
// name+keyID+base64(type || key). It accepts Ed25519 keys (type 0x01),
// Ed25519 cosignature/v1 keys (type 0x04, C2SP tlog-cosignature) and SM2
// keys (type 0xff followed by SM2SignatureType).
func NewVerifier(vkey string) (note.Verifier, error) {
	vkey = strings.TrimSpace(vkey)
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: verifier key must have the form name+keyID+base64, got %q", ErrInvalidKey, shorten(vkey))
	}
	name, id, b64 := parts[0], parts[1], parts[2]
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) == 0 || len(id) != 8 {
		return nil, fmt.Errorf("%w: verifier key %q is malformed", ErrInvalidKey, shorten(vkey))
	}
	var v note.Verifier
	switch {
	case raw[0] == sigTypeEd25519:
		v, err = note.NewVerifier(vkey)
	case raw[0] == sigTypeCosigV1:
		v, err = newCosigV1Verifier(name, raw[1:])
	case isSM2Type(raw):
		v, err = newSM2Verifier(name, raw[len(sm2TypePrefix()):])
	default:
		return nil, fmt.Errorf("%w: verifier key %q has signature type 0x%02x", ErrUnknownAlgorithm, name, raw[0])
	}
	if err != nil {
		return nil, fmt.Errorf("%w: verifier key %q: %v", ErrInvalidKey, name, err)
	}
	if fmt.Sprintf("%08x", v.KeyHash()) != strings.ToLower(id) {
		return nil, fmt.Errorf("%w: verifier key %q has key ID %s but its key gives %08x", ErrInvalidKey, name, id, v.KeyHash())
	}
	return v, nil
}

// LoadSigner reads the audit log's signing key from the file at path, or,
// when path is empty, from the SUYUAN_LOG_KEY environment variable, which
// then contains the private key text itself. It returns ErrNoKey when both
// are empty: production servers never sign with a generated key.
func LoadSigner(path string) (Signer, error) {
	var text string
	switch {
	case path != "":
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read audit-log key: %w", err)
		}
		text = string(b)
	case os.Getenv(envLogKey) != "":
		text = os.Getenv(envLogKey)
	default:
		return nil, fmt.Errorf("%w: pass --log-key FILE or set %s; create a key with \"suyuan log keygen --alg ed25519 --name NAME --out FILE\"", ErrNoKey, envLogKey)
	}
	s, err := NewSigner(text)
	if err != nil {
		if path != "" {
			return nil, fmt.Errorf("key file %s: %w", path, err)
		}
		return nil, fmt.Errorf("%s: %w", envLogKey, err)
	}
	return s, nil
}

// EphemeralSigner returns a signer with a fresh key for alg that exists
// only in memory. Its checkpoints cannot be verified after the process
// ends, so it is meant for development servers only. Callers must warn
// loudly when they use it.
func EphemeralSigner(alg string) (Signer, error) {
	skey, _, err := GenerateKey(alg, ephemeralKeyPrefix+"/"+alg)
	if err != nil {
		return nil, err
	}
	return NewSigner(skey)
}

func shorten(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
