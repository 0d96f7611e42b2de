package trace

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// ErrInvalid is returned (wrapped) for a trace request the tracer cannot
// act on: an identifier no form of package ident reads, an unknown
// direction, a negative depth or a window that ends before it starts. It
// wraps store.ErrInvalid, so callers that map store errors treat it as a
// bad request.
var ErrInvalid = fmt.Errorf("invalid trace request: %w", store.ErrInvalid)

// Direction is the way a trace walks.
type Direction string

// Trace directions.
const (
	// Backward walks upstream: containers while the object was inside,
	// inputs of transformations, the lot of an instance, down to raw
	// materials.
	Backward Direction = "backward"
	// Forward walks downstream: contents of containers, outputs of
	// transformations, instances of a lot.
	Forward Direction = "forward"
	// Both walks both ways from the start and merges the two graphs.
	Both Direction = "both"
)

// ParseDirection returns the direction named s; "" means Backward.
func ParseDirection(s string) (Direction, error) {
	switch d := Direction(strings.ToLower(strings.TrimSpace(s))); d {
	case "":
		return Backward, nil
	case Backward, Forward, Both:
		return d, nil
	}
	return "", fmt.Errorf("%w: direction %q is unknown; use backward, forward or both", ErrInvalid, s)
}

// Options restrict a trace. The zero value walks backward without depth
// limit or time window.
type Options struct {
	Direction Direction
	// Depth is the most edges a path may have from the start; 0 means no
	// limit.
	Depth int
	// From and To bound the time window [From, To) of the start's events;
	// zero times do not bound. Containment spans and transformation times
	// narrow the window as the walk goes on.
	From, To time.Time
	// MaxNodes stops each walk once it has reached that many nodes and
	// marks the graph Truncated; 0 means no limit.
	MaxNodes int
}

// NodeKind classifies a node of a trace graph.
type NodeKind string

// Node kinds.
const (
	// KindInstance is a serialised object, such as an SGTIN.
	KindInstance NodeKind = "instance"
	// KindClass is a class or lot, such as an LGTIN or a GTIN with a
	// quantity.
	KindClass NodeKind = "class"
	// KindContainer is a logistic unit or returnable asset that held other
	// objects: an SSCC, GRAI, GIAI, or any parentID of an aggregation.
	KindContainer NodeKind = "container"
	// KindTransformation is a transformationID linking TransformationEvents.
	KindTransformation NodeKind = "transformation"
)

// Holder is who and where an object was at its last known event.
type Holder struct {
	// Party is the destination owning_party of the last event, else its
	// possessing_party; empty when the event named neither.
	Party string `json:"party,omitempty"`
	// Location is the destination location of the last event, else its
	// bizLocation.
	Location string `json:"location,omitempty"`
	// Time, BizStep and Disposition are those of the last event.
	Time        time.Time `json:"time"`
	BizStep     string    `json:"bizStep,omitempty"`
	Disposition string    `json:"disposition,omitempty"`
	EventID     string    `json:"eventID,omitempty"`
}

// Node is one identifier of a trace graph.
type Node struct {
	ID   string   `json:"id"`
	Kind NodeKind `json:"kind"`
	// Depth is the number of edges on the shortest path from the start.
	Depth int `json:"depth"`
	// Steps lists the events touching the node in time order, restricted
	// to the spans in which the walk reached it (a container shows only
	// the time its content was inside).
	Steps []store.Step `json:"steps"`
	// Holder is the last known holder, from the node's own last event or
	// that of the container holding it then. It is nil when no event
	// names the node.
	Holder *Holder `json:"holder,omitempty"`
	// Quantity and UOM are the last quantity an event gave for a class.
	Quantity *float64 `json:"quantity,omitempty"`
	UOM      string   `json:"uom,omitempty"`

	// touches holds the touch behind each of Steps, in the same order.
	touches []store.Touch
}

// Link is one edge of a trace graph.
type Link struct {
	From string         `json:"from"`
	To   string         `json:"to"`
	Kind store.EdgeKind `json:"kind"`
	// ValidFrom and ValidTo bound a containment or association (nil for
	// no bound); a transformation or lot edge has ValidFrom only, the
	// event time.
	ValidFrom *time.Time `json:"validFrom,omitempty"`
	ValidTo   *time.Time `json:"validTo,omitempty"`
	Quantity  *float64   `json:"quantity,omitempty"`
	UOM       string     `json:"uom,omitempty"`
	// EventID is the event that wrote the edge; for a containment, the
	// event that opened it.
	EventID string `json:"eventID,omitempty"`
	seq     int64
}

// Graph is the result of a trace.
type Graph struct {
	Root      string    `json:"root"`
	Direction Direction `json:"direction"`
	Nodes     []Node    `json:"nodes"`
	Links     []Link    `json:"links"`
	// Truncated reports that a walk stopped at Options.MaxNodes, so
	// nodes beyond the limit are missing.
	Truncated bool `json:"truncated,omitempty"`
}

// Node returns the node with the given canonical identifier, or nil.
func (g *Graph) Node(id string) *Node {
	for i := range g.Nodes {
		if g.Nodes[i].ID == id {
			return &g.Nodes[i]
		}
	}
	return nil
}

// Tracer computes traces and recall scopes from a lineage index. It is safe
// for concurrent use.
type Tracer struct {
	ls       store.LineageStore
	regions  RegionResolver
	channels ChannelResolver
}

// New returns a tracer over ls that resolves regions and channels with the
// built-in rules (see IdentifierRegions and StepChannels).
func New(ls store.LineageStore) *Tracer {
	return &Tracer{ls: ls, regions: IdentifierRegions{}, channels: StepChannels{}}
}

// WithResolvers returns a copy of t using the given resolvers; a nil
// resolver keeps the current one. A party registry plugs in here.
func (t *Tracer) WithResolvers(r RegionResolver, c ChannelResolver) *Tracer {
	cp := *t
	if r != nil {
		cp.regions = r
	}
	if c != nil {
		cp.channels = c
	}
	return &cp
}

// CanonicalID returns the canonical form of an identifier given in any
// form ident.Parse reads (element string, Digital Link on any host, EPC
// URN, bare GTIN or SSCC, Chinese code), or any absolute URI such as a
// transformationID. The error wraps ErrInvalid.
func CanonicalID(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("%w: identifier is empty; give a GS1 Digital Link, EPC URN, element string or GTIN", ErrInvalid)
	}
	if scan, err := ident.Parse(s); err == nil && scan.Canonical != "" {
		return scan.Canonical, nil
	}
	c, err := ident.Canonical(s)
	if err != nil {
		return "", fmt.Errorf("%w: identifier %q: %w", ErrInvalid, s, err)
	}
	return c, nil
}

// Trace walks the lineage index from id (any form CanonicalID reads) as
// opts sets and returns the graph. An identifier that no event names gives
// an error wrapping store.ErrNotFound.
func (t *Tracer) Trace(ctx context.Context, id string, opts Options) (*Graph, error) {
	return t.trace(ctx, id, opts, false)
}

// trace is Trace. A summary trace, for a recall scope, leaves out the
// graph's links and the steps of instances and containers (they keep
// their holder), because reading and decoding every event of 100,000
// items would take most of the time.
func (t *Tracer) trace(ctx context.Context, id string, opts Options, summary bool) (*Graph, error) {
	root, err := CanonicalID(id)
	if err != nil {
		return nil, err
	}
	if opts.Direction == "" {
		opts.Direction = Backward
	}
	if _, err := ParseDirection(string(opts.Direction)); err != nil {
		return nil, err
	}
	if opts.MaxNodes < 0 {
		return nil, fmt.Errorf("%w: node limit %d is negative; give 0 for no limit or a positive number", ErrInvalid, opts.MaxNodes)
	}
	if opts.Depth < 0 {
		return nil, fmt.Errorf("%w: depth %d is negative; give 0 for no limit or a positive number", ErrInvalid, opts.Depth)
	}
	window := spanOf(opts.From, opts.To)
	if window.empty() {
		return nil, fmt.Errorf("%w: time window from %s to %s is empty; give from before to", ErrInvalid, opts.From.Format(time.RFC3339), opts.To.Format(time.RFC3339))
	}
	if err := t.checkKnown(ctx, root); err != nil {
		return nil, err
	}

	edges := newEdgeCache(t.ls)
	spans := map[string][]span{}
	depth := map[string]int{}
	links := map[linkKey]*Link{}
	truncated := false
	dirs := []bool{opts.Direction == Backward}
	if opts.Direction == Both {
		dirs = []bool{true, false}
	}
	if summary {
		links = nil
	}
	for _, backward := range dirs {
		w := &walk{edges: edges, backward: backward, window: window, maxDepth: opts.Depth, maxNodes: opts.MaxNodes,
			spans: map[string][]span{}, depth: map[string]int{}, links: links}
		if err := w.run(ctx, []string{root}); err != nil {
			return nil, fmt.Errorf("trace %s: %w", root, err)
		}
		truncated = truncated || w.truncated
		if len(dirs) == 1 {
			spans, depth = w.spans, w.depth
			break
		}
		for id, ss := range w.spans {
			spans[id] = append(spans[id], ss...)
			if d, ok := depth[id]; !ok || w.depth[id] < d {
				depth[id] = w.depth[id]
			}
		}
	}
	g := &Graph{Root: root, Direction: opts.Direction, Truncated: truncated}
	for _, l := range links {
		if _, from := spans[l.From]; !from {
			continue // an endpoint beyond the node limit
		}
		if _, to := spans[l.To]; !to {
			continue
		}
		g.Links = append(g.Links, *l)
	}
	slices.SortFunc(g.Links, func(a, b Link) int {
		return strings.Compare(a.From+"\x00"+a.To, b.From+"\x00"+b.To)
	})
	if err := t.describe(ctx, g, spans, depth, edges, summary); err != nil {
		return nil, fmt.Errorf("trace %s: %w", root, err)
	}
	return g, nil
}

// checkKnown returns an error wrapping store.ErrNotFound when no event
// names id and no edge leaves or reaches it.
func (t *Tracer) checkKnown(ctx context.Context, id string) error {
	touches, err := t.ls.Touches(ctx, []string{id})
	if err != nil {
		return fmt.Errorf("trace %s: %w", id, err)
	}
	if len(touches) > 0 {
		return nil
	}
	edges, err := t.ls.Edges(ctx, store.EdgeFilter{From: []string{id}, To: []string{id}})
	if err != nil {
		return fmt.Errorf("trace %s: %w", id, err)
	}
	if len(edges) == 0 {
		return fmt.Errorf("trace: no event names %s: %w", id, store.ErrNotFound)
	}
	return nil
}

// describe fills the nodes of g: kind, steps within their spans, last
// known holder and quantity. With summary set only class nodes get their
// steps.
func (t *Tracer) describe(ctx context.Context, g *Graph, spans map[string][]span, depth map[string]int, edges *edgeCache, summary bool) error {
	type ranked struct {
		id    string
		depth int
	}
	order := make([]ranked, 0, len(spans))
	for id := range spans {
		order = append(order, ranked{id, depth[id]})
	}
	order = sortConcurrently(order, func(a, b ranked) int {
		if a.depth != b.depth {
			return a.depth - b.depth
		}
		return strings.Compare(a.id, b.id)
	})
	ids := make([]string, len(order))
	for i, r := range order {
		ids[i] = r.id
	}

	// Touches the walk has not read yet and the containers holding the
	// nodes are independent reads, so they run at the same time.
	// The cache's touches serve as byID, which gains the touches read
	// here and those of the containers lastEvents finds.
	byID := edges.touches
	var unread []string
	for _, id := range ids {
		if _, ok := byID[id]; !ok {
			unread = append(unread, id)
		}
	}
	var touches []store.Touch
	touchErr := make(chan error, 1)
	go func() {
		var err error
		if len(unread) > 0 {
			touches, err = t.ls.Touches(ctx, unread)
		}
		touchErr <- err
	}()
	load := edges.load
	if summary {
		load = edges.loadContainers
	}
	loadErr := load(ctx, ids, false)
	if err := errors.Join(<-touchErr, loadErr); err != nil {
		return err
	}
	for _, id := range unread {
		byID[id] = nil
	}
	for _, tc := range touches {
		byID[tc.ID] = append(byID[tc.ID], tc)
	}
	last, err := t.lastEvents(ctx, ids, byID, edges, summary)
	if err != nil {
		return err
	}

	// Load the steps of the touches inside each node's spans, of each
	// node's last event and of each link's event, in one call.
	var seqs []int64
	seqSeen := map[int64]bool{}
	wanted := make([][]store.Touch, len(ids))
	kinds := make([]NodeKind, len(ids))
	for i, id := range ids {
		touches := byID[id]
		kinds[i] = kindOf(id, touches, edges)
		if !summary || kinds[i] == KindClass {
			for _, tc := range touches {
				if !inAny(spans[id], tc.Time.UnixNano()) {
					continue
				}
				wanted[i] = append(wanted[i], tc)
				if !seqSeen[tc.Seq] {
					seqSeen[tc.Seq] = true
					seqs = append(seqs, tc.Seq)
				}
			}
		}
		if l := last[i]; l.ok && !seqSeen[l.Seq] {
			seqSeen[l.Seq] = true
			seqs = append(seqs, l.Seq)
		}
	}
	for _, l := range g.Links {
		if !seqSeen[l.seq] {
			seqSeen[l.seq] = true
			seqs = append(seqs, l.seq)
		}
	}
	steps, err := t.ls.Steps(ctx, seqs)
	if err != nil {
		return err
	}
	for i := range g.Links {
		g.Links[i].EventID = steps[g.Links[i].seq].EventID
	}

	// Nodes whose last event is the same share its holder, so that a
	// recall scope resolves each holder once.
	holders := map[int64]*Holder{}
	g.Nodes = make([]Node, 0, len(ids))
	for i, id := range ids {
		n := Node{ID: id, Kind: kinds[i], Depth: order[i].depth, Steps: []store.Step{}}
		for _, tc := range wanted[i] {
			if st, ok := steps[tc.Seq]; ok {
				n.Steps = append(n.Steps, st)
				n.touches = append(n.touches, tc)
			}
			if tc.Quantity != nil {
				n.Quantity, n.UOM = tc.Quantity, tc.UOM
			}
		}
		if l := last[i]; l.ok {
			if h := holders[l.Seq]; h != nil {
				n.Holder = h
			} else if st, ok := steps[l.Seq]; ok {
				n.Holder = holderOf(st)
				holders[l.Seq] = n.Holder
			}
		}
		g.Nodes = append(g.Nodes, n)
	}
	return nil
}

// inAny reports whether t falls in one of spans, end included, so that a
// container shows the event that took the content out.
func inAny(spans []span, t int64) bool {
	for _, s := range spans {
		if s.from <= t && t <= s.to {
			return true
		}
	}
	return false
}

// maxNesting is how many container levels lastEvents climbs: item in
// case, on pallet, in shipping container, in truck.
const maxNesting = 4

// lastEvents returns, for each of ids in order, its latest touch or the
// latest touch of a container while it held the identifier (the event
// that took it out included), over up to maxNesting levels of containers,
// whichever is later. Shipping events often name only the pallet, and an
// unpacking event without children names only the container. With
// summary set it reads only the containment edges reaching ids and the
// DELETEs of all children leaving their containers. The caller must have
// loaded the edges reaching ids.
func (t *Tracer) lastEvents(ctx context.Context, ids []string, byID map[string][]store.Touch, edges *edgeCache, summary bool) ([]lastTouch, error) {
	level := ids
	var containers []string
	for nesting := range maxNesting {
		load := edges.load
		if summary {
			load = edges.loadContainers
		}
		// describe has loaded the edges reaching ids.
		if nesting > 0 {
			if err := load(ctx, level, false); err != nil {
				return nil, err
			}
		}
		var parents []string
		seen := map[string]bool{}
		for _, id := range level {
			for _, e := range edges.reaching(id) {
				if e.Kind == store.EdgeContains && !seen[e.From] {
					seen[e.From] = true
					parents = append(parents, e.From)
				}
			}
		}
		if len(parents) == 0 {
			break
		}
		containers = append(containers, parents...)
		if summary {
			// The parents' touches and containers come with their
			// DELETEs of all children, in one read.
			if err := edges.loadAdjacent(ctx, parents, true); err != nil {
				return nil, err
			}
		} else if err := edges.load(ctx, parents, true); err != nil {
			return nil, err
		}
		// byID is the cache's touches, which loadAdjacent may have grown
		// into a new map.
		byID = edges.touches
		var missing []string
		for _, p := range parents {
			if _, ok := byID[p]; !ok {
				byID[p] = nil
				missing = append(missing, p)
			}
		}
		if len(missing) > 0 {
			more, err := t.ls.Touches(ctx, missing)
			if err != nil {
				return nil, err
			}
			for _, tc := range more {
				byID[tc.ID] = append(byID[tc.ID], tc)
			}
		}
		level = parents
	}

	out := make([]lastTouch, len(ids))
	workers := min(runtime.GOMAXPROCS(0), len(ids)/parallelLatest)
	if workers <= 1 {
		f := &latestFinder{byID: byID, edges: edges, memo: map[withinKey]lastTouch{}, cached: true}
		for i, id := range ids {
			out[i] = f.latest(id, everything, 0)
		}
		return out, nil
	}
	// The workers only read the cache. The child indexes they would
	// build are built first, and they compute spans without keeping
	// them. Each has its own memo, so a container whose items fall to
	// two workers is computed twice.
	edges.indexChildren(containers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			f := &latestFinder{byID: byID, edges: edges, memo: map[withinKey]lastTouch{}}
			for i := w * len(ids) / workers; i < (w+1)*len(ids)/workers; i++ {
				out[i] = f.latest(ids[i], everything, 0)
			}
		})
	}
	wg.Wait()
	return out, nil
}

// parallelLatest is the least number of identifiers lastEvents gives each
// of its workers. Tests lower it to run the concurrent path on small
// chains.
var parallelLatest = 10000

type withinKey struct {
	id    string
	s     span
	depth int
}

// latestFinder finds the latest touch of an identifier or of its
// containers while they held it (see lastEvents).
type latestFinder struct {
	byID  map[string][]store.Touch
	edges *edgeCache
	// memo holds the results for containers, because the items of one
	// case share the case's span and therefore its result.
	memo map[withinKey]lastTouch
	// cached lets the finder keep the spans it computes in the edge
	// cache. A finder running next to others must not write the cache.
	cached bool
}

// within is latest, memoised.
func (f *latestFinder) within(id string, s span, depth int) lastTouch {
	k := withinKey{id, s, depth}
	if r, ok := f.memo[k]; ok {
		return r
	}
	r := f.latest(id, s, depth)
	f.memo[k] = r
	return r
}

// latest returns the latest touch of id within s, its own or that of a
// container holding it then, climbing from depth to maxNesting.
func (f *latestFinder) latest(id string, s span, depth int) lastTouch {
	var best lastTouch
	for _, tc := range f.byID[id] {
		if at := tc.Time.UnixNano(); at >= s.from && at <= s.to && (!best.ok || !tc.Time.Before(best.Time)) {
			best = lastTouch{tc, true}
		}
	}
	if depth >= maxNesting {
		return best
	}
	// An object is in few containers over its life, so a list finds
	// those done faster than a map.
	var done []string
	reaching := f.edges.reaching(id)
	for _, e := range reaching {
		if e.Kind != store.EdgeContains || slices.Contains(done, e.From) {
			continue
		}
		done = append(done, e.From)
		// inside holds the spans in which e.From held id. Only a cached
		// finder keeps them, and not at depth 0, where each identifier is
		// looked up once.
		var inside []span
		if f.cached && depth > 0 {
			inside = f.edges.spans(store.EdgeContains, e.From, id)
		} else {
			inside = containmentSpans(store.EdgeContains, e.From, id, f.edges.between(e.From, id), reaching)
		}
		for _, cs := range inside {
			in := cs.intersect(s)
			if in.from > in.to {
				continue
			}
			if c := f.within(e.From, in, depth+1); c.ok && (!best.ok || c.Time.After(best.Time)) {
				best = c
			}
		}
	}
	return best
}

// sortConcurrently returns list sorted by cmp. A list of parallelLatest
// items or more is sorted in one part per processor at the same time,
// and the parts are then merged.
func sortConcurrently[T any](list []T, cmp func(a, b T) int) []T {
	n := min(runtime.GOMAXPROCS(0), len(list)/parallelLatest)
	if n <= 1 {
		slices.SortFunc(list, cmp)
		return list
	}
	parts := make([][]T, n)
	var wg sync.WaitGroup
	for i := range n {
		parts[i] = list[i*len(list)/n : (i+1)*len(list)/n]
		wg.Go(func() { slices.SortFunc(parts[i], cmp) })
	}
	wg.Wait()
	merged := parts[0]
	for _, part := range parts[1:] {
		out := make([]T, 0, len(merged)+len(part))
		i, j := 0, 0
		for i < len(merged) && j < len(part) {
			if cmp(merged[i], part[j]) <= 0 {
				out = append(out, merged[i])
				i++
			} else {
				out = append(out, part[j])
				j++
			}
		}
		out = append(out, merged[i:]...)
		merged = append(out, part[j:]...)
	}
	return merged
}

// lastTouch is the latest touch of one identifier, if ok.
type lastTouch struct {
	store.Touch
	ok bool
}

// kindOf classifies a node by its identifier and how events used it.
func kindOf(id string, touches []store.Touch, edges *edgeCache) NodeKind {
	if rest, ok := strings.CutPrefix(id, gs1Base); ok {
		switch {
		case strings.HasPrefix(rest, "00/"), strings.HasPrefix(rest, "8003/"), strings.HasPrefix(rest, "8004/"):
			return KindContainer
		case strings.HasPrefix(rest, "01/") && !strings.Contains(rest, "/21/"):
			return KindClass
		}
	}
	for _, tc := range touches {
		if store.IsClassRole(tc.Role) {
			return KindClass
		}
	}
	for _, e := range edges.from[id] {
		if e.Kind == store.EdgeContains || e.Kind == store.EdgeAssociated {
			return KindContainer
		}
	}
	if len(touches) == 0 {
		for _, e := range append(slices.Clone(edges.from[id]), edges.to[id]...) {
			if e.Kind == store.EdgeTransformedInto {
				return KindTransformation
			}
		}
	}
	return KindInstance
}

// CBV 2.0 source/destination types.
const (
	sdOwningParty     = "urn:epcglobal:cbv:sdt:owning_party"
	sdPossessingParty = "urn:epcglobal:cbv:sdt:possessing_party"
	sdLocation        = "urn:epcglobal:cbv:sdt:location"
)

// holderOf returns the holder an event leaves its objects with.
func holderOf(st store.Step) *Holder {
	h := &Holder{Time: st.EventTime, BizStep: st.BizStep, Disposition: st.Disposition, EventID: st.EventID, Location: st.BizLocation}
	for _, typ := range []string{sdOwningParty, sdPossessingParty} {
		for _, d := range st.Destinations {
			if d.Type == typ && h.Party == "" {
				h.Party = d.Value
			}
		}
	}
	for _, d := range st.Destinations {
		if d.Type == sdLocation {
			h.Location = d.Value
			break
		}
	}
	return h
}
