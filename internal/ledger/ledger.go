// Package ledger keeps an event-sourced register, such as the recall
// notices or the credit list, in memory as the fold of its decisions.
// Every change to the register is a store.Decision appended to the
// decision store (and so to the audit log). The register's state is the
// fold of those decisions in Seq order, and no other table keeps it.
//
// A register package owns its decision kinds, bodies and fold function.
// This package owns the reading, appending and ID machinery they share.
package ledger

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// State is the folded state of a register: its items by subject, the Seq
// of the last decision folded in and when the decisions were last read.
// The zero value is an empty register that has read nothing.
type State[T any] struct {
	Items    map[string]*T
	LastSeq  int64
	LoadedAt time.Time
}

// Ledger reads and appends the decisions of one register. A register's
// service builds one for each call from its own configuration. A Ledger
// is not safe for concurrent use, and the caller serialises access to
// State.
type Ledger[T any] struct {
	// Domain is the decision-kind prefix before the dot, such as
	// "recall" or "credit", and names the register in messages.
	Domain string
	// Subject names one item in messages and logs, such as "recall" or
	// "entry".
	Subject string
	// Apply folds one decision into the items. An error skips the
	// decision, which is logged.
	Apply func(items map[string]*T, d store.Decision) error
	// Folded, when set, runs after each successful refresh. Changed
	// reports whether the refresh folded in at least one decision.
	Folded func(changed bool)

	// Store keeps the decisions; required.
	Store store.DecisionStore
	// LeafHash returns the audit-log leaf hash of a decision; nil appends
	// decisions without audit-log leaves.
	LeafHash func(store.Decision) []byte
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Logger receives the decisions Apply skips; nil discards them.
	Logger *slog.Logger

	State *State[T]
}

// pageSize is how many decisions one refresh reads per store call.
const pageSize = store.DefaultDecisionLimit

// Time returns the current time of now (time.Now when nil) in UTC,
// truncated to milliseconds as decisions store it.
func Time(now func() time.Time) time.Time {
	if now != nil {
		return now().UTC().Truncate(time.Millisecond)
	}
	return time.Now().UTC().Truncate(time.Millisecond)
}

// Refresh folds the decisions appended since the last refresh, reading
// them in pages, and sets State.LoadedAt.
func (l *Ledger[T]) Refresh(ctx context.Context) error {
	if l.State.Items == nil {
		l.State.Items = map[string]*T{}
	}
	changed := false
	for {
		ds, err := l.Store.Decisions(ctx, store.DecisionFilter{KindPrefix: l.Domain + ".", AfterSeq: l.State.LastSeq, Limit: pageSize})
		if err != nil {
			return fmt.Errorf("read %s decisions: %w", l.Domain, err)
		}
		for _, d := range ds {
			if err := l.Apply(l.State.Items, d); err != nil && l.Logger != nil {
				l.Logger.Warn(l.Domain+" decision skipped", "seq", d.Seq, l.Subject, d.Subject, "err", err)
			}
			l.State.LastSeq = d.Seq
			changed = true
		}
		if len(ds) < pageSize {
			break
		}
	}
	if l.Folded != nil {
		l.Folded(changed)
	}
	l.State.LoadedAt = time.Now()
	return nil
}

// Append appends one decision of kind about subject with body, timed now
// and with its audit-log leaf hash, then refreshes. It returns the stored
// decision and the item it made or changed. The caller has refreshed
// since it last checked the item.
func (l *Ledger[T]) Append(ctx context.Context, actor, actorPartyID, kind, subject string, body []byte) (store.Decision, *T, error) {
	d := store.Decision{Kind: kind, Subject: subject, Actor: actor, ActorPartyID: actorPartyID, Time: Time(l.Now), Body: body}
	if l.LeafHash != nil {
		d.LeafHash = l.LeafHash(d)
	}
	d, err := l.Store.AppendDecision(ctx, d)
	if err != nil {
		return store.Decision{}, nil, fmt.Errorf("append %s of %s %s: %w", kind, l.Subject, subject, err)
	}
	// Reading back folds the new decision after any that another process
	// appended before it.
	if err := l.Refresh(ctx); err != nil {
		return store.Decision{}, nil, fmt.Errorf("%s %s: %s stored as decision %d, but reading it back failed: %w", l.Subject, subject, kind, d.Seq, err)
	}
	item, ok := l.State.Items[subject]
	if !ok {
		return store.Decision{}, nil, fmt.Errorf("%s %s: decision %d was stored but the fold skipped it (see the log)", l.Subject, subject, d.Seq)
	}
	return d, item, nil
}

// NewID returns prefix followed by 12 random hexadecimal digits (48
// bits), such as rc1f2e3d4c5b6a. It panics when crypto/rand fails.
func NewID(prefix string) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("ledger: crypto/rand failed: " + err.Error())
	}
	return prefix + hex.EncodeToString(b[:])
}

// FieldError names the field of a register request that breaks a rule,
// its value and the rule in Chinese and English. It wraps Invalid, the
// register's error for invalid requests.
type FieldError struct {
	Field, Value       string
	MessageZH, Message string
	Invalid            error
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s %q: %s / %s", e.Field, e.Value, e.MessageZH, e.Message)
}

// Unwrap returns Invalid.
func (e *FieldError) Unwrap() error { return e.Invalid }

// shownRunes is how much of a long value a FieldError from CheckText
// shows.
const shownRunes = 40

// CheckText returns a *FieldError wrapping invalid when v is longer than
// limit characters or contains control characters other than line breaks
// and tabs. The error shows at most the first 40 characters of v.
func CheckText(invalid error, field, v string, limit int) error {
	shown := v
	if utf8.RuneCountInString(v) > shownRunes {
		shown = string([]rune(v)[:shownRunes]) + "…"
	}
	if utf8.RuneCountInString(v) > limit {
		return &FieldError{Field: field, Value: shown, Invalid: invalid,
			MessageZH: fmt.Sprintf("不能超过 %d 个字符", limit), Message: fmt.Sprintf("must not exceed %d characters", limit)}
	}
	if strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0 {
		return &FieldError{Field: field, Value: shown, Invalid: invalid, MessageZH: "含有控制字符", Message: "contains control characters; remove them"}
	}
	return nil
}
