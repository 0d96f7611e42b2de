package store

import (
	"fmt"
	"time"
)

// Query is an EPCIS SimpleEventQuery in the store's terms: every value is
// already parsed, and identifier values are already in canonical form.
// Empty fields do not restrict. Within one field the listed values are
// alternatives (OR); different fields combine with AND, as EPCIS 2.0
// section 8.2.7.1 defines.
type Query struct {
	EventTypes []string

	GEEventTime, LTEventTime   *time.Time
	GERecordTime, LTRecordTime *time.Time

	Actions                    []string
	BizSteps                   []string
	Dispositions               []string
	PersistentDispositionSet   []string
	PersistentDispositionUnset []string

	// ReadPoints and BizLocations match the location exactly (EQ_);
	// the WD variants also match locations below them in the master-data
	// hierarchy. Without master data WD_ matches like EQ_.
	ReadPoints     []string
	ReadPointsWD   []string
	BizLocations   []string
	BizLocationsWD []string

	// Matches restricts by identifier: each IDMatch must hold (AND).
	Matches []IDMatch

	EventIDs               []string
	ExistsErrorDeclaration bool
	ErrorReasons           []string
	// GEErrorDeclarationTime and LTErrorDeclarationTime bound the
	// declarationTime of attached error declarations.
	GEErrorDeclarationTime, LTErrorDeclarationTime *time.Time
	// CorrectiveEventIDs matches events whose attached error declaration
	// names one of them in correctiveEventIDs, compared as given (EPCIS
	// 2.0 EQ_correctiveEventID).
	CorrectiveEventIDs []string
	// TransformationIDs matches events whose transformationID is one of
	// them, compared with the RoleTransformationID rows (EPCIS 2.0
	// EQ_transformationID). Values are matched exactly, never as
	// patterns, so callers list each accepted form.
	TransformationIDs []string

	// BizTransactions, Sources and Destinations map a CBV type URI to the
	// accepted values; each map entry must hold (AND).
	BizTransactions map[string][]string
	Sources         map[string][]string
	Destinations    map[string][]string

	// Quantity restricts the quantity of class-role identifier rows; it
	// applies together with the Matches on class roles (EPCIS 2.0
	// EQ_quantity and friends).
	Quantity []QuantityBound

	// OrderBy is "eventTime" or "recordTime" (default recordTime);
	// Descending reverses the order. Ties are broken by Seq.
	OrderBy    string
	Descending bool

	// EventCountLimit caps the total number of events over all pages;
	// 0 means no cap.
	EventCountLimit int
	// MaxEventCount makes the query fail with a *QueryTooLargeError when
	// more events match, over all pages; 0 means no limit (EPCIS 2.0
	// maxEventCount). It excludes EventCountLimit. The first page checks
	// the count of all matching events; a later page fails when events
	// captured meanwhile push the total past the limit.
	MaxEventCount int
	// PerPage is the page size; 0 means the store's default (see
	// DefaultPerPage).
	PerPage int
	// After continues from a previous page.
	After *Cursor
}

// DefaultPerPage is the page size when Query.PerPage is 0.
const DefaultPerPage = 30

// IDMatch matches events that name one of Values in one of Roles.
// A value ending in "*" is a prefix pattern (EPC pattern or Digital Link
// without its final key), matched on the canonical form.
type IDMatch struct {
	Roles  []Role
	Values []string
}

// QuantityBound is one comparison on quantity: Op is one of "EQ", "GT",
// "GE", "LT", "LE".
type QuantityBound struct {
	Op    string
	Value float64
}

// Cursor is a position in a query's order: the order key of the last event
// returned and its Seq. It is stable under concurrent capture because new
// events always get a later record time and a higher Seq.
type Cursor struct {
	// Key is the order-by value of the last event, in Unix nanoseconds.
	Key int64
	Seq int64
	// Returned counts events already returned, for EventCountLimit.
	Returned int
}

// Page is one page of query results. Next is nil on the last page.
type Page struct {
	Events []StoredEvent
	Next   *Cursor
}

// QueryTooLargeError is returned, wrapping ErrQueryTooLarge, when more
// events match a query than its MaxEventCount allows. The caller must
// narrow the query or raise the limit; paging does not help, because the
// limit applies to all pages together.
type QueryTooLargeError struct {
	MaxEventCount int
}

func (e *QueryTooLargeError) Error() string {
	return fmt.Sprintf("more than maxEventCount %d events match the query", e.MaxEventCount)
}

func (e *QueryTooLargeError) Unwrap() error { return ErrQueryTooLarge }
