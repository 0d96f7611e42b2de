package auditlog

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
	"golang.org/x/mod/sumdb/note"
)

// SM2SignatureType is the identifier that follows the signature type byte
// 0xff in SM2 keys and key IDs. C2SP signed-note assigns no type byte to
// SM2 and reserves 0xff for "signature types without an identifier byte
// assigned by this specification", recommending a longer identifier after
// it; this module path makes collisions unlikely.
//
// An SM2 note signature is the ASN.1 DER SM2 signature (GM/T 0003.2-2012,
// GB/T 32918.2-2016) over the note text, with the SM3 digest of
// Z_A || text and the default user ID "1234567812345678" (GM/T 0009-2012).
// OpenSSL 3.0 verifies it with the following command; it needs the
// explicit distid option because its own default ID is empty:
//
//	openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678 \
//	    -pubin -inkey pub.pem -in text -sigfile sig
//
// The public key material in verifier keys is the DER SubjectPublicKeyInfo
// of the SM2 key, so the key ID is
// SHA-256(name || 0x0A || 0xff || SM2SignatureType || SPKI)[:4].
// Private keys carry the SEC1 DER ECPrivateKey after the same prefix.
const SM2SignatureType = "github.com/suyuan-trace/suyuan/sm2-sm3"

func sm2TypePrefix() []byte {
	return append([]byte{sigTypeUnassigned}, SM2SignatureType...)
}

func isSM2Type(raw []byte) bool {
	return bytes.HasPrefix(raw, sm2TypePrefix())
}

func generateSM2Key(name string) (skey, vkey string, err error) {
	priv, err := sm2.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", fmt.Errorf("generate sm2 key: %w", err)
	}
	der, err := smx509.MarshalSM2PrivateKey(priv)
	if err != nil {
		return "", "", fmt.Errorf("encode sm2 key: %w", err)
	}
	s, err := newSM2Signer(name, der)
	if err != nil {
		return "", "", err
	}
	material := append(sm2TypePrefix(), der...)
	skey = fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, s.hash, base64.StdEncoding.EncodeToString(material))
	return skey, s.vkey, nil
}

func newSM2Signer(name string, der []byte) (*keySigner, error) {
	if !validKeyName(name) {
		return nil, fmt.Errorf("%w: key name %q contains spaces or '+'", ErrInvalidKey, name)
	}
	priv, err := smx509.ParseSM2PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: SM2 key %q: %v", ErrInvalidKey, name, err)
	}
	spki, err := smx509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("%w: SM2 public key of %q: %v", ErrInvalidKey, name, err)
	}
	typed := append(sm2TypePrefix(), spki...)
	id := keyID(name, typed)
	pub := priv.PublicKey
	return &keySigner{
		alg:  AlgSM2,
		name: name,
		hash: id,
		sign: func(msg []byte) ([]byte, error) {
			// The nil user ID selects the default "1234567812345678".
			return priv.Sign(rand.Reader, msg, sm2.NewSM2SignerOption(true, nil))
		},
		verifier: &sm2Verifier{name: name, hash: id, pub: &pub},
		vkey:     fmt.Sprintf("%s+%08x+%s", name, id, base64.StdEncoding.EncodeToString(typed)),
	}, nil
}

func newSM2Verifier(name string, spki []byte) (note.Verifier, error) {
	if !validKeyName(name) {
		return nil, fmt.Errorf("key name %q contains spaces or '+'", name)
	}
	key, err := smx509.ParsePKIXPublicKey(spki)
	if err != nil {
		return nil, fmt.Errorf("SM2 public key: %w", err)
	}
	pub, ok := key.(*ecdsa.PublicKey)
	if !ok || !sm2.IsSM2PublicKey(pub) {
		return nil, fmt.Errorf("public key is %T, not an SM2 key", key)
	}
	return &sm2Verifier{name: name, hash: keyID(name, append(sm2TypePrefix(), spki...)), pub: pub}, nil
}

type sm2Verifier struct {
	name string
	hash uint32
	pub  *ecdsa.PublicKey
}

func (v *sm2Verifier) Name() string    { return v.name }
func (v *sm2Verifier) KeyHash() uint32 { return v.hash }
func (v *sm2Verifier) Verify(msg, sig []byte) bool {
	return sm2.VerifyASN1WithSM2(v.pub, nil, msg, sig)
}

// SM2PublicKeyPEM returns the PEM "PUBLIC KEY" block of an SM2 verifier
// key, for verifying checkpoint signatures with other tools such as
// OpenSSL.
func SM2PublicKeyPEM(vkey string) ([]byte, error) {
	v, err := NewVerifier(vkey)
	if err != nil {
		return nil, err
	}
	sv, ok := v.(*sm2Verifier)
	if !ok {
		return nil, fmt.Errorf("%w: verifier key %q is not an SM2 key", ErrInvalidKey, v.Name())
	}
	der, err := smx509.MarshalPKIXPublicKey(sv.pub)
	if err != nil {
		return nil, fmt.Errorf("encode SM2 public key: %w", err)
	}
	return pemEncode("PUBLIC KEY", der), nil
}

// IsSM2Verifier reports whether v verifies SM2 note signatures.
func IsSM2Verifier(v note.Verifier) bool {
	_, ok := v.(*sm2Verifier)
	return ok
}
