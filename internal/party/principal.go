package party

import (
	"context"
	"slices"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// AudienceKind is one of the four audiences that see different parts of
// the stored data.
type AudienceKind int

// Audiences.
const (
	// Public is an anonymous caller: consumers scanning a label.
	Public AudienceKind = iota
	// Enterprise is a registered enterprise.
	Enterprise
	// Regulator is a supervising department within its jurisdiction.
	Regulator
	// Administrator is the platform operator with the admin scope, or
	// every caller of a server started in open (development) mode.
	Administrator
)

func (k AudienceKind) String() string {
	switch k {
	case Enterprise:
		return "enterprise"
	case Regulator:
		return "regulator"
	case Administrator:
		return "administrator"
	}
	return "public"
}

// Principal is an authenticated caller: the party it acts for, the scopes
// of its credential and the name recorded in the access log.
type Principal struct {
	Party  store.Party
	Scopes []store.Scope
	// Actor names the credential: "user:NAME" or "token:ID".
	Actor string
	// Session is set when the caller signed in on the web pages, so that
	// unsafe requests need a CSRF token.
	Session bool
	// Open marks the principal of a server started in open mode.
	Open bool
}

// Has reports whether the principal carries scope s.
func (p *Principal) Has(s store.Scope) bool {
	return p != nil && slices.Contains(p.Scopes, s)
}

// Audience returns the audience p belongs to; a nil principal is Public.
// Only members of the operator party holding the admin scope are
// administrators.
func (p *Principal) Audience() AudienceKind {
	switch {
	case p == nil:
		return Public
	case p.Open:
		return Administrator
	case p.Party.Kind == store.PartyOperator && p.Has(store.ScopeAdmin):
		return Administrator
	case p.Party.Kind == store.PartyRegulator:
		return Regulator
	case p.Party.Kind == store.PartyEnterprise:
		return Enterprise
	}
	return Public
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal of ctx, or nil for an anonymous
// caller.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
