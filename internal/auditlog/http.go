package auditlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// MaxLeavesPerRequest is the largest range LeavesHandler returns at once.
const MaxLeavesPerRequest = 256

// InclusionProofJSON is the body of the inclusion proof endpoint and the
// file "suyuan verify --proof" reads. Hashes are base64 (standard
// encoding), ordered from the leaf upwards as RFC 6962 section 2.1.1
// defines.
type InclusionProofJSON struct {
	EventID string `json:"eventID,omitempty"`
	// DecisionSeq is the Seq of the decision the leaf records, or 0 when
	// it records an event. The proof leaves the decision's content out,
	// because a decision body may name private data.
	DecisionSeq int64    `json:"decisionSeq,omitempty"`
	LeafIndex   uint64   `json:"leafIndex"`
	TreeSize    uint64   `json:"treeSize"`
	LeafHash    []byte   `json:"leafHash,omitempty"`
	Hashes      [][]byte `json:"hashes"`
	// Checkpoint is the signed checkpoint note for TreeSize, when one was
	// signed at that size.
	Checkpoint string `json:"checkpoint,omitempty"`
}

// ConsistencyProofJSON is the body of the consistency proof endpoint
// (RFC 6962 section 2.1.2), with base64 hashes.
type ConsistencyProofJSON struct {
	From   uint64   `json:"from"`
	To     uint64   `json:"to"`
	Hashes [][]byte `json:"hashes"`
}

// Leaf types of LeafJSON.
const (
	LeafTypeEvent    = "event"
	LeafTypeDecision = "decision"
)

// LeafJSON is one entry of the leaves endpoint. A leaf records an event,
// named by EventID, or a decision, named by DecisionSeq.
type LeafJSON struct {
	Index uint64 `json:"index"`
	// Type is LeafTypeEvent or LeafTypeDecision.
	Type        string `json:"type"`
	EventID     string `json:"eventID,omitempty"`
	DecisionSeq int64  `json:"decisionSeq,omitempty"`
	LeafHash    []byte `json:"leafHash"`
}

// LeavesJSON is the body of the leaves endpoint: leaves [Start, End).
type LeavesJSON struct {
	Start  uint64     `json:"start"`
	End    uint64     `json:"end"`
	Leaves []LeafJSON `json:"leaves"`
}

// problem is an RFC 9457 problem details body.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// Problem types; they match the EPCIS 2.0 exception names the platform
// API uses for the same statuses.
const (
	problemParameter = "epcisException:QueryParameterException"
	problemNotFound  = "epcisException:NoSuchResourceException"
	problemInternal  = "epcisException:ImplementationException"
)

// Endpoints returns the log's HTTP handlers keyed by their net/http route
// pattern, relative to the prefix where the API mounts the log (such as
// /api/v1/log). The tile pattern names the path value TileHandler reads.
func (l *Log) Endpoints() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GET /checkpoint":        l.CheckpointHandler(),
		"GET /proof/inclusion":   l.InclusionProofHandler(),
		"GET /proof/consistency": l.ConsistencyProofHandler(),
		"GET /leaves":            l.LeavesHandler(),
		"GET /tile/{path...}":    l.TileHandler(),
	}
}

// CheckpointHandler serves the latest signed checkpoint as text/plain
// (GET). Before the first integration it responds with 503 Service
// Unavailable.
func (l *Log) CheckpointHandler() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := l.Checkpoint(r.Context())
		if errors.Is(err, store.ErrNotFound) {
			l.writeProblem(w, r, http.StatusServiceUnavailable, problemInternal, "尚无检查点 / no checkpoint yet",
				"the audit log has not signed a checkpoint yet; retry after the sequencer runs", nil)
			return
		}
		if err != nil {
			l.writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(c.Note)
	}
}

// InclusionProofHandler serves GET ?event=EVENTID[&size=N],
// ?decision=SEQ[&size=N] or ?index=I[&size=N] as InclusionProofJSON. size
// defaults to the latest checkpoint's size.
func (l *Log) InclusionProofHandler() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		q := r.URL.Query()
		size, err := l.sizeParam(ctx, q.Get("size"), "size")
		if err != nil {
			l.writeError(w, r, err)
			return
		}
		selectors := 0
		for _, name := range []string{"event", "decision", "index"} {
			if q.Get(name) != "" {
				selectors++
			}
		}
		if selectors > 1 {
			l.writeError(w, r, fmt.Errorf("%w: give one of event, decision or index", ErrInvalidRequest))
			return
		}
		var (
			index       uint64
			decisionSeq int64
		)
		eventID := q.Get("event")
		switch {
		case eventID != "":
			index, err = l.store.LeafIndex(ctx, eventID)
			if errors.Is(err, store.ErrNotFound) {
				l.writeError(w, r, fmt.Errorf("%w: event %q has no audit-log leaf; check the eventID", store.ErrNotFound, eventID))
				return
			}
		case q.Get("decision") != "":
			index, decisionSeq, err = l.decisionLeaf(ctx, q.Get("decision"))
		case q.Get("index") != "":
			index, err = parseUint("index", q.Get("index"))
		default:
			err = fmt.Errorf("%w: missing parameter event (an eventID), decision (a decision seq) or index (a leaf index)", ErrInvalidRequest)
		}
		if err != nil {
			l.writeError(w, r, err)
			return
		}
		if index >= size {
			l.writeError(w, r, fmt.Errorf("%w: leaf index %d is not in the tree of size %d; ask again after the next checkpoint", ErrInvalidRequest, index, size))
			return
		}
		hashes, err := l.InclusionProof(ctx, index, size)
		if err != nil {
			l.writeError(w, r, err)
			return
		}
		body := InclusionProofJSON{EventID: eventID, DecisionSeq: decisionSeq, LeafIndex: index, TreeSize: size, Hashes: hashes}
		if leaves, err := l.store.LeafHashes(ctx, index, index+1); err == nil && len(leaves) == 1 {
			body.LeafHash = leaves[0]
		}
		if body.EventID == "" && body.DecisionSeq == 0 {
			body.EventID, body.DecisionSeq = l.leafEntry(ctx, index)
		}
		if c, err := l.CheckpointAt(ctx, size); err == nil {
			body.Checkpoint = string(c.Note)
		}
		writeJSON(w, body)
	}
}

// decisionLeaf returns the leaf index of the decision whose Seq is the
// decimal text seq.
func (l *Log) decisionLeaf(ctx context.Context, seq string) (uint64, int64, error) {
	n, err := strconv.ParseInt(seq, 10, 64)
	if err != nil || n < 1 {
		return 0, 0, fmt.Errorf("%w: decision %q is not a decision seq (a whole number from 1)", ErrInvalidRequest, seq)
	}
	d, err := l.Decision(ctx, n)
	if err != nil {
		return 0, 0, err
	}
	return d.LeafIndex, n, nil
}

// leafEntry returns the eventID or the decision Seq that leaf index
// records; both are empty when the store cannot tell.
func (l *Log) leafEntry(ctx context.Context, index uint64) (string, int64) {
	if id, err := l.store.LeafEvent(ctx, index); err == nil {
		return id, 0
	}
	if l.decisions != nil {
		if d, err := l.decisions.DecisionAt(ctx, index); err == nil {
			return "", d.Seq
		}
	}
	return "", 0
}

// ConsistencyProofHandler serves GET ?from=M[&to=N] as
// ConsistencyProofJSON. to defaults to the latest checkpoint's size.
func (l *Log) ConsistencyProofHandler() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		q := r.URL.Query()
		if q.Get("from") == "" {
			l.writeError(w, r, fmt.Errorf("%w: missing parameter from (the older tree size)", ErrInvalidRequest))
			return
		}
		from, err := parseUint("from", q.Get("from"))
		if err != nil {
			l.writeError(w, r, err)
			return
		}
		to, err := l.sizeParam(ctx, q.Get("to"), "to")
		if err != nil {
			l.writeError(w, r, err)
			return
		}
		hashes, err := l.ConsistencyProof(ctx, from, to)
		if err != nil {
			l.writeError(w, r, err)
			return
		}
		writeJSON(w, ConsistencyProofJSON{From: from, To: to, Hashes: hashes})
	}
}

// LeavesHandler serves GET ?start=S&end=E as LeavesJSON: the type, the
// eventID or decision Seq, and the leaf hash of leaves [S, E), at most
// MaxLeavesPerRequest of them, within the latest checkpoint.
func (l *Log) LeavesHandler() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		q := r.URL.Query()
		start, err := parseUint("start", q.Get("start"))
		if err != nil {
			l.writeError(w, r, err)
			return
		}
		size, err := l.sizeParam(ctx, "", "")
		if err != nil {
			l.writeError(w, r, err)
			return
		}
		end := min(start+MaxLeavesPerRequest, size)
		if q.Get("end") != "" {
			if end, err = parseUint("end", q.Get("end")); err != nil {
				l.writeError(w, r, err)
				return
			}
		}
		switch {
		case start >= size && size > 0:
			err = fmt.Errorf("%w: start %d is not below the latest checkpoint's size %d", ErrInvalidRequest, start, size)
		case end < start:
			err = fmt.Errorf("%w: end %d is below start %d", ErrInvalidRequest, end, start)
		case end-start > MaxLeavesPerRequest:
			err = fmt.Errorf("%w: range [%d, %d) has %d leaves, at most %d per request; page with start", ErrInvalidRequest, start, end, end-start, MaxLeavesPerRequest)
		case end > size:
			err = fmt.Errorf("%w: end %d is above the latest checkpoint's size %d", ErrInvalidRequest, end, size)
		}
		if err != nil {
			l.writeError(w, r, err)
			return
		}
		hashes, err := l.store.LeafHashes(ctx, start, end)
		if err != nil {
			l.writeError(w, r, err)
			return
		}
		body := LeavesJSON{Start: start, End: end, Leaves: make([]LeafJSON, 0, len(hashes))}
		for i, h := range hashes {
			leaf, err := l.leafJSON(ctx, start+uint64(i), h)
			if err != nil {
				l.writeError(w, r, err)
				return
			}
			body.Leaves = append(body.Leaves, leaf)
		}
		writeJSON(w, body)
	}
}

// leafJSON describes leaf index with hash h: the event or the decision it
// records.
func (l *Log) leafJSON(ctx context.Context, index uint64, h []byte) (LeafJSON, error) {
	id, err := l.store.LeafEvent(ctx, index)
	if err == nil {
		return LeafJSON{Index: index, Type: LeafTypeEvent, EventID: id, LeafHash: h}, nil
	}
	if !errors.Is(err, store.ErrNotFound) || l.decisions == nil {
		return LeafJSON{}, fmt.Errorf("read event of leaf %d: %w", index, err)
	}
	d, err := l.decisions.DecisionAt(ctx, index)
	if err != nil {
		return LeafJSON{}, fmt.Errorf("read event or decision of leaf %d: %w", index, err)
	}
	return LeafJSON{Index: index, Type: LeafTypeDecision, DecisionSeq: d.Seq, LeafHash: h}, nil
}

// TileHandler serves hash tiles in the C2SP tlog-tiles layout. The request
// path ends in tile/L/N for a full tile or tile/L/N.p/W for a partial tile
// of W hashes. N is written in groups of three digits with an "x" before
// every group but the last, so tile 1234067 is x001/x234/067. The handler
// reads the part after the last "tile/" segment, or the path value "path"
// when the route pattern names one. Entry bundles (tile/entries/...) are
// not served, because clients fetch events by eventID instead.
func (l *Log) TileHandler() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		rest := r.PathValue("path")
		if rest == "" {
			i := strings.LastIndex(r.URL.Path, "tile/")
			if i < 0 {
				l.writeError(w, r, fmt.Errorf("%w: path %q has no tile/ segment", ErrInvalidRequest, r.URL.Path))
				return
			}
			rest = r.URL.Path[i+len("tile/"):]
		}
		key, width, err := ParseTilePath(rest)
		if err != nil {
			l.writeError(w, r, err)
			return
		}
		size, err := l.sizeParam(ctx, "", "")
		if err != nil {
			l.writeError(w, r, err)
			return
		}
		if have := tileWidthAt(key, size); have < width {
			l.writeError(w, r, fmt.Errorf("%w: tile %d/%d has %d hashes at the latest checkpoint (size %d), not %d", store.ErrNotFound, key.Level, key.Index, have, size, width))
			return
		}
		tiles, err := l.store.Tiles(ctx, []store.TileKey{key})
		if err != nil {
			l.writeError(w, r, err)
			return
		}
		if len(tiles) != 1 || uint64(len(tiles[0].Hashes)) < width*hashSize {
			l.writeError(w, r, fmt.Errorf("%w: tile %d/%d is not stored; the sequencer has not integrated it yet", store.ErrNotFound, key.Level, key.Index))
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		if width == TileWidth {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		_, _ = w.Write(tiles[0].Hashes[:width*hashSize])
	}
}

// ParseTilePath parses "L/N" or "L/N.p/W" of C2SP tlog-tiles and returns
// the tile key and width (256 for a full tile).
func ParseTilePath(p string) (store.TileKey, uint64, error) {
	bad := func(why string) (store.TileKey, uint64, error) {
		return store.TileKey{}, 0, fmt.Errorf("%w: tile path %q %s; use L/N or L/N.p/W as in tile/0/x001/234.p/17", ErrInvalidRequest, p, why)
	}
	path, partial, isPartial := strings.Cut(p, ".p/")
	width := uint64(TileWidth)
	if isPartial {
		w, err := strconv.ParseUint(partial, 10, 16)
		if err != nil || w < 1 || w > TileWidth-1 || strconv.FormatUint(w, 10) != partial {
			return bad("has a partial width outside 1..255")
		}
		width = w
	}
	parts := strings.Split(path, "/")
	if len(parts) < 2 {
		return bad("is too short")
	}
	if parts[0] == "entries" {
		return bad("names an entry bundle, which this log does not serve")
	}

	level, err := strconv.ParseUint(parts[0], 10, 8)
	if err != nil || len(parts[0]) > 2 || level > 7 {
		return bad("has an invalid level")
	}
	idx := parts[1:]

	var n uint64
	for i, group := range idx {
		lastGroup := i == len(idx)-1
		if !lastGroup {
			if !strings.HasPrefix(group, "x") {
				return bad("has a group without the x prefix")
			}
			group = group[1:]
		}
		if len(group) != 3 || strings.Trim(group, "0123456789") != "" {
			return bad("has an index group that is not three digits")
		}
		g, _ := strconv.ParseUint(group, 10, 16)
		if n > (1<<64-1)/1000 {
			return bad("has an index that overflows")
		}
		n = n*1000 + g
	}
	return store.TileKey{Level: uint8(level), Index: n}, width, nil
}

// TilePath formats a tile key and width (256 for a full tile) as a C2SP
// tlog-tiles path relative to tile/.
func TilePath(key store.TileKey, width uint64) string {
	n := fmt.Sprintf("%03d", key.Index%1000)
	for rest := key.Index / 1000; rest > 0; rest /= 1000 {
		n = fmt.Sprintf("x%03d/%s", rest%1000, n)
	}
	p := fmt.Sprintf("%d/%s", key.Level, n)
	if width < TileWidth {
		p += fmt.Sprintf(".p/%d", width)
	}
	return p
}

// sizeParam parses an optional tree size parameter; empty means the latest
// checkpoint's size.
func (l *Log) sizeParam(ctx context.Context, value, name string) (uint64, error) {
	if value != "" {
		return parseUint(name, value)
	}
	c, err := l.Checkpoint(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return c.Size, nil
}

func parseUint(name, value string) (uint64, error) {
	if value == "" {
		return 0, fmt.Errorf("%w: missing parameter %s", ErrInvalidRequest, name)
	}
	n, err := strconv.ParseUint(value, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: parameter %s=%q is not a non-negative integer", ErrInvalidRequest, name, value)
	}
	return n, nil
}

func writeJSON(w http.ResponseWriter, body any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(body); err != nil {
		slog.Debug("write audit-log response", "err", err)
	}
}

// writeError maps err to a problem: invalid requests to 400, missing
// leaves or tiles to 404, anything else to 500 without internal detail.
func (l *Log) writeError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, ErrInvalidRequest):
		l.writeProblem(w, r, http.StatusBadRequest, problemParameter, "参数无效 / invalid parameter", err.Error(), nil)
	case errors.Is(err, store.ErrNotFound):
		l.writeProblem(w, r, http.StatusNotFound, problemNotFound, "资源不存在 / resource not found", err.Error(), nil)
	default:
		l.writeProblem(w, r, http.StatusInternalServerError, problemInternal, "服务器内部错误 / internal server error",
			"the audit log failed to answer; try again later, and tell the operator if it persists", err)
	}
}

func (l *Log) writeProblem(w http.ResponseWriter, r *http.Request, status int, typ, title, detail string, cause error) {
	if cause != nil {
		l.logger.Error("audit-log request failed", "method", r.Method, "path", r.URL.Path, "err", cause)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(problem{Type: typ, Title: title, Status: status, Detail: detail}); err != nil {
		slog.Debug("write problem body", "err", err)
	}
}
