// Package credit owns the quality-credit list (严重违法失信名单), the
// list of enterprises that regulators name for serious violations of
// product quality and food safety law. Each entry names a party with its
// reason, deciding regulator, decision document number, effective date
// and optional end date. An entry is removed after credit repair
// (信用修复).
//
// An entry is event-sourced: it is added by a "credit.add" decision and
// removed by a "credit.remove" decision (subject the entry ID), both
// appended to the audit log, and its current state is the fold of its
// decisions in Seq order. No other table keeps list state.
package credit

import (
	"fmt"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/internal/ledger"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// Decision kinds of the credit list.
const (
	KindAdd    = "credit.add"
	KindRemove = "credit.remove"
)

// Errors. Each wraps the store sentinel that the HTTP layer maps to a
// status: invalid requests to 400, forbidden changes to 403, missing
// entries to 404, and removing a removed entry or reusing a document
// number to 409.
var (
	ErrInvalid   = fmt.Errorf("invalid credit-list entry: %w", store.ErrInvalid)
	ErrForbidden = fmt.Errorf("credit-list change not allowed: %w", store.ErrForbidden)
	ErrNotFound  = fmt.Errorf("credit-list entry: %w", store.ErrNotFound)
	ErrRemoved   = fmt.Errorf("credit-list entry already removed: %w", store.ErrConflict)
	ErrDuplicate = fmt.Errorf("decision document number already used: %w", store.ErrConflict)
)

// FieldError names the field of a credit-list request that breaks a
// rule, its value and the rule in Chinese and English. It wraps ErrInvalid.
type FieldError = ledger.FieldError

// Status is the state of an entry on a given day.
type Status string

// Entry statuses. An entry whose end date has passed is StatusExpired;
// one removed by a credit.remove decision is StatusRemoved.
const (
	StatusListed  Status = "listed"
	StatusPending Status = "pending"
	StatusExpired Status = "expired"
	StatusRemoved Status = "removed"
)

// Ref locates one decision of an entry in the decision store and the
// audit log, so that a client can ask for its inclusion proof.
type Ref struct {
	Kind      string    `json:"kind"`
	Seq       int64     `json:"seq"`
	LeafIndex uint64    `json:"leafIndex"`
	Time      time.Time `json:"time"`
	Actor     string    `json:"actor,omitempty"`
}

// Removal is the credit repair that took an entry off the list.
type Removal struct {
	Time     time.Time `json:"time"`
	ReasonZH string    `json:"reasonZH"`
	ReasonEN string    `json:"reasonEN,omitempty"`
	Actor    string    `json:"actor,omitempty"`
}

// Entry is the current state of a credit-list entry: the fold of its
// decisions.
type Entry struct {
	ID string `json:"id"`
	// PartyID is the registered party the entry is about; empty when the
	// enterprise is not registered on the platform.
	PartyID string `json:"partyID,omitempty"`
	// USCC is the unified social credit code (统一社会信用代码, GB 32100)
	// of the enterprise.
	USCC     string `json:"uscc"`
	NameZH   string `json:"nameZH"`
	NameEN   string `json:"nameEN,omitempty"`
	ReasonZH string `json:"reasonZH"`
	ReasonEN string `json:"reasonEN,omitempty"`
	// Regulator is the party ID of the deciding regulator.
	Regulator string `json:"regulator"`
	// DocumentNumber is the number of the decision document (决定书文号).
	DocumentNumber string `json:"documentNumber"`
	// EffectiveFrom and EffectiveUntil are dates (YYYY-MM-DD, China
	// Standard Time); the entry is in force from the start of the first
	// to the end of the second. EffectiveUntil is empty for no end date.
	EffectiveFrom  string    `json:"effectiveFrom"`
	EffectiveUntil string    `json:"effectiveUntil,omitempty"`
	AddedAt        time.Time `json:"addedAt"`
	Removal        *Removal  `json:"removal,omitempty"`
	Decisions      []Ref     `json:"decisions"`
}

// cst is China Standard Time, in which effective dates are read.
var cst = time.FixedZone("CST", 8*3600)

// StatusAt returns the status of the entry at t.
func (e *Entry) StatusAt(t time.Time) Status {
	if e.Removal != nil {
		return StatusRemoved
	}
	day := t.In(cst).Format(time.DateOnly)
	switch {
	case day < e.EffectiveFrom:
		return StatusPending
	case e.EffectiveUntil != "" && day > e.EffectiveUntil:
		return StatusExpired
	}
	return StatusListed
}

// Limits of the free text of an entry, in characters.
const (
	maxShort = 128
	maxText  = 2000
)

// checkText returns a *FieldError when v is longer than limit characters
// or contains control characters other than line breaks and tabs.
func checkText(field, v string, limit int) error {
	return ledger.CheckText(ErrInvalid, field, v, limit)
}

// parseDate reads a date field written as YYYY-MM-DD; empty gives "".
func parseDate(field, v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		return "", &FieldError{Invalid: ErrInvalid, Field: field, Value: v, MessageZH: "日期格式应为 YYYY-MM-DD", Message: "write the date as YYYY-MM-DD, such as 2026-03-01"}
	}
	return v, nil
}
