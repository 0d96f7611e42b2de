package auditlog

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// cosigV1Signer signs timestamped Ed25519 witness cosignatures
// (C2SP tlog-cosignature, cosignature/v1, signature type 0x04).
type cosigV1Signer struct {
	name string
	hash uint32
	priv ed25519.PrivateKey
	now  func() time.Time
}

func (s *cosigV1Signer) Name() string    { return s.name }
func (s *cosigV1Signer) KeyHash() uint32 { return s.hash }

// Sign returns timestamp || Ed25519(cosignature/v1 message), with the
// timestamp in POSIX seconds, big-endian.
func (s *cosigV1Signer) Sign(msg []byte) ([]byte, error) {
	t := uint64(s.now().Unix())
	m, err := cosigV1Message(t, msg)
	if err != nil {
		return nil, err
	}
	sig := binary.BigEndian.AppendUint64(make([]byte, 0, 8+ed25519.SignatureSize), t)
	return append(sig, ed25519.Sign(s.priv, m)...), nil
}

// cosigV1Message builds the signed message of C2SP tlog-cosignature:
// "cosignature/v1\ntime <T>\n" followed by the whole note text.
func cosigV1Message(t uint64, text []byte) ([]byte, error) {
	if bytes.Count(text, []byte("\n")) < 3 {
		return nil, fmt.Errorf("%w: cosigned text has fewer than three lines", ErrInvalidCheckpoint)
	}
	m := []byte("cosignature/v1\ntime " + strconv.FormatUint(t, 10) + "\n")
	return append(m, text...), nil
}

type cosigV1Verifier struct {
	name string
	hash uint32
	pub  ed25519.PublicKey
}

func newCosigV1Verifier(name string, pub []byte) (note.Verifier, error) {
	if len(pub) != ed25519.PublicKeySize || !validKeyName(name) {
		return nil, fmt.Errorf("cosignature/v1 key %q must be a valid name and a 32-byte Ed25519 key", name)
	}
	return &cosigV1Verifier{name: name, hash: keyID(name, append([]byte{sigTypeCosigV1}, pub...)), pub: pub}, nil
}

func (v *cosigV1Verifier) Name() string    { return v.name }
func (v *cosigV1Verifier) KeyHash() uint32 { return v.hash }
func (v *cosigV1Verifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig)
	if t > 1<<63-1 {
		return false
	}
	m, err := cosigV1Message(t, msg)
	if err != nil {
		return false
	}
	return ed25519.Verify(v.pub, m, sig[8:])
}

// Cosigner returns the note signer a witness uses to cosign another log's
// checkpoints with key s. For an Ed25519 key it is a C2SP
// tlog-cosignature "cosignature/v1" signer (type 0x04, timestamped), and
// the returned verifier key is the type 0x04 key that clients configure.
// C2SP defines no SM2 cosignature, so an SM2 key signs the checkpoint note
// with a plain SM2 note signature (see SM2SignatureType), which states the
// same observation without a timestamp.
func Cosigner(s Signer) (signer note.Signer, vkey string, err error) {
	ks, ok := s.(*keySigner)
	if !ok {
		return nil, "", fmt.Errorf("%w: cosigner key of type %T", ErrInvalidKey, s)
	}
	if ks.alg == AlgSM2 {
		return ks, ks.vkey, nil
	}
	priv := ed25519.NewKeyFromSeed(ks.seed)
	typed := append([]byte{sigTypeCosigV1}, priv.Public().(ed25519.PublicKey)...)
	id := keyID(ks.name, typed)
	vkey = fmt.Sprintf("%s+%08x+%s", ks.name, id, base64.StdEncoding.EncodeToString(typed))
	return &cosigV1Signer{name: ks.name, hash: id, priv: priv, now: time.Now}, vkey, nil
}

func pemEncode(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}
