package party

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// ErrUnauthenticated is returned when a credential is missing, unknown,
// revoked or expired. Callers must not tell these cases apart in what
// they send to the client.
var ErrUnauthenticated = errors.New("unauthenticated")

// Service registers parties and locations, issues and checks credentials,
// and records every administrative change in the access log. Each change
// to the registry also appends a decision (see the Kind constants) in
// the same transaction, so that the audit log holds it. It is safe for
// concurrent use.
type Service struct {
	Store store.PartyStore
	// Prefixes receives every registered GS1 company prefix, so that
	// Digital Link to EPC URN conversion finds their lengths. It may be nil.
	Prefixes *ident.PrefixLengths
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// LeafHash returns the audit-log leaf hash of a decision; nil appends
	// decisions without audit-log leaves.
	LeafHash func(store.Decision) []byte
	// Actor is recorded as the actor of changes made without a principal,
	// such as "cli:root" for a command-line run; empty means "system".
	Actor string
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// actor returns who makes an administrative change, for the access log
// and decisions: the principal of ctx, or s.Actor without one.
func (s *Service) actor(ctx context.Context) (name, partyID string) {
	p := PrincipalFrom(ctx)
	if p == nil {
		if s.Actor == "" {
			return "system", ""
		}
		return s.Actor, ""
	}
	return p.Actor, p.Party.ID
}

func (s *Service) record(ctx context.Context, action, partyID, target string) error {
	name, actorParty := s.actor(ctx)
	return s.Store.AppendAccess(ctx, store.Access{
		Time: s.now(), Actor: name, ActorPartyID: actorParty, Action: action,
		PartyID: partyID, Target: target, RemoteAddr: RemoteAddrFrom(ctx),
	})
}

// LoadPrefixes adds every registered GS1 company prefix to s.Prefixes.
func (s *Service) LoadPrefixes(ctx context.Context) (int, error) {
	if s.Prefixes == nil {
		return 0, nil
	}
	n, after := 0, ""
	for {
		ps, err := s.Store.Parties(ctx, after, 500)
		if err != nil {
			return n, fmt.Errorf("load company prefixes: %w", err)
		}
		for _, p := range ps {
			for _, cp := range p.CompanyPrefixes {
				if err := s.Prefixes.AddCompanyPrefix(cp); err != nil {
					return n, fmt.Errorf("load company prefix of %s: %w", p.ID, err)
				}
				n++
			}
		}
		if len(ps) < 500 {
			return n, nil
		}
		after = ps[len(ps)-1].ID
	}
}

func (s *Service) addPrefixes(p store.Party) {
	if s.Prefixes == nil {
		return
	}
	for _, cp := range p.CompanyPrefixes {
		// Prefixes were checked by NormalizeParty.
		_ = s.Prefixes.AddCompanyPrefix(cp)
	}
}

// CreateParty checks and stores a new party.
func (s *Service) CreateParty(ctx context.Context, p store.Party) (store.Party, error) {
	p, err := NormalizeParty(p, s.now())
	if err != nil {
		return p, err
	}
	d, err := s.decision(ctx, KindPartyCreate, p.ID, PartyDecision{Party: p})
	if err != nil {
		return p, err
	}
	if err := s.Store.CreateParty(ctx, p, d); err != nil {
		return p, err
	}
	s.addPrefixes(p)
	return p, s.record(ctx, "party.create", p.ID, p.NameZH)
}

// UpdateParty checks and replaces a stored party, keeping its creation
// time.
func (s *Service) UpdateParty(ctx context.Context, p store.Party) (store.Party, error) {
	old, err := s.Store.Party(ctx, p.ID)
	if err != nil {
		return p, err
	}
	p.CreatedAt = old.CreatedAt
	if p.ID == "" {
		return p, &FieldError{Field: "id", Message: "the party ID is required"}
	}
	p, err = NormalizeParty(p, s.now())
	if err != nil {
		return p, err
	}
	// NOTE: the fields are compared with the party read before the
	// update. A concurrent update of the same party in between makes the
	// list describe the difference to that earlier state.
	changed, err := changedFields(old, p, "createdAt", "updatedAt")
	if err != nil {
		return p, err
	}
	d, err := s.decision(ctx, KindPartyUpdate, p.ID, PartyDecision{Party: p, Changed: changed})
	if err != nil {
		return p, err
	}
	if err := s.Store.UpdateParty(ctx, p, d); err != nil {
		return p, err
	}
	s.addPrefixes(p)
	return p, s.record(ctx, "party.update", p.ID, p.NameZH)
}

// PutLocation checks and stores a location of an existing party.
func (s *Service) PutLocation(ctx context.Context, l store.Location) (store.Location, error) {
	l, err := NormalizeLocation(l, s.now())
	if err != nil {
		return l, err
	}
	body, err := s.locationDecision(ctx, &l)
	if err != nil {
		return l, err
	}
	if body.PreviousPartyID != "" {
		// A change of owner concerns both parties.
		if err := s.record(ctx, "location.transfer", body.PreviousPartyID, l.ID); err != nil {
			return l, err
		}
	}
	kind := KindLocationCreate
	if body.Changed != nil {
		kind = KindLocationUpdate
	}
	d, err := s.decision(ctx, kind, l.PartyID, body)
	if err != nil {
		return l, err
	}
	if err := s.Store.PutLocation(ctx, l, d); err != nil {
		return l, err
	}
	return l, s.record(ctx, "location.put", l.PartyID, l.ID)
}

// locationDecision returns the decision body for storing l. For a
// location that is already stored it keeps the stored creation time in l
// and lists the changed fields (an empty, non-nil list when nothing
// changed) and the former owner.
func (s *Service) locationDecision(ctx context.Context, l *store.Location) (LocationDecision, error) {
	old, err := s.Store.Location(ctx, l.ID)
	if errors.Is(err, store.ErrNotFound) {
		return LocationDecision{Location: *l}, nil
	}
	if err != nil {
		return LocationDecision{}, err
	}
	l.CreatedAt = old.CreatedAt
	changed, err := changedFields(old, *l, "createdAt", "updatedAt")
	if err != nil {
		return LocationDecision{}, err
	}
	body := LocationDecision{Location: *l, Changed: changed}
	if old.PartyID != l.PartyID {
		body.PreviousPartyID = old.PartyID
	}
	return body, nil
}

// Import stores parties and locations read from a CSV file in one
// transaction, with a decision for each party and location. Every record
// must be valid, or nothing is stored.
func (s *Service) Import(ctx context.Context, parties []store.Party, locations []store.Location) error {
	decisions := make([]*store.Decision, 0, len(parties)+len(locations))
	for _, p := range parties {
		body := PartyDecision{Party: p, Source: SourceImport}
		kind := KindPartyCreate
		old, err := s.Store.Party(ctx, p.ID)
		switch {
		case err == nil:
			kind = KindPartyUpdate
			if body.Changed, err = changedFields(old, p, "createdAt", "updatedAt"); err != nil {
				return err
			}
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		d, err := s.decision(ctx, kind, p.ID, body)
		if err != nil {
			return err
		}
		decisions = append(decisions, d)
	}
	for i := range locations {
		body, err := s.locationDecision(ctx, &locations[i])
		if err != nil {
			return err
		}
		body.Source = SourceImport
		kind := KindLocationCreate
		if body.Changed != nil {
			kind = KindLocationUpdate
		}
		d, err := s.decision(ctx, kind, locations[i].PartyID, body)
		if err != nil {
			return err
		}
		decisions = append(decisions, d)
	}
	if err := s.Store.ImportRegistry(ctx, parties, locations, decisions...); err != nil {
		return err
	}
	for _, p := range parties {
		s.addPrefixes(p)
	}
	return s.record(ctx, "registry.import", "", fmt.Sprintf("%d parties, %d locations", len(parties), len(locations)))
}

// IssuedToken is a new token with its secret, which exists only here:
// the store keeps its hash.
type IssuedToken struct {
	store.Token
	Secret string
}

// IssueToken creates an API token for a party. The admin scope is granted
// only to the operator party. ttl 0 makes a token that does not expire.
func (s *Service) IssueToken(ctx context.Context, partyID, name string, scopes []store.Scope, ttl time.Duration) (IssuedToken, error) {
	p, err := s.Store.Party(ctx, partyID)
	if err != nil {
		return IssuedToken{}, err
	}
	if slices.Contains(scopes, store.ScopeAdmin) && p.Kind != store.PartyOperator {
		return IssuedToken{}, fmt.Errorf("%w: the admin scope is reserved to the platform operator; party %s is a %s", ErrInvalid, p.ID, p.Kind)
	}
	if ttl < 0 {
		return IssuedToken{}, fmt.Errorf("%w: token lifetime %s is negative", ErrInvalid, ttl)
	}
	issuer, _ := s.actor(ctx)
	now := s.now()
	t := IssuedToken{Secret: NewSecret(TokenPrefix)}
	t.Token = store.Token{
		ID: NewID("tk"), PartyID: p.ID, Name: strings.TrimSpace(name), Hash: HashSecret(t.Secret),
		Scopes: scopes, CreatedBy: issuer, CreatedAt: now,
	}
	if ttl > 0 {
		t.ExpiresAt = now.Add(ttl)
	}
	d, err := s.decision(ctx, KindTokenIssue, p.ID, tokenDecision(t.Token))
	if err != nil {
		return IssuedToken{}, err
	}
	if err := s.Store.CreateToken(ctx, t.Token, d); err != nil {
		return IssuedToken{}, err
	}
	return t, s.record(ctx, "token.create", p.ID, t.ID)
}

// RevokeToken revokes a token of partyID (any party's when partyID is
// empty). Revoking a revoked token changes nothing and appends no
// decision.
func (s *Service) RevokeToken(ctx context.Context, partyID, tokenID string) error {
	t, err := s.findToken(ctx, partyID, tokenID)
	if err != nil {
		return err
	}
	if t.RevokedAt.IsZero() {
		t.RevokedAt = s.now()
		d, err := s.decision(ctx, KindTokenRevoke, t.PartyID, tokenDecision(t))
		if err != nil {
			return err
		}
		if err := s.Store.RevokeToken(ctx, tokenID, t.RevokedAt, d); err != nil {
			return err
		}
	}
	return s.record(ctx, "token.revoke", t.PartyID, tokenID)
}

// findToken returns the token tokenID of partyID or, when partyID is
// empty, of any party, which it finds by scanning the parties. It returns
// an error wrapping store.ErrNotFound when there is no such token.
func (s *Service) findToken(ctx context.Context, partyID, tokenID string) (store.Token, error) {
	notFound := fmt.Errorf("token %s: %w", tokenID, store.ErrNotFound)
	if partyID != "" {
		tokens, err := s.Store.Tokens(ctx, partyID)
		if err != nil {
			return store.Token{}, err
		}
		if i := slices.IndexFunc(tokens, func(t store.Token) bool { return t.ID == tokenID }); i >= 0 {
			return tokens[i], nil
		}
		return store.Token{}, fmt.Errorf("token %s of party %s: %w", tokenID, partyID, store.ErrNotFound)
	}
	after := ""
	for {
		ps, err := s.Store.Parties(ctx, after, 500)
		if err != nil {
			return store.Token{}, err
		}
		for _, p := range ps {
			tokens, err := s.Store.Tokens(ctx, p.ID)
			if err != nil {
				return store.Token{}, err
			}
			if i := slices.IndexFunc(tokens, func(t store.Token) bool { return t.ID == tokenID }); i >= 0 {
				return tokens[i], nil
			}
		}
		if len(ps) < 500 {
			return store.Token{}, notFound
		}
		after = ps[len(ps)-1].ID
	}
}

// Authenticate returns the principal of an API token secret. Unknown,
// revoked and expired tokens all give ErrUnauthenticated.
func (s *Service) Authenticate(ctx context.Context, secret string) (*Principal, error) {
	if !strings.HasPrefix(secret, TokenPrefix) {
		return nil, ErrUnauthenticated
	}
	t, err := s.Store.TokenByHash(ctx, HashSecret(secret))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !t.RevokedAt.IsZero() || (!t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)) {
		return nil, ErrUnauthenticated
	}
	p, err := s.Store.Party(ctx, t.PartyID)
	if err != nil {
		return nil, fmt.Errorf("party of token %s: %w", t.ID, err)
	}
	return &Principal{Party: p, Scopes: t.Scopes, Actor: "token:" + t.ID}, nil
}

// SessionLifetime is how long a web session lasts after sign-in.
const SessionLifetime = 12 * time.Hour

// Login checks a user's password and starts a session. It returns the
// session secret for the cookie. A wrong user name and a wrong password
// both give ErrUnauthenticated.
func (s *Service) Login(ctx context.Context, username, password string) (string, *Principal, error) {
	u, err := s.Store.User(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		// Spend the time of a real check, so that response times do not
		// reveal which user names exist.
		_ = CheckPassword(dummyHash(), password)
		return "", nil, ErrUnauthenticated
	}
	if err != nil {
		return "", nil, err
	}
	if err := CheckPassword(u.PasswordHash, password); err != nil {
		if errors.Is(err, ErrPasswordMismatch) {
			return "", nil, ErrUnauthenticated
		}
		return "", nil, fmt.Errorf("check password of %s: %w", username, err)
	}
	if u.Disabled {
		return "", nil, ErrUnauthenticated
	}
	secret := NewSecret("sys_")
	now := s.now()
	if err := s.Store.CreateSession(ctx, store.Session{
		Hash: HashSecret(secret), Username: u.Username, CreatedAt: now, ExpiresAt: now.Add(SessionLifetime), RemoteAddr: RemoteAddrFrom(ctx),
	}); err != nil {
		return "", nil, err
	}
	p, err := s.userPrincipal(ctx, u)
	return secret, p, err
}

// dummyHash is a valid argon2id hash of a random password, checked when a
// user name is unknown.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword(NewSecret(""))
	if err != nil {
		panic("party: hash dummy password: " + err.Error())
	}
	return h
})

func (s *Service) userPrincipal(ctx context.Context, u store.User) (*Principal, error) {
	p, err := s.Store.Party(ctx, u.PartyID)
	if err != nil {
		return nil, fmt.Errorf("party of user %s: %w", u.Username, err)
	}
	return &Principal{Party: p, Scopes: u.Scopes, Actor: "user:" + u.Username, Session: true}, nil
}

// SessionPrincipal returns the principal of a session cookie secret.
func (s *Service) SessionPrincipal(ctx context.Context, secret string) (*Principal, error) {
	se, err := s.Store.Session(ctx, HashSecret(secret))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	if !s.now().Before(se.ExpiresAt) {
		return nil, ErrUnauthenticated
	}
	u, err := s.Store.User(ctx, se.Username)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, ErrUnauthenticated
	}
	return s.userPrincipal(ctx, u)
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, secret string) error {
	return s.Store.DeleteSession(ctx, HashSecret(secret))
}

// Bootstrapped is the first administrator created by Bootstrap, with the
// password and token secret that are shown once.
type Bootstrapped struct {
	Operator store.Party
	Username string
	Password string
	Token    IssuedToken
}

// ErrBootstrapped is returned by Bootstrap when users already exist.
var ErrBootstrapped = errors.New("the platform already has users")

// Bootstrap creates the operator party, its first administrator user with
// a random password, and an admin token. It runs once: when any user
// exists it returns ErrBootstrapped.
func (s *Service) Bootstrap(ctx context.Context, operatorName, username string) (Bootstrapped, error) {
	n, err := s.Store.CountUsers(ctx)
	if err != nil {
		return Bootstrapped{}, err
	}
	if n > 0 {
		return Bootstrapped{}, ErrBootstrapped
	}

	op, err := s.CreateParty(ctx, store.Party{ID: "operator", Kind: store.PartyOperator, NameZH: operatorName})
	if errors.Is(err, store.ErrConflict) {
		op, err = s.Store.Party(ctx, "operator")
	}
	if err != nil {
		return Bootstrapped{}, err
	}

	password := NewSecret("")[:24]
	hash, err := HashPassword(password)
	if err != nil {
		return Bootstrapped{}, err
	}
	scopes := []store.Scope{store.ScopeAdmin, store.ScopeCapture, store.ScopeQuery}
	if err := s.createUser(ctx, store.User{Username: username, PartyID: op.ID, PasswordHash: hash, Scopes: scopes, CreatedAt: s.now()}); err != nil {
		return Bootstrapped{}, err
	}

	tok, err := s.IssueToken(ctx, op.ID, "bootstrap", scopes, 0)
	if err != nil {
		return Bootstrapped{}, err
	}
	return Bootstrapped{Operator: op, Username: username, Password: password, Token: tok}, nil
}

// CreateUser adds a web user of a party with a password.
func (s *Service) CreateUser(ctx context.Context, username, partyID, password string, scopes []store.Scope) error {
	if !validID(username) {
		return &FieldError{Field: "username", Value: username, Message: "must be 1 to 64 letters, digits, '-' or '_'"}
	}
	p, err := s.Store.Party(ctx, partyID)
	if err != nil {
		return err
	}
	if slices.Contains(scopes, store.ScopeAdmin) && p.Kind != store.PartyOperator {
		return fmt.Errorf("%w: the admin scope is reserved to the platform operator", ErrInvalid)
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.createUser(ctx, store.User{Username: username, PartyID: partyID, PasswordHash: hash, Scopes: scopes, CreatedAt: s.now()})
}

// createUser stores u with its user.create decision and records it in the
// access log.
func (s *Service) createUser(ctx context.Context, u store.User) error {
	d, err := s.decision(ctx, KindUserCreate, u.PartyID, userDecision(u))
	if err != nil {
		return err
	}
	if err := s.Store.CreateUser(ctx, u, d); err != nil {
		return err
	}
	return s.record(ctx, "user.create", u.PartyID, u.Username)
}

// SetUserDisabled disables a web user, who can then no longer sign in, or
// enables a disabled one. It changes nothing and appends no decision when
// the user is already in that state. The user's sessions stay stored but
// stop working while the user is disabled.
func (s *Service) SetUserDisabled(ctx context.Context, username string, disabled bool) error {
	u, err := s.Store.User(ctx, username)
	if err != nil {
		return err
	}
	if u.Disabled == disabled {
		return nil
	}
	u.Disabled = disabled
	kind, action := KindUserEnable, "user.enable"
	if disabled {
		kind, action = KindUserDisable, "user.disable"
	}
	d, err := s.decision(ctx, kind, u.PartyID, userDecision(u))
	if err != nil {
		return err
	}
	if err := s.Store.UpdateUser(ctx, u, d); err != nil {
		return err
	}
	return s.record(ctx, action, u.PartyID, username)
}
