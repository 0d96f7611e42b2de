package credit_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/internal/credit"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// Valid unified social credit codes (GB 32100) of the tests: a Guangzhou
// enterprise that is registered and a Shenzhen one that is not.
const (
	usccGZ = "914401010812345618"
	usccSZ = "914403000812345614"
)

// now is the tests' clock: 2026-03-10 10:00 in China.
var now = time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)

func actors(t *testing.T, st backend) (gd, sz, admin, firm credit.Actor) {
	t.Helper()
	ctx := context.Background()
	for _, p := range []store.Party{
		{ID: "rgd", Kind: store.PartyRegulator, NameZH: "广东省市场监督管理局", Jurisdiction: "44"},
		{ID: "rsz", Kind: store.PartyRegulator, NameZH: "深圳市市场监督管理局", Jurisdiction: "4403"},
		{ID: "pgz", Kind: store.PartyEnterprise, NameZH: "广州甲食品有限公司", NameEN: "Guangzhou Jia Foods", USCC: usccGZ, Region: "440106"},
	} {
		if err := st.CreateParty(ctx, p); err != nil {
			t.Fatalf("CreateParty(%s): %v", p.ID, err)
		}
	}
	get := func(id string) store.Party {
		p, err := st.Party(ctx, id)
		if err != nil {
			t.Fatalf("Party(%s): %v", id, err)
		}
		return p
	}
	return credit.Actor{Name: "user:gd", Party: get("rgd")}, credit.Actor{Name: "user:sz", Party: get("rsz")},
		credit.Actor{Name: "cli:root", Admin: true}, credit.Actor{Name: "user:firm", Party: get("pgz")}
}

// newService returns a service whose clock advances a second per reading
// from now.
func newService(st backend) *credit.Service {
	var mu sync.Mutex
	clock := now
	tick := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Second)
		return clock
	}
	return &credit.Service{Store: st, Parties: st, Now: tick, RefreshInterval: time.Hour}
}

func TestAddRegisteredParty(t *testing.T) {
	eachBackend(t, func(t *testing.T, st backend) {
		ctx := context.Background()
		gd, _, _, _ := actors(t, st)
		svc := newService(st)
		res, err := svc.Add(ctx, gd, credit.AddRequest{Party: "pgz", ReasonZH: "生产销售不合格食品", ReasonEN: "sold substandard food",
			DocumentNumber: "粤市监信〔2026〕3号", EffectiveFrom: "2026-03-01"})
		if err != nil {
			t.Fatalf("Add: %v", err)
		}
		e := res.Entry
		if e.PartyID != "pgz" || e.USCC != usccGZ || e.NameZH != "广州甲食品有限公司" || e.Regulator != "rgd" {
			t.Errorf("entry = %+v, want the registered party's ID, USCC and name, decided by rgd", e)
		}
		if res.Decision.Kind != credit.KindAdd || res.Decision.Seq < 1 {
			t.Errorf("decision = %+v, want a credit.add with a seq", res.Decision)
		}
		for _, key := range []string{"pgz", usccGZ, "urn:cn:uscc:" + usccGZ} {
			got, err := svc.Listed(ctx, key)
			if err != nil {
				t.Fatalf("Listed(%s): %v", key, err)
			}
			if len(got) != 1 || got[0].ID != e.ID {
				t.Errorf("Listed(%s) = %v, want entry %s", key, got, e.ID)
			}
		}
		if got, _ := svc.Listed(ctx, usccSZ, "other"); len(got) != 0 {
			t.Errorf("Listed(unlisted party) = %v, want none", got)
		}
		ds, err := st.Decisions(ctx, store.DecisionFilter{KindPrefix: "credit."})
		if err != nil || len(ds) != 1 || ds[0].Subject != e.ID || ds[0].ActorPartyID != "rgd" {
			t.Errorf("stored decisions = %+v, %v; want one credit.add about %s by rgd", ds, err, e.ID)
		}
	})
}

func TestAddRejects(t *testing.T) {
	eachBackend(t, func(t *testing.T, st backend) {
		ctx := context.Background()
		gd, sz, admin, firm := actors(t, st)
		svc := newService(st)
		good := credit.AddRequest{Party: usccSZ, NameZH: "深圳乙贸易有限公司", ReasonZH: "伪造追溯信息", DocumentNumber: "深市监信〔2026〕1号"}
		tests := []struct {
			name  string
			a     credit.Actor
			edit  func(r *credit.AddRequest)
			field string
			want  error
		}{
			{"enterprise", firm, func(r *credit.AddRequest) {}, "", store.ErrForbidden},
			{"outside jurisdiction", sz, func(r *credit.AddRequest) { r.Party = "pgz" }, "", store.ErrForbidden},
			{"bad check character", gd, func(r *credit.AddRequest) { r.Party = "914403000812345615" }, "party", store.ErrInvalid},
			{"unknown party ID", gd, func(r *credit.AddRequest) { r.Party = "nobody" }, "party", store.ErrInvalid},
			{"unregistered without name", gd, func(r *credit.AddRequest) { r.NameZH = "" }, "nameZH", store.ErrInvalid},
			{"no reason", gd, func(r *credit.AddRequest) { r.ReasonZH = " " }, "reasonZH", store.ErrInvalid},
			{"no document", gd, func(r *credit.AddRequest) { r.DocumentNumber = "" }, "documentNumber", store.ErrInvalid},
			{"bad date", gd, func(r *credit.AddRequest) { r.EffectiveFrom = "2026/03/01" }, "effectiveFrom", store.ErrInvalid},
			{"end before start", gd, func(r *credit.AddRequest) { r.EffectiveFrom, r.EffectiveUntil = "2026-03-01", "2026-02-01" }, "effectiveUntil", store.ErrInvalid},
			{"admin without regulator", admin, func(r *credit.AddRequest) {}, "regulator", store.ErrInvalid},
			{"regulator is an enterprise", admin, func(r *credit.AddRequest) { r.Regulator = "pgz" }, "regulator", store.ErrInvalid},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req := good
				tt.edit(&req)
				_, err := svc.Add(ctx, tt.a, req)
				if !errors.Is(err, tt.want) {
					t.Fatalf("err = %v, want %v", err, tt.want)
				}
				var fe *credit.FieldError
				if tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field) {
					t.Errorf("err = %v, want a field error on %s", err, tt.field)
				}
			})
		}
		if _, err := svc.Add(ctx, sz, good); err != nil {
			t.Fatalf("good request: %v", err)
		}
		if _, err := svc.Add(ctx, sz, good); !errors.Is(err, credit.ErrDuplicate) {
			t.Errorf("same document again: err = %v, want ErrDuplicate", err)
		}
		ds, err := st.Decisions(ctx, store.DecisionFilter{KindPrefix: "credit."})
		if err != nil || len(ds) != 1 {
			t.Errorf("rejected requests left decisions: %d stored (%v), want 1", len(ds), err)
		}
	})
}

func TestEffectiveDates(t *testing.T) {
	eachBackend(t, func(t *testing.T, st backend) {
		ctx := context.Background()
		gd, _, _, _ := actors(t, st)
		svc := newService(st)
		add := func(doc, from, until string) credit.Entry {
			t.Helper()
			res, err := svc.Add(ctx, gd, credit.AddRequest{Party: "pgz", ReasonZH: "r", DocumentNumber: doc, EffectiveFrom: from, EffectiveUntil: until})
			if err != nil {
				t.Fatalf("Add(%s): %v", doc, err)
			}
			return res.Entry
		}
		future := add("D1", "2026-04-01", "")
		past := add("D2", "2025-01-01", "2026-03-09")
		lastDay := add("D3", "2026-03-01", "2026-03-10")
		at := now.Add(time.Minute)
		for _, tt := range []struct {
			e    credit.Entry
			want credit.Status
		}{{future, credit.StatusPending}, {past, credit.StatusExpired}, {lastDay, credit.StatusListed}} {
			if got := tt.e.StatusAt(at); got != tt.want {
				t.Errorf("entry %s (%s to %s): status %s, want %s", tt.e.DocumentNumber, tt.e.EffectiveFrom, tt.e.EffectiveUntil, got, tt.want)
			}
		}
		got, err := svc.Listed(ctx, "pgz")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].DocumentNumber != "D3" {
			t.Errorf("Listed = %v, want only D3, the entry in force", got)
		}
		pending, err := svc.List(ctx, credit.Filter{Status: credit.StatusPending})
		if err != nil || len(pending) != 1 || pending[0].DocumentNumber != "D1" {
			t.Errorf("List(pending) = %v, %v; want D1", pending, err)
		}
	})
}

func TestRemove(t *testing.T) {
	eachBackend(t, func(t *testing.T, st backend) {
		ctx := context.Background()
		gd, sz, _, _ := actors(t, st)
		svc := newService(st)
		res, err := svc.Add(ctx, gd, credit.AddRequest{Party: usccSZ, NameZH: "深圳乙贸易有限公司", ReasonZH: "伪造追溯信息", DocumentNumber: "粤市监信〔2026〕9号", EffectiveFrom: "2026-03-01"})
		if err != nil {
			t.Fatalf("Add: %v", err)
		}
		id := res.Entry.ID
		if _, err := svc.Remove(ctx, sz, id, credit.RemoveRequest{ReasonZH: "已整改"}); !errors.Is(err, store.ErrForbidden) {
			t.Errorf("removal by another regulator: err = %v, want ErrForbidden", err)
		}
		if _, err := svc.Remove(ctx, gd, id, credit.RemoveRequest{}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("removal without reason: err = %v, want ErrInvalid", err)
		}
		rm, err := svc.Remove(ctx, gd, id, credit.RemoveRequest{ReasonZH: "完成信用修复", ReasonEN: "credit repaired"})
		if err != nil {
			t.Fatalf("Remove: %v", err)
		}
		if rm.Entry.Removal == nil || rm.Entry.Removal.ReasonZH != "完成信用修复" || rm.Decision.Kind != credit.KindRemove {
			t.Errorf("removed entry = %+v, decision %+v", rm.Entry, rm.Decision)
		}
		if _, err := svc.Remove(ctx, gd, id, credit.RemoveRequest{ReasonZH: "again"}); !errors.Is(err, credit.ErrRemoved) {
			t.Errorf("second removal: err = %v, want ErrRemoved", err)
		}
		if _, err := svc.Remove(ctx, gd, "crmissing", credit.RemoveRequest{ReasonZH: "x"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("removal of a missing entry: err = %v, want ErrNotFound", err)
		}
		if got, _ := svc.Listed(ctx, usccSZ); len(got) != 0 {
			t.Errorf("Listed after removal = %v, want none", got)
		}

		fresh := newService(st)
		all, err := fresh.List(ctx, credit.Filter{Party: usccSZ})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 || all[0].StatusAt(now) != credit.StatusRemoved || len(all[0].Decisions) != 2 {
			t.Errorf("refolded entries = %+v, want one removed entry with two decisions", all)
		}
		ids := []int64{all[0].Decisions[0].Seq, all[0].Decisions[1].Seq}
		if !slices.IsSorted(ids) {
			t.Errorf("decision seqs %v are not ascending", ids)
		}
	})
}
