package auditlog

import (
	"context"
	"fmt"
	"sync"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/transparency-dev/merkle/compact"
)

// Tile geometry of C2SP tlog-tiles: a tile holds up to 256 hashes of one
// tree level, and tile level L holds the hashes of tree level 8·L. The
// seven tree levels between two tile levels are not stored; they are
// recomputed from the 2..128 hashes below them in one tile.
const (
	TileHeight = 8
	TileWidth  = 1 << TileHeight
	hashSize   = 32
)

// tileFor returns the tile key holding the first tree-level-8L descendant
// of node id, with that descendant's offset in the tile and the number of
// level-8L hashes under id (1 << (id.Level mod 8)).
func tileFor(id compact.NodeID) (key store.TileKey, offset, count uint64) {
	level := uint8(id.Level / TileHeight)
	rest := id.Level % TileHeight
	first := id.Index << rest
	return store.TileKey{Level: level, Index: first / TileWidth}, first % TileWidth, 1 << rest
}

// tileWidthAt returns how many hashes tile key holds in a tree of size
// leaves: the number of complete level-8L nodes that fall in the tile.
func tileWidthAt(key store.TileKey, size uint64) uint64 {
	shift := uint(key.Level) * TileHeight
	if shift >= 64 {
		return 0
	}
	nodes := size >> shift
	start := key.Index * TileWidth
	if nodes <= start {
		return 0
	}
	return min(nodes-start, TileWidth)
}

// tileSet is a set of fetched tiles by key.
type tileSet map[store.TileKey][]byte

// nodeHash computes the hash of node id from the level-8L hashes in
// tiles, hashing pairs up to id's level.
func (l *Log) nodeHash(tiles tileSet, id compact.NodeID) ([]byte, error) {
	key, offset, count := tileFor(id)
	tile := tiles[key]
	if uint64(len(tile)) < (offset+count)*hashSize {
		return nil, fmt.Errorf("%w: tile %d/%d contains %d hashes, node (level %d, index %d) needs %d; run the sequencer (Integrate) to rebuild tiles",
			ErrInconsistent, key.Level, key.Index, len(tile)/hashSize, id.Level, id.Index, offset+count)
	}
	level := make([][]byte, count)
	for i := range level {
		at := (offset + uint64(i)) * hashSize
		level[i] = tile[at : at+hashSize]
	}
	for len(level) > 1 {
		next := level[:len(level)/2]
		for i := range next {
			next[i] = l.hasher.HashChildren(level[2*i], level[2*i+1])
		}
		level = next
	}
	return level[0], nil
}

// fetchTiles reads the tiles that hold the given nodes, from the cache of
// full tiles where possible. Each tile is cut to its width in a tree of
// size leaves, so hashes beyond the requested tree are never used.
func (l *Log) fetchTiles(ctx context.Context, ids []compact.NodeID, size uint64) (tileSet, error) {
	tiles := make(tileSet)
	var missing []store.TileKey
	for _, id := range ids {
		key, _, _ := tileFor(id)
		if _, done := tiles[key]; done {
			continue
		}
		if t, ok := l.cache.get(key); ok {
			tiles[key] = t
			continue
		}
		tiles[key] = nil
		missing = append(missing, key)
	}
	if len(missing) == 0 {
		return tiles, nil
	}
	got, err := l.store.Tiles(ctx, missing)
	if err != nil {
		return nil, fmt.Errorf("read %d tiles: %w", len(missing), err)
	}
	for _, t := range got {
		if _, asked := tiles[t.TileKey]; !asked {
			continue
		}
		if len(t.Hashes)%hashSize != 0 || len(t.Hashes) > TileWidth*hashSize {
			return nil, fmt.Errorf("%w: stored tile %d/%d has %d bytes, not a multiple of %d up to %d",
				ErrInconsistent, t.Level, t.Index, len(t.Hashes), hashSize, TileWidth*hashSize)
		}
		h := t.Hashes
		if len(h) == TileWidth*hashSize {
			l.cache.put(t.TileKey, h)
		}
		if w := tileWidthAt(t.TileKey, size) * hashSize; uint64(len(h)) > w {
			h = h[:w]
		}
		tiles[t.TileKey] = h
	}
	return tiles, nil
}

// hashes returns the hashes of nodes ids in the tree of size leaves.
func (l *Log) hashes(ctx context.Context, ids []compact.NodeID, size uint64) ([][]byte, error) {
	tiles, err := l.fetchTiles(ctx, ids, size)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(ids))
	for i, id := range ids {
		if out[i], err = l.nodeHash(tiles, id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// tileCache keeps full tiles, which never change once written. It is safe
// for concurrent use and evicts in insertion order when full.
type tileCache struct {
	mu    sync.Mutex
	max   int
	tiles map[store.TileKey][]byte
	order []store.TileKey
}

func newTileCache(max int) *tileCache {
	return &tileCache{max: max, tiles: make(map[store.TileKey][]byte)}
}

func (c *tileCache) get(key store.TileKey) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.tiles[key]
	return t, ok
}

func (c *tileCache) put(key store.TileKey, hashes []byte) {
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.tiles[key]; ok {
		return
	}
	if len(c.order) >= c.max {
		delete(c.tiles, c.order[0])
		c.order = c.order[1:]
	}
	c.tiles[key] = hashes
	c.order = append(c.order, key)
}
