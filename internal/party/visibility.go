package party

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// Relation is how an event relates to the caller; it decides which
// projection the caller gets.
type Relation int

// Relations, from none to full.
const (
	// Unrelated events are not shown to enterprises and regulators.
	Unrelated Relation = iota
	// Upstream events concern goods the enterprise received later: it
	// sees them without business transactions, sources, destinations and
	// extensions.
	Upstream
	// Member events are events the enterprise captured, or that happened
	// at its locations, or that name it as source or destination.
	Member
	// InJurisdiction events happened within a regulator's jurisdiction and
	// categories.
	InJurisdiction
	// Everything is the administrator's relation to every event.
	Everything
)

// maxChainDepth bounds the forward walk from an event to the caller's
// own events: each step follows a transformation or an aggregation.
const maxChainDepth = 4

// maxChainEvents bounds the events read per step of that walk.
// NOTE: an identifier with more later events than this may hide an
// upstream event from the enterprise that received the goods.
const maxChainEvents = 200

// Viewer decides the relation of stored events to one caller. It caches
// registry lookups, so use one Viewer per request; it is not safe for
// concurrent use.
type Viewer struct {
	parties   store.PartyStore
	events    store.Store
	principal *Principal
	audience  AudienceKind
	// own lists the canonical IDs of the enterprise's locations.
	own       map[string]bool
	locations map[string]*store.Location
	owners    map[string]*store.Party
	captors   map[string]string
	// steps caches chainStep results by identifiers and start time,
	// because the events of one page often share their goods.
	steps map[string]chainResult
}

type chainResult struct {
	found bool
	next  []string
}

// NewViewer returns a viewer for the principal (nil for the public). It
// reads an enterprise's locations once.
func NewViewer(ctx context.Context, parties store.PartyStore, events store.Store, p *Principal) (*Viewer, error) {
	v := &Viewer{
		parties: parties, events: events, principal: p, audience: p.Audience(),
		own: map[string]bool{}, locations: map[string]*store.Location{}, owners: map[string]*store.Party{}, captors: map[string]string{}, steps: map[string]chainResult{},
	}
	if v.audience == Enterprise {
		after := ""
		for {
			ls, err := parties.Locations(ctx, p.Party.ID, after, 500)
			if err != nil {
				return nil, fmt.Errorf("read locations of %s: %w", p.Party.ID, err)
			}
			for _, l := range ls {
				v.own[l.ID] = true
			}
			if len(ls) < 500 {
				break
			}
			after = ls[len(ls)-1].ID
		}
	}
	return v, nil
}

// Audience returns the viewer's audience.
func (v *Viewer) Audience() AudienceKind { return v.audience }

// Principal returns the viewer's principal, nil for the public.
func (v *Viewer) Principal() *Principal { return v.principal }

// eventRefs are an event's identifiers in canonical form, by kind.
type eventRefs struct {
	instances []string
	classes   []string
	places    []string
	named     []string
}

func canonicalOf(s string) string {
	if s == "" {
		return ""
	}
	c, err := ident.Canonical(s)
	if err != nil {
		return s
	}
	return c
}

func refsOf(e *epcis.Event) eventRefs {
	var r eventRefs
	add := func(list *[]string, values ...string) {
		for _, v := range values {
			if c := canonicalOf(v); c != "" {
				*list = append(*list, c)
			}
		}
	}
	add(&r.instances, e.ParentID)
	add(&r.instances, e.EPCList...)
	add(&r.instances, e.ChildEPCs...)
	add(&r.instances, e.InputEPCList...)
	add(&r.instances, e.OutputEPCList...)
	for _, list := range [][]epcis.QuantityElement{e.QuantityList, e.ChildQuantityList, e.InputQuantityList, e.OutputQuantityList} {
		for _, q := range list {
			add(&r.classes, q.EPCClass)
		}
	}
	if e.ReadPoint != nil {
		add(&r.places, e.ReadPoint.ID)
	}
	if e.BizLocation != nil {
		add(&r.places, e.BizLocation.ID)
	}
	for _, sd := range append(slices.Clone(e.SourceList), e.DestinationList...) {
		add(&r.named, sd.Value)
	}
	return r
}

// Place returns the registered location of the event (its bizLocation,
// else its readPoint) and the party owning it. Both are nil when neither
// location is registered.
func (v *Viewer) Place(ctx context.Context, e *epcis.Event) (*store.Location, *store.Party, error) {
	for _, loc := range []*epcis.Location{e.BizLocation, e.ReadPoint} {
		if loc == nil {
			continue
		}
		l, err := v.location(ctx, canonicalOf(loc.ID))
		if err != nil {
			return nil, nil, err
		}
		if l == nil {
			continue
		}
		owner, err := v.party(ctx, l.PartyID)
		return l, owner, err
	}
	return nil, nil, nil
}

func (v *Viewer) location(ctx context.Context, id string) (*store.Location, error) {
	if l, ok := v.locations[id]; ok {
		return l, nil
	}
	l, err := v.parties.Location(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		v.locations[id] = nil
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up location %s: %w", id, err)
	}
	v.locations[id] = &l
	return &l, nil
}

func (v *Viewer) party(ctx context.Context, id string) (*store.Party, error) {
	if p, ok := v.owners[id]; ok {
		return p, nil
	}
	p, err := v.parties.Party(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		v.owners[id] = nil
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up party %s: %w", id, err)
	}
	v.owners[id] = &p
	return &p, nil
}

// captor returns the party that submitted a capture job, or "".
func (v *Viewer) captor(ctx context.Context, captureID string) (string, error) {
	if id, ok := v.captors[captureID]; ok {
		return id, nil
	}
	id, err := v.parties.CaptureParty(ctx, captureID)
	if errors.Is(err, store.ErrNotFound) {
		id, err = "", nil
	}
	if err != nil {
		return "", err
	}
	v.captors[captureID] = id
	return id, nil
}

// Relation returns how the stored event se (decoded as e) relates to the
// viewer.
func (v *Viewer) Relation(ctx context.Context, se store.StoredEvent, e *epcis.Event) (Relation, error) {
	switch v.audience {
	case Administrator:
		return Everything, nil
	case Regulator:
		return v.regulatorRelation(ctx, se, e)
	case Enterprise:
		member, err := v.isMember(ctx, se, e)
		if err != nil || member {
			return Member, err
		}
		up, err := v.isUpstream(ctx, e)
		if err != nil || !up {
			return Unrelated, err
		}
		return Upstream, nil
	}
	return Unrelated, nil
}

// isMember reports whether the enterprise captured e, owns its location or
// is named as its source or destination.
func (v *Viewer) isMember(ctx context.Context, se store.StoredEvent, e *epcis.Event) (bool, error) {
	r := refsOf(e)
	return v.memberOf(ctx, se.CaptureID, r)
}

func (v *Viewer) memberOf(ctx context.Context, captureID string, r eventRefs) (bool, error) {
	self := v.principal.Party
	for _, pl := range r.places {
		if v.own[pl] {
			return true, nil
		}
	}
	for _, n := range r.named {
		if v.own[n] || IsIdentity(self, n) {
			return true, nil
		}
	}
	if captureID != "" {
		id, err := v.captor(ctx, captureID)
		if err != nil {
			return false, err
		}
		if id == self.ID {
			return true, nil
		}
	}
	return false, nil
}

// namesOthers reports whether e names a destination other than the
// enterprise: such an event shows another customer of the supplier.
func (v *Viewer) namesOthers(e *epcis.Event) bool {
	for _, d := range e.DestinationList {
		c := canonicalOf(d.Value)
		if !v.own[c] && !IsIdentity(v.principal.Party, c) {
			return true
		}
	}
	return false
}

// isUpstream reports whether goods that e concerns later reached the
// enterprise: an event at or after e's eventTime, on the same identifiers
// or on what they were transformed or aggregated into, in which the
// enterprise is a member. Lot-level (class) identifiers are followed only
// from events that name no other destination, because one lot may be
// split among several customers.
func (v *Viewer) isUpstream(ctx context.Context, e *epcis.Event) (bool, error) {
	r := refsOf(e)
	start := slices.Clone(r.instances)
	if !v.namesOthers(e) {
		start = append(start, r.classes...)
	}
	if len(start) == 0 {
		return false, nil
	}
	since := e.EventTime
	seen := map[string]bool{}
	frontier := start
	for depth := 0; depth < maxChainDepth && len(frontier) > 0; depth++ {
		for _, id := range frontier {
			seen[id] = true
		}
		found, next, err := v.chainStep(ctx, frontier, since)
		if err != nil || found {
			return found, err
		}
		frontier = frontier[:0:0]
		for _, id := range next {
			if !seen[id] {
				frontier = append(frontier, id)
			}
		}
	}
	return false, nil
}

// chainStep reads the events naming ids from since on. It reports whether
// the enterprise is a member of one, and returns the identifiers the ids
// were transformed or aggregated into.
func (v *Viewer) chainStep(ctx context.Context, ids []string, since time.Time) (bool, []string, error) {
	key := since.UTC().Format(time.RFC3339Nano) + "\x00" + strings.Join(ids, "\x00")
	if r, ok := v.steps[key]; ok {
		return r.found, r.next, nil
	}
	found, next, err := v.readChainStep(ctx, ids, since)
	if err == nil {
		v.steps[key] = chainResult{found: found, next: next}
	}
	return found, next, err
}

func (v *Viewer) readChainStep(ctx context.Context, ids []string, since time.Time) (bool, []string, error) {
	roles := append(slices.Clone(store.InstanceRoles), store.ClassRoles...)
	page, err := v.events.QueryEvents(ctx, store.Query{
		Matches:     []store.IDMatch{{Roles: roles, Values: ids}},
		GEEventTime: &since,
		OrderBy:     "eventTime",
		PerPage:     maxChainEvents,
	})
	if err != nil {
		return false, nil, fmt.Errorf("follow goods downstream: %w", err)
	}
	var next []string
	for _, se := range page.Events {
		f, err := epcis.UnmarshalEventJSON(se.Doc)
		if err != nil {
			return false, nil, fmt.Errorf("decode stored event %s: %w", se.EventID, err)
		}
		fr := refsOf(f)
		member, err := v.memberOf(ctx, se.CaptureID, fr)
		if err != nil {
			return false, nil, err
		}
		if member {
			return true, nil, nil
		}
		switch f.Type {
		case epcis.TransformationEvent:
			inputs := canonicalList(f.InputEPCList)
			for _, q := range f.InputQuantityList {
				inputs = append(inputs, canonicalOf(q.EPCClass))
			}
			if intersects(inputs, ids) {
				next = append(next, canonicalList(f.OutputEPCList)...)
				for _, q := range f.OutputQuantityList {
					next = append(next, canonicalOf(q.EPCClass))
				}
			}
		case epcis.AggregationEvent:
			if f.Action != epcis.ActionAdd {
				continue
			}
			children := canonicalList(f.ChildEPCs)
			parent := canonicalOf(f.ParentID)
			if slices.Contains(ids, parent) {
				next = append(next, children...)
			}
			if intersects(children, ids) && parent != "" {
				next = append(next, parent)
			}
		}
	}
	return false, next, nil
}

func canonicalList(values []string) []string {
	out := make([]string, 0, len(values))
	for _, v := range values {
		if c := canonicalOf(v); c != "" {
			out = append(out, c)
		}
	}
	return out
}

func intersects(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// regulatorRelation places the event by its registered location, or by
// the region of the enterprise that captured it, and checks the
// regulator's jurisdiction and product categories.
func (v *Viewer) regulatorRelation(ctx context.Context, se store.StoredEvent, e *epcis.Event) (Relation, error) {
	place, owner, err := v.Place(ctx, e)
	if err != nil {
		return Unrelated, err
	}
	division := ""
	if place != nil {
		division = place.Division
	} else if se.CaptureID != "" {
		id, err := v.captor(ctx, se.CaptureID)
		if err != nil {
			return Unrelated, err
		}
		if id != "" {
			if owner, err = v.party(ctx, id); err != nil {
				return Unrelated, err
			}
			if owner != nil {
				division = owner.Region
			}
		}
	}
	if v.Covers(division, owner) {
		return InJurisdiction, nil
	}
	return Unrelated, nil
}

// Covers reports whether a regulator viewer supervises data located in
// division and concerning the enterprise owner (nil when unknown).
func (v *Viewer) Covers(division string, owner *store.Party) bool {
	if v.audience != Regulator {
		return v.audience == Administrator
	}
	reg := v.principal.Party
	if division == "" || !strings.HasPrefix(division, reg.Jurisdiction) {
		return false
	}
	if len(reg.Categories) == 0 {
		return true
	}
	if owner == nil {
		return false
	}
	for _, l := range owner.Licences {
		if intersects(l.Categories, reg.Categories) {
			return true
		}
	}
	return false
}

// ConcernedParty returns the party whose data the event is: the owner of
// its location, else the party that captured it; "" when unknown.
func (v *Viewer) ConcernedParty(ctx context.Context, se store.StoredEvent, e *epcis.Event) (string, error) {
	_, owner, err := v.Place(ctx, e)
	if err != nil {
		return "", err
	}
	if owner != nil {
		return owner.ID, nil
	}
	if se.CaptureID == "" {
		return "", nil
	}
	return v.captor(ctx, se.CaptureID)
}
