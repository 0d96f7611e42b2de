package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/suyuan-trace/suyuan/internal/credit"
	"github.com/suyuan-trace/suyuan/internal/party"
	"github.com/suyuan-trace/suyuan/internal/query"
	"github.com/suyuan-trace/suyuan/internal/recall"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// Decisions are the services behind the recall and credit-list routes.
type Decisions struct {
	Recalls *recall.Service
	Credit  *credit.Service
}

// SetDecisions adds the recall routes when d.Recalls is set and the
// credit-list routes when d.Credit is set. The routes that change them
// exist only on a server with Secure, because every decision records who
// made it. Call it before Handler.
func (s *Server) SetDecisions(d Decisions) {
	s.decisions = d
}

// recallRoutes are the routes of recall notices.
func (s *Server) recallRoutes() []route {
	if s.decisions.Recalls == nil {
		return nil
	}
	h := func(pattern string, f http.HandlerFunc) route { return route{pattern, f} }
	rs := []route{
		h("GET /api/v1/recalls", s.handleRecalls),
		h("GET /api/v1/recalls/{recallID}", s.handleRecall),
	}
	if s.sec != nil {
		rs = append(rs,
			h("POST /api/v1/recalls", s.handleOpenRecall),
			h("POST /api/v1/recalls/{recallID}/updates", s.handleUpdateRecall),
			h("POST /api/v1/recalls/{recallID}/close", s.handleCloseRecall),
		)
	}
	return rs
}

// decisionActor returns the actor of a change made by the caller of ctx.
func decisionActor(ctx context.Context) (name string, p store.Party, admin bool) {
	pr := party.PrincipalFrom(ctx)
	if pr == nil {
		return "", store.Party{}, false
	}
	return pr.Actor, pr.Party, pr.Audience() == party.Administrator
}

func recallActor(ctx context.Context) recall.Actor {
	name, p, admin := decisionActor(ctx)
	return recall.Actor{Name: name, Party: p, Admin: admin}
}

// decisionRef is the reference to a decision that a response shows: its
// position in the decision store and the audit log, for an inclusion
// proof, without the actor.
type decisionRef struct {
	Kind      string    `json:"kind"`
	Seq       int64     `json:"seq"`
	LeafIndex uint64    `json:"leafIndex"`
	Time      time.Time `json:"time"`
}

// publicNotice is a recall notice as the public and enterprises see it:
// the notice itself, never its scope or progress reports.
type publicNotice struct {
	ID            string        `json:"id"`
	Number        string        `json:"number"`
	Regulator     string        `json:"regulator"`
	RegulatorName string        `json:"regulatorName,omitempty"`
	Level         recall.Level  `json:"level"`
	LevelZH       string        `json:"levelZH"`
	ReasonZH      string        `json:"reasonZH"`
	ReasonEN      string        `json:"reasonEN,omitempty"`
	CategoryZH    string        `json:"categoryZH,omitempty"`
	CategoryEN    string        `json:"categoryEN,omitempty"`
	IDs           []string      `json:"ids"`
	From          *time.Time    `json:"from,omitempty"`
	To            *time.Time    `json:"to,omitempty"`
	Status        recall.Status `json:"status"`
	OpenedAt      time.Time     `json:"openedAt"`
	ClosedAt      *time.Time    `json:"closedAt,omitempty"`
	ResultZH      string        `json:"resultZH,omitempty"`
	ResultEN      string        `json:"resultEN,omitempty"`
	Decisions     []decisionRef `json:"decisions"`
	*recallDetails
}

// recallDetails are the fields regulators and administrators see beside
// the public ones.
type recallDetails struct {
	Scope    recall.Scope      `json:"scope"`
	Progress []recall.Progress `json:"progress"`
	// Actors lists who made each decision, in the order of Decisions.
	Actors []string `json:"actors"`
}

// projectNotice returns what the caller of ctx may see of n:
//
//   - Administrator and the issuing regulator: everything;
//   - other regulators: everything but the scope by holder, which names
//     the enterprises holding the goods;
//   - enterprises and the public: the notice without scope and progress.
func (s *Server) projectNotice(ctx context.Context, n recall.Notice) publicNotice {
	v := publicNotice{
		ID: n.ID, Number: n.Number, Regulator: n.Regulator, RegulatorName: s.partyName(ctx, n.Regulator),
		Level: n.Level, LevelZH: n.Level.ZH(), ReasonZH: n.ReasonZH, ReasonEN: n.ReasonEN,
		CategoryZH: n.CategoryZH, CategoryEN: n.CategoryEN, IDs: n.IDs, From: n.From, To: n.To,
		Status: n.Status, OpenedAt: n.OpenedAt, ClosedAt: n.ClosedAt, ResultZH: n.ResultZH, ResultEN: n.ResultEN,
		Decisions: make([]decisionRef, 0, len(n.Decisions)),
	}
	for _, d := range n.Decisions {
		v.Decisions = append(v.Decisions, decisionRef{Kind: d.Kind, Seq: d.Seq, LeafIndex: d.LeafIndex, Time: d.Time})
	}
	p := party.PrincipalFrom(ctx)
	if s.sec != nil {
		switch a := p.Audience(); {
		case a == party.Administrator, a == party.Regulator && p.Party.ID == n.Regulator:
		case a == party.Regulator:
			n.Scope.ByHolder = nil
		default:
			return v
		}
	}
	v.recallDetails = &recallDetails{Scope: n.Scope, Progress: n.Progress}
	for _, d := range n.Decisions {
		v.Actors = append(v.Actors, d.Actor)
	}
	return v
}

// partyName returns the registered Chinese name of a party, or "" when
// there is no registry or no such party. Regulators' names are public.
func (s *Server) partyName(ctx context.Context, id string) string {
	if s.sec == nil || id == "" {
		return ""
	}
	p, err := s.registry().Party(ctx, id)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.logger.Error("look up party name", "party_id", id, "err", err)
		}
		return ""
	}
	if p.Kind != store.PartyRegulator && p.Kind != store.PartyOperator {
		return ""
	}
	return p.NameZH
}

// recallResult is the response to a change: the notice and the decision
// that changed it.
type recallResult struct {
	Notice   publicNotice `json:"notice"`
	Decision decisionRef  `json:"decision"`
}

func (s *Server) writeRecallResult(w http.ResponseWriter, r *http.Request, status int, res recall.Result) {
	d := res.Decision
	s.logger.Info("recall decision", "kind", d.Kind, "recall", res.Notice.ID, "number", res.Notice.Number, "seq", d.Seq, "actor", d.Actor)
	if status == http.StatusCreated {
		w.Header().Set("Location", "/api/v1/recalls/"+url.PathEscape(res.Notice.ID))
	}
	writeJSON(w, status, recallResult{
		Notice:   s.projectNotice(r.Context(), res.Notice),
		Decision: decisionRef{Kind: d.Kind, Seq: d.Seq, LeafIndex: d.LeafIndex, Time: d.Time},
	})
}

// handleOpenRecall serves POST /api/v1/recalls: a regulator or an
// administrator opens a notice (body: recall.OpenRequest).
func (s *Server) handleOpenRecall(w http.ResponseWriter, r *http.Request) {
	var req recall.OpenRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	res, err := s.decisions.Recalls.Open(r.Context(), recallActor(r.Context()), req)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	s.writeRecallResult(w, r, http.StatusCreated, res)
}

// handleUpdateRecall serves POST /api/v1/recalls/{recallID}/updates: a
// progress report (body: recall.UpdateRequest).
func (s *Server) handleUpdateRecall(w http.ResponseWriter, r *http.Request) {
	var req recall.UpdateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	res, err := s.decisions.Recalls.Update(r.Context(), recallActor(r.Context()), r.PathValue("recallID"), req)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	s.writeRecallResult(w, r, http.StatusOK, res)
}

// handleCloseRecall serves POST /api/v1/recalls/{recallID}/close (body:
// recall.CloseRequest).
func (s *Server) handleCloseRecall(w http.ResponseWriter, r *http.Request) {
	var req recall.CloseRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	res, err := s.decisions.Recalls.Close(r.Context(), recallActor(r.Context()), r.PathValue("recallID"), req)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	s.writeRecallResult(w, r, http.StatusOK, res)
}

// handleRecalls serves GET /api/v1/recalls?status=open|closed&regulator=ID:
// the notices, newest first, each as the caller may see it.
func (s *Server) handleRecalls(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for name := range q {
		if name != "status" && name != "regulator" {
			s.writeProblem(w, r, &query.ParamError{Param: name, Value: q.Get(name), Reason: "unknown parameter; this list takes status (open or closed) and regulator"})
			return
		}
	}
	ns, err := s.decisions.Recalls.List(r.Context(), recall.Filter{Status: recall.Status(q.Get("status")), Regulator: q.Get("regulator")})
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	out := make([]publicNotice, 0, len(ns))
	for _, n := range ns {
		out = append(out, s.projectNotice(r.Context(), n))
	}
	writeJSON(w, http.StatusOK, out)
}

// handleRecall serves GET /api/v1/recalls/{recallID}, by recall ID or
// notice number.
func (s *Server) handleRecall(w http.ResponseWriter, r *http.Request) {
	n, err := s.decisions.Recalls.Get(r.Context(), r.PathValue("recallID"))
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.projectNotice(r.Context(), n))
}
