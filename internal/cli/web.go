package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/suyuan-trace/suyuan/internal/api"
	"github.com/suyuan-trace/suyuan/internal/demo"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
	"github.com/suyuan-trace/suyuan/internal/web"
)

// mountWeb adds the consumer pages and the Digital Link resolver to srv.
// They need a store that keeps lookup counts and complaints; on other
// stores the pages are left out with a warning.
// TODO: the PostgreSQL store has no lookup-count tables yet.
func mountWeb(ctx context.Context, st store.Store, srv *api.Server, dir web.Directory, logger *slog.Logger) error {
	sq, ok := st.(*sqlite.Store)
	if !ok {
		logger.Warn("consumer pages disabled: this store keeps no lookup counts", "store", fmt.Sprintf("%T", st))
		return nil
	}
	fb, err := sq.WebFeedback(ctx)
	if err != nil {
		return err
	}
	h, err := web.New(web.Options{Store: st, Directory: dir, Feedback: sqliteFeedback{fb}, Logger: logger})
	if err != nil {
		return fmt.Errorf("consumer pages: %w", err)
	}
	h.MountOn(srv)
	return nil
}

// sqliteFeedback adapts the SQLite lookup and complaint tables to
// web.Feedback.
type sqliteFeedback struct{ f *sqlite.WebFeedback }

func (a sqliteFeedback) RecordScan(ctx context.Context, canonical, city string, at time.Time) (web.ScanStats, error) {
	st, err := a.f.RecordScan(ctx, canonical, city, at)
	out := web.ScanStats{Count: st.Count, First: st.First, Last: st.Last}
	for _, c := range st.Cities {
		out.Cities = append(out.Cities, web.CityCount{City: c.City, Count: c.Count})
	}
	return out, err
}

func (a sqliteFeedback) AddComplaint(ctx context.Context, c web.Complaint) (int64, error) {
	return a.f.AddComplaint(ctx, sqlite.Complaint{
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
		Blacklisted: p.Blacklisted, Private: p.Private, CityZH: p.CountryZH, CityEN: p.CountryEN,
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
