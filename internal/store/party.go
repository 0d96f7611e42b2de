package store

import (
	"context"
	"errors"
	"time"
)

// ErrForbidden is returned when the caller may not make a request, such as
// a capture that commissions identifiers under another enterprise's
// company prefix. The HTTP layer maps it to 403.
var ErrForbidden = errors.New("forbidden")

// ForbiddenError rejects a captured document because the caller may not
// report some of its events. It wraps ErrForbidden and lists every event
// that broke a rule, with the identifier and the rule.
type ForbiddenError struct {
	Errors []JobError
}

func (e *ForbiddenError) Error() string {
	if len(e.Errors) == 0 {
		return "the caller may not report this document"
	}
	msg := e.Errors[0].Message
	if len(e.Errors) > 1 {
		msg += " (and more)"
	}
	return msg
}

// Unwrap returns ErrForbidden.
func (e *ForbiddenError) Unwrap() error { return ErrForbidden }

// PartyKind is the kind of a registered party.
type PartyKind string

// Party kinds.
const (
	// PartyEnterprise is a business that reports events.
	PartyEnterprise PartyKind = "enterprise"
	// PartyRegulator is a government department that supervises
	// enterprises within a jurisdiction.
	PartyRegulator PartyKind = "regulator"
	// PartyOperator is the platform operator, whose members administer
	// the registry.
	PartyOperator PartyKind = "operator"
)

// Party is a registered enterprise, regulator or the platform operator.
type Party struct {
	// ID is the platform identifier of the party, such as "p1a2b3c4d5e6".
	ID   string    `json:"id"`
	Kind PartyKind `json:"kind"`
	// NameZH is the registered Chinese name; NameEN is optional.
	NameZH string `json:"nameZH"`
	NameEN string `json:"nameEN,omitempty"`
	// USCC is the unified social credit code (统一社会信用代码, GB 32100)
	// in its plain 18-character form.
	USCC string `json:"uscc,omitempty"`
	// GLN is the party's GLN as a canonical Digital Link URI of AI (417)
	// (party GLN, PGLN), or empty.
	GLN string `json:"gln,omitempty"`
	// CompanyPrefixes lists the GS1 company prefixes licensed to the
	// party; no two parties share one.
	CompanyPrefixes []string `json:"companyPrefixes,omitempty"`
	// CodePrefixes lists prefixes of Chinese code schemes the party may
	// issue, as canonical URI prefixes such as
	// "urn:cn:nmpa:drug:8100001" (a drug product code).
	CodePrefixes []string  `json:"codePrefixes,omitempty"`
	Licences     []Licence `json:"licences,omitempty"`
	// Region is the GB/T 2260 administrative division code (6 digits)
	// where the party is registered.
	Region   string    `json:"region,omitempty"`
	Contacts []Contact `json:"contacts,omitempty"`

	// Department, Jurisdiction and Categories describe a regulator.
	// Jurisdiction is a GB/T 2260 division code prefix ("44" is
	// Guangdong, "4401" Guangzhou). An empty Categories list covers every
	// product category.
	Department   string   `json:"department,omitempty"`
	Jurisdiction string   `json:"jurisdiction,omitempty"`
	Categories   []string `json:"categories,omitempty"`

	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Licence is an administrative licence held by an enterprise, such as a
// food production licence (SC) or a drug distribution licence.
type Licence struct {
	// Kind is one of the licence kinds of package party, such as
	// "food-production".
	Kind   string `json:"kind"`
	Number string `json:"number"`
	// Categories lists the product categories the licence covers.
	Categories []string `json:"categories,omitempty"`
	// ValidFrom and ValidUntil are dates (UTC midnight); a zero ValidUntil
	// means no end date.
	ValidFrom  time.Time `json:"validFrom"`
	ValidUntil time.Time `json:"validUntil,omitzero"`
}

// Contact is a person to reach at a party.
type Contact struct {
	Name  string `json:"name"`
	Role  string `json:"role,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Location is a place owned by a party: a GLN/SGLN or another URI in the
// canonical form of package ident.
type Location struct {
	ID string `json:"id"`
	// Original is the identifier as registered.
	Original string `json:"original"`
	PartyID  string `json:"partyID"`
	Name     string `json:"name"`
	Address  string `json:"address,omitempty"`
	// Division is the GB/T 2260 administrative division code (6 digits)
	// of the place.
	Division  string    `json:"division"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Scope is a permission carried by an API token or a session.
type Scope string

// Scopes.
const (
	ScopeCapture Scope = "capture"
	ScopeQuery   Scope = "query"
	ScopeAdmin   Scope = "admin"
)

// Token is an API token of a party. Only the SHA-256 hash of the secret is
// stored.
type Token struct {
	// ID names the token in lists and revocation; it is not secret.
	ID      string
	PartyID string
	// Name is a label chosen by its owner, such as "ERP export".
	Name   string
	Hash   []byte
	Scopes []Scope
	// CreatedBy is who issued the token (a user name or token ID).
	CreatedBy string
	CreatedAt time.Time
	// ExpiresAt is when the token stops working; zero means never.
	ExpiresAt time.Time
	// RevokedAt is when the token was revoked; zero while it is valid.
	RevokedAt time.Time
}

// User is a person who signs in to the web pages.
type User struct {
	Username string
	PartyID  string
	// PasswordHash is the encoded slow hash of the password (argon2id, in
	// the PHC string format).
	PasswordHash string
	Scopes       []Scope
	CreatedAt    time.Time
	// Disabled users cannot sign in.
	Disabled bool
}

// Session is a signed-in web session. Only the SHA-256 hash of the
// session cookie is stored.
type Session struct {
	Hash      []byte
	Username  string
	CreatedAt time.Time
	ExpiresAt time.Time
	// RemoteAddr is the client address at sign-in.
	RemoteAddr string
}

// Access is one entry of the access log: a regulator's read of enterprise
// data or an administrative change.
type Access struct {
	// Seq is assigned by the store, increasing.
	Seq  int64     `json:"seq"`
	Time time.Time `json:"time"`
	// Actor is who acted: a user name or "token:" and a token ID.
	Actor        string `json:"actor"`
	ActorPartyID string `json:"actorPartyID"`
	// Action names what was done, such as "query" or "party.update".
	Action string `json:"action"`
	// PartyID is the party whose data was read or changed; empty for
	// changes that concern no single party.
	PartyID string `json:"partyID,omitempty"`
	// Target names the object: an eventID, a request path, a token ID.
	Target     string `json:"target,omitempty"`
	RemoteAddr string `json:"remoteAddr,omitempty"`
}

// PartyStore keeps the registry of parties, their locations, API tokens,
// web users and sessions, and the access log. Every method returns
// ErrNotFound for a missing record and ErrConflict for a duplicate key.
//
// The methods that change the registry take decisions: each is appended
// to the decision log (see DecisionStore.AppendDecision) in the same
// transaction as the change, and its Seq and LeafIndex are set in place.
// The change and its decisions commit together or not at all. An invalid
// decision (see CheckDecision) fails the call before anything is written.
type PartyStore interface {
	// CreateParty stores a new party with its prefixes. It fails with
	// ErrConflict when the ID or the USCC is taken, or when another
	// party registered one of its prefixes.
	CreateParty(ctx context.Context, p Party, decisions ...*Decision) error
	// UpdateParty replaces a stored party, with the same conflict rules.
	UpdateParty(ctx context.Context, p Party, decisions ...*Decision) error
	// Party returns one party.
	Party(ctx context.Context, id string) (Party, error)
	// Parties lists parties by ascending ID after the ID `after`, at most
	// limit of them.
	Parties(ctx context.Context, after string, limit int) ([]Party, error)
	// PutLocation stores a location, replacing one with the same ID.
	// It fails with ErrNotFound when the owning party does not exist.
	PutLocation(ctx context.Context, l Location, decisions ...*Decision) error
	// Location returns one location by canonical ID.
	Location(ctx context.Context, id string) (Location, error)
	// Locations lists locations by ascending ID after `after`; a non-empty
	// partyID lists only that party's locations.
	Locations(ctx context.Context, partyID, after string, limit int) ([]Location, error)
	// ImportRegistry stores parties (created or replaced by ID) and
	// locations in one transaction: all or nothing.
	ImportRegistry(ctx context.Context, parties []Party, locations []Location, decisions ...*Decision) error

	// CreateToken stores a new API token.
	CreateToken(ctx context.Context, t Token, decisions ...*Decision) error
	// TokenByHash returns the token with the given secret hash, whether
	// valid or not; callers check RevokedAt and ExpiresAt.
	TokenByHash(ctx context.Context, hash []byte) (Token, error)
	// Tokens lists a party's tokens, oldest first.
	Tokens(ctx context.Context, partyID string) ([]Token, error)
	// RevokeToken marks a token revoked at the given time. Revoking a
	// revoked token keeps the first time.
	RevokeToken(ctx context.Context, id string, at time.Time, decisions ...*Decision) error

	// CreateUser stores a new web user; UpdateUser replaces one.
	CreateUser(ctx context.Context, u User, decisions ...*Decision) error
	UpdateUser(ctx context.Context, u User, decisions ...*Decision) error
	// User returns a web user by user name.
	User(ctx context.Context, username string) (User, error)
	// CountUsers returns how many web users exist.
	CountUsers(ctx context.Context) (int, error)

	// CreateSession stores a session; Session returns one by hash;
	// DeleteSession removes one (no error when it is already gone).
	CreateSession(ctx context.Context, s Session) error
	Session(ctx context.Context, hash []byte) (Session, error)
	DeleteSession(ctx context.Context, hash []byte) error

	// RecordCapture notes which party submitted a capture job.
	RecordCapture(ctx context.Context, captureID, partyID string) error
	// CaptureParty returns the party that submitted a capture job.
	CaptureParty(ctx context.Context, captureID string) (string, error)

	// AppendAccess adds an entry to the access log.
	AppendAccess(ctx context.Context, a Access) error
	// AccessLog lists entries concerning partyID (every entry when
	// partyID is empty) with Seq greater than afterSeq, oldest first.
	AccessLog(ctx context.Context, partyID string, afterSeq int64, limit int) ([]Access, error)
}
