// Package recall owns recall notices (召回公告). A notice is a
// regulator's order to take lots or items off the market. It carries the
// notice number, level, reason, the recalled identifiers and a snapshot of
// the recall scope at opening, then progress reports and the closing
// result.
//
// A notice is event-sourced: every change is a store.Decision (kinds
// "recall.open", "recall.update" and "recall.close", subject the recall
// ID) appended to the audit log, and the current state of a notice is the
// fold of its decisions in Seq order. No other table keeps recall state,
// so the state cannot disagree with the log.
//
// Service.Covering tells the consumer page whether a scanned code is
// covered by an open recall: the code itself, its product or lot, or an
// upstream lot, container or input found by a bounded backward trace.
package recall

import (
	"fmt"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/internal/ledger"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

// Decision kinds of a recall.
const (
	KindOpen   = "recall.open"
	KindUpdate = "recall.update"
	KindClose  = "recall.close"
)

// Errors. Each wraps the store sentinel that the HTTP layer maps to a
// status: invalid requests to 400, forbidden changes to 403, missing
// notices to 404 and changes to closed notices or a reused notice number
// to 409.
var (
	ErrInvalid   = fmt.Errorf("invalid recall: %w", store.ErrInvalid)
	ErrForbidden = fmt.Errorf("recall change not allowed: %w", store.ErrForbidden)
	ErrNotFound  = fmt.Errorf("recall notice: %w", store.ErrNotFound)
	ErrClosed    = fmt.Errorf("recall notice is closed: %w", store.ErrConflict)
	ErrDuplicate = fmt.Errorf("recall notice number already used: %w", store.ErrConflict)
)

// FieldError names the field of a recall request that breaks a rule, its
// value and the rule in Chinese and English. It wraps ErrInvalid.
type FieldError = ledger.FieldError

// Level is the recall level. Chinese food and drug recall rules (食品召回
// 管理办法, 药品召回管理办法) have three levels, 一级 being the most
// serious; they are stored as I, II and III.
type Level string

// Recall levels.
const (
	LevelI   Level = "I"
	LevelII  Level = "II"
	LevelIII Level = "III"
)

// ParseLevel reads a level written as I, II, III, 1, 2, 3, 一级, 二级 or
// 三级 (case and surrounding spaces ignored).
func ParseLevel(s string) (Level, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "I", "1", "一级", "一":
		return LevelI, nil
	case "II", "2", "二级", "二":
		return LevelII, nil
	case "III", "3", "三级", "三":
		return LevelIII, nil
	}
	return "", &FieldError{Invalid: ErrInvalid, Field: "level", Value: s, MessageZH: "召回级别应为一级、二级或三级 (I、II、III)", Message: "give the recall level as I, II or III (一级, 二级, 三级)"}
}

// ZH returns the Chinese name of the level, such as 一级.
func (l Level) ZH() string {
	switch l {
	case LevelI:
		return "一级"
	case LevelII:
		return "二级"
	case LevelIII:
		return "三级"
	}
	return string(l)
}

// Status is the state of a notice: open or closed.
type Status string

// Notice statuses.
const (
	StatusOpen   Status = "open"
	StatusClosed Status = "closed"
)

// Ref locates one decision of a notice in the decision store and the
// audit log, so that a client can ask for its inclusion proof.
type Ref struct {
	Kind      string    `json:"kind"`
	Seq       int64     `json:"seq"`
	LeafIndex uint64    `json:"leafIndex"`
	Time      time.Time `json:"time"`
	Actor     string    `json:"actor"`
}

// Progress is one progress report of a recall.
type Progress struct {
	Time time.Time `json:"time"`
	// Recovered is the quantity taken back so far, in UOM (a UN/CEFACT
	// Rec 20 code such as KGM or EA), as the reporter counted it; it
	// replaces the previous report's figure.
	Recovered float64 `json:"recovered"`
	UOM       string  `json:"uom,omitempty"`
	NoteZH    string  `json:"noteZH,omitempty"`
	NoteEN    string  `json:"noteEN,omitempty"`
	Actor     string  `json:"actor"`
}

// Scope is the snapshot of the recall scope taken when the notice opens
// (trace.Tracer.RecallScope): the affected objects summed by holder,
// region, channel and status. It keeps the sums only, never the events
// behind them.
type Scope struct {
	// Affected counts the affected items and lot shares, Lots the lots.
	Affected int `json:"affected"`
	Lots     int `json:"lots"`
	// InStock counts objects in stock or in transit, Delivered those that
	// reached consumers, summed over ByStatus.
	InStock   int            `json:"inStock"`
	Delivered int            `json:"delivered"`
	ByHolder  []trace.Bucket `json:"byHolder"`
	ByRegion  []trace.Bucket `json:"byRegion"`
	ByChannel []trace.Bucket `json:"byChannel"`
	ByStatus  []trace.Bucket `json:"byStatus"`
	// Untraced lists recalled identifiers that no stored event names, so
	// the snapshot cannot count them.
	Untraced []string `json:"untraced,omitempty"`
	// Error is the reason no snapshot was taken, such as a store without
	// a lineage index. The counts are then zero.
	Error string `json:"error,omitempty"`
}

// Notice is the current state of a recall notice: the fold of its
// decisions.
type Notice struct {
	ID string `json:"id"`
	// Number is the notice number (文号), such as 粤食召〔2026〕017号;
	// no two notices share one.
	Number string `json:"number"`
	// Regulator is the party ID of the issuing regulator.
	Regulator  string `json:"regulator"`
	Level      Level  `json:"level"`
	ReasonZH   string `json:"reasonZH"`
	ReasonEN   string `json:"reasonEN,omitempty"`
	CategoryZH string `json:"categoryZH,omitempty"`
	CategoryEN string `json:"categoryEN,omitempty"`
	// IDs are the recalled lots and identifiers in canonical form
	// (package ident).
	IDs []string `json:"ids"`
	// From and To bound the exposure window [From, To) of the recall;
	// nil does not bound.
	From *time.Time `json:"from,omitempty"`
	To   *time.Time `json:"to,omitempty"`
	// Scope is the snapshot taken at opening.
	Scope    Scope      `json:"scope"`
	Status   Status     `json:"status"`
	OpenedAt time.Time  `json:"openedAt"`
	ClosedAt *time.Time `json:"closedAt,omitempty"`
	// Progress lists the progress reports, oldest first.
	Progress []Progress `json:"progress"`
	// ResultZH and ResultEN state the outcome given when the notice
	// closed.
	ResultZH  string `json:"resultZH,omitempty"`
	ResultEN  string `json:"resultEN,omitempty"`
	Decisions []Ref  `json:"decisions"`
}

// Recovered returns the quantity recovered according to the latest
// progress report, and its unit; 0 and "" before any report.
func (n *Notice) Recovered() (float64, string) {
	if len(n.Progress) == 0 {
		return 0, ""
	}
	p := n.Progress[len(n.Progress)-1]
	return p.Recovered, p.UOM
}

// Limits of the free text of a notice, in characters.
const (
	maxNumber = 64
	maxText   = 2000
	maxIDs    = 1000
)

// checkText returns a *FieldError when v is longer than limit characters
// or contains control characters other than line breaks and tabs.
func checkText(field, v string, limit int) error {
	return ledger.CheckText(ErrInvalid, field, v, limit)
}

// canonicalIDs returns the canonical form of each identifier, without
// repeats, in the order given. The error names the first value that
// package ident cannot read.
func canonicalIDs(ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, &FieldError{Invalid: ErrInvalid, Field: "ids", MessageZH: "至少列出一个召回的批次或产品标识", Message: "name at least one recalled lot or identifier, such as (01)06901234000016(10)L1"}
	}
	if len(ids) > maxIDs {
		return nil, &FieldError{Invalid: ErrInvalid, Field: "ids", Value: fmt.Sprint(len(ids)), MessageZH: fmt.Sprintf("一份公告最多 %d 个标识", maxIDs), Message: fmt.Sprintf("a notice names at most %d identifiers; split it", maxIDs)}
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(ids))
	for i, id := range ids {
		c, err := trace.CanonicalID(id)
		if err != nil {
			return nil, &FieldError{Invalid: ErrInvalid, Field: fmt.Sprintf("ids[%d]", i), Value: id,
				MessageZH: "无法识别的标识, 请使用 GS1 数字链接、EPC URN、GS1 元素串或中国追溯码",
				Message:   "not an identifier package ident reads (" + err.Error() + "); give a GS1 Digital Link, EPC URN, element string or Chinese trace code"}
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out, nil
}
