package auditlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"golang.org/x/mod/sumdb/note"
)

// ErrInvalidRequest is returned for a proof or range request whose values
// are out of bounds, such as a leaf index beyond the tree size.
var ErrInvalidRequest = errors.New("invalid request")

// integrateBatch is the number of leaf hashes Integrate reads per store
// call, which bounds its memory use when a large backlog is integrated.
const integrateBatch = 1 << 16

// cachedTiles is the number of full tiles kept in memory for proofs
// (8 KiB each).
const cachedTiles = 4096

// Log is the audit-log service over a store: it integrates new leaves into
// tiles, signs checkpoints and serves proofs. It is safe for concurrent
// use; Integrate calls are serialised within one process, and calls from
// several processes on one database only repeat work, because tiles and
// checkpoints are deterministic functions of the leaves.
type Log struct {
	store store.LogStore
	// decisions is the store's decision side; nil when the store keeps
	// no decisions.
	decisions store.DecisionStore
	hasher    *Hasher
	signer    Signer
	// verifier checks stored checkpoints; nil in a reader that trusts
	// the store (see NewReader).
	verifier note.Verifier
	origin   string
	logger   *slog.Logger
	cache    *tileCache

	mu sync.Mutex // serialises Integrate

	latestMu sync.Mutex
	latest   *Checkpoint
}

// New returns the audit log over st, hashing with hasher, signing
// checkpoints with signer under the checkpoint origin line origin (a
// schema-less URL naming this log, such as "trace.example.gov.cn/log").
// The SM2 signer is meant for SM3 logs and Ed25519 for SHA-256 logs, but
// New accepts any pairing.
func New(st store.LogStore, hasher *Hasher, signer Signer, origin string) (*Log, error) {
	if st == nil || hasher == nil || signer == nil {
		return nil, fmt.Errorf("%w: audit log needs a store, a hasher and a signer", ErrInvalidRequest)
	}
	if err := validOrigin(origin); err != nil {
		return nil, err
	}
	decisions, _ := st.(store.DecisionStore)
	return &Log{
		store:     st,
		decisions: decisions,
		hasher:    hasher,
		signer:    signer,
		verifier:  signer.Verifier(),
		origin:    origin,
		logger:    slog.Default(),
		cache:     newTileCache(cachedTiles),
	}, nil
}

// NewReader returns a log that serves checkpoints and proofs from st but
// cannot sign, for tools and read-only servers. Integrate on it returns
// ErrNoKey. verifier, when not nil, checks every checkpoint read; with a
// nil verifier the stored checkpoints are trusted as they are. origin may
// be empty to accept the origin of the stored checkpoints.
func NewReader(st store.LogStore, hasher *Hasher, origin string, verifier note.Verifier) (*Log, error) {
	if st == nil || hasher == nil {
		return nil, fmt.Errorf("%w: audit log needs a store and a hasher", ErrInvalidRequest)
	}
	if origin != "" {
		if err := validOrigin(origin); err != nil {
			return nil, err
		}
	}
	decisions, _ := st.(store.DecisionStore)
	return &Log{store: st, decisions: decisions, hasher: hasher, verifier: verifier, origin: origin,
		logger: slog.Default(), cache: newTileCache(cachedTiles)}, nil
}

// SetLogger sets the logger of RunSequencer; the default is slog.Default.
func (l *Log) SetLogger(logger *slog.Logger) { l.logger = logger }

// Hasher returns the log's tree hasher.
func (l *Log) Hasher() *Hasher { return l.hasher }

// Origin returns the checkpoint origin line.
func (l *Log) Origin() string { return l.origin }

// VerifierKey returns the public key that verifies the log's checkpoints.
// It is empty for a reader without a signer.
func (l *Log) VerifierKey() string {
	if l.signer == nil {
		return ""
	}
	return l.signer.VerifierKey()
}

// LeafHash returns the leaf hash of one event under the log's hasher (see
// LeafData). The capture service stores it as store.Record.LeafHash.
func (l *Log) LeafHash(eventID, eventHash string, doc []byte) []byte {
	return LeafHash(l.hasher, eventID, eventHash, doc)
}

// Checkpoint returns the latest signed checkpoint, or store.ErrNotFound if
// Integrate has never run.
func (l *Log) Checkpoint(ctx context.Context) (Checkpoint, error) {
	size, msg, err := l.store.Checkpoint(ctx, 0)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("read latest checkpoint: %w", err)
	}
	c, err := l.openStored(msg)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("stored checkpoint at size %d: %w", size, err)
	}
	if c.Size != size {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint stored for size %d states size %d", ErrInconsistent, size, c.Size)
	}
	l.setLatest(c)
	return c, nil
}

// CheckpointAt returns the stored checkpoint for tree size size, or
// store.ErrNotFound when none was signed at that size.
func (l *Log) CheckpointAt(ctx context.Context, size uint64) (Checkpoint, error) {
	if size == 0 {
		return Checkpoint{}, fmt.Errorf("%w: tree size 0; use Checkpoint for the latest", ErrInvalidRequest)
	}
	got, msg, err := l.store.Checkpoint(ctx, size)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("read checkpoint at size %d: %w", size, err)
	}
	c, err := l.openStored(msg)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("stored checkpoint at size %d: %w", size, err)
	}
	if c.Size != size || got != size {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint stored for size %d states size %d", ErrInconsistent, size, c.Size)
	}
	return c, nil
}

// openStored parses a stored checkpoint note, verifying its signature
// unless the log is a reader without a verifier.
func (l *Log) openStored(msg []byte) (Checkpoint, error) {
	// A note identical to the latest one verified needs no second check.
	l.latestMu.Lock()
	latest := l.latest
	l.latestMu.Unlock()
	if latest != nil && bytes.Equal(latest.Note, msg) {
		return *latest, nil
	}
	if l.verifier == nil {
		c, err := ParseCheckpointUnverified(msg)
		if err == nil && l.origin != "" && c.Origin != l.origin {
			err = fmt.Errorf("%w: origin is %q, want %q", ErrInvalidCheckpoint, c.Origin, l.origin)
		}
		return c, err
	}
	return OpenCheckpoint(msg, l.origin, l.verifier)
}

func (l *Log) setLatest(c Checkpoint) {
	l.latestMu.Lock()
	defer l.latestMu.Unlock()
	if l.latest == nil || c.Size > l.latest.Size {
		l.latest = &c
	}
}

// integratedSize returns the size of the latest checkpoint, reading the
// store only when want exceeds the size already known, so proofs for
// sizes another process integrated are served too.
func (l *Log) integratedSize(ctx context.Context, want uint64) (uint64, error) {
	l.latestMu.Lock()
	latest := l.latest
	l.latestMu.Unlock()
	if latest != nil && latest.Size >= want {
		return latest.Size, nil
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

// Integrate extends the tree with the leaves stored since the latest
// checkpoint and signs a checkpoint for the new size. It reads only the
// tiles on the right edge of the previous tree and the new leaf hashes,
// never the whole log. When no leaf was added it returns the latest
// checkpoint unchanged; on an empty log it signs the empty tree once.
//
// Integrate returns an error wrapping ErrInconsistent when the stored
// tiles do not reproduce the latest checkpoint's root hash, which means
// the store was changed outside the log.
func (l *Log) Integrate(ctx context.Context) (Checkpoint, error) {
	if l.signer == nil {
		return Checkpoint{}, fmt.Errorf("%w: this audit log was opened read-only; open it with New and a signing key to integrate", ErrNoKey)
	}
	l.mu.Lock()
	defer l.mu.Unlock()

	size, err := l.store.LogSize(ctx)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("read log size: %w", err)
	}
	prev, err := l.Checkpoint(ctx)
	rotated := false
	if errors.Is(err, ErrInvalidCheckpoint) {
		prev, err = l.otherKeyCheckpoint(ctx)
		rotated = err == nil
	}
	hasPrev := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Checkpoint{}, err
	}
	if hasPrev && prev.Size == size && !rotated {
		return prev, nil
	}
	if hasPrev && prev.Size > size {
		return Checkpoint{}, fmt.Errorf("%w: latest checkpoint has %d leaves but the store contains %d; leaves were deleted", ErrInconsistent, prev.Size, size)
	}

	var from uint64
	if hasPrev {
		from = prev.Size
	}
	rng, edge, err := l.rangeAt(ctx, from)
	if err != nil {
		return Checkpoint{}, err
	}
	if hasPrev {
		if err := l.checkRoot(rng, prev); err != nil {
			return Checkpoint{}, err
		}
	}

	for start := from; start < size; {
		end := min(start+integrateBatch, size)
		leaves, err := l.store.LeafHashes(ctx, start, end)
		if err != nil {
			return Checkpoint{}, fmt.Errorf("read leaf hashes [%d, %d): %w", start, end, err)
		}
		if uint64(len(leaves)) != end-start {
			return Checkpoint{}, fmt.Errorf("%w: store returned %d leaf hashes for [%d, %d)", ErrInconsistent, len(leaves), start, end)
		}
		changed := make(map[store.TileKey]bool)
		var visitErr error
		visit := func(id compact.NodeID, hash []byte) {
			if id.Level%TileHeight != 0 || visitErr != nil {
				return
			}
			key, offset, _ := tileFor(id)
			t := edge[key]
			if uint64(len(t)) != offset*hashSize {
				visitErr = fmt.Errorf("%w: tile %d/%d has %d hashes where node %d was expected next", ErrInconsistent, key.Level, key.Index, len(t)/hashSize, offset)
				return
			}
			edge[key] = append(t, hash...)
			changed[key] = true
		}
		for i, h := range leaves {
			if len(h) != hashSize {
				return Checkpoint{}, fmt.Errorf("%w: leaf %d has a %d-byte hash, want %d", ErrInconsistent, start+uint64(i), len(h), hashSize)
			}
			if err := rng.Append(h, visit); err != nil {
				return Checkpoint{}, fmt.Errorf("append leaf %d: %w", start+uint64(i), err)
			}
		}
		if visitErr != nil {
			return Checkpoint{}, visitErr
		}
		tiles := make([]store.Tile, 0, len(changed))
		for key := range changed {
			tiles = append(tiles, store.Tile{TileKey: key, Hashes: edge[key]})
		}
		if err := l.store.PutTiles(ctx, tiles); err != nil {
			return Checkpoint{}, fmt.Errorf("store %d tiles: %w", len(tiles), err)
		}
		for key, t := range edge {
			if len(t) == TileWidth*hashSize {
				delete(edge, key)
			}
		}
		start = end
	}

	root, err := l.rootOf(rng)
	if err != nil {
		return Checkpoint{}, err
	}
	c, err := signCheckpoint(l.signer, l.origin, size, root)
	if err != nil {
		return Checkpoint{}, err
	}
	if err := l.store.PutCheckpoint(ctx, size, c.Note); err != nil {
		return Checkpoint{}, fmt.Errorf("store checkpoint at size %d: %w", size, err)
	}
	l.setLatest(c)
	return c, nil
}

// otherKeyCheckpoint returns the latest stored checkpoint when a key
// other than the log's current one signed it, which is the case right
// after the signing key was replaced. Integrate then continues from it,
// because checkRoot still ties it to the stored tiles, and signs it again
// with the current key. A checkpoint with a bad signature by the current
// key, or for another origin, is rejected.
func (l *Log) otherKeyCheckpoint(ctx context.Context) (Checkpoint, error) {
	size, msg, err := l.store.Checkpoint(ctx, 0)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("read latest checkpoint: %w", err)
	}
	_, err = note.Open(msg, note.VerifierList(l.verifier))
	var unverified *note.UnverifiedNoteError
	if !errors.As(err, &unverified) {
		return Checkpoint{}, fmt.Errorf("%w: stored checkpoint at size %d does not verify with key %s: %v", ErrInvalidCheckpoint, size, l.verifier.Name(), err)
	}
	c, err := ParseCheckpointUnverified(msg)
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != l.origin || c.Size != size {
		return Checkpoint{}, fmt.Errorf("%w: stored checkpoint states origin %q and size %d, want %q and %d", ErrInvalidCheckpoint, c.Origin, c.Size, l.origin, size)
	}
	l.logger.Warn("latest audit-log checkpoint is signed by another key; signing it again with the current key",
		"origin", l.origin, "size", size, "key", l.verifier.Name())
	return c, nil
}

// rangeAt rebuilds the compact range [0, size) from the stored tiles and
// returns it with the right-edge tiles (cut to their width at size), which
// Integrate extends. Tiles with no hashes at size are absent from edge.
func (l *Log) rangeAt(ctx context.Context, size uint64) (*compact.Range, map[store.TileKey][]byte, error) {
	factory := &compact.RangeFactory{Hash: l.hasher.HashChildren}
	ids := compact.RangeNodes(0, size, nil)
	tiles, err := l.fetchTiles(ctx, ids, size)
	if err != nil {
		return nil, nil, err
	}
	hashes := make([][]byte, len(ids))
	for i, id := range ids {
		if hashes[i], err = l.nodeHash(tiles, id); err != nil {
			return nil, nil, err
		}
	}
	rng, err := factory.NewRange(0, size, hashes)
	if err != nil {
		return nil, nil, fmt.Errorf("rebuild compact range at size %d: %w", size, err)
	}
	edge := make(map[store.TileKey][]byte)
	for level := uint8(0); uint(level)*TileHeight < 64 && size>>(uint(level)*TileHeight) > 0; level++ {
		key := store.TileKey{Level: level, Index: (size >> (uint(level) * TileHeight)) / TileWidth}
		w := tileWidthAt(key, size)
		if w == 0 {
			continue
		}
		t := tiles[key]
		if uint64(len(t)) < w*hashSize {
			return nil, nil, fmt.Errorf("%w: right-edge tile %d/%d contains %d hashes, want %d", ErrInconsistent, key.Level, key.Index, len(t)/hashSize, w)
		}
		edge[key] = append(make([]byte, 0, TileWidth*hashSize), t[:w*hashSize]...)
	}
	return rng, edge, nil
}

func (l *Log) rootOf(rng *compact.Range) ([]byte, error) {
	if rng.End() == 0 {
		return l.hasher.EmptyRoot(), nil
	}
	root, err := rng.GetRootHash(nil)
	if err != nil {
		return nil, fmt.Errorf("compute root hash: %w", err)
	}
	return root, nil
}

func (l *Log) checkRoot(rng *compact.Range, c Checkpoint) error {
	root, err := l.rootOf(rng)
	if err != nil {
		return err
	}
	if string(root) != string(c.Hash) {
		return fmt.Errorf("%w: stored tiles give root %x at size %d but the signed checkpoint states %x; run \"suyuan verify --all\"", ErrInconsistent, root, c.Size, c.Hash)
	}
	return nil
}

// InclusionProof returns the RFC 6962 inclusion proof (section 2.1.1) of
// leaf index in the tree of size leaves. size must not exceed the latest
// checkpoint's size. The proof reads at most a few tiles per tile level.
func (l *Log) InclusionProof(ctx context.Context, index, size uint64) ([][]byte, error) {
	if index >= size {
		return nil, fmt.Errorf("%w: leaf index %d is not below tree size %d", ErrInvalidRequest, index, size)
	}
	if err := l.checkSize(ctx, size); err != nil {
		return nil, err
	}
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidRequest, err)
	}
	return l.rehash(ctx, nodes, size)
}

// ConsistencyProof returns the RFC 6962 consistency proof (section 2.1.2)
// between tree sizes from and to, with from <= to <= the latest
// checkpoint's size. The proof is empty when from is 0 or equals to.
func (l *Log) ConsistencyProof(ctx context.Context, from, to uint64) ([][]byte, error) {
	if from > to {
		return nil, fmt.Errorf("%w: tree size from=%d is above to=%d; swap them", ErrInvalidRequest, from, to)
	}
	if err := l.checkSize(ctx, to); err != nil {
		return nil, err
	}
	nodes, err := proof.Consistency(from, to)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidRequest, err)
	}
	return l.rehash(ctx, nodes, to)
}

func (l *Log) checkSize(ctx context.Context, size uint64) error {
	have, err := l.integratedSize(ctx, size)
	if err != nil {
		return err
	}
	if size > have {
		return fmt.Errorf("%w: tree size %d is above the latest checkpoint's size %d; ask for a size up to %d", ErrInvalidRequest, size, have, have)
	}
	return nil
}

func (l *Log) rehash(ctx context.Context, nodes proof.Nodes, size uint64) ([][]byte, error) {
	hashes, err := l.hashes(ctx, nodes.IDs, size)
	if err != nil {
		return nil, err
	}
	out, err := nodes.Rehash(hashes, l.hasher.HashChildren)
	if err != nil {
		return nil, fmt.Errorf("build proof: %w", err)
	}
	return out, nil
}

// RunSequencer calls Integrate every interval until ctx is done, then
// returns nil. The caller owns the loop: run it in a goroutine and cancel
// ctx to stop it. Failures are logged and retried at the next tick; a
// failure that repeats is logged once and then every 100th time.
func (l *Log) RunSequencer(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		return fmt.Errorf("%w: sequencer interval %v must be positive, such as 1s", ErrInvalidRequest, interval)
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	l.logger.Info("audit log sequencer started", "origin", l.origin, "interval", interval)
	var lastErr string
	var repeats int
	var lastSize uint64
	for {
		c, err := l.Integrate(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			if err.Error() == lastErr {
				repeats++
			} else {
				lastErr, repeats = err.Error(), 0
			}
			if repeats%100 == 0 {
				l.logger.Error("audit log integration failed; retrying", "origin", l.origin, "err", err, "repeats", repeats)
			}
		case err == nil:
			if lastErr != "" {
				l.logger.Info("audit log integration recovered", "origin", l.origin)
				lastErr = ""
			}
			if c.Size != lastSize {
				l.logger.Debug("audit log checkpoint signed", "origin", l.origin, "size", c.Size)
				lastSize = c.Size
			}
		}
		select {
		case <-ctx.Done():
			l.logger.Info("audit log sequencer stopped", "origin", l.origin)
			return nil
		case <-ticker.C:
		}
	}
}

// Decision returns the stored decision with Seq seq, with its leaf index
// and hash. It returns an error wrapping store.ErrNotFound when the store
// keeps no such decision or the decision has no leaf.
func (l *Log) Decision(ctx context.Context, seq int64) (store.Decision, error) {
	if l.decisions == nil {
		return store.Decision{}, fmt.Errorf("decision %d: the store keeps no decisions: %w", seq, store.ErrNotFound)
	}
	list, err := l.decisions.Decisions(ctx, store.DecisionFilter{AfterSeq: seq - 1, Limit: 1})
	if err != nil {
		return store.Decision{}, fmt.Errorf("read decision %d: %w", seq, err)
	}
	if len(list) == 0 || list[0].Seq != seq {
		return store.Decision{}, fmt.Errorf("decision %d is not stored; list decisions with GET /api/v1/decisions: %w", seq, store.ErrNotFound)
	}
	if list[0].LeafHash == nil {
		return store.Decision{}, fmt.Errorf("decision %d has no audit-log leaf, because it was stored while the log was disabled: %w", seq, store.ErrNotFound)
	}
	return list[0], nil
}
