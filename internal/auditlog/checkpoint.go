package auditlog

import (
	"errors"
	"fmt"
	"strings"

	tlog "github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"
)

var (
	// ErrInvalidCheckpoint is returned for a checkpoint note that is
	// malformed, carries no valid signature of the expected key, or names
	// another origin.
	ErrInvalidCheckpoint = errors.New("invalid checkpoint")
	// ErrInconsistent is returned when two views of the log disagree: a
	// proof fails to verify, a tree size goes backwards, the same size has
	// two root hashes, or stored tiles do not give the signed root hash.
	ErrInconsistent = errors.New("inconsistent log")
)

// Checkpoint is a signed statement of the log's size and root hash in the
// C2SP tlog-checkpoint format. Its text is the origin line, the tree size
// in decimal and the base64 root hash, each ending in a newline, and it is
// signed as a C2SP signed note.
type Checkpoint struct {
	Origin string
	Size   uint64
	// Hash is the RFC 6962 root hash of the first Size leaves.
	Hash []byte
	// Note is the signed note text, including every signature line.
	Note []byte
}

// Text returns the checkpoint body: the note text that signatures cover.
func (c Checkpoint) Text() string {
	return string(tlog.Checkpoint{Origin: c.Origin, Size: c.Size, Hash: c.Hash}.Marshal())
}

// validOrigin checks the checkpoint origin line of C2SP tlog-checkpoint:
// non-empty, one line of printable text.
func validOrigin(origin string) error {
	if origin == "" || strings.ContainsAny(origin, "\n\r") || strings.TrimSpace(origin) != origin {
		return fmt.Errorf("%w: origin %q must be one non-empty line without surrounding spaces, such as \"trace.example.gov.cn/log\"", ErrInvalidCheckpoint, origin)
	}
	return nil
}

// signCheckpoint returns the signed checkpoint note for (origin, size, root).
func signCheckpoint(s note.Signer, origin string, size uint64, root []byte) (Checkpoint, error) {
	c := Checkpoint{Origin: origin, Size: size, Hash: root}
	msg, err := note.Sign(&note.Note{Text: c.Text()}, s)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("sign checkpoint at size %d: %w", size, err)
	}
	c.Note = msg
	return c, nil
}

// OpenCheckpoint verifies the log's signature on a checkpoint note and
// parses it. origin, when not empty, must equal the checkpoint's origin
// line. Signatures by keys other than logKey are kept in the note but not
// checked; VerifyCosigned checks witness cosignatures.
func OpenCheckpoint(msg []byte, origin string, logKey note.Verifier) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(logKey))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: signature of %s: %v", ErrInvalidCheckpoint, logKey.Name(), err)
	}
	c, err := parseCheckpointText(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if origin != "" && c.Origin != origin {
		return Checkpoint{}, fmt.Errorf("%w: origin is %q, want %q", ErrInvalidCheckpoint, c.Origin, origin)
	}
	c.Note = msg
	return c, nil
}

// ParseCheckpointUnverified parses a checkpoint note without checking any
// signature. Use it only to read the size and origin of a checkpoint
// before its key is known; trust nothing in it until OpenCheckpoint
// succeeds.
func ParseCheckpointUnverified(msg []byte) (Checkpoint, error) {
	// C2SP signed-note: the last empty line separates text and signatures.
	i := strings.LastIndex(string(msg), "\n\n")
	if i < 0 {
		return Checkpoint{}, fmt.Errorf("%w: no blank line before the signatures", ErrInvalidCheckpoint)
	}
	c, err := parseCheckpointText(string(msg[:i+1]))
	if err != nil {
		return Checkpoint{}, err
	}
	c.Note = msg
	return c, nil
}

func parseCheckpointText(text string) (Checkpoint, error) {
	var tc tlog.Checkpoint
	if _, err := tc.Unmarshal([]byte(text)); err != nil {
		return Checkpoint{}, fmt.Errorf("%w: %v", ErrInvalidCheckpoint, err)
	}
	if len(tc.Hash) != 32 {
		return Checkpoint{}, fmt.Errorf("%w: root hash has %d bytes, want 32", ErrInvalidCheckpoint, len(tc.Hash))
	}
	if err := validOrigin(tc.Origin); err != nil {
		return Checkpoint{}, err
	}
	return Checkpoint{Origin: tc.Origin, Size: tc.Size, Hash: tc.Hash}, nil
}
