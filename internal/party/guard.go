package party

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// Guard is a store.Store that applies the caller's visibility to every
// read: the caller is the Principal in the context of each call (nil is
// the public, which reads no EPCIS events through the guard). Queries are
// filtered after the store returns a page, so a page may hold fewer events
// than PerPage while more pages follow. The guard also records who
// submitted each capture job, and logs regulators' reads in the access
// log. Writes pass through unchanged; capture rules are applied by
// CaptureRules.
type Guard struct {
	store.Store
	Parties store.PartyStore
	Logger  *slog.Logger
	// Now returns the time for access-log entries; nil means time.Now.
	Now func() time.Time
}

// NewGuard returns a guard over st with the registry ps.
func NewGuard(st store.Store, ps store.PartyStore, logger *slog.Logger) *Guard {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Guard{Store: st, Parties: ps, Logger: logger}
}

func (g *Guard) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now().UTC()
}

// CreateJob stores the job and notes the caller's party as its submitter.
func (g *Guard) CreateJob(ctx context.Context, job store.Job) error {
	if err := g.Store.CreateJob(ctx, job); err != nil {
		return err
	}
	if p := PrincipalFrom(ctx); p != nil && p.Party.ID != "" {
		if err := g.Parties.RecordCapture(ctx, job.ID, p.Party.ID); err != nil {
			return err
		}
	}
	return nil
}

// ProjectStored returns the stored event as the viewer may see it, with
// Doc replaced when the projection removed fields, and false when the
// viewer may not see it. The public gets false: it sees events only as
// consumer steps (see Project).
func ProjectStored(ctx context.Context, v *Viewer, se store.StoredEvent) (store.StoredEvent, bool, error) {
	if v.Audience() == Administrator {
		return se, true, nil
	}
	if v.Audience() == Public {
		return se, false, nil
	}
	e, err := epcis.UnmarshalEventJSON(se.Doc)
	if err != nil {
		return se, false, fmt.Errorf("decode stored event %s: %w", se.EventID, err)
	}
	rel, err := v.Relation(ctx, se, e)
	if err != nil {
		return se, false, err
	}
	proj, ok := Project(v.Audience(), View{Event: e, Relation: rel})
	if !ok || proj.Event == nil {
		return se, false, nil
	}
	if proj.Event != e {
		doc, err := epcis.MarshalEventJSON(proj.Event)
		if err != nil {
			return se, false, fmt.Errorf("encode projected event %s: %w", se.EventID, err)
		}
		se.Doc = doc
	}
	return se, true, nil
}

// QueryEvents returns the page of events the caller may see.
func (g *Guard) QueryEvents(ctx context.Context, q store.Query) (store.Page, error) {
	p := PrincipalFrom(ctx)
	if p.Audience() == Administrator {
		return g.Store.QueryEvents(ctx, q)
	}
	if p.Audience() == Public {
		return store.Page{}, nil
	}
	page, err := g.Store.QueryEvents(ctx, q)
	if err != nil {
		return page, err
	}
	v, err := NewViewer(ctx, g.Parties, g.Store, p)
	if err != nil {
		return store.Page{}, err
	}
	visible := page.Events[:0:0]
	for _, se := range page.Events {
		out, ok, err := ProjectStored(ctx, v, se)
		if err != nil {
			return store.Page{}, err
		}
		if ok {
			visible = append(visible, out)
		}
	}
	page.Events = visible
	if err := g.logReads(ctx, v, "query", visible); err != nil {
		return store.Page{}, err
	}
	return page, nil
}

// Event returns the event when the caller may see it, and ErrNotFound
// otherwise, so that callers learn nothing of events hidden from them.
func (g *Guard) Event(ctx context.Context, eventID string) (store.StoredEvent, error) {
	p := PrincipalFrom(ctx)
	se, err := g.Store.Event(ctx, eventID)
	if err != nil || p.Audience() == Administrator {
		return se, err
	}
	v, err := NewViewer(ctx, g.Parties, g.Store, p)
	if err != nil {
		return store.StoredEvent{}, err
	}
	out, ok, err := ProjectStored(ctx, v, se)
	if err != nil {
		return store.StoredEvent{}, err
	}
	if !ok {
		return store.StoredEvent{}, fmt.Errorf("event %s: %w", eventID, store.ErrNotFound)
	}
	if err := g.logReads(ctx, v, "read event", []store.StoredEvent{out}); err != nil {
		return store.StoredEvent{}, err
	}
	return out, nil
}

// logReads records a regulator's read of enterprise events: one access-log
// entry per enterprise concerned.
func (g *Guard) logReads(ctx context.Context, v *Viewer, action string, events []store.StoredEvent) error {
	if v.Audience() != Regulator || len(events) == 0 {
		return nil
	}
	counts := map[string]int{}
	var order []string
	for _, se := range events {
		e, err := epcis.UnmarshalEventJSON(se.Doc)
		if err != nil {
			return fmt.Errorf("decode stored event %s: %w", se.EventID, err)
		}
		id, err := v.ConcernedParty(ctx, se, e)
		if err != nil {
			return err
		}
		if counts[id] == 0 {
			order = append(order, id)
		}
		counts[id]++
	}
	p := v.Principal()
	for _, id := range order {
		target := fmt.Sprintf("%d events", counts[id])
		if len(events) == 1 {
			target = events[0].EventID
		}
		err := g.Parties.AppendAccess(ctx, store.Access{
			Time: g.now(), Actor: p.Actor, ActorPartyID: p.Party.ID, Action: action,
			PartyID: id, Target: target, RemoteAddr: RemoteAddrFrom(ctx),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Distinct lists the values the caller may see. Vocabulary resources
// (event types, bizSteps, dispositions) are not restricted; identifiers
// and locations are listed only when they belong to a party the caller
// may see: its own prefixes and locations for an enterprise, the
// enterprises and locations of its jurisdiction for a regulator.
func (g *Guard) Distinct(ctx context.Context, r store.Resource, after string, limit int) ([]string, error) {
	p := PrincipalFrom(ctx)
	switch {
	case p.Audience() == Administrator:
		return g.Store.Distinct(ctx, r, after, limit)
	case p.Audience() == Public:
		return nil, nil
	case r == store.ResourceEventTypes || r == store.ResourceBizSteps || r == store.ResourceDispositions:
		return g.Store.Distinct(ctx, r, after, limit)
	}
	v, err := NewViewer(ctx, g.Parties, g.Store, p)
	if err != nil {
		return nil, err
	}
	var scope []store.Party
	if v.Audience() == Regulator && r == store.ResourceEPCs {
		if scope, err = g.partiesIn(ctx, v); err != nil {
			return nil, err
		}
	}
	// owner returns the party a value belongs to when the caller may see
	// it, else "".
	owner := func(value string) (string, error) {
		if r == store.ResourceEPCs {
			if v.Audience() == Enterprise {
				if Owns(p.Party, value) {
					return p.Party.ID, nil
				}
				return "", nil
			}
			for _, sp := range scope {
				if Owns(sp, value) {
					return sp.ID, nil
				}
			}
			return "", nil
		}
		l, err := v.location(ctx, value)
		if err != nil || l == nil {
			return "", err
		}
		if v.Audience() == Enterprise {
			if l.PartyID == p.Party.ID {
				return l.PartyID, nil
			}
			return "", nil
		}
		lp, err := v.party(ctx, l.PartyID)
		if err != nil {
			return "", err
		}
		if v.Covers(l.Division, lp) {
			return l.PartyID, nil
		}
		return "", nil
	}
	var (
		out    []string
		owners []string
	)
	// Read in batches until the page is full; stop after a bounded number
	// of batches so that a caller who may see little cannot make the
	// server read everything.
	for round := 0; round < 20 && len(out) < limit; round++ {
		values, err := g.Store.Distinct(ctx, r, after, limit)
		if err != nil {
			return nil, err
		}
		for _, val := range values {
			id, err := owner(val)
			if err != nil {
				return nil, err
			}
			if id != "" && len(out) < limit {
				out = append(out, val)
				owners = append(owners, id)
			}
		}
		if len(values) < limit {
			break
		}
		after = values[len(values)-1]
	}
	if v.Audience() == Regulator {
		if err := g.logListing(ctx, v, string(r), owners); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// logListing records a regulator's listing of enterprise identifiers or
// locations: one access-log entry per enterprise concerned.
func (g *Guard) logListing(ctx context.Context, v *Viewer, resource string, owners []string) error {
	counts := map[string]int{}
	var order []string
	for _, id := range owners {
		if counts[id] == 0 {
			order = append(order, id)
		}
		counts[id]++
	}
	p := v.Principal()
	for _, id := range order {
		err := g.Parties.AppendAccess(ctx, store.Access{
			Time: g.now(), Actor: p.Actor, ActorPartyID: p.Party.ID, Action: "list " + resource,
			PartyID: id, Target: fmt.Sprintf("%d values", counts[id]), RemoteAddr: RemoteAddrFrom(ctx),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// partiesIn returns the enterprises a regulator supervises.
func (g *Guard) partiesIn(ctx context.Context, v *Viewer) ([]store.Party, error) {
	var out []store.Party
	after := ""
	for {
		ps, err := g.Parties.Parties(ctx, after, 500)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if p.Kind == store.PartyEnterprise && v.Covers(p.Region, &p) {
				out = append(out, p)
			}
		}
		if len(ps) < 500 {
			return out, nil
		}
		after = ps[len(ps)-1].ID
	}
}

// Job returns a capture job submitted by the caller's party; other jobs
// are ErrNotFound. Administrators see every job.
func (g *Guard) Job(ctx context.Context, id string) (store.Job, error) {
	p := PrincipalFrom(ctx)
	j, err := g.Store.Job(ctx, id)
	if err != nil || p.Audience() == Administrator {
		return j, err
	}
	if ok, err := g.ownsJob(ctx, p, id); err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("capture job %s: %w", id, store.ErrNotFound)
		}
		return store.Job{}, err
	}
	return j, nil
}

func (g *Guard) ownsJob(ctx context.Context, p *Principal, id string) (bool, error) {
	if p == nil {
		return false, nil
	}
	captor, err := g.Parties.CaptureParty(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return captor == p.Party.ID, nil
}

// Jobs lists the capture jobs the caller's party submitted.
func (g *Guard) Jobs(ctx context.Context, after string, limit int) ([]store.Job, error) {
	p := PrincipalFrom(ctx)
	if p.Audience() == Administrator {
		return g.Store.Jobs(ctx, after, limit)
	}
	var out []store.Job
	for round := 0; round < 20 && len(out) < limit; round++ {
		jobs, err := g.Store.Jobs(ctx, after, limit)
		if err != nil {
			return nil, err
		}
		for _, j := range jobs {
			ok, err := g.ownsJob(ctx, p, j.ID)
			if err != nil {
				return nil, err
			}
			if ok && len(out) < limit {
				out = append(out, j)
			}
		}
		if len(jobs) < limit {
			break
		}
		after = jobs[len(jobs)-1].ID
	}
	return out, nil
}

type remoteAddrKey struct{}

// WithRemoteAddr returns ctx carrying the client address for access-log
// entries.
func WithRemoteAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, remoteAddrKey{}, addr)
}

// RemoteAddrFrom returns the client address stored by WithRemoteAddr.
func RemoteAddrFrom(ctx context.Context) string {
	s, _ := ctx.Value(remoteAddrKey{}).(string)
	return s
}
