package party_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/party"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

func newService(t *testing.T) (*party.Service, *sqlite.Store) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "suyuan.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return &party.Service{Store: st, Prefixes: &ident.PrefixLengths{}}, st
}

func TestServicePrefixTable(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	_, err := svc.CreateParty(ctx, store.Party{Kind: store.PartyEnterprise, NameZH: "甲", USCC: "914401010812345618", Region: "440106", CompanyPrefixes: []string{"6901234"}})
	if err != nil {
		t.Fatalf("CreateParty: %v", err)
	}
	urn, err := ident.DigitalLinkToURN("https://id.gs1.org/01/06901234123456/21/7", svc.Prefixes)
	if err != nil {
		t.Fatalf("DigitalLinkToURN: %v", err)
	}
	if urn != "urn:epc:id:sgtin:6901234.012345.7" {
		t.Errorf("DigitalLinkToURN: got %s, want the 7-digit company prefix split", urn)
	}

	// A fresh table loads the registered prefixes from the store.
	fresh := &party.Service{Store: svc.Store, Prefixes: &ident.PrefixLengths{}}
	if n, err := fresh.LoadPrefixes(ctx); err != nil || n != 1 {
		t.Errorf("LoadPrefixes: got %d, %v; want 1", n, err)
	}
}

func TestServiceBootstrapOnce(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	b, err := svc.Bootstrap(ctx, "运营方", "admin")
	if err != nil {
		t.Fatalf("Bootstrap: %v", err)
	}
	if len(b.Password) < party.MinPasswordLength || b.Token.Secret == "" {
		t.Errorf("Bootstrap credentials: password %d characters, token %q", len(b.Password), b.Token.Secret)
	}
	p, err := svc.Authenticate(ctx, b.Token.Secret)
	if err != nil {
		t.Fatalf("Authenticate(bootstrap token): %v", err)
	}
	if p.Audience() != party.Administrator {
		t.Errorf("bootstrap token audience: got %v, want administrator", p.Audience())
	}
	if _, _, err := svc.Login(ctx, "admin", b.Password); err != nil {
		t.Errorf("Login with the bootstrap password: %v", err)
	}
	if _, err := svc.Bootstrap(ctx, "运营方", "admin2"); !errors.Is(err, party.ErrBootstrapped) {
		t.Errorf("second Bootstrap: got %v, want ErrBootstrapped", err)
	}
}

func TestServiceAdminScopeReserved(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	p, err := svc.CreateParty(ctx, store.Party{Kind: store.PartyEnterprise, NameZH: "甲", USCC: "914401010812345618", Region: "440106"})
	if err != nil {
		t.Fatalf("CreateParty: %v", err)
	}
	if _, err := svc.IssueToken(ctx, p.ID, "x", []store.Scope{store.ScopeAdmin}, time.Hour); !errors.Is(err, party.ErrInvalid) {
		t.Errorf("IssueToken(admin scope to an enterprise): got %v, want ErrInvalid", err)
	}
	if err := svc.CreateUser(ctx, "li", p.ID, "correct horse battery", []store.Scope{store.ScopeAdmin}); !errors.Is(err, party.ErrInvalid) {
		t.Errorf("CreateUser(admin scope in an enterprise): got %v, want ErrInvalid", err)
	}
}

func TestServiceSessionExpires(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	now := time.Now().UTC()
	svc.Now = func() time.Time { return now }
	p, err := svc.CreateParty(ctx, store.Party{Kind: store.PartyEnterprise, NameZH: "甲", USCC: "914401010812345618", Region: "440106"})
	if err != nil {
		t.Fatalf("CreateParty: %v", err)
	}
	if err := svc.CreateUser(ctx, "li", p.ID, "correct horse battery", []store.Scope{store.ScopeQuery}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if _, _, err := svc.Login(ctx, "li", "wrong horse battery"); !errors.Is(err, party.ErrUnauthenticated) {
		t.Errorf("Login(wrong password): got %v, want ErrUnauthenticated", err)
	}
	secret, _, err := svc.Login(ctx, "li", "correct horse battery")
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if got, err := svc.SessionPrincipal(ctx, secret); err != nil || got.Party.ID != p.ID || !got.Session {
		t.Errorf("SessionPrincipal: got %+v, %v", got, err)
	}
	now = now.Add(party.SessionLifetime)
	if _, err := svc.SessionPrincipal(ctx, secret); !errors.Is(err, party.ErrUnauthenticated) {
		t.Errorf("SessionPrincipal after its lifetime: got %v, want ErrUnauthenticated", err)
	}
}
