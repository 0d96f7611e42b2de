package recall

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/suyuan-trace/suyuan/internal/ledger"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/trace"
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

// isRegulator reports whether a acts for a regulator.
func (a Actor) isRegulator() bool { return a.Party.Kind == store.PartyRegulator && a.Party.ID != "" }

// Service opens, updates, closes and looks up recall notices. It keeps
// every notice in memory as the fold of its decisions and reads newer
// decisions from the store before each change or listing and, for
// Covering, at most every RefreshInterval. It is safe for concurrent use.
//
// NOTE: one Service serialises its own changes, so its state rules hold
// for every change it makes. Two processes changing the same notice at
// once can both pass the checks. The fold then keeps the first decision
// in Seq order and skips a later one that breaks a rule.
type Service struct {
	// Store keeps the decisions; required.
	Store store.DecisionStore
	// Parties checks that an administrator names a registered regulator
	// as the issuer; nil accepts any non-empty party ID.
	Parties store.PartyStore
	// Tracer takes the scope snapshot at opening and finds the upstream
	// lots and containers of a scanned code. Without it the snapshot is
	// empty and Covering matches codes by identifier only.
	Tracer *trace.Tracer
	// LeafHash returns the audit-log leaf hash of a decision; nil appends
	// decisions without audit-log leaves.
	LeafHash func(store.Decision) []byte
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// RefreshInterval is the maximum age of the in-memory notices when
	// Covering reads them; 0 means DefaultRefreshInterval.
	RefreshInterval time.Duration
	// Logger receives decisions the fold skips; nil discards them.
	Logger *slog.Logger

	mu sync.Mutex
	// state keeps the notices by recall ID.
	state ledger.State[Notice]
	// index maps each identifier of an open notice to those notices; it
	// is replaced, never modified, so Covering reads it without mu.
	index map[string][]*Notice
}

// DefaultRefreshInterval is the default Service.RefreshInterval: a
// notice issued by another process appears on the consumer page within
// this time.
const DefaultRefreshInterval = 10 * time.Second

func (s *Service) now() time.Time { return ledger.Time(s.Now) }

func (s *Service) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// ledger returns the ledger of the notices, configured from s.
func (s *Service) ledger() *ledger.Ledger[Notice] {
	return &ledger.Ledger[Notice]{
		Domain: "recall", Subject: "recall", Apply: apply,
		Folded: func(changed bool) {
			if changed || s.index == nil {
				s.reindexLocked()
			}
		},
		Store: s.Store, LeafHash: s.LeafHash, Now: s.Now, Logger: s.Logger, State: &s.state,
	}
}

// refreshLocked folds the decisions appended since the last refresh. The
// caller holds s.mu.
func (s *Service) refreshLocked(ctx context.Context) error {
	return s.ledger().Refresh(ctx)
}

// reindexLocked rebuilds the index of open notices. The caller holds
// s.mu.
func (s *Service) reindexLocked() {
	index := map[string][]*Notice{}
	for _, n := range s.state.Items {
		if n.Status != StatusOpen {
			continue
		}
		c := n.clone()
		for _, id := range c.IDs {
			index[id] = append(index[id], c)
		}
	}
	s.index = index
}

// clone returns a copy of n that shares no slice with it.
func (n *Notice) clone() *Notice {
	c := *n
	c.IDs = slices.Clone(n.IDs)
	c.Progress = slices.Clone(n.Progress)
	c.Decisions = slices.Clone(n.Decisions)
	return &c
}

// OpenRequest is a new recall notice.
type OpenRequest struct {
	Number string `json:"number"`
	// Regulator is the party ID of the issuing regulator. A regulator
	// leaves it empty or gives its own ID; an administrator must give it.
	Regulator  string `json:"regulator,omitempty"`
	Level      string `json:"level"`
	ReasonZH   string `json:"reasonZH"`
	ReasonEN   string `json:"reasonEN,omitempty"`
	CategoryZH string `json:"categoryZH,omitempty"`
	CategoryEN string `json:"categoryEN,omitempty"`
	// IDs are the recalled lots and identifiers in any form package ident
	// reads.
	IDs  []string   `json:"ids"`
	From *time.Time `json:"from,omitempty"`
	To   *time.Time `json:"to,omitempty"`
}

// UpdateRequest is a progress report. At least one of Recovered and a
// note is required.
type UpdateRequest struct {
	// Recovered is the quantity taken back so far, in UOM.
	Recovered *float64 `json:"recovered,omitempty"`
	UOM       string   `json:"uom,omitempty"`
	NoteZH    string   `json:"noteZH,omitempty"`
	NoteEN    string   `json:"noteEN,omitempty"`
}

// CloseRequest closes a notice with its result.
type CloseRequest struct {
	ResultZH string `json:"resultZH"`
	ResultEN string `json:"resultEN,omitempty"`
}

// Result is a notice after a change, with the decision that made it.
type Result struct {
	Notice   Notice `json:"notice"`
	Decision Ref    `json:"decision"`
}

// Open checks req, takes the scope snapshot and appends the recall.open
// decision. Only a regulator (as the issuer) or an administrator (naming
// the issuing regulator) may open a notice.
func (s *Service) Open(ctx context.Context, a Actor, req OpenRequest) (Result, error) {
	body, err := s.openBody(ctx, a, req)
	if err != nil {
		return Result{}, err
	}
	body.Scope = s.snapshot(ctx, body.IDs, body.From, body.To)
	raw, err := json.Marshal(body)
	if err != nil {
		return Result{}, fmt.Errorf("encode recall: %w", err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refreshLocked(ctx); err != nil {
		return Result{}, err
	}
	for _, n := range s.state.Items {
		if n.Number == body.Number {
			return Result{}, fmt.Errorf("%w: %s is notice %s; give the new notice its own number / 文号 %s 已用于召回公告 %s", ErrDuplicate, body.Number, n.ID, body.Number, n.ID)
		}
	}
	d, err := s.appendLocked(ctx, a, KindOpen, newID(), raw)
	if err != nil {
		return Result{}, err
	}
	return Result{Notice: *s.state.Items[d.Subject].clone(), Decision: refOf(d)}, nil
}

// openBody validates req into the body of a recall.open decision.
func (s *Service) openBody(ctx context.Context, a Actor, req OpenRequest) (openBody, error) {
	b := openBody{
		Number: strings.TrimSpace(req.Number), ReasonZH: strings.TrimSpace(req.ReasonZH), ReasonEN: strings.TrimSpace(req.ReasonEN),
		CategoryZH: strings.TrimSpace(req.CategoryZH), CategoryEN: strings.TrimSpace(req.CategoryEN),
	}
	regulator, err := s.issuer(ctx, a, strings.TrimSpace(req.Regulator))
	if err != nil {
		return b, err
	}
	b.Regulator = regulator

	if b.Number == "" {
		return b, &FieldError{Invalid: ErrInvalid, Field: "number", MessageZH: "缺少召回公告文号", Message: "the notice number is required, such as 粤食召〔2026〕017号"}
	}
	if b.Level, err = ParseLevel(req.Level); err != nil {
		return b, err
	}
	if b.ReasonZH == "" {
		return b, &FieldError{Invalid: ErrInvalid, Field: "reasonZH", MessageZH: "缺少中文召回原因", Message: "the reason in Chinese is required"}
	}
	for _, f := range []struct {
		name, value string
		limit       int
	}{{"number", b.Number, maxNumber}, {"reasonZH", b.ReasonZH, maxText}, {"reasonEN", b.ReasonEN, maxText},
		{"categoryZH", b.CategoryZH, maxNumber}, {"categoryEN", b.CategoryEN, maxNumber}} {
		if err := checkText(f.name, f.value, f.limit); err != nil {
			return b, err
		}
	}
	if b.IDs, err = canonicalIDs(req.IDs); err != nil {
		return b, err
	}

	if req.From != nil && req.To != nil && !req.From.Before(*req.To) {
		return b, &FieldError{Invalid: ErrInvalid, Field: "to", Value: req.To.Format(time.RFC3339), MessageZH: "结束时间应晚于开始时间", Message: "the window must end after it starts (from " + req.From.Format(time.RFC3339) + ")"}
	}
	if req.From != nil {
		from := req.From.UTC()
		b.From = &from
	}
	if req.To != nil {
		to := req.To.UTC()
		b.To = &to
	}
	return b, nil
}

// issuer returns the issuing regulator of a new notice.
// NOTE: a regulator may recall lots of any producer, because a local
// regulator may have to recall goods made elsewhere and sold locally; the
// notice records who issued it.
func (s *Service) issuer(ctx context.Context, a Actor, named string) (string, error) {
	switch {
	case a.isRegulator() && !a.Admin:
		if named != "" && named != a.Party.ID {
			return "", fmt.Errorf("%w: regulator %s may not issue a notice in the name of %s / 监管部门只能以本部门名义发布召回公告", ErrForbidden, a.Party.ID, named)
		}
		return a.Party.ID, nil
	case !a.Admin:
		return "", fmt.Errorf("%w: only regulators and platform administrators issue recall notices / 只有监管部门和平台管理员可以发布召回公告", ErrForbidden)
	case named == "" && a.isRegulator():
		return a.Party.ID, nil
	case named == "":
		return "", &FieldError{Invalid: ErrInvalid, Field: "regulator", MessageZH: "请填写发布公告的监管部门 ID", Message: "name the party ID of the issuing regulator"}
	}
	if s.Parties == nil {
		return named, nil
	}
	p, err := s.Parties.Party(ctx, named)
	if errors.Is(err, store.ErrNotFound) {
		return "", &FieldError{Invalid: ErrInvalid, Field: "regulator", Value: named, MessageZH: "未登记的主体", Message: "no registered party has this ID; register the regulator first"}
	}
	if err != nil {
		return "", fmt.Errorf("look up regulator %s: %w", named, err)
	}
	if p.Kind != store.PartyRegulator {
		return "", &FieldError{Invalid: ErrInvalid, Field: "regulator", Value: named, MessageZH: "该主体不是监管部门", Message: "the party is a " + string(p.Kind) + ", not a regulator"}
	}
	return p.ID, nil
}

// snapshot returns the scope of the recalled identifiers in the window.
// Identifiers no event names are listed as untraced. Other failures are
// recorded in Scope.Error, because a notice must go out even when the
// platform cannot count its reach.
func (s *Service) snapshot(ctx context.Context, ids []string, from, to *time.Time) Scope {
	sc := Scope{ByHolder: []trace.Bucket{}, ByRegion: []trace.Bucket{}, ByChannel: []trace.Bucket{}, ByStatus: []trace.Bucket{}}
	if s.Tracer == nil {
		sc.Error = "this store keeps no lineage index"
		return sc
	}
	var f, t time.Time
	if from != nil {
		f = *from
	}
	if to != nil {
		t = *to
	}
	var traced []string
	for _, id := range ids {
		_, err := s.Tracer.Trace(ctx, id, trace.Options{Direction: trace.Forward, Depth: 1, MaxNodes: 1})
		switch {
		case errors.Is(err, store.ErrNotFound):
			sc.Untraced = append(sc.Untraced, id)
		case err != nil:
			sc.Error = err.Error()
			return sc
		default:
			traced = append(traced, id)
		}
	}
	if len(traced) == 0 {
		return sc
	}

	full, err := s.Tracer.RecallScope(ctx, traced, f, t)
	if err != nil {
		sc.Error = err.Error()
		return sc
	}
	sc.Affected, sc.Lots = len(full.Affected), len(full.Lots)
	sc.ByHolder, sc.ByRegion, sc.ByChannel, sc.ByStatus = full.ByHolder, full.ByRegion, full.ByChannel, full.ByStatus
	for _, b := range full.ByStatus {
		sc.InStock += b.InStock
		sc.Delivered += b.Delivered
	}
	return sc
}

// uomPattern is a UN/CEFACT Recommendation 20 unit code, such as KGM,
// EA or H87.
var uomPattern = regexp.MustCompile(`^[A-Z0-9]{2,3}$`)

// Update appends a progress report to an open notice. Only the issuing
// regulator or an administrator may report.
func (s *Service) Update(ctx context.Context, a Actor, id string, req UpdateRequest) (Result, error) {
	b := updateBody{UOM: strings.ToUpper(strings.TrimSpace(req.UOM)), NoteZH: strings.TrimSpace(req.NoteZH), NoteEN: strings.TrimSpace(req.NoteEN)}
	if req.Recovered == nil && b.NoteZH == "" && b.NoteEN == "" {
		return Result{}, &FieldError{Invalid: ErrInvalid, Field: "recovered", MessageZH: "请填写已召回数量或进展说明", Message: "give the quantity recovered, a note, or both"}
	}
	if req.Recovered != nil {
		q := *req.Recovered
		if q < 0 || math.IsNaN(q) || math.IsInf(q, 0) {
			return Result{}, &FieldError{Invalid: ErrInvalid, Field: "recovered", Value: fmt.Sprint(q), MessageZH: "已召回数量应为非负数", Message: "the quantity recovered must be a number of zero or more"}
		}
		if !uomPattern.MatchString(b.UOM) {
			return Result{}, &FieldError{Invalid: ErrInvalid, Field: "uom", Value: req.UOM, MessageZH: "请用 UN/CEFACT 第 20 号建议书的单位代码, 如 KGM、EA", Message: "give the unit as a UN/CEFACT Rec 20 code such as KGM or EA"}
		}
		b.Recovered = q
	}
	for _, f := range []struct{ name, value string }{{"noteZH", b.NoteZH}, {"noteEN", b.NoteEN}} {
		if err := checkText(f.name, f.value, maxText); err != nil {
			return Result{}, err
		}
	}
	return s.change(ctx, a, id, KindUpdate, b)
}

// Close closes an open notice with its result. Only the issuing
// regulator or an administrator may close it.
func (s *Service) Close(ctx context.Context, a Actor, id string, req CloseRequest) (Result, error) {
	b := closeBody{ResultZH: strings.TrimSpace(req.ResultZH), ResultEN: strings.TrimSpace(req.ResultEN)}
	if b.ResultZH == "" {
		return Result{}, &FieldError{Invalid: ErrInvalid, Field: "resultZH", MessageZH: "请填写召回结果", Message: "the result in Chinese is required, such as 已全部召回并销毁"}
	}
	for _, f := range []struct{ name, value string }{{"resultZH", b.ResultZH}, {"resultEN", b.ResultEN}} {
		if err := checkText(f.name, f.value, maxText); err != nil {
			return Result{}, err
		}
	}
	return s.change(ctx, a, id, KindClose, b)
}

// change appends an update or close decision after checking the notice
// and the actor.
func (s *Service) change(ctx context.Context, a Actor, id, kind string, body any) (Result, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return Result{}, fmt.Errorf("encode %s: %w", kind, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refreshLocked(ctx); err != nil {
		return Result{}, err
	}
	n, ok := s.state.Items[id]
	if !ok {
		return Result{}, fmt.Errorf("%w: no notice has ID %q; list notices with GET /api/v1/recalls or suyuan recall list / 召回公告不存在", ErrNotFound, id)
	}
	if !a.Admin && !(a.isRegulator() && a.Party.ID == n.Regulator) {
		return Result{}, fmt.Errorf("%w: only the issuing regulator %s or an administrator may change notice %s / 只有发布公告的监管部门或管理员可以更新或结束召回", ErrForbidden, n.Regulator, n.Number)
	}
	if n.Status == StatusClosed {
		return Result{}, fmt.Errorf("%w: notice %s closed at %s; issue a new notice to recall again / 召回公告已结束, 不能再更新", ErrClosed, n.Number, n.ClosedAt.Format(time.RFC3339))
	}
	d, err := s.appendLocked(ctx, a, kind, id, raw)
	if err != nil {
		return Result{}, err
	}
	return Result{Notice: *s.state.Items[id].clone(), Decision: refOf(d)}, nil
}

// appendLocked appends one decision and folds it in. The caller holds
// s.mu and has refreshed.
func (s *Service) appendLocked(ctx context.Context, a Actor, kind, subject string, body json.RawMessage) (store.Decision, error) {
	d, _, err := s.ledger().Append(ctx, a.Name, a.Party.ID, kind, subject, body)
	return d, err
}

// newID returns a new random recall ID.
func newID() string { return ledger.NewID("rc") }

// Filter selects notices in List.
type Filter struct {
	// Status keeps notices of one status; empty keeps all.
	Status Status
	// Regulator keeps the notices of one issuing regulator.
	Regulator string
}

// List returns the notices matching f, newest first.
func (s *Service) List(ctx context.Context, f Filter) ([]Notice, error) {
	if f.Status != "" && f.Status != StatusOpen && f.Status != StatusClosed {
		return nil, &FieldError{Invalid: ErrInvalid, Field: "status", Value: string(f.Status), MessageZH: "状态应为 open 或 closed", Message: "give status open or closed"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refreshLocked(ctx); err != nil {
		return nil, err
	}
	out := []Notice{}
	for _, n := range s.state.Items {
		if (f.Status == "" || n.Status == f.Status) && (f.Regulator == "" || n.Regulator == f.Regulator) {
			out = append(out, *n.clone())
		}
	}
	slices.SortFunc(out, func(a, b Notice) int {
		if c := b.OpenedAt.Compare(a.OpenedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// Get returns one notice by recall ID or notice number.
func (s *Service) Get(ctx context.Context, id string) (Notice, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refreshLocked(ctx); err != nil {
		return Notice{}, err
	}
	if n, ok := s.state.Items[id]; ok {
		return *n.clone(), nil
	}
	for _, n := range s.state.Items {
		if n.Number == id {
			return *n.clone(), nil
		}
	}
	return Notice{}, fmt.Errorf("%w: no notice has ID or number %q / 召回公告不存在", ErrNotFound, id)
}
