package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
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
	// (package auditlog). It is nil when the log is disabled. The store
	// reads it back from the decision's leaf, so a decision read with a
	// nil LeafHash has no leaf, and its LeafIndex means nothing.
	LeafHash []byte `json:"-"`
}

// DefaultDecisionLimit is the number of decisions Decisions returns when
// DecisionFilter.Limit is 0, and the maximum it returns for any Limit.
const DefaultDecisionLimit = 1000

// CheckDecision returns an error wrapping ErrInvalid when d cannot be
// appended: Kind, Subject or Actor empty, Kind without a '.', Time zero
// or not a whole millisecond, Body not a JSON object, or LeafHash neither
// nil nor 32 bytes. The backends call it before they write anything.
func CheckDecision(d Decision) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("decision %s %q: %s: %w", d.Kind, d.Subject, fmt.Sprintf(format, args...), ErrInvalid)
	}
	switch {
	case !strings.Contains(d.Kind, ".") || strings.HasPrefix(d.Kind, ".") || strings.HasSuffix(d.Kind, "."):
		return fail("kind must have the form domain.verb, such as party.update")
	case d.Subject == "":
		return fail("subject is empty")
	case d.Actor == "":
		return fail(`actor is empty; use "system" for the platform itself`)
	case d.Time.IsZero():
		return fail("time is missing")
	case !d.Time.Equal(d.Time.Truncate(time.Millisecond)):
		return fail("time %s has sub-millisecond digits; truncate it to the millisecond", d.Time.Format(time.RFC3339Nano))
	case d.LeafHash != nil && len(d.LeafHash) != 32:
		return fail("leaf hash has %d bytes, want 32", len(d.LeafHash))
	}
	if !json.Valid(d.Body) || !bytes.HasPrefix(bytes.TrimLeft(d.Body, " \t\r\n"), []byte("{")) {
		return fail("body is not a JSON object")
	}
	return nil
}

// CheckDecisions is CheckDecision for each decision that a registry
// change carries; a nil entry is invalid.
func CheckDecisions(decisions []*Decision) error {
	for i, d := range decisions {
		if d == nil {
			return fmt.Errorf("decision %d is nil: %w", i, ErrInvalid)
		}
		if err := CheckDecision(*d); err != nil {
			return err
		}
	}
	return nil
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
	// Limit caps the number returned; 0 means DefaultDecisionLimit, and a
	// larger value is cut to it.
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
