package party

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// The Guard serves the lineage index (store.LineageStore) projected per
// audience, so that a trace, a recall scope or an FSMA 204 export built
// on it shows each caller only the events it may see as EPCIS events:
//
//   - administrators read the whole index;
//   - an enterprise reads the edges, touches and steps of the events it
//     is a member of (captured, at its locations, or naming it as source
//     or destination) and of its upstream chain. Upstream steps carry no
//     business transactions, sources or destinations, as with events.
//     Downstream holders it was not party to stay hidden;
//   - a regulator reads those of the events in its jurisdiction and
//     categories, and each read is written to the access log;
//   - the public reads none, because the consumer page shows it the
//     public projection of a product's journey.
//
// Edges and touches of a hidden event are dropped, so a walk never
// crosses it and a graph never names an identifier that only a hidden
// event links to the caller's goods.

// LineageFor returns the lineage index as the caller in ctx may see it.
// The result keeps what it learned about events for its lifetime, so use
// one per request.
func (g *Guard) LineageFor(ctx context.Context) (store.LineageStore, error) {
	ls, ok := g.Store.(store.LineageStore)
	if !ok {
		return nil, fmt.Errorf("store %T keeps no lineage index: %w", g.Store, store.ErrInvalid)
	}
	p := PrincipalFrom(ctx)
	switch p.Audience() {
	case Administrator:
		return ls, nil
	case Public:
		return nil, fmt.Errorf("tracing needs an API token or a session; the consumer page shows the public a product's journey: %w", store.ErrForbidden)
	}
	v, err := NewViewer(ctx, g.Parties, g.Store, p)
	if err != nil {
		return nil, err
	}
	return &lineageView{guard: g, index: ls, viewer: v, events: map[int64]*visibleEvent{}}, nil
}

// lineageView is the lineage index projected for one enterprise or
// regulator.
type lineageView struct {
	guard  *Guard
	index  store.LineageStore
	viewer *Viewer

	// mu serialises the use of viewer, which is not safe for concurrent
	// use, and of events.
	mu sync.Mutex
	// events holds each event read so far by Seq: nil when hidden from
	// the viewer, else its projected step.
	events map[int64]*visibleEvent
}

type visibleEvent struct {
	step   store.Step
	stored store.StoredEvent
	event  *epcis.Event
}

// visible returns the events of seqs that the viewer may see, reading
// and projecting those not seen before.
func (lv *lineageView) visible(ctx context.Context, seqs []int64) (map[int64]*visibleEvent, error) {
	lv.mu.Lock()
	defer lv.mu.Unlock()
	var unread []int64
	for _, s := range seqs {
		if _, ok := lv.events[s]; !ok {
			unread = append(unread, s)
			lv.events[s] = nil
		}
	}
	if len(unread) > 0 {
		steps, err := lv.index.Steps(ctx, unread)
		if err != nil {
			return nil, err
		}
		for seq, st := range steps {
			ve, err := lv.project(ctx, st)
			if err != nil {
				delete(lv.events, seq)
				return nil, err
			}
			lv.events[seq] = ve
		}
	}
	out := make(map[int64]*visibleEvent, len(seqs))
	for _, s := range seqs {
		if ve := lv.events[s]; ve != nil {
			out[s] = ve
		}
	}
	return out, nil
}

// project returns the step as the viewer may see it, or nil when the
// viewer may not see its event. It decides on the served event, with
// the same relation and projection as QueryEvents.
func (lv *lineageView) project(ctx context.Context, st store.Step) (*visibleEvent, error) {
	se, err := lv.guard.Store.Event(ctx, st.EventID)
	if err != nil {
		return nil, fmt.Errorf("read traced event %s: %w", st.EventID, err)
	}
	e, err := epcis.UnmarshalEventJSON(se.Doc)
	if err != nil {
		return nil, fmt.Errorf("decode stored event %s: %w", se.EventID, err)
	}
	rel, err := lv.viewer.Relation(ctx, se, e)
	if err != nil {
		return nil, err
	}
	proj, ok := Project(lv.viewer.Audience(), View{Event: e, Relation: rel})
	if !ok || proj.Event == nil {
		return nil, nil
	}
	if proj.Event != e {
		// The projection removed fields: the step keeps only what the
		// projected event still has of them.
		st.BizTransactions = proj.Event.BizTransactionList
		st.Sources = proj.Event.SourceList
		st.Destinations = proj.Event.DestinationList
		st.CertificationInfo = proj.Event.CertificationInfo
	}
	return &visibleEvent{step: st, stored: se, event: e}, nil
}

// Edges returns the edges written by events the viewer may see.
func (lv *lineageView) Edges(ctx context.Context, f store.EdgeFilter) ([]store.Edge, error) {
	edges, err := lv.index.Edges(ctx, f)
	if err != nil {
		return nil, err
	}
	seqs := make([]int64, len(edges))
	for i, e := range edges {
		seqs[i] = e.Seq
	}
	vis, err := lv.visible(ctx, seqs)
	if err != nil {
		return nil, err
	}
	out := edges[:0]
	for _, e := range edges {
		if vis[e.Seq] != nil {
			out = append(out, e)
		}
	}
	return out, nil
}

// Touches returns the touches of events the viewer may see.
func (lv *lineageView) Touches(ctx context.Context, ids []string) ([]store.Touch, error) {
	touches, err := lv.index.Touches(ctx, ids)
	if err != nil {
		return nil, err
	}
	return lv.visibleTouches(ctx, touches)
}

// ClassTouches returns the class touches of events the viewer may see.
func (lv *lineageView) ClassTouches(ctx context.Context, prefix string, from, to time.Time) ([]store.Touch, error) {
	touches, err := lv.index.ClassTouches(ctx, prefix, from, to)
	if err != nil {
		return nil, err
	}
	return lv.visibleTouches(ctx, touches)
}

// Adjacent returns the adjacency of ids within the events the viewer may
// see.
func (lv *lineageView) Adjacent(ctx context.Context, ids []string, emptiedOnly bool) (*store.Adjacency, error) {
	a, err := lv.index.Adjacent(ctx, ids, emptiedOnly)
	if err != nil {
		return nil, err
	}
	var seqs []int64
	for _, t := range a.Touches {
		seqs = append(seqs, t.Seq)
	}
	for _, e := range append(slices.Clone(a.Out), a.In...) {
		seqs = append(seqs, e.Seq)
	}
	vis, err := lv.visible(ctx, seqs)
	if err != nil {
		return nil, err
	}
	hidden := func(e store.Edge) bool { return vis[e.Seq] == nil }
	a.Touches = slices.DeleteFunc(a.Touches, func(t store.Touch) bool { return vis[t.Seq] == nil })
	a.Out = slices.DeleteFunc(a.Out, hidden)
	a.In = slices.DeleteFunc(a.In, hidden)
	return a, nil
}

func (lv *lineageView) visibleTouches(ctx context.Context, touches []store.Touch) ([]store.Touch, error) {
	seqs := make([]int64, len(touches))
	for i, t := range touches {
		seqs[i] = t.Seq
	}
	vis, err := lv.visible(ctx, seqs)
	if err != nil {
		return nil, err
	}
	out := touches[:0]
	for _, t := range touches {
		if vis[t.Seq] != nil {
			out = append(out, t)
		}
	}
	return out, nil
}

// Steps returns the projected steps of the events the viewer may see. A
// regulator's read is written to the access log, one entry per
// enterprise concerned.
func (lv *lineageView) Steps(ctx context.Context, seqs []int64) (map[int64]store.Step, error) {
	vis, err := lv.visible(ctx, seqs)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]store.Step, len(vis))
	read := make([]store.StoredEvent, 0, len(vis))
	for seq, ve := range vis {
		out[seq] = ve.step
		read = append(read, ve.stored)
	}
	lv.mu.Lock()
	defer lv.mu.Unlock()
	if err := lv.guard.logReads(ctx, lv.viewer, "trace", read); err != nil {
		return nil, err
	}
	return out, nil
}

// Edges implements store.LineageStore with the projection of LineageFor.
func (g *Guard) Edges(ctx context.Context, f store.EdgeFilter) ([]store.Edge, error) {
	ls, err := g.LineageFor(ctx)
	if err != nil {
		return nil, err
	}
	return ls.Edges(ctx, f)
}

// Touches implements store.LineageStore with the projection of
// LineageFor.
func (g *Guard) Touches(ctx context.Context, ids []string) ([]store.Touch, error) {
	ls, err := g.LineageFor(ctx)
	if err != nil {
		return nil, err
	}
	return ls.Touches(ctx, ids)
}

// Steps implements store.LineageStore with the projection of LineageFor.
func (g *Guard) Steps(ctx context.Context, seqs []int64) (map[int64]store.Step, error) {
	ls, err := g.LineageFor(ctx)
	if err != nil {
		return nil, err
	}
	return ls.Steps(ctx, seqs)
}

// Adjacent implements store.LineageStore with the projection of
// LineageFor.
func (g *Guard) Adjacent(ctx context.Context, ids []string, emptiedOnly bool) (*store.Adjacency, error) {
	ls, err := g.LineageFor(ctx)
	if err != nil {
		return nil, err
	}
	return ls.Adjacent(ctx, ids, emptiedOnly)
}

// ClassTouches implements store.LineageStore with the projection of
// LineageFor.
func (g *Guard) ClassTouches(ctx context.Context, prefix string, from, to time.Time) ([]store.Touch, error) {
	ls, err := g.LineageFor(ctx)
	if err != nil {
		return nil, err
	}
	return ls.ClassTouches(ctx, prefix, from, to)
}
