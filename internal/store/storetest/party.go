package storetest

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// RunParty runs the behavioural suite of store.PartyStore against the
// backend that open creates. The store open returns must implement
// store.PartyStore.
func RunParty(t *testing.T, open Open) {
	fresh := func(t *testing.T) store.PartyStore {
		t.Helper()
		s := open(t)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		ps, ok := s.(store.PartyStore)
		if !ok {
			t.Fatalf("store %T does not implement store.PartyStore", s)
		}
		return ps
	}
	tests := []struct {
		name string
		run  func(t *testing.T, ps store.PartyStore)
	}{
		{"PartyRoundTrip", testPartyRoundTrip},
		{"PartyConflicts", testPartyConflicts},
		{"PartyUpdate", testPartyUpdate},
		{"PartiesPaging", testPartiesPaging},
		{"Locations", testLocations},
		{"ImportAllOrNothing", testImportAllOrNothing},
		{"Tokens", testTokens},
		{"UsersSessions", testUsersSessions},
		{"CaptureParty", testCaptureParty},
		{"AccessLog", testAccessLog},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, fresh(t)) })
	}
}

var partyTime = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

func enterprise(id, uscc string, prefixes ...string) store.Party {
	return store.Party{
		ID: id, Kind: store.PartyEnterprise, NameZH: "企业 " + id, USCC: uscc, CompanyPrefixes: prefixes,
		Region: "440106", CreatedAt: partyTime, UpdatedAt: partyTime,
		Licences: []store.Licence{{Kind: "food-production", Number: "SC10644010600017", Categories: []string{"dairy"}, ValidFrom: partyTime}},
		Contacts: []store.Contact{{Name: "王五", Phone: "020-12345678"}},
	}
}

func mustCreate(t *testing.T, ps store.PartyStore, p store.Party) {
	t.Helper()
	if err := ps.CreateParty(context.Background(), p); err != nil {
		t.Fatalf("CreateParty(%s): %v", p.ID, err)
	}
}

func testPartyRoundTrip(t *testing.T, ps store.PartyStore) {
	ctx := context.Background()
	want := enterprise("pa", "914401010812345618", "6901234")
	want.CodePrefixes = []string{"urn:cn:nmpa:drug:8100001"}
	mustCreate(t, ps, want)
	got, err := ps.Party(ctx, "pa")
	if err != nil {
		t.Fatalf("Party: %v", err)
	}
	if got.NameZH != want.NameZH || got.USCC != want.USCC || got.Region != want.Region {
		t.Errorf("Party: got %+v, want %+v", got, want)
	}
	if len(got.Licences) != 1 || got.Licences[0].Categories[0] != "dairy" || !got.Licences[0].ValidFrom.Equal(partyTime) {
		t.Errorf("Party licences: got %+v", got.Licences)
	}
	if len(got.CodePrefixes) != 1 || got.CodePrefixes[0] != want.CodePrefixes[0] {
		t.Errorf("Party code prefixes: got %v, want %v", got.CodePrefixes, want.CodePrefixes)
	}
	if _, err := ps.Party(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Party(missing): got %v, want ErrNotFound", err)
	}
}

func testPartyConflicts(t *testing.T, ps store.PartyStore) {
	mustCreate(t, ps, enterprise("pa", "914401010812345618", "6901234"))
	mustCreate(t, ps, store.Party{ID: "reg", Kind: store.PartyRegulator, NameZH: "监管", CreatedAt: partyTime, UpdatedAt: partyTime})
	tests := []struct {
		name  string
		party store.Party
	}{
		{"same ID", enterprise("pa", "914403000812345614")},
		{"same USCC", enterprise("pb", "914401010812345618")},
		{"same company prefix", enterprise("pb", "914403000812345614", "6901234")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ps.CreateParty(context.Background(), tt.party)
			if !errors.Is(err, store.ErrConflict) {
				t.Errorf("CreateParty: got %v, want ErrConflict", err)
			}
		})
	}
	// Two parties without a USCC do not collide.
	mustCreate(t, ps, store.Party{ID: "reg2", Kind: store.PartyRegulator, NameZH: "监管二", CreatedAt: partyTime, UpdatedAt: partyTime})
}

func testPartyUpdate(t *testing.T, ps store.PartyStore) {
	ctx := context.Background()
	mustCreate(t, ps, enterprise("pa", "914401010812345618", "6901234"))
	mustCreate(t, ps, enterprise("pb", "914403000812345614", "6905678"))
	p := enterprise("pa", "914401010812345618", "6901235")
	p.NameZH = "改名企业"
	if err := ps.UpdateParty(ctx, p); err != nil {
		t.Fatalf("UpdateParty: %v", err)
	}
	got, err := ps.Party(ctx, "pa")
	if err != nil {
		t.Fatalf("Party: %v", err)
	}
	if got.NameZH != "改名企业" || got.CompanyPrefixes[0] != "6901235" {
		t.Errorf("updated party: got %+v", got)
	}
	// The released prefix may now be registered by another party.
	b := enterprise("pb", "914403000812345614", "6905678", "6901234")
	if err := ps.UpdateParty(ctx, b); err != nil {
		t.Errorf("UpdateParty taking a released prefix: %v", err)
	}
	b.CompanyPrefixes = []string{"6901235"}
	if err := ps.UpdateParty(ctx, b); !errors.Is(err, store.ErrConflict) {
		t.Errorf("UpdateParty taking a held prefix: got %v, want ErrConflict", err)
	}
	if err := ps.UpdateParty(ctx, enterprise("missing", "")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateParty(missing): got %v, want ErrNotFound", err)
	}
}

func testPartiesPaging(t *testing.T, ps store.PartyStore) {
	ctx := context.Background()
	for _, id := range []string{"p3", "p1", "p2"} {
		mustCreate(t, ps, store.Party{ID: id, Kind: store.PartyRegulator, NameZH: id, CreatedAt: partyTime, UpdatedAt: partyTime})
	}
	first, err := ps.Parties(ctx, "", 2)
	if err != nil {
		t.Fatalf("Parties: %v", err)
	}
	if len(first) != 2 || first[0].ID != "p1" || first[1].ID != "p2" {
		t.Fatalf("first page: got %v, want p1 p2", ids(first))
	}
	rest, err := ps.Parties(ctx, first[1].ID, 2)
	if err != nil {
		t.Fatalf("Parties: %v", err)
	}
	if len(rest) != 1 || rest[0].ID != "p3" {
		t.Errorf("second page: got %v, want p3", ids(rest))
	}
	if _, err := ps.Parties(ctx, "", 0); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Parties(limit 0): got %v, want ErrInvalid", err)
	}
}

func ids(ps []store.Party) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func testLocations(t *testing.T, ps store.PartyStore) {
	ctx := context.Background()
	mustCreate(t, ps, enterprise("pa", "914401010812345618", "6901234"))
	mustCreate(t, ps, enterprise("pb", "914403000812345614", "6905678"))
	la := store.Location{ID: "https://id.gs1.org/414/6901234000017", Original: "urn:epc:id:sgln:6901234.00001.0", PartyID: "pa", Name: "广州工厂", Division: "440106", CreatedAt: partyTime, UpdatedAt: partyTime}
	lb := store.Location{ID: "https://id.gs1.org/414/6905678000013", Original: "urn:epc:id:sgln:6905678.00001.0", PartyID: "pb", Name: "深圳仓", Division: "440305", CreatedAt: partyTime, UpdatedAt: partyTime}
	for _, l := range []store.Location{la, lb} {
		if err := ps.PutLocation(ctx, l); err != nil {
			t.Fatalf("PutLocation(%s): %v", l.ID, err)
		}
	}
	got, err := ps.Location(ctx, la.ID)
	if err != nil || got.PartyID != "pa" || got.Name != la.Name {
		t.Errorf("Location: got %+v, %v", got, err)
	}
	own, err := ps.Locations(ctx, "pb", "", 10)
	if err != nil || len(own) != 1 || own[0].ID != lb.ID {
		t.Errorf("Locations(pb): got %v, %v", own, err)
	}
	all, err := ps.Locations(ctx, "", "", 10)
	if err != nil || len(all) != 2 {
		t.Errorf("Locations(all): got %d, %v; want 2", len(all), err)
	}
	la.Name = "广州新厂"
	if err := ps.PutLocation(ctx, la); err != nil {
		t.Fatalf("PutLocation replace: %v", err)
	}
	if got, _ := ps.Location(ctx, la.ID); got.Name != "广州新厂" {
		t.Errorf("replaced location name: got %q", got.Name)
	}
	orphan := la
	orphan.ID, orphan.PartyID = "https://example.com/loc/1", "nobody"
	if err := ps.PutLocation(ctx, orphan); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutLocation of unknown party: got %v, want ErrNotFound", err)
	}
	if _, err := ps.Location(ctx, "https://example.com/none"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Location(missing): got %v, want ErrNotFound", err)
	}
}

func testImportAllOrNothing(t *testing.T, ps store.PartyStore) {
	ctx := context.Background()
	mustCreate(t, ps, enterprise("pa", "914401010812345618", "6901234"))
	loc := store.Location{ID: "https://id.gs1.org/414/6905678000013", PartyID: "pb", Name: "深圳仓", Division: "440305", CreatedAt: partyTime, UpdatedAt: partyTime}
	// pc's prefix collides with pa's: nothing of the batch may remain.
	err := ps.ImportRegistry(ctx, []store.Party{
		enterprise("pb", "914403000812345614", "6905678"),
		enterprise("pc", "91420100081234561H", "6901234"),
	}, []store.Location{loc})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("ImportRegistry with a conflict: got %v, want ErrConflict", err)
	}
	if _, err := ps.Party(ctx, "pb"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("party pb after a failed import: got %v, want ErrNotFound", err)
	}
	if _, err := ps.Location(ctx, loc.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("location after a failed import: got %v, want ErrNotFound", err)
	}
	updated := enterprise("pa", "914401010812345618", "6901234")
	updated.NameZH = "导入更新"
	if err := ps.ImportRegistry(ctx, []store.Party{updated, enterprise("pb", "914403000812345614", "6905678")}, []store.Location{loc}); err != nil {
		t.Fatalf("ImportRegistry: %v", err)
	}
	if p, _ := ps.Party(ctx, "pa"); p.NameZH != "导入更新" {
		t.Errorf("imported update of pa: got name %q", p.NameZH)
	}
	if _, err := ps.Location(ctx, loc.ID); err != nil {
		t.Errorf("imported location: %v", err)
	}
}

func testTokens(t *testing.T, ps store.PartyStore) {
	ctx := context.Background()
	mustCreate(t, ps, enterprise("pa", "914401010812345618", "6901234"))
	hash := bytes.Repeat([]byte{7}, 32)
	tok := store.Token{ID: "tk1", PartyID: "pa", Name: "ERP", Hash: hash, Scopes: []store.Scope{store.ScopeCapture, store.ScopeQuery},
		CreatedBy: "cli", CreatedAt: partyTime, ExpiresAt: partyTime.Add(time.Hour)}
	if err := ps.CreateToken(ctx, tok); err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	if err := ps.CreateToken(ctx, tok); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateToken twice: got %v, want ErrConflict", err)
	}
	got, err := ps.TokenByHash(ctx, hash)
	if err != nil {
		t.Fatalf("TokenByHash: %v", err)
	}
	if got.ID != "tk1" || len(got.Scopes) != 2 || !got.ExpiresAt.Equal(tok.ExpiresAt) || !got.RevokedAt.IsZero() {
		t.Errorf("TokenByHash: got %+v", got)
	}
	if _, err := ps.TokenByHash(ctx, bytes.Repeat([]byte{8}, 32)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TokenByHash(unknown): got %v, want ErrNotFound", err)
	}
	at := partyTime.Add(time.Minute)
	if err := ps.RevokeToken(ctx, "tk1", at); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	if err := ps.RevokeToken(ctx, "tk1", at.Add(time.Hour)); err != nil {
		t.Fatalf("RevokeToken again: %v", err)
	}
	got, _ = ps.TokenByHash(ctx, hash)
	if !got.RevokedAt.Equal(at) {
		t.Errorf("RevokedAt: got %v, want the first revocation %v", got.RevokedAt, at)
	}
	if err := ps.RevokeToken(ctx, "missing", at); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeToken(missing): got %v, want ErrNotFound", err)
	}
	list, err := ps.Tokens(ctx, "pa")
	if err != nil || len(list) != 1 {
		t.Errorf("Tokens: got %d, %v; want 1", len(list), err)
	}
}

func testUsersSessions(t *testing.T, ps store.PartyStore) {
	ctx := context.Background()
	mustCreate(t, ps, enterprise("pa", "914401010812345618", "6901234"))
	u := store.User{Username: "li", PartyID: "pa", PasswordHash: "$argon2id$x", Scopes: []store.Scope{store.ScopeQuery}, CreatedAt: partyTime}
	if err := ps.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if err := ps.CreateUser(ctx, u); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateUser twice: got %v, want ErrConflict", err)
	}
	if n, err := ps.CountUsers(ctx); err != nil || n != 1 {
		t.Errorf("CountUsers: got %d, %v; want 1", n, err)
	}
	u.Disabled = true
	if err := ps.UpdateUser(ctx, u); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	if got, err := ps.User(ctx, "li"); err != nil || !got.Disabled || got.Scopes[0] != store.ScopeQuery {
		t.Errorf("User: got %+v, %v", got, err)
	}
	hash := bytes.Repeat([]byte{1}, 32)
	se := store.Session{Hash: hash, Username: "li", CreatedAt: partyTime, ExpiresAt: partyTime.Add(time.Hour), RemoteAddr: "127.0.0.1"}
	if err := ps.CreateSession(ctx, se); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	if got, err := ps.Session(ctx, hash); err != nil || got.Username != "li" || !got.ExpiresAt.Equal(se.ExpiresAt) {
		t.Errorf("Session: got %+v, %v", got, err)
	}
	if err := ps.DeleteSession(ctx, hash); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	if _, err := ps.Session(ctx, hash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Session after delete: got %v, want ErrNotFound", err)
	}
}

func testCaptureParty(t *testing.T, ps store.PartyStore) {
	ctx := context.Background()
	if err := ps.RecordCapture(ctx, "cj1", "pa"); err != nil {
		t.Fatalf("RecordCapture: %v", err)
	}
	if id, err := ps.CaptureParty(ctx, "cj1"); err != nil || id != "pa" {
		t.Errorf("CaptureParty: got %q, %v; want pa", id, err)
	}
	if _, err := ps.CaptureParty(ctx, "cj2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CaptureParty(unknown): got %v, want ErrNotFound", err)
	}
}

func testAccessLog(t *testing.T, ps store.PartyStore) {
	ctx := context.Background()
	for i, party := range []string{"pa", "pb", "pa"} {
		a := store.Access{Time: partyTime.Add(time.Duration(i) * time.Second), Actor: "token:tk1", ActorPartyID: "reg", Action: "query", PartyID: party, Target: "/events", RemoteAddr: "10.0.0.1"}
		if err := ps.AppendAccess(ctx, a); err != nil {
			t.Fatalf("AppendAccess: %v", err)
		}
	}
	pa, err := ps.AccessLog(ctx, "pa", 0, 10)
	if err != nil {
		t.Fatalf("AccessLog(pa): %v", err)
	}
	if len(pa) != 2 || pa[0].Seq >= pa[1].Seq || pa[0].Actor != "token:tk1" || !pa[1].Time.Equal(partyTime.Add(2*time.Second)) {
		t.Errorf("AccessLog(pa): got %+v", pa)
	}
	all, err := ps.AccessLog(ctx, "", pa[0].Seq, 10)
	if err != nil || len(all) != 2 {
		t.Errorf("AccessLog(all, after first): got %d, %v; want 2", len(all), err)
	}
}
