package web

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/party"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

// Limits of one lookup: how many levels of parents and transformation
// inputs are followed upstream, and how many events are read in all.
const (
	maxUpstreamDepth = 3
	maxJourneyEvents = 400
)

// allRoles are the identifier roles an object or lot can appear in.
var allRoles = []store.Role{
	store.RoleEPC, store.RoleParent, store.RoleChild, store.RoleInput, store.RoleOutput,
	store.RoleClass, store.RoleChildClass, store.RoleInputClass, store.RoleOutputClass,
}

// journey is the public projection of the events about a code and its
// upstream, in eventTime order. Events are projected with
// party.Project(party.Public, …) as soon as they are read, so the page
// builds nothing from fields the projection drops.
type journey struct {
	steps []publicStep
	// traced lists the identifiers of the backward trace the journey was
	// read from: the code, its lots, containers and inputs. It is nil
	// when the store keeps no lineage index and the journey was walked.
	traced []string
}

// publicStep is one journey event as the public projection releases it,
// with the facts the page adds around it.
type publicStep struct {
	party.ConsumerStep
	// EventID identifies the event in the audit log; it is not shown.
	EventID string
	// Own marks events that name the code itself, not only an upstream
	// container or input.
	Own bool
	// CityZH and CityEN name ConsumerStep.City, or the country of an
	// overseas enterprise that has no division code.
	CityZH, CityEN string
	// Leaf is the event's audit-log leaf index when HasLeaf is set.
	Leaf    uint64
	HasLeaf bool
	// CreditKeys are the credit-list keys of the enterprise owning the
	// step's location (see creditKeys); they are not shown.
	CreditKeys []string
}

// rawJourney is the events about a code before projection; it never
// leaves loadJourney.
type rawJourney struct {
	events []*epcis.Event
	own    map[*epcis.Event]bool
	traced []string
}

// journeyCache keeps recently loaded journeys, because one label is often
// scanned by many consumers at once and a journey costs several queries
// and event decodes. An entry older than journeyTTL is reloaded by one
// request while the others keep getting the old one, so a new event shows
// on the page about journeyTTL after it is captured.
type journeyCache struct {
	mu      sync.Mutex
	entries map[string]*cachedJourney
}

type cachedJourney struct {
	j       *journey
	expires time.Time
	// reloading is set while one request reloads an expired entry.
	reloading bool
}

// Bounds of the journey cache.
const (
	journeyTTL        = 5 * time.Second
	maxCachedJourneys = 10000
)

// get returns the cached journey of key. reload is true when the caller
// must load the journey: there is none, or it expired and no other
// request is reloading it.
func (c *journeyCache) get(key string, now time.Time) (j *journey, reload bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	switch {
	case !ok:
		return nil, true
	case now.Before(e.expires) || e.reloading:
		return e.j, false
	}
	e.reloading = true
	return e.j, true
}

// put stores a loaded journey; j nil only clears the reloading mark after
// a failed reload.
func (c *journeyCache) put(key string, j *journey, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if j == nil {
		if e, ok := c.entries[key]; ok {
			e.reloading = false
		}
		return
	}
	if c.entries == nil {
		c.entries = map[string]*cachedJourney{}
	}
	if len(c.entries) >= maxCachedJourneys {
		for k, e := range c.entries {
			if now.After(e.expires) && !e.reloading {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxCachedJourneys {
			clear(c.entries)
		}
	}
	// Each entry lives between 3/4 of journeyTTL and journeyTTL, so that
	// journeys loaded together, as at start-up, are not all reloaded in
	// the same instant.
	ttl := journeyTTL - time.Duration(rand.Int64N(int64(journeyTTL/4)))
	c.entries[key] = &cachedJourney{j: j, expires: now.Add(ttl)}
}

// journeyOf returns the journey of ids from the cache or the store,
// projected under rules, the rules of the product ids name. The returned
// journey is shared and must not be modified.
func (h *Handler) journeyOf(ctx context.Context, ids []string, rules party.ProductRules) (*journey, error) {
	key := strings.Join(ids, "\n")
	cached, reload := h.cache.get(key, time.Now())
	if !reload {
		return cached, nil
	}
	j, err := h.loadJourney(ctx, ids, rules)
	if err != nil {
		h.cache.put(key, nil, time.Now())
		if cached != nil {
			h.log.Error("reload journey; showing the cached one", "code", ids[0], "err", err)
			return cached, nil
		}
		return nil, err
	}
	h.cache.put(key, j, time.Now())
	return j, nil
}

// loadJourney returns the public journey of ids: the events of a
// backward trace of ids[0] when the store keeps a lineage index, else of a
// direct walk, each projected for the public under rules.
func (h *Handler) loadJourney(ctx context.Context, ids []string, rules party.ProductRules) (*journey, error) {
	var raw *rawJourney
	var err error
	if h.tracer != nil {
		raw, err = h.traceJourney(ctx, ids[0])
		if err == nil {
			raw.traced, err = h.traceOthers(ctx, ids[1:], raw.traced)
		}
	} else {
		raw, err = h.walkJourney(ctx, ids)
	}
	if err != nil {
		return nil, err
	}
	j := h.project(ctx, raw, rules)
	j.traced = raw.traced
	return j, nil
}

// traceOthers adds to traced each of ids that it lacks, with the nodes of
// its backward trace, so that recall notices can be matched against one
// list for all of ids (see coveringNotices). The lot of a serialised item
// is usually in the item's trace already; the product of a Chinese code
// is not.
func (h *Handler) traceOthers(ctx context.Context, ids, traced []string) ([]string, error) {
	for _, id := range ids {
		if slices.Contains(traced, id) {
			continue
		}
		traced = append(traced, id)
		g, err := h.tracer.Trace(ctx, id, trace.Options{Direction: trace.Backward, Depth: maxTraceDepth})
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("trace %s: %w", id, err)
		}
		for _, n := range g.Nodes {
			if !slices.Contains(traced, n.ID) {
				traced = append(traced, n.ID)
			}
		}
	}
	return traced, nil
}

// traceJourney reads the events of a backward trace from root: its own
// events, those of the containers it was in while it was inside, and
// those of the lots and transformation inputs it came from, up to
// maxTraceDepth edges away.
func (h *Handler) traceJourney(ctx context.Context, root string) (*rawJourney, error) {
	j := &rawJourney{own: map[*epcis.Event]bool{}, traced: []string{root}}
	g, err := h.tracer.Trace(ctx, root, trace.Options{Direction: trace.Backward, Depth: maxTraceDepth})
	if errors.Is(err, store.ErrNotFound) {
		return j, nil
	}
	if err != nil {
		return nil, fmt.Errorf("trace %s: %w", root, err)
	}
	for _, n := range g.Nodes {
		if n.ID != root {
			j.traced = append(j.traced, n.ID)
		}
	}
	own := map[string]bool{}
	var eventIDs []string
	seen := map[string]bool{}
	for _, n := range g.Nodes {
		for _, st := range n.Steps {
			if n.ID == g.Root {
				own[st.EventID] = true
			}
			if !seen[st.EventID] && len(eventIDs) < maxJourneyEvents {
				seen[st.EventID] = true
				eventIDs = append(eventIDs, st.EventID)
			}
		}
	}
	if len(eventIDs) == 0 {
		return j, nil
	}
	page, err := h.opts.Store.QueryEvents(ctx, store.Query{EventIDs: eventIDs, OrderBy: "eventTime", PerPage: maxJourneyEvents})
	if err != nil {
		return nil, fmt.Errorf("query traced events: %w", err)
	}
	for _, se := range page.Events {
		e, err := epcis.UnmarshalEventJSON(se.Doc)
		if err != nil {
			return nil, fmt.Errorf("decode stored event %s: %w", se.EventID, err)
		}
		if e.EventID == "" {
			e.EventID = se.EventID
		}
		j.events = append(j.events, e)
		j.own[e] = own[se.EventID]
	}
	sort.SliceStable(j.events, func(a, b int) bool { return j.events[a].EventTime.Before(j.events[b].EventTime) })
	return j, nil
}

// maxTraceDepth bounds the backward trace: enough for item → case →
// pallet and for lot → transformation → input lot → its origin.
const maxTraceDepth = 6

// walkJourney reads the events naming ids, then follows aggregation
// parents and transformation inputs upstream, up to maxUpstreamDepth
// levels. It serves stores without a lineage index.
func (h *Handler) walkJourney(ctx context.Context, ids []string) (*rawJourney, error) {
	j := &rawJourney{own: map[*epcis.Event]bool{}}
	seenEvent := map[string]bool{}
	seenID := map[string]bool{}
	frontier := ids
	for depth := 0; depth <= maxUpstreamDepth && len(frontier) > 0; depth++ {
		for _, id := range frontier {
			seenID[id] = true
		}
		evs, err := h.eventsNaming(ctx, frontier)
		if err != nil {
			return nil, err
		}
		var next []string
		for _, e := range evs {
			if seenEvent[e.EventID] {
				continue
			}
			seenEvent[e.EventID] = true
			j.events = append(j.events, e)
			if depth == 0 {
				j.own[e] = true
			}
			for _, up := range upstreamOf(e, frontier) {
				if !seenID[up] {
					seenID[up] = true
					next = append(next, up)
				}
			}
			if len(j.events) >= maxJourneyEvents {
				break
			}
		}
		frontier = next
	}
	sort.SliceStable(j.events, func(a, b int) bool { return j.events[a].EventTime.Before(j.events[b].EventTime) })
	return j, nil
}

func (h *Handler) eventsNaming(ctx context.Context, ids []string) ([]*epcis.Event, error) {
	q := store.Query{
		Matches: []store.IDMatch{{Roles: allRoles, Values: ids}},
		OrderBy: "eventTime",
		PerPage: maxJourneyEvents,
	}
	page, err := h.opts.Store.QueryEvents(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("query events: %w", err)
	}
	out := make([]*epcis.Event, 0, len(page.Events))
	for _, se := range page.Events {
		e, err := epcis.UnmarshalEventJSON(se.Doc)
		if err != nil {
			return nil, fmt.Errorf("decode stored event %s: %w", se.EventID, err)
		}
		if e.EventID == "" {
			e.EventID = se.EventID
		}
		out = append(out, e)
	}
	return out, nil
}

// upstreamOf returns the canonical identifiers that an event shows to be
// upstream of any of ids: the parent of an aggregation that adds one of
// them, and the inputs of a transformation that outputs one of them.
func upstreamOf(e *epcis.Event, ids []string) []string {
	names := func(list []string, qs []epcis.QuantityElement) bool {
		for _, v := range list {
			if containsCanonical(ids, v) {
				return true
			}
		}
		for _, q := range qs {
			if containsCanonical(ids, q.EPCClass) {
				return true
			}
		}
		return false
	}
	var out []string
	switch e.Type {
	case epcis.AggregationEvent:
		if e.Action == epcis.ActionAdd && e.ParentID != "" && names(e.ChildEPCs, e.ChildQuantityList) {
			if c, err := ident.Canonical(e.ParentID); err == nil {
				out = append(out, c)
			}
		}
	case epcis.TransformationEvent:
		if names(e.OutputEPCList, e.OutputQuantityList) {
			for _, v := range e.InputEPCList {
				if c, err := ident.Canonical(v); err == nil {
					out = append(out, c)
				}
			}
			for _, q := range e.InputQuantityList {
				if c, err := ident.Canonical(q.EPCClass); err == nil {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

func containsCanonical(ids []string, v string) bool {
	c, err := ident.Canonical(v)
	if err != nil {
		return false
	}
	for _, id := range ids {
		if id == c {
			return true
		}
	}
	return false
}

// cbvShort returns the short name of a CBV or Suyuan vocabulary URI.
func cbvShort(uri string) string {
	if i := strings.LastIndexAny(uri, ":/"); i >= 0 {
		return uri[i+1:]
	}
	return uri
}

// RecallMatcher is a Recalls that also matches notices against given
// identifiers without tracing them; package recall implements it. The
// page passes the nodes of the journey's backward trace, so a page view
// costs no second trace.
type RecallMatcher interface {
	Matching(ctx context.Context, ids []string) ([]RecallNotice, error)
}

// coveringNotices returns the open notices covering ids, the scanned code
// and its lot or product, with the journey j read for them. When Recalls
// is a RecallMatcher and j holds the backward traces of all of ids, the
// notices are matched against the nodes of those traces. The notices are
// then current, and only the traces are as old as the cached journey
// (journeyTTL). Otherwise Recalls traces ids itself.
func (h *Handler) coveringNotices(ctx context.Context, ids []string, j *journey) ([]RecallNotice, error) {
	m, ok := h.opts.Recalls.(RecallMatcher)
	if !ok || len(j.traced) == 0 || j.traced[0] != ids[0] {
		return h.opts.Recalls.Covering(ctx, ids)
	}
	for _, id := range ids[1:] {
		if !slices.Contains(j.traced, id) {
			return h.opts.Recalls.Covering(ctx, ids)
		}
	}
	return m.Matching(ctx, j.traced)
}
