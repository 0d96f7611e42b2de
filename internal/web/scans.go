package web

import (
	"context"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"time"
)

// scanFlushInterval is how often buffered lookup counts are written to
// the store.
const scanFlushInterval = time.Second

// storedTTL is how long stored counts are cached. Lookups counted by other
// server processes on the same database show after at most this long.
const storedTTL = 5 * time.Second

// maxStoredStats bounds the cache of stored counts.
const maxStoredStats = 10000

type storedStats struct {
	st      ScanStats
	expires time.Time
}

// scanKey identifies one counter: a code looked up from a city.
type scanKey struct{ canonical, city string }

// scanBuffer counts lookups in memory and writes them to the store in one
// batch per scanFlushInterval, so that page views do not queue behind one
// another for the store's write lock. Counts shown to consumers include
// the buffered lookups.
type scanBuffer struct {
	fb  Feedback
	log *slog.Logger

	// flushing keeps lookups out while a flush moves counts from pending
	// to the store: a lookup holds it for reading from its cache read to
	// its pending merge, so it sees each count exactly once.
	flushing sync.RWMutex

	mu      sync.Mutex
	pending map[scanKey]*ScanCount
	// stored caches the stored counts of recently looked-up codes for
	// storedTTL, so that a popular code costs one store read per TTL.
	// Flushed counts are added to it.
	stored map[string]storedStats
	// cities lists the cities of each code's pending counters.
	cities map[string][]string

	stop chan struct{}
	done chan struct{}
}

func newScanBuffer(fb Feedback, log *slog.Logger) *scanBuffer {
	b := &scanBuffer{fb: fb, log: log, pending: map[scanKey]*ScanCount{}, stored: map[string]storedStats{}, cities: map[string][]string{}, stop: make(chan struct{}), done: make(chan struct{})}
	go b.run()
	return b
}

func (b *scanBuffer) run() {
	defer close(b.done)
	t := time.NewTicker(scanFlushInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			b.flush()
		case <-b.stop:
			b.flush()
			return
		}
	}
}

// flush writes the buffered counts; on failure they are kept for the next
// flush.
func (b *scanBuffer) flush() {
	b.flushing.Lock()
	defer b.flushing.Unlock()
	b.mu.Lock()
	if len(b.pending) == 0 {
		b.mu.Unlock()
		return
	}
	batch := b.pending
	b.pending = map[scanKey]*ScanCount{}
	b.cities = map[string][]string{}
	b.mu.Unlock()

	list := make([]ScanCount, 0, len(batch))
	for _, c := range batch {
		list = append(list, *c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.fb.AddScans(ctx, list); err != nil {
		b.log.Error("write lookup counts; kept for the next try", "counters", len(list), "err", err)
		b.mu.Lock()
		for k, c := range batch {
			b.add(k, *c)
		}
		b.mu.Unlock()
		return
	}
	// Cached counts were all read before the flush, because lookups wait
	// for it, so they lack the batch and it is added to them.
	b.mu.Lock()
	for k, c := range batch {
		if e, ok := b.stored[k.canonical]; ok {
			e.st = mergeCount(e.st, k.city, *c)
			b.stored[k.canonical] = e
		}
	}
	b.mu.Unlock()
}

// mergeCount adds a counter of one city to stats.
func mergeCount(st ScanStats, city string, c ScanCount) ScanStats {
	st.Count += c.Count
	if st.First.IsZero() || c.First.Before(st.First) {
		st.First = c.First
	}
	if c.Last.After(st.Last) {
		st.Last = c.Last
	}
	if city == "" {
		return st
	}
	cities := make([]CityCount, 0, len(st.Cities)+1)
	found := false
	for _, cc := range st.Cities {
		if cc.City == city {
			cc.Count += c.Count
			found = true
		}
		cities = append(cities, cc)
	}
	if !found {
		cities = append(cities, CityCount{City: city, Count: c.Count})
	}
	sort.Slice(cities, func(i, j int) bool {
		if cities[i].Count != cities[j].Count {
			return cities[i].Count > cities[j].Count
		}
		return cities[i].City < cities[j].City
	})
	st.Cities = cities
	return st
}

// storedStats returns the stored counts of canonical, from the cache when
// fresh.
func (b *scanBuffer) storedStats(ctx context.Context, canonical string, now time.Time) (ScanStats, error) {
	b.mu.Lock()
	e, ok := b.stored[canonical]
	b.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.st, nil
	}
	st, err := b.fb.ScanStats(ctx, canonical)
	if err != nil {
		return st, err
	}
	b.mu.Lock()
	if len(b.stored) >= maxStoredStats {
		for k, e := range b.stored {
			if now.After(e.expires) {
				delete(b.stored, k)
			}
		}
		if len(b.stored) >= maxStoredStats {
			clear(b.stored)
		}
	}
	b.stored[canonical] = storedStats{st: st, expires: now.Add(storedTTL)}
	b.mu.Unlock()
	return st, nil
}

// add merges c into the pending counter k; the caller holds b.mu.
func (b *scanBuffer) add(k scanKey, c ScanCount) {
	p, ok := b.pending[k]
	if !ok {
		if !slices.Contains(b.cities[k.canonical], k.city) {
			b.cities[k.canonical] = append(b.cities[k.canonical], k.city)
		}
		cp := c
		b.pending[k] = &cp
		return
	}
	p.Count += c.Count
	if c.First.Before(p.First) {
		p.First = c.First
	}
	if c.Last.After(p.Last) {
		p.Last = c.Last
	}
}

// record counts one lookup and returns the counts before it: the stored
// ones plus the buffered ones.
func (b *scanBuffer) record(ctx context.Context, canonical, city string, at time.Time) (ScanStats, error) {
	b.flushing.RLock()
	defer b.flushing.RUnlock()
	st, err := b.storedStats(ctx, canonical, time.Now())
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, pendingCity := range b.cities[canonical] {
		if c, ok := b.pending[scanKey{canonical, pendingCity}]; ok {
			st = mergeCount(st, pendingCity, *c)
		}
	}
	b.add(scanKey{canonical, city}, ScanCount{Canonical: canonical, City: city, Count: 1, First: at, Last: at})
	return st, err
}

// close writes the buffered counts and stops the flusher.
func (b *scanBuffer) close() {
	select {
	case <-b.stop:
	default:
		close(b.stop)
	}
	<-b.done
}
