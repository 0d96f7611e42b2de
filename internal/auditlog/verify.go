package auditlog

import (
	"fmt"

	"github.com/transparency-dev/merkle/proof"
)

// VerifyInclusion checks an RFC 6962 inclusion proof (section 2.1.1) that
// leafHash is leaf index of the tree committed to by checkpoint c, whose
// signature the caller has already verified (see OpenCheckpoint). It
// returns an error wrapping ErrInconsistent when the proof fails.
func VerifyInclusion(h *Hasher, index uint64, c Checkpoint, leafHash []byte, hashes [][]byte) error {
	if err := proof.VerifyInclusion(h, index, c.Size, leafHash, hashes, c.Hash); err != nil {
		return fmt.Errorf("%w: leaf %d is not proven in the tree of size %d: %v", ErrInconsistent, index, c.Size, err)
	}
	return nil
}

// VerifyConsistency checks an RFC 6962 consistency proof (section 2.1.2)
// that the tree of checkpoint newer extends the tree of checkpoint older
// without changing it. Both checkpoints must already be verified and name
// the same origin. It returns an error wrapping ErrInconsistent when the
// proof fails, the origins differ or older is the larger tree.
func VerifyConsistency(h *Hasher, older, newer Checkpoint, hashes [][]byte) error {
	if older.Origin != newer.Origin {
		return fmt.Errorf("%w: checkpoints of different logs: %q and %q", ErrInconsistent, older.Origin, newer.Origin)
	}
	if older.Size > newer.Size {
		return fmt.Errorf("%w: the older checkpoint has %d leaves, more than the newer one's %d; swap them", ErrInconsistent, older.Size, newer.Size)
	}
	if older.Size == newer.Size && string(older.Hash) != string(newer.Hash) {
		return fmt.Errorf("%w: two root hashes for size %d: %x and %x; the log forked", ErrInconsistent, older.Size, older.Hash, newer.Hash)
	}
	if older.Size == 0 {
		return nil
	}
	if err := proof.VerifyConsistency(h, older.Size, newer.Size, hashes, older.Hash, newer.Hash); err != nil {
		return fmt.Errorf("%w: tree of size %d does not extend the one of size %d: %v", ErrInconsistent, newer.Size, older.Size, err)
	}
	return nil
}
