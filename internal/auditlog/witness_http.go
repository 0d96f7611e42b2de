package auditlog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Limits of the add-checkpoint request of C2SP tlog-witness.
const (
	maxProofLines     = 63
	maxAddRequestSize = 64 << 10
)

// AddCheckpointHandler serves POST add-checkpoint of C2SP tlog-witness, so
// that a log can push its checkpoints to this witness. The body is the old
// size line "old N", up to 63 base64 consistency proof lines, an empty line
// and the signed checkpoint. The response is the witness's signature lines.
// Status codes follow the specification. It returns 404 for another
// origin, 403 for a bad log signature and 400 for a malformed request. It
// returns 409 when old is not the latest cosigned size (with that size as
// text/x.tlog.size) or the same size has another root hash, and 422 when
// the proof does not verify.
func (w *Witness) AddCheckpointHandler() http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			rw.Header().Set("Allow", http.MethodPost)
			http.Error(rw, "add-checkpoint takes POST", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, maxAddRequestSize))
		if err != nil {
			http.Error(rw, fmt.Sprintf("request body unreadable or above %d bytes", maxAddRequestSize), http.StatusBadRequest)
			return
		}
		old, hashes, checkpoint, err := ParseAddCheckpoint(body)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		_, sigs, err := w.AddCheckpoint(r.Context(), old, hashes, checkpoint)
		var conflict *SizeConflictError
		switch {
		case err == nil:
			rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = rw.Write(sigs)
		case errors.As(err, &conflict):
			rw.Header().Set("Content-Type", "text/x.tlog.size")
			rw.WriteHeader(http.StatusConflict)
			fmt.Fprintf(rw, "%d\n", conflict.Latest)
		case errors.Is(err, ErrUnknownLog):
			http.Error(rw, err.Error(), http.StatusNotFound)
		case errors.Is(err, ErrInvalidCheckpoint):
			http.Error(rw, err.Error(), http.StatusForbidden)
		case errors.Is(err, ErrInvalidRequest):
			http.Error(rw, err.Error(), http.StatusBadRequest)
		case errors.Is(err, errForked):
			http.Error(rw, err.Error(), http.StatusConflict)
		case errors.Is(err, ErrInconsistent):
			http.Error(rw, err.Error(), http.StatusUnprocessableEntity)
		default:
			http.Error(rw, "the witness failed to record the checkpoint; retry later", http.StatusInternalServerError)
		}
	}
}

// ParseAddCheckpoint parses a C2SP tlog-witness add-checkpoint request
// body into the old size, the consistency proof and the checkpoint note.
func ParseAddCheckpoint(body []byte) (old uint64, proof [][]byte, checkpoint []byte, err error) {
	head, checkpoint, ok := bytes.Cut(body, []byte("\n\n"))
	if !ok {
		return 0, nil, nil, fmt.Errorf("%w: add-checkpoint body has no empty line before the checkpoint", ErrInvalidRequest)
	}
	lines := strings.Split(string(head), "\n")
	sizeText, ok := strings.CutPrefix(lines[0], "old ")
	if !ok {
		return 0, nil, nil, fmt.Errorf("%w: first line %q is not \"old N\"", ErrInvalidRequest, lines[0])
	}
	old, err = strconv.ParseUint(sizeText, 10, 64)
	if err != nil || strconv.FormatUint(old, 10) != sizeText {
		return 0, nil, nil, fmt.Errorf("%w: old size %q is not a decimal without leading zeroes", ErrInvalidRequest, sizeText)
	}
	if len(lines)-1 > maxProofLines {
		return 0, nil, nil, fmt.Errorf("%w: %d consistency proof lines, at most %d", ErrInvalidRequest, len(lines)-1, maxProofLines)
	}
	for _, line := range lines[1:] {
		h, err := base64.StdEncoding.DecodeString(line)
		if err != nil || len(h) != hashSize {
			return 0, nil, nil, fmt.Errorf("%w: proof line %q is not a base64 32-byte hash", ErrInvalidRequest, line)
		}
		proof = append(proof, h)
	}
	return old, proof, checkpoint, nil
}

// WitnessClient submits checkpoints to a witness's add-checkpoint
// endpoint (C2SP tlog-witness). URL is the full endpoint URL.
type WitnessClient struct {
	URL string
	// HTTP is the client used; nil means http.DefaultClient.
	HTTP *http.Client
}

// AddCheckpoint submits checkpoint with the consistency proof from old and
// returns the witness's signature lines. When the witness has cosigned
// another size it returns a *SizeConflictError naming that size.
func (c *WitnessClient) AddCheckpoint(ctx context.Context, old uint64, proof [][]byte, checkpoint []byte) ([]byte, error) {
	var body bytes.Buffer
	fmt.Fprintf(&body, "old %d\n", old)
	for _, h := range proof {
		body.WriteString(base64.StdEncoding.EncodeToString(h) + "\n")
	}
	body.WriteString("\n")
	body.Write(checkpoint)

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, &body)
	if err != nil {
		return nil, fmt.Errorf("%w: witness URL %q: %v", ErrInvalidRequest, c.URL, err)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("submit checkpoint to %s: %w", c.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return nil, fmt.Errorf("read response of %s: %w", c.URL, err)
	}

	switch {
	case resp.StatusCode == http.StatusOK:
		return b, nil
	case resp.StatusCode == http.StatusConflict && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/x.tlog.size"):
		latest, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("witness %s sent a size conflict without a valid size: %q", c.URL, b)
		}
		return nil, &SizeConflictError{Latest: latest, Old: old}
	}
	line, _, _ := bufio.NewReader(bytes.NewReader(b)).ReadLine()
	return nil, fmt.Errorf("witness %s rejected the checkpoint: %s: %s", c.URL, resp.Status, line)
}

// RequestCosignature submits the log's latest checkpoint to a witness
// (C2SP tlog-witness add-checkpoint) and stores the checkpoint with the
// returned cosignature lines added, so that the checkpoint endpoint serves
// it cosigned. When the witness has cosigned another size it retries once
// with a consistency proof from that size. The witness's signatures are
// not verified here; clients check them with VerifyCosigned.
func (l *Log) RequestCosignature(ctx context.Context, wc *WitnessClient) (Checkpoint, error) {
	c, err := l.Checkpoint(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	sigs, err := wc.AddCheckpoint(ctx, 0, nil, c.Note)
	var conflict *SizeConflictError
	if errors.As(err, &conflict) && conflict.Latest > 0 {
		if conflict.Latest > c.Size {
			return Checkpoint{}, fmt.Errorf("%w: witness %s has cosigned size %d, above this log's size %d", ErrInconsistent, wc.URL, conflict.Latest, c.Size)
		}
		proof, perr := l.ConsistencyProof(ctx, conflict.Latest, c.Size)
		if perr != nil {
			return Checkpoint{}, perr
		}
		sigs, err = wc.AddCheckpoint(ctx, conflict.Latest, proof, c.Note)
	}
	if err != nil {
		return Checkpoint{}, err
	}
	if !bytes.HasPrefix(sigs, []byte("— ")) || !bytes.HasSuffix(sigs, []byte("\n")) {
		return Checkpoint{}, fmt.Errorf("witness %s returned %q, not signature lines", wc.URL, shorten(string(sigs)))
	}
	c.Note = append(append([]byte(nil), c.Note...), sigs...)
	if _, err := l.openStored(c.Note); err != nil {
		return Checkpoint{}, fmt.Errorf("cosigned checkpoint from %s: %w", wc.URL, err)
	}
	if err := l.store.PutCheckpoint(ctx, c.Size, c.Note); err != nil {
		return Checkpoint{}, fmt.Errorf("store cosigned checkpoint at size %d: %w", c.Size, err)
	}
	return c, nil
}
