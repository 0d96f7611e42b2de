package party_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/internal/auditlog"
	"github.com/suyuan-trace/suyuan/internal/party"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// decisionsOf returns the stored decisions with the given kind prefix.
func decisionsOf(t *testing.T, ds store.DecisionStore, kindPrefix string) []store.Decision {
	t.Helper()
	list, err := ds.Decisions(context.Background(), store.DecisionFilter{KindPrefix: kindPrefix})
	if err != nil {
		t.Fatalf("Decisions(%s): %v", kindPrefix, err)
	}
	return list
}

func TestServiceRecordsRegistryDecisions(t *testing.T) {
	svc, st := newService(t)
	svc.LeafHash = auditlog.SM3.DecisionLeafHash
	svc.Actor = "cli:tester"
	svc.Now = func() time.Time { return time.Date(2026, 12, 4, 8, 30, 0, 123_456_789, time.UTC) }
	ctx := context.Background()

	p, err := svc.CreateParty(ctx, store.Party{Kind: store.PartyEnterprise, NameZH: "甲", USCC: "914401010812345618", Region: "440106", CompanyPrefixes: []string{"6901234"}})
	if err != nil {
		t.Fatalf("CreateParty: %v", err)
	}
	p.Region = "440305"
	p.Licences = []store.Licence{{Kind: "food-production", Number: "SC10644030500017", ValidFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}
	if _, err := svc.UpdateParty(ctx, p); err != nil {
		t.Fatalf("UpdateParty: %v", err)
	}
	parties := decisionsOf(t, st, "party.")
	if len(parties) != 2 || parties[0].Kind != party.KindPartyCreate || parties[1].Kind != party.KindPartyUpdate {
		t.Fatalf("party decisions: got %+v, want party.create and party.update", parties)
	}
	for _, d := range parties {
		if d.Subject != p.ID || d.Actor != "cli:tester" || d.ActorPartyID != "" {
			t.Errorf("decision %d: subject %q actor %q (%q), want %q by cli:tester", d.Seq, d.Subject, d.Actor, d.ActorPartyID, p.ID)
		}
		if !d.Time.Equal(time.Date(2026, 12, 4, 8, 30, 0, 123_000_000, time.UTC)) {
			t.Errorf("decision %d: time %v, want the clock truncated to the millisecond", d.Seq, d.Time)
		}
		if !bytes.Equal(d.LeafHash, auditlog.SM3.DecisionLeafHash(d)) {
			t.Errorf("decision %d: stored leaf hash %x does not match the decision", d.Seq, d.LeafHash)
		}
	}
	var update party.PartyDecision
	if err := json.Unmarshal(parties[1].Body, &update); err != nil {
		t.Fatalf("party.update body: %v", err)
	}
	if !slices.Equal(update.Changed, []string{"licences", "region"}) || update.Party.Region != "440305" {
		t.Errorf("party.update body: changed %q, region %q; want [licences region] and 440305", update.Changed, update.Party.Region)
	}

	loc := store.Location{ID: "https://id.gs1.org/414/6901234000016", PartyID: p.ID, Name: "广州仓", Division: "440106"}
	if _, err := svc.PutLocation(ctx, loc); err != nil {
		t.Fatalf("PutLocation: %v", err)
	}
	loc.Name = "广州一号仓"
	if _, err := svc.PutLocation(ctx, loc); err != nil {
		t.Fatalf("PutLocation again: %v", err)
	}
	locations := decisionsOf(t, st, "location.")
	if len(locations) != 2 || locations[0].Kind != party.KindLocationCreate || locations[1].Kind != party.KindLocationUpdate {
		t.Fatalf("location decisions: got %+v, want location.create and location.update", locations)
	}
	if !strings.Contains(string(locations[1].Body), `"changed":["name"]`) {
		t.Errorf("location.update body %s does not name the changed field", locations[1].Body)
	}

	tok, err := svc.IssueToken(ctx, p.ID, "ERP", []store.Scope{store.ScopeCapture}, time.Hour)
	if err != nil {
		t.Fatalf("IssueToken: %v", err)
	}
	if err := svc.RevokeToken(ctx, "", tok.ID); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	if err := svc.RevokeToken(ctx, p.ID, tok.ID); err != nil {
		t.Fatalf("RevokeToken again: %v", err)
	}
	tokens := decisionsOf(t, st, "token.")
	if len(tokens) != 2 || tokens[0].Kind != party.KindTokenIssue || tokens[1].Kind != party.KindTokenRevoke {
		t.Fatalf("token decisions: got %+v, want one token.issue and one token.revoke", tokens)
	}
	for _, d := range tokens {
		secretPart := tok.Secret[len(party.TokenPrefix):]
		if strings.Contains(string(d.Body), secretPart) || strings.Contains(string(d.Body), hex.EncodeToString(tok.Hash)) {
			t.Errorf("%s body carries the token secret or its hash: %s", d.Kind, d.Body)
		}
		if !strings.Contains(string(d.Body), tok.ID) || d.Subject != p.ID {
			t.Errorf("%s decision: subject %q body %s, want party %s and token %s", d.Kind, d.Subject, d.Body, p.ID, tok.ID)
		}
	}

	if err := svc.CreateUser(ctx, "li", p.ID, "correct horse battery", []store.Scope{store.ScopeQuery}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if err := svc.SetUserDisabled(ctx, "li", true); err != nil {
		t.Fatalf("SetUserDisabled: %v", err)
	}
	if err := svc.SetUserDisabled(ctx, "li", true); err != nil {
		t.Fatalf("SetUserDisabled again: %v", err)
	}
	if _, _, err := svc.Login(ctx, "li", "correct horse battery"); !errors.Is(err, party.ErrUnauthenticated) {
		t.Errorf("Login of a disabled user: got %v, want ErrUnauthenticated", err)
	}
	if err := svc.SetUserDisabled(ctx, "li", false); err != nil {
		t.Fatalf("SetUserDisabled(false): %v", err)
	}
	users := decisionsOf(t, st, "user.")
	kinds := []string{}
	for _, d := range users {
		kinds = append(kinds, d.Kind)
		if strings.Contains(string(d.Body), "argon2") {
			t.Errorf("%s body carries the password hash: %s", d.Kind, d.Body)
		}
	}
	if !slices.Equal(kinds, []string{party.KindUserCreate, party.KindUserDisable, party.KindUserEnable}) {
		t.Errorf("user decisions: got %q, want create, disable, enable", kinds)
	}

	size, err := st.LogSize(ctx)
	if err != nil || size != 9 {
		t.Errorf("LogSize: got %d, %v; want a leaf for each of the 9 decisions", size, err)
	}
}

func TestServiceDecisionActorFromPrincipal(t *testing.T) {
	svc, st := newService(t)
	ctx := context.Background()
	op, err := svc.CreateParty(ctx, store.Party{ID: "operator", Kind: store.PartyOperator, NameZH: "运营方"})
	if err != nil {
		t.Fatal(err)
	}
	admin := party.WithPrincipal(ctx, &party.Principal{Party: op, Scopes: []store.Scope{store.ScopeAdmin}, Actor: "user:admin"})
	if _, err := svc.CreateParty(admin, store.Party{Kind: store.PartyEnterprise, NameZH: "乙", USCC: "914403000812345614", Region: "440305"}); err != nil {
		t.Fatalf("CreateParty: %v", err)
	}
	list := decisionsOf(t, st, "party.create")
	if len(list) != 2 {
		t.Fatalf("party.create decisions: got %d, want 2", len(list))
	}
	if list[0].Actor != "system" || list[1].Actor != "user:admin" || list[1].ActorPartyID != "operator" {
		t.Errorf("actors: got %q and %q (%q), want system and user:admin (operator)", list[0].Actor, list[1].Actor, list[1].ActorPartyID)
	}
	if list[0].LeafHash != nil {
		t.Errorf("decision without a leaf hasher has leaf hash %x", list[0].LeafHash)
	}
}

func TestServiceFailedChangeRecordsNoDecision(t *testing.T) {
	svc, st := newService(t)
	ctx := context.Background()
	if _, err := svc.CreateParty(ctx, store.Party{Kind: store.PartyEnterprise, NameZH: "甲", USCC: "914401010812345618", Region: "440106", CompanyPrefixes: []string{"6901234"}}); err != nil {
		t.Fatal(err)
	}
	_, err := svc.CreateParty(ctx, store.Party{Kind: store.PartyEnterprise, NameZH: "乙", USCC: "914403000812345614", Region: "440305", CompanyPrefixes: []string{"6901234"}})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("CreateParty with a taken prefix: got %v, want ErrConflict", err)
	}
	if err := svc.RevokeToken(ctx, "", "tk-missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeToken(missing): got %v, want ErrNotFound", err)
	}
	if n := len(decisionsOf(t, st, "")); n != 1 {
		t.Errorf("decisions after failed changes: got %d, want 1", n)
	}
}

func TestServiceImportRecordsDecisions(t *testing.T) {
	svc, st := newService(t)
	ctx := context.Background()
	a, err := svc.CreateParty(ctx, store.Party{ID: "pa", Kind: store.PartyEnterprise, NameZH: "甲", USCC: "914401010812345618", Region: "440106"})
	if err != nil {
		t.Fatal(err)
	}
	a.NameZH = "甲公司"
	b, err := party.NormalizeParty(store.Party{ID: "pb", Kind: store.PartyEnterprise, NameZH: "乙", USCC: "914403000812345614", Region: "440305"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	loc, err := party.NormalizeLocation(store.Location{ID: "https://id.gs1.org/414/6905678000014", PartyID: "pb", Name: "深圳仓", Division: "440305"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Import(ctx, []store.Party{a, b}, []store.Location{loc}); err != nil {
		t.Fatalf("Import: %v", err)
	}
	list := decisionsOf(t, st, "")
	var got []string
	for _, d := range list[1:] {
		got = append(got, d.Kind+" "+d.Subject)
		if !strings.Contains(string(d.Body), `"source":"registry.import"`) {
			t.Errorf("%s %s body does not name the import: %s", d.Kind, d.Subject, d.Body)
		}
	}
	want := []string{"party.update pa", "party.create pb", "location.create pb"}
	if !slices.Equal(got, want) {
		t.Errorf("import decisions: got %q, want %q", got, want)
	}
}
