package trace

import (
	"context"
	"errors"
	"maps"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// span is a half-open interval [from, to) of Unix nanoseconds;
// math.MinInt64 and math.MaxInt64 stand for no bound.
type span struct{ from, to int64 }

var everything = span{math.MinInt64, math.MaxInt64}

func (s span) empty() bool { return s.from >= s.to }

func (s span) intersect(o span) span { return span{max(s.from, o.from), min(s.to, o.to)} }

func (s span) covers(o span) bool { return s.from <= o.from && o.to <= s.to }

func (s span) contains(t int64) bool { return s.from <= t && t < s.to }

// spanOf returns the span of a time window; zero times do not bound.
func spanOf(from, to time.Time) span {
	s := everything
	if !from.IsZero() {
		s.from = from.UnixNano()
	}
	if !to.IsZero() {
		s.to = to.UnixNano()
	}
	return s
}

// timeOf returns the time of a span bound, or nil for no bound.
func timeOf(ns int64) *time.Time {
	if ns == math.MinInt64 || ns == math.MaxInt64 {
		return nil
	}
	t := time.Unix(0, ns).UTC()
	return &t
}

// containmentSpans returns the intervals during which parent held child
// through edges of kind, from every edge of that kind leaving parent and
// every edge of that kind reaching child, in (Time, Seq) order. An ADD or
// OBSERVE opens the interval, and a DELETE of the child or of all children
// closes it. For EdgeContains an ADD of the child into another parent
// closes it too, because an object is in one container at a time. Edges
// of events with an error declaration are ignored.
func containmentSpans(kind store.EdgeKind, parent, child string, fromParent, toChild []store.Edge) []span {
	var evs []store.Edge
	for _, e := range fromParent {
		if e.Kind == kind && (e.To == child || (e.To == store.AllChildren && e.Op == store.OpDelete)) {
			evs = append(evs, e)
		}
	}
	for _, e := range toChild {
		if e.Kind == kind && e.From != parent && e.Op == store.OpAdd && kind == store.EdgeContains {
			evs = append(evs, e)
		}
	}
	slices.SortStableFunc(evs, func(a, b store.Edge) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return int(a.Seq - b.Seq)
	})
	var (
		out  []span
		open bool
		from int64
	)
	for _, e := range evs {
		if e.Declared {
			continue
		}
		t := e.Time.UnixNano()
		switch {
		case e.From == parent && e.To == child && e.Op != store.OpDelete:
			if !open {
				open, from = true, t
			}
		case open:
			// A DELETE, or a move of the child into another parent.
			if t > from {
				out = append(out, span{from, t})
			}
			open = false
		}
	}
	if open {
		out = append(out, span{from, math.MaxInt64})
	}
	return out
}

// visit is one node reached by a walk, with the span in which it carries
// what the walk follows, and its distance from the start.
type visit struct {
	id    string
	span  span
	depth int
}

// edgeCache loads lineage edges by identifier in batches and keeps them
// for the walk.
type edgeCache struct {
	ls       store.LineageStore
	from, to map[string][]store.Edge

	// children indexes the loaded edges leaving each parent by child, so
	// that the spans of one parent and child cost no scan of all the
	// parent's children. held memoises containment spans.
	children map[string]*childIndex
	held     map[heldKey][]span
	// into holds the containment edges reaching identifiers whose edges
	// reaching them are not all loaded (see loadContainers).
	into map[string][]store.Edge
	// touches holds the touches of the identifiers loadAdjacent read.
	touches map[string][]store.Touch
	// emptied holds the DELETEs of all children leaving containers whose
	// other edges leaving them are not loaded. With the containment edges
	// reaching a child loaded, that is all spans needs of the container:
	// the other edges between the two reach the child too, so a case's
	// full contents are never read to find when one item left.
	emptied map[string][]store.Edge
}

// childIndex groups the edges leaving one parent: those naming each
// child, and the DELETEs of all children, which end every child's span.
type childIndex struct {
	byChild   map[string][]store.Edge
	deleteAll []store.Edge
}

type heldKey struct {
	kind          store.EdgeKind
	parent, child string
}

func newEdgeCache(ls store.LineageStore) *edgeCache {
	return &edgeCache{ls: ls, from: map[string][]store.Edge{}, to: map[string][]store.Edge{},
		children: map[string]*childIndex{}, held: map[heldKey][]span{}, into: map[string][]store.Edge{},
		touches: map[string][]store.Touch{}, emptied: map[string][]store.Edge{}}
}

// reserve returns m, or a copy of m with room for n more keys when n is
// large against the keys m has. A map then grows once for a large
// frontier instead of doubling many times, each time hashing every key
// again.
func reserve[V any](m map[string]V, n int) map[string]V {
	if n < 1024 || n < len(m) {
		return m
	}
	out := make(map[string]V, len(m)+n)
	maps.Copy(out, m)
	return out
}

// unloaded returns the identifiers of ids that are keys of neither full
// nor partial, each once.
func unloaded(ids []string, full, partial map[string][]store.Edge) []string {
	var (
		missing []string
		seen    map[string]bool // made at the first identifier missing
	)
	for _, id := range ids {
		_, inFull := full[id]
		_, inPartial := partial[id]
		if !inFull && !inPartial && !seen[id] {
			if seen == nil {
				seen = map[string]bool{}
			}
			seen[id] = true
			missing = append(missing, id)
		}
	}
	return missing
}

// loadAdjacent reads, in one call of the store, the edges leaving each of
// ids not loaded yet, with its touches and the containment edges reaching
// it (see store.LineageStore.Adjacent). A forward walk then finds in the
// cache what describing its nodes needs. With emptiedOnly it reads, of
// the edges leaving, only the DELETEs of all children, into emptied.
func (c *edgeCache) loadAdjacent(ctx context.Context, ids []string, emptiedOnly bool) error {
	out := c.from
	if emptiedOnly {
		out = c.emptied
	}
	missing := unloaded(ids, c.from, out)
	if len(missing) == 0 {
		return nil
	}

	out = reserve(out, len(missing))
	if emptiedOnly {
		c.emptied = out
	} else {
		c.from = out
	}
	c.into = reserve(c.into, len(missing))
	c.touches = reserve(c.touches, len(missing))
	// The store groups each list by identifier in ascending order, so
	// with missing sorted too one pass pairs each identifier with its
	// groups. Each group is stored as a subslice without copying, its
	// capacity cut so that appending to it copies instead of overwriting
	// the next group.
	slices.Sort(missing)
	parts, err := adjacentParts(ctx, c.ls, missing, emptiedOnly)
	if err != nil {
		return err
	}
	touches, entering, leaving := parts[0].Touches, parts[0].In, parts[0].Out
	for _, a := range parts[1:] {
		touches = append(touches, a.Touches...)
		entering = append(entering, a.In...)
		leaving = append(leaving, a.Out...)
	}
	var ti, ii, oi int
	for _, id := range missing {
		start := oi
		for oi < len(leaving) && leaving[oi].From == id {
			oi++
		}
		out[id] = group(leaving, start, oi)
		start = ti
		for ti < len(touches) && touches[ti].ID == id {
			ti++
		}
		// Touches and edges reaching an identifier that are loaded
		// already are not replaced.
		if _, ok := c.touches[id]; !ok {
			c.touches[id] = group(touches, start, ti)
		}
		start = ii
		for ii < len(entering) && entering[ii].To == id {
			ii++
		}
		_, full := c.to[id]
		if _, partial := c.into[id]; !full && !partial {
			c.into[id] = group(entering, start, ii)
		}
	}
	if ti < len(touches) || ii < len(entering) || oi < len(leaving) {
		return errors.New("lineage adjacency is not grouped by identifier in ascending order")
	}
	return nil
}

// group returns list[start:end] with its capacity cut to its length, or
// nil when it is empty.
func group[T any](list []T, start, end int) []T {
	if start == end {
		return nil
	}
	return list[start:end:end]
}

// partSize is the least number of identifiers adjacentParts gives each
// concurrent read. Tests lower it to run the concurrent path on small
// chains.
var partSize = 5000

// adjacentParts reads the adjacency of ids, which must be distinct. A
// large set, such as the items of a recalled lot, is split into one part
// per processor, read at the same time. Each identifier's touches and
// edges are in one part, in the store's order.
func adjacentParts(ctx context.Context, ls store.LineageStore, ids []string, emptiedOnly bool) ([]*store.Adjacency, error) {
	n := min(runtime.GOMAXPROCS(0), len(ids)/partSize)
	if n <= 1 {
		a, err := ls.Adjacent(ctx, ids, emptiedOnly)
		return []*store.Adjacency{a}, err
	}
	parts := make([]*store.Adjacency, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			parts[i], errs[i] = ls.Adjacent(ctx, ids[i*len(ids)/n:(i+1)*len(ids)/n], emptiedOnly)
		})
	}
	wg.Wait()
	return parts, errors.Join(errs...)
}

// reaching returns the loaded edges reaching id: all of them once load
// has read them, else the containment edges loadContainers read.
func (c *edgeCache) reaching(id string) []store.Edge {
	if es, ok := c.to[id]; ok {
		return es
	}
	return c.into[id]
}

// loadContainers fetches the containment edges reaching each of ids whose
// edges reaching it are not loaded yet. It reads fewer rows than load,
// because it leaves out the transformation and lot edges. The out
// argument must be false; it is there so that callers can pick load or
// loadContainers.
func (c *edgeCache) loadContainers(ctx context.Context, ids []string, out bool) error {
	if out {
		return c.load(ctx, ids, true)
	}
	missing := unloaded(ids, c.to, c.into)
	if len(missing) == 0 {
		return nil
	}
	edges, err := c.ls.Edges(ctx, store.EdgeFilter{To: missing, Kinds: []store.EdgeKind{store.EdgeContains, store.EdgeAssociated}})
	if err != nil {
		return err
	}
	for _, id := range missing {
		c.into[id] = nil
	}
	for _, e := range edges {
		c.into[e.To] = append(c.into[e.To], e)
	}
	return nil
}

// between returns the loaded edges leaving parent that name child, and
// the DELETEs of all of parent's children. It returns nil until the edges
// leaving parent are loaded.
func (c *edgeCache) between(parent, child string) []store.Edge {
	ix := c.childIndex(parent)
	if ix == nil {
		all, ok := c.emptied[parent]
		if !ok {
			return nil
		}
		var out []store.Edge
		for _, e := range c.reaching(child) {
			if e.From == parent {
				out = append(out, e)
			}
		}
		return append(out, all...)
	}
	if len(ix.deleteAll) == 0 {
		return ix.byChild[child]
	}
	return append(slices.Clone(ix.byChild[child]), ix.deleteAll...)
}

// childIndex returns the index of the loaded edges leaving parent,
// building it the first time; nil until those edges are loaded.
func (c *edgeCache) childIndex(parent string) *childIndex {
	ix := c.children[parent]
	if _, loaded := c.from[parent]; ix == nil && loaded {
		ix = &childIndex{byChild: map[string][]store.Edge{}}
		for _, e := range c.from[parent] {
			if e.To == store.AllChildren && e.Op == store.OpDelete {
				ix.deleteAll = append(ix.deleteAll, e)
			} else {
				ix.byChild[e.To] = append(ix.byChild[e.To], e)
			}
		}
		c.children[parent] = ix
	}
	return ix
}

// indexChildren builds the child index of each of parents whose edges
// leaving it are loaded, so that between then only reads the cache.
func (c *edgeCache) indexChildren(parents []string) {
	for _, p := range parents {
		c.childIndex(p)
	}
}

// spans returns the containment spans of parent holding child through
// edges of kind (see containmentSpans). Once the edges leaving parent and
// reaching child are loaded, each triple is computed once.
func (c *edgeCache) spans(kind store.EdgeKind, parent, child string) []span {
	k := heldKey{kind, parent, child}
	if s, ok := c.held[k]; ok {
		return s
	}
	s := containmentSpans(kind, parent, child, c.between(parent, child), c.reaching(child))
	_, fromLoaded := c.from[parent]
	if _, ok := c.emptied[parent]; ok {
		fromLoaded = true
	}
	_, toLoaded := c.to[child]
	if _, intoLoaded := c.into[child]; fromLoaded && (toLoaded || intoLoaded) {
		c.held[k] = s
	}
	return s
}

// load fetches the edges leaving (out) or reaching (!out) each of ids not
// loaded yet.
func (c *edgeCache) load(ctx context.Context, ids []string, out bool) error {
	m := c.to
	if out {
		m = c.from
	}
	var missing []string
	seen := map[string]bool{}
	for _, id := range ids {
		if _, ok := m[id]; !ok && !seen[id] {
			seen[id] = true
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	f := store.EdgeFilter{To: missing}
	if out {
		f = store.EdgeFilter{From: missing}
	}
	edges, err := c.ls.Edges(ctx, f)
	if err != nil {
		return err
	}
	for _, id := range missing {
		m[id] = nil
	}
	for _, e := range edges {
		if out {
			m[e.From] = append(m[e.From], e)
		} else {
			m[e.To] = append(m[e.To], e)
		}
	}
	return nil
}

// walk is one breadth-first walk of the lineage edges in one direction.
type walk struct {
	edges    *edgeCache
	backward bool
	window   span
	maxDepth int
	// maxNodes caps the nodes reached (0: no cap); truncated records that
	// the cap dropped a node.
	maxNodes  int
	truncated bool

	// spans lists, per node reached, the spans it was expanded with; a
	// node is expanded again only with a span none of them covers.
	spans map[string][]span
	depth map[string]int
	links map[linkKey]*Link
}

type linkKey struct {
	from, to string
	kind     store.EdgeKind
	seq      int64
	validTo  int64
}

// covered reports whether one of spans covers s.
func covered(spans []span, s span) bool {
	for _, o := range spans {
		if o.covers(s) {
			return true
		}
	}
	return false
}

// run walks from start and returns when the frontier is empty.
func (w *walk) run(ctx context.Context, start []string) error {
	var frontier []visit
	for _, id := range start {
		frontier = append(frontier, visit{id: id, span: w.window})
	}
	for len(frontier) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		w.spans = reserve(w.spans, len(frontier))
		w.depth = reserve(w.depth, len(frontier))
		var next []visit
		ids := make([]string, 0, len(frontier))
		var todo []visit
		for _, v := range frontier {
			spans, known := w.spans[v.id]
			if covered(spans, v.span) {
				continue
			}
			if !known && w.maxNodes > 0 && len(w.spans) >= w.maxNodes {
				w.truncated = true
				continue
			}
			w.spans[v.id] = append(spans, v.span)
			if !known || v.depth < w.depth[v.id] {
				w.depth[v.id] = v.depth
			}
			if w.maxDepth > 0 && v.depth >= w.maxDepth {
				continue
			}
			todo = append(todo, v)
			ids = append(ids, v.id)
		}
		if len(todo) == 0 {
			break
		}
		var err error
		if w.backward {
			next, err = w.stepBackward(ctx, todo, ids)
		} else {
			next, err = w.stepForward(ctx, todo, ids)
		}
		if err != nil {
			return err
		}
		frontier = next
	}
	return nil
}

// link adds the graph link of edge e for span s. A containment link names
// the event that opened the span.
func (w *walk) link(e store.Edge, s span) {
	if w.links == nil {
		return // a summary trace keeps no links
	}
	if e.Kind == store.EdgeContains || e.Kind == store.EdgeAssociated {
		for _, o := range w.edges.between(e.From, e.To) {
			if o.To == e.To && o.Kind == e.Kind && o.Op != store.OpDelete && o.Time.UnixNano() == s.from {
				e = o
				break
			}
		}
	}
	k := linkKey{e.From, e.To, e.Kind, e.Seq, s.to}
	if _, ok := w.links[k]; ok {
		return
	}
	l := &Link{From: e.From, To: e.To, Kind: e.Kind, Quantity: e.Quantity, UOM: e.UOM, seq: e.Seq}
	if e.Kind == store.EdgeContains || e.Kind == store.EdgeAssociated {
		l.ValidFrom, l.ValidTo = timeOf(s.from), timeOf(s.to)
	} else {
		t := e.Time
		l.ValidFrom = &t
	}
	w.links[k] = l
}

// stepBackward follows the edges reaching the nodes of todo: containers
// while the node was inside, inputs of transformations before the node's
// span ends, and the lot of an instance.
func (w *walk) stepBackward(ctx context.Context, todo []visit, ids []string) ([]visit, error) {
	if err := w.edges.load(ctx, ids, false); err != nil {
		return nil, err
	}
	var parents []string
	for _, v := range todo {
		for _, e := range w.edges.to[v.id] {
			if e.Kind == store.EdgeContains || e.Kind == store.EdgeAssociated {
				parents = append(parents, e.From)
			}
		}
	}
	if err := w.edges.load(ctx, parents, true); err != nil {
		return nil, err
	}
	var next []visit
	for _, v := range todo {
		done := map[[2]string]bool{}
		for _, e := range w.edges.to[v.id] {
			if e.Declared {
				continue
			}
			switch e.Kind {
			case store.EdgeContains, store.EdgeAssociated:
				key := [2]string{e.From, string(e.Kind)}
				if done[key] {
					continue
				}
				done[key] = true
				for _, s := range w.edges.spans(e.Kind, e.From, v.id) {
					in := s.intersect(v.span)
					if in.empty() {
						continue
					}
					w.link(e, s)
					next = append(next, visit{e.From, in, v.depth + 1})
				}
			case store.EdgeTransformedInto:
				t := e.Time.UnixNano()
				if t >= v.span.to {
					continue
				}
				in := span{math.MinInt64, t + 1}.intersect(w.window)
				if in.empty() {
					continue
				}
				w.link(e, in)
				next = append(next, visit{e.From, in, v.depth + 1})
			case store.EdgeSameLot:
				w.link(e, v.span)
				next = append(next, visit{e.From, v.span, v.depth + 1})
			}
		}
	}
	return next, nil
}

// stepForward follows the edges leaving the nodes of todo: children while
// inside during the node's span, outputs of transformations at or after
// its span starts, and the instances of a lot.
func (w *walk) stepForward(ctx context.Context, todo []visit, ids []string) ([]visit, error) {
	if err := w.edges.loadAdjacent(ctx, ids, false); err != nil {
		return nil, err
	}
	var children []string
	for _, v := range todo {
		for _, e := range w.edges.from[v.id] {
			if (e.Kind == store.EdgeContains || e.Kind == store.EdgeAssociated) && e.To != store.AllChildren {
				children = append(children, e.To)
			}
		}
	}
	if err := w.edges.load(ctx, children, false); err != nil {
		return nil, err
	}
	var next []visit
	for _, v := range todo {
		done := map[[2]string]bool{}
		for _, e := range w.edges.from[v.id] {
			if e.Declared {
				continue
			}
			switch e.Kind {
			case store.EdgeContains, store.EdgeAssociated:
				key := [2]string{e.To, string(e.Kind)}
				if e.To == store.AllChildren || done[key] {
					continue
				}
				done[key] = true
				for _, s := range w.edges.spans(e.Kind, v.id, e.To) {
					in := s.intersect(v.span)
					if in.empty() {
						continue
					}
					w.link(e, s)
					next = append(next, visit{e.To, in, v.depth + 1})
				}
			case store.EdgeTransformedInto:
				t := e.Time.UnixNano()
				if t < v.span.from {
					continue
				}
				in := span{t, math.MaxInt64}.intersect(w.window)
				if in.empty() {
					continue
				}
				w.link(e, in)
				next = append(next, visit{e.To, in, v.depth + 1})
			case store.EdgeSameLot:
				w.link(e, v.span)
				next = append(next, visit{e.To, v.span, v.depth + 1})
			}
		}
	}
	return next, nil
}
