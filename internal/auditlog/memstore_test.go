package auditlog

import (
	"context"
	"fmt"
	"sync"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// memStore is an in-memory store.LogStore for unit tests of the tree.
// Acceptance tests use the SQLite store.
type memStore struct {
	mu          sync.Mutex
	leaves      [][]byte
	events      []string
	tiles       map[store.TileKey][]byte
	checkpoints map[uint64][]byte
	latest      uint64
	hasLatest   bool
	tileReads   int
	leafReads   int
}

func newMemStore() *memStore {
	return &memStore{tiles: make(map[store.TileKey][]byte), checkpoints: make(map[uint64][]byte)}
}

func (m *memStore) add(eventID string, leafHash []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.leaves = append(m.leaves, leafHash)
	m.events = append(m.events, eventID)
}

func (m *memStore) LogSize(context.Context) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return uint64(len(m.leaves)), nil
}

func (m *memStore) LeafHashes(_ context.Context, start, end uint64) ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if start > end || end > uint64(len(m.leaves)) {
		return nil, fmt.Errorf("leaf range [%d, %d) outside [0, %d)", start, end, len(m.leaves))
	}
	m.leafReads += int(end - start)
	return append([][]byte(nil), m.leaves[start:end]...), nil
}

func (m *memStore) LeafIndex(_ context.Context, eventID string) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, e := range m.events {
		if e == eventID {
			return uint64(i), nil
		}
	}
	return 0, store.ErrNotFound
}

func (m *memStore) LeafEvent(_ context.Context, i uint64) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if i >= uint64(len(m.events)) {
		return "", store.ErrNotFound
	}
	return m.events[i], nil
}

func (m *memStore) PutTiles(_ context.Context, tiles []store.Tile) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range tiles {
		if len(t.Hashes) > len(m.tiles[t.TileKey]) {
			m.tiles[t.TileKey] = append([]byte(nil), t.Hashes...)
		}
	}
	return nil
}

func (m *memStore) Tiles(_ context.Context, keys []store.TileKey) ([]store.Tile, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.Tile
	for _, k := range keys {
		m.tileReads++
		if h, ok := m.tiles[k]; ok {
			out = append(out, store.Tile{TileKey: k, Hashes: h})
		}
	}
	return out, nil
}

func (m *memStore) PutCheckpoint(_ context.Context, size uint64, note []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.checkpoints[size] = append([]byte(nil), note...)
	if !m.hasLatest || size >= m.latest {
		m.latest, m.hasLatest = size, true
	}
	return nil
}

func (m *memStore) Checkpoint(_ context.Context, size uint64) (uint64, []byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if size == 0 {
		if !m.hasLatest {
			return 0, nil, store.ErrNotFound
		}
		size = m.latest
	}
	n, ok := m.checkpoints[size]
	if !ok {
		return 0, nil, store.ErrNotFound
	}
	return size, n, nil
}
