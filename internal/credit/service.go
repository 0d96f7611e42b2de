package credit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/suyuan-trace/suyuan/ident/cncode"
	"github.com/suyuan-trace/suyuan/internal/ledger"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// Actor is who asks for a change: the name recorded in the decision, the
// party it acts for, and whether it is a platform administrator.
type Actor struct {
	// Name is recorded as the decision's actor, such as "user:li",
	// "token:tk0123" or "cli:root".
	Name  string
	Party store.Party
	// Admin marks a platform administrator, who may act for any
	// regulator.
	Admin bool
}

func (a Actor) isRegulator() bool { return a.Party.Kind == store.PartyRegulator && a.Party.ID != "" }

// addBody is the body of a credit.add decision.
type addBody struct {
	PartyID        string `json:"partyID,omitempty"`
	USCC           string `json:"uscc"`
	NameZH         string `json:"nameZH"`
	NameEN         string `json:"nameEN,omitempty"`
	ReasonZH       string `json:"reasonZH"`
	ReasonEN       string `json:"reasonEN,omitempty"`
	Regulator      string `json:"regulator"`
	DocumentNumber string `json:"documentNumber"`
	EffectiveFrom  string `json:"effectiveFrom"`
	EffectiveUntil string `json:"effectiveUntil,omitempty"`
}

// removeBody is the body of a credit.remove decision.
type removeBody struct {
	ReasonZH string `json:"reasonZH"`
	ReasonEN string `json:"reasonEN,omitempty"`
}

// apply folds one stored decision into the entries, keyed by entry ID. A
// second credit.add of an ID, and a removal of an unknown or removed
// entry, are skipped with an error: the service never appends them, so
// they can only come from another writer racing this one.
func apply(entries map[string]*Entry, d store.Decision) error {
	ref := Ref{Kind: d.Kind, Seq: d.Seq, LeafIndex: d.LeafIndex, Time: d.Time, Actor: d.Actor}
	e := entries[d.Subject]
	switch d.Kind {
	case KindAdd:
		if e != nil {
			return fmt.Errorf("decision %d adds entry %s a second time", d.Seq, d.Subject)
		}
		var b addBody
		if err := json.Unmarshal(d.Body, &b); err != nil {
			return fmt.Errorf("decision %d: decode %s body: %w", d.Seq, d.Kind, err)
		}
		entries[d.Subject] = &Entry{
			ID: d.Subject, PartyID: b.PartyID, USCC: b.USCC, NameZH: b.NameZH, NameEN: b.NameEN,
			ReasonZH: b.ReasonZH, ReasonEN: b.ReasonEN, Regulator: b.Regulator, DocumentNumber: b.DocumentNumber,
			EffectiveFrom: b.EffectiveFrom, EffectiveUntil: b.EffectiveUntil, AddedAt: d.Time, Decisions: []Ref{ref},
		}
	case KindRemove:
		if e == nil || e.Removal != nil {
			return fmt.Errorf("decision %d: removal of unknown or removed entry %s", d.Seq, d.Subject)
		}
		var b removeBody
		if err := json.Unmarshal(d.Body, &b); err != nil {
			return fmt.Errorf("decision %d: decode %s body: %w", d.Seq, d.Kind, err)
		}
		e.Removal = &Removal{Time: d.Time, ReasonZH: b.ReasonZH, ReasonEN: b.ReasonEN, Actor: d.Actor}
		e.Decisions = append(e.Decisions, ref)
	default:
		return fmt.Errorf("decision %d: unknown credit decision kind %q", d.Seq, d.Kind)
	}
	return nil
}

// Service adds, removes and looks up credit-list entries. It keeps every
// entry in memory as the fold of its decisions and reads newer decisions
// from the store before each change or listing and, for Listed, at most
// every RefreshInterval. It is safe for concurrent use.
//
// NOTE: one Service serialises its own changes. Two processes removing
// the same entry at once can both pass the checks; the fold keeps the
// first removal and skips the second.
type Service struct {
	// Store keeps the decisions; required.
	Store store.DecisionStore
	// Parties resolves party IDs and finds the registered party of a
	// USCC; nil accepts unregistered enterprises by USCC only.
	Parties store.PartyStore
	// LeafHash returns the audit-log leaf hash of a decision; nil appends
	// decisions without audit-log leaves.
	LeafHash func(store.Decision) []byte
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// RefreshInterval is the maximum age of the in-memory entries when
	// Listed reads them; 0 means DefaultRefreshInterval.
	RefreshInterval time.Duration
	// Logger receives decisions the fold skips; nil discards them.
	Logger *slog.Logger

	mu sync.Mutex
	// state keeps the entries by entry ID.
	state ledger.State[Entry]
}

// DefaultRefreshInterval is the default Service.RefreshInterval.
const DefaultRefreshInterval = 10 * time.Second

func (s *Service) now() time.Time { return ledger.Time(s.Now) }

// ledger returns the ledger of the entries, configured from s.
func (s *Service) ledger() *ledger.Ledger[Entry] {
	return &ledger.Ledger[Entry]{
		Domain: "credit", Subject: "entry", Apply: apply,
		Store: s.Store, LeafHash: s.LeafHash, Now: s.Now, Logger: s.Logger, State: &s.state,
	}
}

// refreshLocked folds the decisions appended since the last refresh. The
// caller holds s.mu.
func (s *Service) refreshLocked(ctx context.Context) error {
	return s.ledger().Refresh(ctx)
}

// AddRequest is a new credit-list entry.
type AddRequest struct {
	// Party is the registered party ID or the USCC of the enterprise.
	Party string `json:"party"`
	// NameZH and NameEN name an enterprise that is not registered; for a
	// registered party they default to its registered names.
	NameZH   string `json:"nameZH,omitempty"`
	NameEN   string `json:"nameEN,omitempty"`
	ReasonZH string `json:"reasonZH"`
	ReasonEN string `json:"reasonEN,omitempty"`
	// Regulator is the party ID of the deciding regulator. A regulator
	// leaves it empty or gives its own ID; an administrator must give it.
	Regulator      string `json:"regulator,omitempty"`
	DocumentNumber string `json:"documentNumber"`
	// EffectiveFrom (default: today) and EffectiveUntil are dates,
	// YYYY-MM-DD.
	EffectiveFrom  string `json:"effectiveFrom,omitempty"`
	EffectiveUntil string `json:"effectiveUntil,omitempty"`
}

// RemoveRequest removes an entry after credit repair.
type RemoveRequest struct {
	ReasonZH string `json:"reasonZH"`
	ReasonEN string `json:"reasonEN,omitempty"`
}

// Result is an entry after a change, with the decision that made it.
type Result struct {
	Entry    Entry `json:"entry"`
	Decision Ref   `json:"decision"`
}

// Add checks req and appends the credit.add decision. Only a regulator
// whose jurisdiction covers the enterprise's registered division (from
// the registry, else from its USCC) or an administrator may add.
func (s *Service) Add(ctx context.Context, a Actor, req AddRequest) (Result, error) {
	b, err := s.addBody(ctx, a, req)
	if err != nil {
		return Result{}, err
	}
	raw, err := json.Marshal(b)
	if err != nil {
		return Result{}, fmt.Errorf("encode credit entry: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refreshLocked(ctx); err != nil {
		return Result{}, err
	}
	for _, e := range s.state.Items {
		if e.DocumentNumber == b.DocumentNumber && e.Regulator == b.Regulator {
			return Result{}, fmt.Errorf("%w: %s of %s is entry %s / 该决定书文号已登记", ErrDuplicate, b.DocumentNumber, b.Regulator, e.ID)
		}
	}
	return s.appendLocked(ctx, a, KindAdd, newID(), raw)
}

// addBody validates req into the body of a credit.add decision.
func (s *Service) addBody(ctx context.Context, a Actor, req AddRequest) (addBody, error) {
	b := addBody{
		NameZH: strings.TrimSpace(req.NameZH), NameEN: strings.TrimSpace(req.NameEN),
		ReasonZH: strings.TrimSpace(req.ReasonZH), ReasonEN: strings.TrimSpace(req.ReasonEN),
		DocumentNumber: strings.TrimSpace(req.DocumentNumber),
	}
	reg, err := s.decider(ctx, a, strings.TrimSpace(req.Regulator))
	if err != nil {
		return b, err
	}
	b.Regulator = reg.ID
	division, err := s.resolveParty(ctx, strings.TrimSpace(req.Party), &b)
	if err != nil {
		return b, err
	}
	if !a.Admin && !strings.HasPrefix(division, reg.Jurisdiction) {
		return b, fmt.Errorf("%w: the enterprise is registered in division %s, outside the jurisdiction %s of regulator %s / 该企业不在本部门辖区内", ErrForbidden, division, reg.Jurisdiction, reg.ID)
	}

	if b.ReasonZH == "" {
		return b, &FieldError{Invalid: ErrInvalid, Field: "reasonZH", MessageZH: "缺少列入原因", Message: "the reason in Chinese is required"}
	}
	if b.DocumentNumber == "" {
		return b, &FieldError{Invalid: ErrInvalid, Field: "documentNumber", MessageZH: "缺少决定书文号", Message: "the decision document number is required"}
	}
	for _, f := range []struct {
		name, value string
		limit       int
	}{{"nameZH", b.NameZH, maxShort}, {"nameEN", b.NameEN, maxShort}, {"reasonZH", b.ReasonZH, maxText},
		{"reasonEN", b.ReasonEN, maxText}, {"documentNumber", b.DocumentNumber, maxShort}} {
		if err := checkText(f.name, f.value, f.limit); err != nil {
			return b, err
		}
	}

	if b.EffectiveFrom, err = parseDate("effectiveFrom", req.EffectiveFrom); err != nil {
		return b, err
	}
	if b.EffectiveFrom == "" {
		b.EffectiveFrom = s.now().In(cst).Format(time.DateOnly)
	}
	if b.EffectiveUntil, err = parseDate("effectiveUntil", req.EffectiveUntil); err != nil {
		return b, err
	}
	if b.EffectiveUntil != "" && b.EffectiveUntil < b.EffectiveFrom {
		return b, &FieldError{Invalid: ErrInvalid, Field: "effectiveUntil", Value: b.EffectiveUntil, MessageZH: "截止日期不能早于生效日期 " + b.EffectiveFrom, Message: "the end date is before the effective date " + b.EffectiveFrom}
	}
	return b, nil
}

// decider returns the deciding regulator of a new entry. An
// administrator acting for a regulator that is not registered gets a
// party with only the ID set.
func (s *Service) decider(ctx context.Context, a Actor, named string) (store.Party, error) {
	switch {
	case a.isRegulator() && !a.Admin:
		if named != "" && named != a.Party.ID {
			return store.Party{}, fmt.Errorf("%w: regulator %s may not decide in the name of %s / 监管部门只能以本部门名义作出决定", ErrForbidden, a.Party.ID, named)
		}
		return a.Party, nil
	case !a.Admin:
		return store.Party{}, fmt.Errorf("%w: only regulators and platform administrators change the credit list / 只有监管部门和平台管理员可以变更失信名单", ErrForbidden)
	case named == "" && a.isRegulator():
		return a.Party, nil
	case named == "":
		return store.Party{}, &FieldError{Invalid: ErrInvalid, Field: "regulator", MessageZH: "请填写作出决定的监管部门 ID", Message: "name the party ID of the deciding regulator"}
	case s.Parties == nil:
		return store.Party{ID: named, Kind: store.PartyRegulator}, nil
	}
	p, err := s.Parties.Party(ctx, named)
	if errors.Is(err, store.ErrNotFound) {
		return store.Party{}, &FieldError{Invalid: ErrInvalid, Field: "regulator", Value: named, MessageZH: "未登记的主体", Message: "no registered party has this ID; register the regulator first"}
	}
	if err != nil {
		return store.Party{}, fmt.Errorf("look up regulator %s: %w", named, err)
	}
	if p.Kind != store.PartyRegulator {
		return store.Party{}, &FieldError{Invalid: ErrInvalid, Field: "regulator", Value: named, MessageZH: "该主体不是监管部门", Message: "the party is a " + string(p.Kind) + ", not a regulator"}
	}
	return p, nil
}

// resolveParty fills the party ID, USCC and names of b from v (a party ID
// or a USCC) and returns the enterprise's division code.
func (s *Service) resolveParty(ctx context.Context, v string, b *addBody) (string, error) {
	if v == "" {
		return "", &FieldError{Invalid: ErrInvalid, Field: "party", MessageZH: "请填写企业的主体 ID 或统一社会信用代码", Message: "give the party ID or the unified social credit code of the enterprise"}
	}
	var registered *store.Party
	code, uerr := cncode.ParseUSCC(v)
	if uerr == nil {
		b.USCC = code.Value
		if s.Parties != nil {
			p, err := s.partyByUSCC(ctx, code.Value)
			if err != nil {
				return "", err
			}
			registered = p
		}
	} else if s.Parties != nil {
		p, err := s.Parties.Party(ctx, v)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return "", fmt.Errorf("look up party %s: %w", v, err)
		default:
			registered = &p
		}
	}
	if uerr != nil && registered == nil {
		var ce *cncode.Error
		msgZH, msg := "既不是已登记的主体 ID, 也不是有效的统一社会信用代码", "is neither a registered party ID nor a valid unified social credit code"
		if errors.As(uerr, &ce) && len(v) == 18 {
			msgZH, msg = ce.MessageZH(), ce.Error()
		}
		return "", &FieldError{Invalid: ErrInvalid, Field: "party", Value: v, MessageZH: msgZH, Message: msg}
	}
	if registered != nil {
		if registered.Kind != store.PartyEnterprise {
			return "", &FieldError{Invalid: ErrInvalid, Field: "party", Value: v, MessageZH: "只有企业可以列入失信名单", Message: "only enterprises are listed; this party is a " + string(registered.Kind)}
		}
		b.PartyID, b.USCC = registered.ID, registered.USCC
		if b.NameZH == "" {
			b.NameZH = registered.NameZH
		}
		if b.NameEN == "" {
			b.NameEN = registered.NameEN
		}
		if registered.Region != "" {
			return registered.Region, nil
		}
	}
	if b.NameZH == "" {
		return "", &FieldError{Invalid: ErrInvalid, Field: "nameZH", Value: v, MessageZH: "未登记的企业须填写中文名称", Message: "an enterprise that is not registered needs its Chinese name"}
	}
	if b.USCC == "" {
		return "", &FieldError{Invalid: ErrInvalid, Field: "party", Value: v, MessageZH: "该企业未登记统一社会信用代码", Message: "the party has no unified social credit code registered; add it first"}
	}
	code, err := cncode.ParseUSCC(b.USCC)
	if err != nil {
		return "", fmt.Errorf("stored unified social credit code %s: %w", b.USCC, err)
	}
	return code.Field("division"), nil
}

// partyByUSCC returns the registered party with the USCC, or nil.
// NOTE: the registry has no index by USCC, so this pages through every
// party; credit-list changes are rare enough for that.
func (s *Service) partyByUSCC(ctx context.Context, uscc string) (*store.Party, error) {
	after := ""
	for {
		ps, err := s.Parties.Parties(ctx, after, 500)
		if err != nil {
			return nil, fmt.Errorf("look up the party of %s: %w", uscc, err)
		}
		for _, p := range ps {
			if p.USCC == uscc {
				return &p, nil
			}
		}
		if len(ps) < 500 {
			return nil, nil
		}
		after = ps[len(ps)-1].ID
	}
}

// Remove records the credit repair of an entry. Only the deciding
// regulator or an administrator may remove it.
func (s *Service) Remove(ctx context.Context, a Actor, id string, req RemoveRequest) (Result, error) {
	b := removeBody{ReasonZH: strings.TrimSpace(req.ReasonZH), ReasonEN: strings.TrimSpace(req.ReasonEN)}
	if b.ReasonZH == "" {
		return Result{}, &FieldError{Invalid: ErrInvalid, Field: "reasonZH", MessageZH: "缺少信用修复的原因", Message: "the reason for the removal (credit repair) in Chinese is required"}
	}
	for _, f := range []struct{ name, value string }{{"reasonZH", b.ReasonZH}, {"reasonEN", b.ReasonEN}} {
		if err := checkText(f.name, f.value, maxText); err != nil {
			return Result{}, err
		}
	}
	raw, err := json.Marshal(b)
	if err != nil {
		return Result{}, fmt.Errorf("encode removal: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refreshLocked(ctx); err != nil {
		return Result{}, err
	}
	e, ok := s.state.Items[id]
	if !ok {
		return Result{}, fmt.Errorf("%w: no entry has ID %q; list entries with GET /api/v1/credit/entries or suyuan credit list / 名单条目不存在", ErrNotFound, id)
	}
	if !a.Admin && !(a.isRegulator() && a.Party.ID == e.Regulator) {
		return Result{}, fmt.Errorf("%w: only the deciding regulator %s or an administrator may remove entry %s / 只有作出决定的监管部门或管理员可以移出名单", ErrForbidden, e.Regulator, id)
	}
	if e.Removal != nil {
		return Result{}, fmt.Errorf("%w: entry %s was removed at %s / 该条目已移出名单", ErrRemoved, id, e.Removal.Time.Format(time.RFC3339))
	}
	return s.appendLocked(ctx, a, KindRemove, id, raw)
}

// appendLocked appends one decision, folds in every decision up to it and
// returns the entry. The caller holds s.mu.
func (s *Service) appendLocked(ctx context.Context, a Actor, kind, subject string, body json.RawMessage) (Result, error) {
	d, e, err := s.ledger().Append(ctx, a.Name, a.Party.ID, kind, subject, body)
	if err != nil {
		return Result{}, err
	}
	return Result{Entry: e.clone(), Decision: Ref{Kind: d.Kind, Seq: d.Seq, LeafIndex: d.LeafIndex, Time: d.Time, Actor: d.Actor}}, nil
}

// clone returns a copy of e that shares nothing with it.
func (e *Entry) clone() Entry {
	c := *e
	c.Decisions = slices.Clone(e.Decisions)
	if e.Removal != nil {
		r := *e.Removal
		c.Removal = &r
	}
	return c
}

// newID returns a new random entry ID.
func newID() string { return ledger.NewID("cr") }

// Filter selects entries in List.
type Filter struct {
	// Status keeps entries with this status now; empty keeps all.
	Status Status
	// Party keeps the entries about a party ID or USCC.
	Party string
}

// List returns the entries matching f, newest first.
func (s *Service) List(ctx context.Context, f Filter) ([]Entry, error) {
	switch f.Status {
	case "", StatusListed, StatusPending, StatusExpired, StatusRemoved:
	default:
		return nil, &FieldError{Invalid: ErrInvalid, Field: "status", Value: string(f.Status), MessageZH: "状态应为 listed、pending、expired 或 removed", Message: "give status listed, pending, expired or removed"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refreshLocked(ctx); err != nil {
		return nil, err
	}
	now := s.now()
	key := normalKey(f.Party)
	out := []Entry{}
	for _, e := range s.state.Items {
		if (f.Status == "" || e.StatusAt(now) == f.Status) && (key == "" || e.PartyID == key || e.USCC == key) {
			out = append(out, e.clone())
		}
	}
	slices.SortFunc(out, func(a, b Entry) int {
		if c := b.AddedAt.Compare(a.AddedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// normalKey returns a USCC in its stored form (upper case, without the
// urn:cn:uscc: prefix), and any other key unchanged.
func normalKey(v string) string {
	v = strings.TrimSpace(v)
	if code, err := cncode.ParseUSCC(v); err == nil {
		return code.Value
	}
	return v
}

// Listed returns the entries in force now about any of keys (party IDs or
// USCCs). It reads the entries from memory, refreshed from the store when
// older than RefreshInterval, so it serves page views. When a refresh
// fails and entries are loaded, it logs the error and uses them.
func (s *Service) Listed(ctx context.Context, keys ...string) ([]Entry, error) {
	interval := s.RefreshInterval
	if interval <= 0 {
		interval = DefaultRefreshInterval
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Since(s.state.LoadedAt) >= interval {
		if err := s.refreshLocked(ctx); err != nil {
			if s.state.LoadedAt.IsZero() {
				return nil, err
			}
			if s.Logger != nil {
				s.Logger.Error("refresh credit list; using the loaded entries", "err", err)
			}
			s.state.LoadedAt = time.Now()
		}
	}

	want := map[string]bool{}
	for _, k := range keys {
		if k = normalKey(k); k != "" {
			want[k] = true
		}
	}
	now := s.now()
	var out []Entry
	for _, e := range s.state.Items {
		if (want[e.PartyID] && e.PartyID != "" || want[e.USCC]) && e.StatusAt(now) == StatusListed {
			out = append(out, e.clone())
		}
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}
