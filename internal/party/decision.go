package party

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// Decision kinds of the party registry. Every registry decision has the
// party it concerns as its subject: the registered party, the owner of a
// location, token or user.
const (
	KindPartyCreate    = "party.create"
	KindPartyUpdate    = "party.update"
	KindLocationCreate = "location.create"
	KindLocationUpdate = "location.update"
	KindTokenIssue     = "token.issue"
	KindTokenRevoke    = "token.revoke"
	KindUserCreate     = "user.create"
	KindUserDisable    = "user.disable"
	KindUserEnable     = "user.enable"
)

// SourceImport marks the decisions of a registry import in their bodies.
const SourceImport = "registry.import"

// PartyDecision is the body of a party.create or party.update decision:
// the party as stored and, for an update, the JSON names of the fields
// that changed.
type PartyDecision struct {
	Party   store.Party `json:"party"`
	Changed []string    `json:"changed,omitempty"`
	// Source is SourceImport for a party written by a registry import.
	Source string `json:"source,omitempty"`
}

// LocationDecision is the body of a location.create or location.update
// decision. PreviousPartyID names the former owner when the update moved
// the location to another party.
type LocationDecision struct {
	Location        store.Location `json:"location"`
	Changed         []string       `json:"changed,omitempty"`
	PreviousPartyID string         `json:"previousPartyID,omitempty"`
	Source          string         `json:"source,omitempty"`
}

// TokenDecision is the body of a token.issue or token.revoke decision. It
// never carries the token's secret or its hash.
type TokenDecision struct {
	ID        string        `json:"id"`
	PartyID   string        `json:"partyID"`
	Name      string        `json:"name,omitempty"`
	Scopes    []store.Scope `json:"scopes,omitempty"`
	CreatedBy string        `json:"createdBy,omitempty"`
	CreatedAt time.Time     `json:"createdAt,omitzero"`
	ExpiresAt time.Time     `json:"expiresAt,omitzero"`
	RevokedAt time.Time     `json:"revokedAt,omitzero"`
}

// UserDecision is the body of a user.create, user.disable or user.enable
// decision. It never carries the password hash.
type UserDecision struct {
	Username string        `json:"username"`
	PartyID  string        `json:"partyID"`
	Scopes   []store.Scope `json:"scopes,omitempty"`
	Disabled bool          `json:"disabled"`
}

// tokenDecision returns the body of a token decision for t.
func tokenDecision(t store.Token) TokenDecision {
	return TokenDecision{ID: t.ID, PartyID: t.PartyID, Name: t.Name, Scopes: t.Scopes, CreatedBy: t.CreatedBy,
		CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt}
}

// userDecision returns the body of a user decision for u.
func userDecision(u store.User) UserDecision {
	return UserDecision{Username: u.Username, PartyID: u.PartyID, Scopes: u.Scopes, Disabled: u.Disabled}
}

// decision returns the decision of a registry change made by the caller
// of ctx, with its body encoded by encoding/json and its leaf hash when
// the service has a leaf hasher. The encoding is stable: struct fields in
// declaration order and map keys sorted.
func (s *Service) decision(ctx context.Context, kind, subject string, body any) (*store.Decision, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode %s decision about %s: %w", kind, subject, err)
	}
	name, actorParty := s.actor(ctx)
	d := &store.Decision{
		Kind: kind, Subject: subject, Actor: name, ActorPartyID: actorParty,
		Time: s.now().Truncate(time.Millisecond), Body: b,
	}
	if s.LeafHash != nil {
		d.LeafHash = s.LeafHash(*d)
	}
	return d, nil
}

// changedFields returns the JSON names of the top-level fields whose
// encodings differ between old and updated, in name order, leaving out
// the names in ignore.
func changedFields(old, updated any, ignore ...string) ([]string, error) {
	fields := func(v any) (map[string]json.RawMessage, error) {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		var m map[string]json.RawMessage
		return m, json.Unmarshal(b, &m)
	}
	before, err := fields(old)
	if err != nil {
		return nil, fmt.Errorf("compare fields: %w", err)
	}
	after, err := fields(updated)
	if err != nil {
		return nil, fmt.Errorf("compare fields: %w", err)
	}
	changed := []string{}
	for name, value := range after {
		if !slices.Contains(ignore, name) && !bytes.Equal(before[name], value) {
			changed = append(changed, name)
		}
	}
	for name := range before {
		if _, ok := after[name]; !ok && !slices.Contains(ignore, name) {
			changed = append(changed, name)
		}
	}
	slices.Sort(changed)
	return changed, nil
}
