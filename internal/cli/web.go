package cli

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/suyuan-trace/suyuan/internal/api"
	"github.com/suyuan-trace/suyuan/internal/auditlog"
	"github.com/suyuan-trace/suyuan/internal/credit"
	"github.com/suyuan-trace/suyuan/internal/demo"
	"github.com/suyuan-trace/suyuan/internal/recall"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/postgres"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
	"github.com/suyuan-trace/suyuan/internal/web"
)

// mountWeb adds the consumer pages and the Digital Link resolver to srv
// without audit-log marks; see mountWebWithLog.
func mountWeb(ctx context.Context, st store.Store, srv *api.Server, dir web.Directory, logger *slog.Logger) (func(), error) {
	return mountWebWithLog(ctx, st, srv, dir, nil, logger)
}

// mountWebWithLog adds the consumer pages and the Digital Link resolver
// to srv and returns a function that writes their buffered lookup counts,
// to be called after the server has shut down. The pages need a store
// that keeps lookup counts and complaints (SQLite or PostgreSQL); on other
// stores they are left out with a warning. When auditLog is not nil, the
// pages mark the journey steps that its latest signed checkpoint covers.
func mountWebWithLog(ctx context.Context, st store.Store, srv *api.Server, dir web.Directory, auditLog *auditlog.Log, logger *slog.Logger) (func(), error) {
	var decisions api.Decisions
	if ds, ok := st.(decisionStore); ok {
		decisions.Recalls, decisions.Credit = newDecisionServices(ds, logger)
		srv.SetDecisions(decisions)
	}
	var feedback web.Feedback
	switch s := st.(type) {
	case *sqlite.Store:
		fb, err := s.WebFeedback(ctx)
		if err != nil {
			return nil, err
		}
		feedback = sqliteFeedback{fb}
	case *postgres.Store:
		fb, err := s.WebFeedback(ctx)
		if err != nil {
			return nil, err
		}
		feedback = postgresFeedback{fb}
	default:
		logger.Warn("consumer pages disabled: this store keeps no lookup counts", "store", fmt.Sprintf("%T", st))
		return func() {}, nil
	}
	opts := web.Options{Store: st, Directory: dir, Feedback: feedback, Logger: logger}
	if decisions.Recalls != nil {
		opts.Recalls = pageRecalls{decisions.Recalls}
		opts.Credit = pageCredit{decisions.Credit}
	}
	if auditLog != nil {
		if leaves, ok := st.(store.LogStore); ok {
			opts.AuditLog = auditLogReader{log: auditLog, leaves: leaves}
		}
	}
	h, err := web.New(opts)
	if err != nil {
		return nil, fmt.Errorf("consumer pages: %w", err)
	}
	h.MountOn(srv)
	return h.Close, nil
}

// pageRecalls adapts the recall service to web.Recalls.
type pageRecalls struct{ s *recall.Service }

func (a pageRecalls) Covering(ctx context.Context, ids []string) ([]web.RecallNotice, error) {
	ns, err := a.s.Covering(ctx, ids)
	return pageNotices(ns), err
}

// Matching implements web.RecallMatcher.
func (a pageRecalls) Matching(ctx context.Context, ids []string) ([]web.RecallNotice, error) {
	ns, err := a.s.Matching(ctx, ids)
	return pageNotices(ns), err
}

func pageNotices(ns []recall.Notice) []web.RecallNotice {
	out := make([]web.RecallNotice, 0, len(ns))
	for _, n := range ns {
		out = append(out, web.RecallNotice{Number: n.Number, ReasonZH: n.ReasonZH, ReasonEN: n.ReasonEN})
	}
	return out
}

// pageCredit adapts the credit-list service to web.CreditList.
type pageCredit struct{ s *credit.Service }

func (a pageCredit) Listed(ctx context.Context, keys ...string) ([]web.CreditEntry, error) {
	es, err := a.s.Listed(ctx, keys...)
	out := make([]web.CreditEntry, 0, len(es))
	for _, e := range es {
		out = append(out, web.CreditEntry{ReasonZH: e.ReasonZH, ReasonEN: e.ReasonEN, DocumentNumber: e.DocumentNumber})
	}
	return out, err
}

// auditLogReader adapts the audit log and the store's leaf index to
// web.AuditLog.
type auditLogReader struct {
	log    *auditlog.Log
	leaves store.LogStore
}

func (r auditLogReader) CheckpointSize(ctx context.Context) (uint64, error) {
	c, err := r.log.Checkpoint(ctx)
	if err != nil {
		return 0, err
	}
	return c.Size, nil
}

func (r auditLogReader) LeafIndex(ctx context.Context, eventID string) (uint64, error) {
	return r.leaves.LeafIndex(ctx, eventID)
}

// sqliteFeedback adapts the SQLite lookup and complaint tables to
// web.Feedback.
type sqliteFeedback struct{ f *sqlite.WebFeedback }

func (a sqliteFeedback) ScanStats(ctx context.Context, canonical string) (web.ScanStats, error) {
	st, err := a.f.ScanStats(ctx, canonical)
	out := web.ScanStats{Count: st.Count, First: st.First, Last: st.Last}
	for _, c := range st.Cities {
		out.Cities = append(out.Cities, web.CityCount{City: c.City, Count: c.Count})
	}
	return out, err
}

func (a sqliteFeedback) AddScans(ctx context.Context, counts []web.ScanCount) error {
	list := make([]sqlite.ScanCount, len(counts))
	for i, c := range counts {
		list[i] = sqlite.ScanCount{Canonical: c.Canonical, City: c.City, Count: c.Count, First: c.First, Last: c.Last}
	}
	return a.f.AddScans(ctx, list)
}

func (a sqliteFeedback) AddComplaint(ctx context.Context, c web.Complaint) (int64, error) {
	return a.f.AddComplaint(ctx, sqlite.Complaint{
		Canonical: c.Canonical, Kind: c.Kind, Message: c.Message, Contact: c.Contact, CreatedAt: c.CreatedAt,
	})
}

// postgresFeedback adapts the PostgreSQL lookup and complaint tables to
// web.Feedback.
type postgresFeedback struct{ f *postgres.WebFeedback }

func (a postgresFeedback) ScanStats(ctx context.Context, canonical string) (web.ScanStats, error) {
	st, err := a.f.ScanStats(ctx, canonical)
	out := web.ScanStats{Count: st.Count, First: st.First, Last: st.Last}
	for _, c := range st.Cities {
		out.Cities = append(out.Cities, web.CityCount{City: c.City, Count: c.Count})
	}
	return out, err
}

func (a postgresFeedback) AddScans(ctx context.Context, counts []web.ScanCount) error {
	list := make([]postgres.ScanCount, len(counts))
	for i, c := range counts {
		list[i] = postgres.ScanCount{Canonical: c.Canonical, City: c.City, Count: c.Count, First: c.First, Last: c.Last}
	}
	return a.f.AddScans(ctx, list)
}

func (a postgresFeedback) AddComplaint(ctx context.Context, c web.Complaint) (int64, error) {
	return a.f.AddComplaint(ctx, postgres.Complaint{
		Canonical: c.Canonical, Kind: c.Kind, Message: c.Message, Contact: c.Contact, CreatedAt: c.CreatedAt,
	})
}

// demoDirectory adapts the demo's master data to web.Directory.
type demoDirectory struct{ d *demo.Directory }

func (a demoDirectory) Party(_ context.Context, id string) (web.Party, bool, error) {
	p, ok := a.d.Party(id)
	if !ok {
		return web.Party{}, false, nil
	}
	out := web.Party{
		NameZH: p.NameZH, NameEN: p.NameEN, Division: p.Division, RoleZH: p.RoleZH, RoleEN: p.RoleEN,
		Blacklisted: p.Blacklisted, Private: p.Private, CityZH: p.CountryZH, CityEN: p.CountryEN, USCC: p.USCC,
	}
	if d, ok := p.DivisionInfo(); ok {
		out.CityZH, out.CityEN = d.CityZH, d.CityEN
	}
	for _, l := range p.Licences {
		out.Licences = append(out.Licences, l.Kind)
	}
	return out, true, nil
}

func (a demoDirectory) Product(_ context.Context, id string) (web.Product, bool, error) {
	p, ok := a.d.Product(id)
	if !ok {
		return web.Product{}, false, nil
	}
	return web.Product{
		NameZH: p.NameZH, NameEN: p.NameEN, CategoryZH: p.CategoryZH, CategoryEN: p.CategoryEN,
		Producer: p.Producer, OriginZH: p.OriginZH, OriginEN: p.OriginEN, Certifications: p.Certifications,
		ColdChainMaxCelsius: p.ColdChainMaxCelsius, RequiredLicence: p.RequiredLicence,
	}, true, nil
}
