package store

import (
	"context"
	"encoding/json"
	"time"
)

// Decision is a decision that the platform records in the audit log beside
// the events: a recall notice opened or closed by a regulator, an entry
// added to or removed from the quality-credit list, a change to the party
// registry. Decisions are never updated or deleted; a later decision on
// the same subject supersedes an earlier one.
type Decision struct {
	// Seq is assigned by the store, increasing from 1 in append order.
	Seq int64 `json:"seq"`
	// LeafIndex is the index of the decision's audit-log leaf, assigned
	// by the store.
	LeafIndex uint64 `json:"leafIndex"`
	// Kind names the decision as "domain.verb", such as "recall.open",
	// "recall.close", "credit.add", "credit.remove", "party.create" or
	// "party.update".
	Kind string `json:"kind"`
	// Subject names what the decision is about, such as a recall ID or a
	// party ID; together with Kind it selects the decisions of one thing.
	Subject string `json:"subject"`
	// Actor is who decided: a user name or "token:" and a token ID, or
	// "system" for the platform itself. ActorPartyID is the actor's party.
	Actor        string `json:"actor"`
	ActorPartyID string `json:"actorPartyID,omitempty"`
	// Time is when the decision took effect, set by the caller (UTC,
	// truncated to the millisecond so that it survives both backends).
	Time time.Time `json:"time"`
	// Body is the decision's content: a JSON object whose shape depends
	// on Kind. The store keeps its bytes verbatim.
	Body json.RawMessage `json:"body"`
	// LeafHash is the RFC 6962 leaf hash that the audit log appends for
	// this decision, computed by the caller over the fields above
	// (package auditlog); nil when the log is disabled.
	LeafHash []byte `json:"-"`
}

// DecisionFilter selects decisions. Empty fields select everything.
type DecisionFilter struct {
	// KindPrefix keeps decisions whose Kind starts with it, such as
	// "recall." for every recall decision.
	KindPrefix string
	// Subject keeps the decisions about one subject.
	Subject string
	// AfterSeq keeps decisions with a greater Seq.
	AfterSeq int64
	// Limit caps the number returned; 0 means a store default of 1000.
	Limit int
}

// DecisionStore keeps decisions. Both backends implement it.
type DecisionStore interface {
	// AppendDecision stores d and, when d.LeafHash is set, its audit-log
	// leaf, in one transaction, and returns d with Seq and LeafIndex set.
	AppendDecision(ctx context.Context, d Decision) (Decision, error)
	// Decisions lists the decisions matching f in ascending Seq order.
	Decisions(ctx context.Context, f DecisionFilter) ([]Decision, error)
	// DecisionAt returns the decision whose leaf is at index i, or
	// ErrNotFound when that leaf records an event or does not exist.
	DecisionAt(ctx context.Context, i uint64) (Decision, error)
}
