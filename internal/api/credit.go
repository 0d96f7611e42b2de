package api

import (
	"context"
	"net/http"
	"time"

	"github.com/suyuan-trace/suyuan/internal/credit"
	"github.com/suyuan-trace/suyuan/internal/party"
	"github.com/suyuan-trace/suyuan/internal/query"
)

// creditRoutes are the routes of the quality-credit list.
func (s *Server) creditRoutes() []route {
	if s.decisions.Credit == nil {
		return nil
	}
	h := func(pattern string, f http.HandlerFunc) route { return route{pattern, f} }
	rs := []route{h("GET /api/v1/credit/entries", s.handleCreditEntries)}
	if s.sec != nil {
		rs = append(rs,
			h("POST /api/v1/credit/entries", s.handleAddCreditEntry),
			h("POST /api/v1/credit/entries/{entryID}/remove", s.handleRemoveCreditEntry),
		)
	}
	return rs
}

func creditActor(ctx context.Context) credit.Actor {
	name, p, admin := decisionActor(ctx)
	return credit.Actor{Name: name, Party: p, Admin: admin}
}

// publicEntry is a credit-list entry as published: the enterprise's name
// and unified social credit code, the reason, the deciding regulator and
// its document, the dates, and a removal with its reason. Chinese credit
// lists publish these fields.
type publicEntry struct {
	ID             string         `json:"id"`
	NameZH         string         `json:"nameZH"`
	NameEN         string         `json:"nameEN,omitempty"`
	USCC           string         `json:"uscc"`
	ReasonZH       string         `json:"reasonZH"`
	ReasonEN       string         `json:"reasonEN,omitempty"`
	Regulator      string         `json:"regulator"`
	RegulatorName  string         `json:"regulatorName,omitempty"`
	DocumentNumber string         `json:"documentNumber"`
	EffectiveFrom  string         `json:"effectiveFrom"`
	EffectiveUntil string         `json:"effectiveUntil,omitempty"`
	Status         credit.Status  `json:"status"`
	Removal        *publicRemoval `json:"removal,omitempty"`
	Decisions      []decisionRef  `json:"decisions"`
	// PartyID and Actors (who made each decision, in the order of
	// Decisions) are shown to regulators and administrators only.
	PartyID string   `json:"partyID,omitempty"`
	Actors  []string `json:"actors,omitempty"`
}

// publicRemoval is the credit repair of an entry, without its actor.
type publicRemoval struct {
	Time     time.Time `json:"time"`
	ReasonZH string    `json:"reasonZH"`
	ReasonEN string    `json:"reasonEN,omitempty"`
}

// projectEntry returns what the caller of ctx may see of e: the published
// fields for everyone, and the registry party ID and the actors for
// regulators and administrators.
func (s *Server) projectEntry(ctx context.Context, e credit.Entry) publicEntry {
	v := publicEntry{
		ID: e.ID, NameZH: e.NameZH, NameEN: e.NameEN, USCC: e.USCC, ReasonZH: e.ReasonZH, ReasonEN: e.ReasonEN,
		Regulator: e.Regulator, RegulatorName: s.partyName(ctx, e.Regulator), DocumentNumber: e.DocumentNumber,
		EffectiveFrom: e.EffectiveFrom, EffectiveUntil: e.EffectiveUntil, Status: e.StatusAt(time.Now()),
		Decisions: make([]decisionRef, 0, len(e.Decisions)),
	}
	if e.Removal != nil {
		v.Removal = &publicRemoval{Time: e.Removal.Time, ReasonZH: e.Removal.ReasonZH, ReasonEN: e.Removal.ReasonEN}
	}
	for _, d := range e.Decisions {
		v.Decisions = append(v.Decisions, decisionRef{Kind: d.Kind, Seq: d.Seq, LeafIndex: d.LeafIndex, Time: d.Time})
	}
	if a := party.PrincipalFrom(ctx).Audience(); s.sec == nil || a == party.Regulator || a == party.Administrator {
		v.PartyID = e.PartyID
		for _, d := range e.Decisions {
			v.Actors = append(v.Actors, d.Actor)
		}
	}
	return v
}

// creditResult is the response to a change: the entry and the decision
// that changed it.
type creditResult struct {
	Entry    publicEntry `json:"entry"`
	Decision decisionRef `json:"decision"`
}

func (s *Server) writeCreditResult(w http.ResponseWriter, r *http.Request, status int, res credit.Result) {
	d := res.Decision
	s.logger.Info("credit-list decision", "kind", d.Kind, "entry", res.Entry.ID, "uscc", res.Entry.USCC, "seq", d.Seq, "actor", d.Actor)
	writeJSON(w, status, creditResult{
		Entry:    s.projectEntry(r.Context(), res.Entry),
		Decision: decisionRef{Kind: d.Kind, Seq: d.Seq, LeafIndex: d.LeafIndex, Time: d.Time},
	})
}

// handleAddCreditEntry serves POST /api/v1/credit/entries (body:
// credit.AddRequest).
func (s *Server) handleAddCreditEntry(w http.ResponseWriter, r *http.Request) {
	var req credit.AddRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	res, err := s.decisions.Credit.Add(r.Context(), creditActor(r.Context()), req)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	s.writeCreditResult(w, r, http.StatusCreated, res)
}

// handleRemoveCreditEntry serves POST
// /api/v1/credit/entries/{entryID}/remove (body: credit.RemoveRequest).
func (s *Server) handleRemoveCreditEntry(w http.ResponseWriter, r *http.Request) {
	var req credit.RemoveRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	res, err := s.decisions.Credit.Remove(r.Context(), creditActor(r.Context()), r.PathValue("entryID"), req)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	s.writeCreditResult(w, r, http.StatusOK, res)
}

// handleCreditEntries serves GET /api/v1/credit/entries?status=&party=:
// the entries, newest first. status is listed (the default: the entries
// in force), pending, expired, removed or all; party is a party ID or a
// unified social credit code.
func (s *Server) handleCreditEntries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for name := range q {
		if name != "status" && name != "party" {
			s.writeProblem(w, r, &query.ParamError{Param: name, Value: q.Get(name), Reason: "unknown parameter; this list takes status and party"})
			return
		}
	}
	f := credit.Filter{Status: credit.Status(q.Get("status")), Party: q.Get("party")}
	switch f.Status {
	case "":
		f.Status = credit.StatusListed
	case "all":
		f.Status = ""
	}
	es, err := s.decisions.Credit.List(r.Context(), f)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	out := make([]publicEntry, 0, len(es))
	for _, e := range es {
		out = append(out, s.projectEntry(r.Context(), e))
	}
	writeJSON(w, http.StatusOK, out)
}
