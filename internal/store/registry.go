package store

import (
	"context"
	"fmt"
)

// RegistryLookup is the set of reads that the registry checks run inside
// a backend's write transaction, so that a check and the write after it
// see the same rows.
type RegistryLookup interface {
	// PartyExists reports whether a party has the ID.
	PartyExists(ctx context.Context, id string) (bool, error)
	// USCCHolder returns the ID of the party other than exceptID that
	// holds the unified social credit code, or "" when none does.
	USCCHolder(ctx context.Context, uscc, exceptID string) (string, error)
	// PrefixHolder returns the ID of the party other than exceptID that
	// holds the prefix of the scheme, or "" when none does.
	PrefixHolder(ctx context.Context, scheme, prefix, exceptID string) (string, error)
	// TokenExists reports whether a token has the ID or the hash.
	TokenExists(ctx context.Context, id string, hash []byte) (bool, error)
	// UserExists reports whether a web user has the user name.
	UserExists(ctx context.Context, username string) (bool, error)
}

// PartyPrefix is one prefix a party holds: Scheme "gs1" for a GS1
// company prefix, "cn" for a Chinese code-scheme prefix.
type PartyPrefix struct {
	Scheme, Prefix string
}

// PartyPrefixes lists the company prefixes and then the code prefixes of
// p, in the order given.
func PartyPrefixes(p Party) []PartyPrefix {
	var out []PartyPrefix
	for _, cp := range p.CompanyPrefixes {
		out = append(out, PartyPrefix{Scheme: "gs1", Prefix: cp})
	}
	for _, cp := range p.CodePrefixes {
		out = append(out, PartyPrefix{Scheme: "cn", Prefix: cp})
	}
	return out
}

// CheckPartyWrite checks that p may be stored: as a new party unless
// replace is set, else over the stored party with its ID. It returns
// ErrNotFound for a replace of a missing party, and ErrConflict naming the
// holder when the ID, the USCC or a prefix is taken.
func CheckPartyWrite(ctx context.Context, l RegistryLookup, p Party, replace bool) error {
	exists, err := l.PartyExists(ctx, p.ID)
	if err != nil {
		return fmt.Errorf("look up party: %w", err)
	}
	switch {
	case replace && !exists:
		return fmt.Errorf("party %s: %w", p.ID, ErrNotFound)
	case !replace && exists:
		return fmt.Errorf("party ID %s is already registered: %w", p.ID, ErrConflict)
	}
	if p.USCC != "" {
		holder, err := l.USCCHolder(ctx, p.USCC, p.ID)
		if err != nil {
			return fmt.Errorf("look up USCC: %w", err)
		}
		if holder != "" {
			return fmt.Errorf("unified social credit code %s is already registered to party %s: %w", p.USCC, holder, ErrConflict)
		}
	}
	for _, pr := range PartyPrefixes(p) {
		holder, err := l.PrefixHolder(ctx, pr.Scheme, pr.Prefix, p.ID)
		if err != nil {
			return fmt.Errorf("look up prefix: %w", err)
		}
		if holder != "" {
			return fmt.Errorf("prefix %s is already registered to party %s: %w", pr.Prefix, holder, ErrConflict)
		}
	}
	return nil
}

// CheckLocationWrite checks that the owner party of loc exists.
func CheckLocationWrite(ctx context.Context, l RegistryLookup, loc Location) error {
	exists, err := l.PartyExists(ctx, loc.PartyID)
	if err != nil {
		return fmt.Errorf("look up party: %w", err)
	}
	if !exists {
		return fmt.Errorf("location %s: owner party %s: %w", loc.ID, loc.PartyID, ErrNotFound)
	}
	return nil
}

// CheckTokenCreate checks that no token has t's ID or hash and that its
// party exists.
func CheckTokenCreate(ctx context.Context, l RegistryLookup, t Token) error {
	exists, err := l.TokenExists(ctx, t.ID, t.Hash)
	if err != nil {
		return fmt.Errorf("look up token: %w", err)
	}
	if exists {
		return fmt.Errorf("token %s already exists: %w", t.ID, ErrConflict)
	}
	return checkOwner(ctx, l, t.PartyID)
}

// CheckUserCreate checks that no web user has u's user name and that its
// party exists.
func CheckUserCreate(ctx context.Context, l RegistryLookup, u User) error {
	exists, err := l.UserExists(ctx, u.Username)
	if err != nil {
		return fmt.Errorf("look up user: %w", err)
	}
	if exists {
		return fmt.Errorf("user %s already exists: %w", u.Username, ErrConflict)
	}
	return checkOwner(ctx, l, u.PartyID)
}

// checkOwner checks that the party of a token or user exists.
func checkOwner(ctx context.Context, l RegistryLookup, partyID string) error {
	exists, err := l.PartyExists(ctx, partyID)
	if err != nil {
		return fmt.Errorf("look up party: %w", err)
	}
	if !exists {
		return fmt.Errorf("party %s: %w", partyID, ErrNotFound)
	}
	return nil
}

// CheckListLimit returns an error wrapping ErrInvalid, prefixed with
// operation, unless limit is positive.
func CheckListLimit(operation string, limit int) error {
	if limit <= 0 {
		return fmt.Errorf("%s: limit %d must be positive: %w", operation, limit, ErrInvalid)
	}
	return nil
}
