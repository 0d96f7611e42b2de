package web

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/party"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// project turns the raw journey into what the public may see: one
// party.Project(party.Public, …) result per event under the product's
// rules, with the city names and audit-log leaf indexes the page shows
// beside it.
func (h *Handler) project(ctx context.Context, raw *rawJourney, rules party.ProductRules) *journey {
	j := &journey{steps: make([]publicStep, 0, len(raw.events))}
	for _, e := range raw.events {
		view, owner := h.publicView(ctx, e, rules)
		proj, ok := party.Project(party.Public, view)
		if !ok || proj.Consumer == nil {
			continue
		}
		s := publicStep{ConsumerStep: *proj.Consumer, EventID: e.EventID, Own: raw.own[e]}
		s.CityZH, s.CityEN = cityNames(s.City, owner)
		if owner != nil {
			s.CreditKeys = creditKeys(*owner)
		}
		if h.opts.AuditLog != nil && e.EventID != "" {
			leaf, err := h.opts.AuditLog.LeafIndex(ctx, e.EventID)
			switch {
			case err == nil:
				s.Leaf, s.HasLeaf = leaf, true
			case !errors.Is(err, store.ErrNotFound):
				// The step is shown without its mark: the page does not
				// depend on the audit log.
				h.log.Error("read audit-log leaf index", "event", e.EventID, "err", err)
			}
		}
		j.steps = append(j.steps, s)
	}
	return j
}

// publicView returns the party.View of e for the public: the event with
// the product's rules, its business location and the enterprise owning
// it, taken from the Directory. A private party (a person or household)
// is named by its role only. When the product requires a licence, the
// view also holds the registered consignees for the licence check. The
// directory party is returned too, for naming places abroad.
func (h *Handler) publicView(ctx context.Context, e *epcis.Event, rules party.ProductRules) (party.View, *Party) {
	v := party.View{Event: e, Rules: rules}
	if rules.RequiredLicence != "" {
		v.Consignees = h.consignees(ctx, e)
	}
	if e.BizLocation == nil {
		return v, nil
	}
	p, ok := h.party(ctx, e.BizLocation.ID)
	if !ok {
		return v, nil
	}
	owner := &store.Party{NameZH: p.NameZH, NameEN: p.NameEN}
	if p.Private {
		owner.NameZH, owner.NameEN = p.RoleZH, p.RoleEN
	}
	v.Owner = owner
	v.Place = &store.Location{ID: e.BizLocation.ID, Division: p.Division}
	return v, &p
}

// consignees returns the Directory parties of the owning parties in e's
// destinationList, keyed by the destination value, with the licence kinds
// they hold. Parties missing from the Directory are left out.
func (h *Handler) consignees(ctx context.Context, e *epcis.Event) map[string]*store.Party {
	var out map[string]*store.Party
	for _, d := range e.DestinationList {
		if cbvShort(d.Type) != "owning_party" {
			continue
		}
		p, ok := h.party(ctx, d.Value)
		if !ok {
			continue
		}
		sp := &store.Party{NameZH: p.NameZH, NameEN: p.NameEN}
		for _, kind := range p.Licences {
			sp.Licences = append(sp.Licences, store.Licence{Kind: kind})
		}
		if out == nil {
			out = map[string]*store.Party{}
		}
		out[d.Value] = sp
	}
	return out
}

// productRules returns the rules of a product's master data that the
// public projection checks events against.
func productRules(prod Product) party.ProductRules {
	r := party.ProductRules{RequiredLicence: prod.RequiredLicence}
	if prod.ColdChainMaxCelsius > 0 {
		limit := prod.ColdChainMaxCelsius
		r.MaxCelsius = &limit
	}
	return r
}

// cityNames names the prefecture-level city code of a consumer step. It
// uses the Guangdong table, then the directory party's own city names
// when they are of that city. Without a code it returns the country of an
// overseas party (one without a division).
func cityNames(code string, p *Party) (zh, en string) {
	if code != "" {
		if zh, en, ok := CityOfDivision(code); ok {
			return zh, en
		}
		if p != nil && len(p.Division) >= 4 && p.Division[:4] == code[:4] {
			return p.CityZH, p.CityEN
		}
		return code, code
	}
	if p != nil && p.Division == "" {
		return p.CityZH, p.CityEN
	}
	return "", ""
}

// AuditLog is the part of the signed audit log the page reads to show
// which journey steps a signed checkpoint covers.
type AuditLog interface {
	// CheckpointSize returns the tree size of the latest signed
	// checkpoint, or an error wrapping store.ErrNotFound when none has
	// been signed yet.
	CheckpointSize(ctx context.Context) (uint64, error)
	// LeafIndex returns the leaf index of an event's entry, or an error
	// wrapping store.ErrNotFound when the event has none.
	LeafIndex(ctx context.Context, eventID string) (uint64, error)
}

// checkpointTTL is how long the page reuses the latest checkpoint size:
// reading it verifies a signature, and checkpoints are signed about once a
// second.
const checkpointTTL = time.Second

// checkpointCache keeps the latest checkpoint size for checkpointTTL.
type checkpointCache struct {
	mu      sync.Mutex
	size    uint64
	ok      bool
	expires time.Time
}

// checkpoint returns the tree size of the latest signed checkpoint; ok is
// false when there is no audit log, no checkpoint yet, or reading it
// failed (logged).
func (h *Handler) checkpoint(ctx context.Context) (size uint64, ok bool) {
	if h.opts.AuditLog == nil {
		return 0, false
	}
	c := &h.checkpoints
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if now.Before(c.expires) {
		return c.size, c.ok
	}
	size, err := h.opts.AuditLog.CheckpointSize(ctx)
	switch {
	case err == nil:
		c.size, c.ok = size, true
	case errors.Is(err, store.ErrNotFound):
		c.size, c.ok = 0, false
	default:
		h.log.Error("read audit-log checkpoint", "err", err)
		return 0, false
	}
	c.expires = now.Add(checkpointTTL)
	return c.size, c.ok
}
