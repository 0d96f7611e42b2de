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

	// flushing keeps store reads of counts apart from flushes: a lookup
	// that misses the stored cache holds it for reading from its store
	// read to its merge, and a flush holds it for writing. Lookups that
	// hit the cache do not wait for a flush, so a slow write does not
	// stall every page.
	flushing sync.RWMutex

	mu      sync.Mutex
	pending map[scanKey]*ScanCount
	// inflight is the batch a flush is writing, nil between flushes.
	// Lookups count it until the flush has added it to stored, so that
	// they see each count exactly once.
	inflight map[scanKey]*ScanCount
	// stored caches the stored counts of recently looked-up codes for
	// storedTTL, so that a popular code costs one store read per TTL.
	// Flushed counts are added to it.
	stored map[string]storedStats
	// cities and inflightCities list the cities of each code's pending
	// and in-flight counters.
	cities, inflightCities map[string][]string

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
	b.inflight, b.inflightCities = batch, b.cities
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
		defer b.mu.Unlock()
		b.inflight, b.inflightCities = nil, nil
		for k, c := range batch {
			b.add(k, *c)
		}
		return
	}
	// Cached counts were all read before the flush, because store reads
	// wait for it, so they lack the batch and it is added to them in the
	// same step that drops inflight.
	b.mu.Lock()
	defer b.mu.Unlock()
	for k, c := range batch {
		if e, ok := b.stored[k.canonical]; ok {
			e.st = mergeCount(e.st, k.city, *c)
			b.stored[k.canonical] = e
		}
	}
	b.inflight, b.inflightCities = nil, nil
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

// readStored reads the stored counts of canonical from the store and
// caches them; the caller holds b.flushing for reading.
func (b *scanBuffer) readStored(ctx context.Context, canonical string, now time.Time) (ScanStats, error) {
	st, err := b.fb.ScanStats(ctx, canonical)
	if err != nil {
		return st, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
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
// ones plus the in-flight and pending ones.
func (b *scanBuffer) record(ctx context.Context, canonical, city string, at time.Time) (ScanStats, error) {
	now := time.Now()
	b.mu.Lock()
	if e, ok := b.stored[canonical]; ok && now.Before(e.expires) {
		defer b.mu.Unlock()
		return b.countLocked(e.st, canonical, city, at), nil
	}
	b.mu.Unlock()

	// A store read must not overlap a flush: it could see the flushed
	// batch and count it again from inflight.
	b.flushing.RLock()
	defer b.flushing.RUnlock()
	st, err := b.readStored(ctx, canonical, now)
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.countLocked(st, canonical, city, at), err
}

// countLocked adds the in-flight and pending counts of canonical to the
// stored counts st, then counts the lookup; the caller holds b.mu.
func (b *scanBuffer) countLocked(st ScanStats, canonical, city string, at time.Time) ScanStats {
	for _, c := range b.inflightCities[canonical] {
		if n, ok := b.inflight[scanKey{canonical, c}]; ok {
			st = mergeCount(st, c, *n)
		}
	}
	for _, c := range b.cities[canonical] {
		if n, ok := b.pending[scanKey{canonical, c}]; ok {
			st = mergeCount(st, c, *n)
		}
	}
	b.add(scanKey{canonical, city}, ScanCount{Canonical: canonical, City: city, Count: 1, First: at, Last: at})
	return st
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
