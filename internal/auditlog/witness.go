package auditlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/transparency-dev/merkle/proof"
	"golang.org/x/mod/sumdb/note"
)

// WitnessState stores, for each log origin, the latest checkpoint a
// witness cosigned. Implementations must be safe for concurrent use.
type WitnessState interface {
	// Last returns the size and root hash last cosigned for origin; ok is
	// false when the witness has not seen the log yet.
	Last(ctx context.Context, origin string) (size uint64, root []byte, ok bool, err error)
	// Update records a newly cosigned size and root hash for origin.
	Update(ctx context.Context, origin string, size uint64, root []byte) error
}

// Witness is a second platform that checks another log's checkpoints for
// append-only growth and cosigns them (C2SP tlog-cosignature). It trusts
// the first checkpoint it receives of a log (trust on first use). Every later
// checkpoint must come with a consistency proof from the last one.
type Witness struct {
	// Cosigner signs the cosignatures; see Cosigner.
	Cosigner note.Signer
	// LogKey verifies the witnessed log's own checkpoint signatures.
	LogKey note.Verifier
	// Origin is the witnessed log's checkpoint origin line.
	Origin string
	// Hasher is the witnessed log's tree hasher (SHA256 or SM3).
	Hasher *Hasher
	State  WitnessState

	mu sync.Mutex
}

// Witness errors, besides ErrInvalidCheckpoint (bad log signature),
// ErrInconsistent (the proof does not verify, or the same size has another
// root hash) and ErrInvalidRequest (malformed request).
var (
	// ErrUnknownLog is returned for a checkpoint of another origin than
	// the witnessed log's.
	ErrUnknownLog = errors.New("unknown log")
	// errForked marks the ErrInconsistent errors where one tree size has
	// two root hashes, for which tlog-witness requires 409, not 422.
	errForked = errors.New("two root hashes for one tree size")
)

// SizeConflictError is returned by AddCheckpoint when the old size of a
// request is not the size the witness cosigned last. Latest is that size,
// from which the client must prove consistency.
type SizeConflictError struct {
	Origin string
	Latest uint64
	Old    uint64
}

func (e *SizeConflictError) Error() string {
	log := "the log"
	if e.Origin != "" {
		log = e.Origin
	}
	return fmt.Sprintf("old size %d is not the size %d last cosigned for %s; send a consistency proof from size %d", e.Old, e.Latest, log, e.Latest)
}

// Cosign verifies checkpoint, which LogKey must have signed for Origin, and
// consistency, the RFC 6962 consistency proof from the last checkpoint
// the witness cosigned to this one. It then records the new size and
// returns the checkpoint note with the witness's cosignature added. It
// returns an error wrapping ErrInconsistent when the log went backwards,
// forked or the proof does not verify, and ErrInvalidCheckpoint for a bad
// signature.
func (w *Witness) Cosign(ctx context.Context, checkpoint []byte, consistency [][]byte) ([]byte, error) {
	w.mu.Lock()
	defer w.mu.Unlock()

	last, _, _, err := w.State.Last(ctx, w.Origin)
	if err != nil {
		return nil, fmt.Errorf("read witness state: %w", err)
	}
	c, err := OpenCheckpoint(checkpoint, w.Origin, w.LogKey)
	if err != nil {
		return nil, err
	}
	if c.Size < last {
		return nil, fmt.Errorf("%w: checkpoint size %d is below size %d already cosigned for %s; the log rolled back", ErrInconsistent, c.Size, last, w.Origin)
	}
	n, _, err := w.addLocked(ctx, last, consistency, checkpoint)
	if err != nil {
		return nil, err
	}
	return n, nil
}

// AddCheckpoint implements the add-checkpoint call of C2SP tlog-witness.
// It checks that old is the size the witness cosigned last (0 if none) and
// verifies checkpoint and the consistency proof from old to it. It then
// records the new size and returns the cosigned note and the witness's
// signature lines alone. Checking the old size and recording the new one happen
// under one lock, so two concurrent requests cannot roll the state back.
func (w *Witness) AddCheckpoint(ctx context.Context, old uint64, consistency [][]byte, checkpoint []byte) (cosigned, sigLines []byte, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.addLocked(ctx, old, consistency, checkpoint)
}

func (w *Witness) addLocked(ctx context.Context, old uint64, consistency [][]byte, checkpoint []byte) ([]byte, []byte, error) {
	unverified, err := ParseCheckpointUnverified(checkpoint)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrInvalidRequest, err)
	}
	if unverified.Origin != w.Origin {
		return nil, nil, fmt.Errorf("%w: origin %q; this witness cosigns %q", ErrUnknownLog, unverified.Origin, w.Origin)
	}
	c, err := OpenCheckpoint(checkpoint, w.Origin, w.LogKey)
	if err != nil {
		return nil, nil, err
	}
	if old > c.Size {
		return nil, nil, fmt.Errorf("%w: old size %d is above the checkpoint size %d", ErrInvalidRequest, old, c.Size)
	}

	size, root, ok, err := w.State.Last(ctx, w.Origin)
	if err != nil {
		return nil, nil, fmt.Errorf("read witness state: %w", err)
	}
	if !ok {
		size, root = 0, nil
	}
	if old != size {
		return nil, nil, &SizeConflictError{Origin: w.Origin, Latest: size, Old: old}
	}
	switch {
	case old == 0:
		if len(consistency) != 0 {
			return nil, nil, fmt.Errorf("%w: a proof from size 0 must be empty, got %d hashes", ErrInvalidRequest, len(consistency))
		}
	case old == c.Size:
		if string(c.Hash) != string(root) {
			return nil, nil, fmt.Errorf("%w: %w: size %d of %s has root %x, but %x was cosigned", ErrInconsistent, errForked, size, w.Origin, c.Hash, root)
		}
	default:
		if err := proof.VerifyConsistency(w.Hasher, old, c.Size, consistency, root, c.Hash); err != nil {
			return nil, nil, fmt.Errorf("%w: consistency proof from size %d to %d: %v; fetch it with proof/consistency?from=%d&to=%d", ErrInconsistent, old, c.Size, err, old, c.Size)
		}
	}

	n, err := note.Open(checkpoint, note.VerifierList(w.LogKey))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrInvalidCheckpoint, err)
	}
	// Sign once, because SM2 signatures are randomised, and add the same
	// signature to the submitted note with its other signatures.
	sig, err := w.Cosigner.Sign([]byte(n.Text))
	if err != nil {
		return nil, nil, fmt.Errorf("cosign checkpoint at size %d: %w", c.Size, err)
	}
	fixed := &fixedSigner{name: w.Cosigner.Name(), hash: w.Cosigner.KeyHash(), sig: sig}
	cosigned, err := note.Sign(n, fixed)
	if err != nil {
		return nil, nil, fmt.Errorf("cosign checkpoint at size %d: %w", c.Size, err)
	}
	alone, err := note.Sign(&note.Note{Text: n.Text}, fixed)
	if err != nil {
		return nil, nil, fmt.Errorf("cosign checkpoint at size %d: %w", c.Size, err)
	}
	if err := w.State.Update(ctx, w.Origin, c.Size, c.Hash); err != nil {
		return nil, nil, fmt.Errorf("record cosigned size %d: %w", c.Size, err)
	}
	return cosigned, alone[len(n.Text)+1:], nil
}

// ErrQuorum is returned by VerifyCosigned when fewer witnesses than
// required cosigned the checkpoint.
var ErrQuorum = errors.New("too few witness cosignatures")

// VerifyCosigned verifies a checkpoint's log signature and requires valid
// cosignatures from at least quorum of the given witness keys (cosigner
// verifier keys, see Cosigner). A signature by a known key that does not
// verify rejects the whole note, as C2SP signed-note advises.
func VerifyCosigned(msg []byte, origin string, logKey note.Verifier, witnesses []note.Verifier, quorum int) (Checkpoint, error) {
	c, err := OpenCheckpoint(msg, origin, logKey)
	if err != nil {
		return Checkpoint{}, err
	}
	n, err := note.Open(msg, note.VerifierList(append([]note.Verifier{logKey}, witnesses...)...))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: %v", ErrInvalidCheckpoint, err)
	}
	seen := make(map[string]bool)
	for _, s := range n.Sigs {
		for _, v := range witnesses {
			if s.Name == v.Name() && s.Hash == v.KeyHash() {
				seen[fmt.Sprintf("%s+%08x", s.Name, s.Hash)] = true
			}
		}
	}
	if len(seen) < quorum {
		return Checkpoint{}, fmt.Errorf("%w: %d of the %d required witnesses cosigned the checkpoint at size %d", ErrQuorum, len(seen), quorum, c.Size)
	}
	return c, nil
}

// FileWitnessState is a WitnessState kept in a JSON file, rewritten
// atomically (write to a temporary file, then rename) on every update.
type FileWitnessState struct {
	Path string
	mu   sync.Mutex
}

type witnessEntry struct {
	Size uint64 `json:"size"`
	Root []byte `json:"root"`
}

func (f *FileWitnessState) load() (map[string]witnessEntry, error) {
	m := make(map[string]witnessEntry)
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read witness state: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("witness state %s is not valid JSON: %w", f.Path, err)
	}
	return m, nil
}

// Last implements WitnessState.
func (f *FileWitnessState) Last(_ context.Context, origin string) (uint64, []byte, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.load()
	if err != nil {
		return 0, nil, false, err
	}
	e, ok := m[origin]
	return e.Size, e.Root, ok, nil
}

// Update implements WitnessState.
func (f *FileWitnessState) Update(_ context.Context, origin string, size uint64, root []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.load()
	if err != nil {
		return err
	}
	m[origin] = witnessEntry{Size: size, Root: root}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode witness state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.Path), ".witness-*.json")
	if err != nil {
		return fmt.Errorf("write witness state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write witness state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write witness state: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.Path); err != nil {
		return fmt.Errorf("write witness state: %w", err)
	}
	return nil
}

// fixedSigner is a note.Signer that returns a signature made beforehand.
type fixedSigner struct {
	name string
	hash uint32
	sig  []byte
}

func (s *fixedSigner) Name() string                { return s.name }
func (s *fixedSigner) KeyHash() uint32             { return s.hash }
func (s *fixedSigner) Sign([]byte) ([]byte, error) { return s.sig, nil }
