package auditlog

import (
	"crypto/sha256"
	"fmt"
	"hash"

	"github.com/emmansun/gmsm/sm3"
	"github.com/transparency-dev/merkle"
)

// RFC 6962 section 2.1 domain separation prefixes.
const (
	leafHashPrefix = 0x00
	nodeHashPrefix = 0x01
)

// Hasher is an RFC 6962 tree hasher (section 2.1) over one hash function.
// It implements merkle.LogHasher, so the proof and compact packages of
// github.com/transparency-dev/merkle accept it. Hashers are stateless and
// safe for concurrent use.
type Hasher struct {
	name string
	new  func() hash.Hash
	// sum hashes a short input without allocating a hash.Hash; interior
	// nodes, the bulk of the work of proofs, go through it.
	sum func([]byte) [32]byte
}

var _ merkle.LogHasher = (*Hasher)(nil)

// Hash algorithm names, as accepted by HasherByName and written in key and
// configuration files.
const (
	HashSHA256 = "sha256"
	HashSM3    = "sm3"
)

var (
	// SHA256 is the RFC 6962 hasher with SHA-256, the default.
	SHA256 = &Hasher{name: HashSHA256, new: sha256.New, sum: sha256.Sum256}
	// SM3 is the RFC 6962 tree construction with the SM3 hash function of
	// GM/T 0004-2012 (GB/T 32905-2016) in place of SHA-256.
	SM3 = &Hasher{name: HashSM3, new: sm3.New, sum: sm3.Sum}
)

// ErrUnknownAlgorithm is returned for a hash or signature algorithm name
// that this package does not implement.
var ErrUnknownAlgorithm = fmt.Errorf("unknown algorithm")

// HasherByName returns the hasher for "sha256" or "sm3".
func HasherByName(name string) (*Hasher, error) {
	switch name {
	case HashSHA256, "sha-256", "":
		return SHA256, nil
	case HashSM3:
		return SM3, nil
	}
	return nil, fmt.Errorf("%w: hash %q; use %q or %q", ErrUnknownAlgorithm, name, HashSHA256, HashSM3)
}

// Name returns "sha256" or "sm3".
func (h *Hasher) Name() string { return h.name }

// Size returns the hash size in bytes (32 for both algorithms).
func (h *Hasher) Size() int { return 32 }

// EmptyRoot returns the root hash of the empty tree: the hash of the empty
// string (RFC 6962 section 2.1).
func (h *Hasher) EmptyRoot() []byte { return h.new().Sum(nil) }

// HashLeaf returns HASH(0x00 || leaf) (RFC 6962 section 2.1).
func (h *Hasher) HashLeaf(leaf []byte) []byte {
	d := h.new()
	d.Write([]byte{leafHashPrefix})
	d.Write(leaf)
	return d.Sum(nil)
}

// HashChildren returns HASH(0x01 || l || r) (RFC 6962 section 2.1).
func (h *Hasher) HashChildren(l, r []byte) []byte {
	if len(l) == hashSize && len(r) == hashSize {
		var buf [1 + 2*hashSize]byte
		buf[0] = nodeHashPrefix
		copy(buf[1:], l)
		copy(buf[1+hashSize:], r)
		sum := h.sum(buf[:])
		return sum[:]
	}
	d := h.new()
	d.Write([]byte{nodeHashPrefix})
	d.Write(l)
	d.Write(r)
	return d.Sum(nil)
}

// Digest returns the plain hash of data, without a domain prefix.
func (h *Hasher) Digest(data []byte) []byte {
	d := h.new()
	d.Write(data)
	return d.Sum(nil)
}
