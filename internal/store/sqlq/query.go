package sqlq

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// Order-by values of store.Query.
const (
	OrderRecordTime = "recordTime"
	OrderEventTime  = "eventTime"
)

// Select is a built event query: run SQL with Args, scan each row as
// EventColumns followed by the order key (Unix nanoseconds), and pass the
// rows to Page. When CountSQL is set, run it first and pass its count to
// CheckCount.
type Select struct {
	// SQL is the statement; empty when the query can return no event
	// (EventCountLimit already reached), so nothing needs to run.
	SQL  string
	Args []any
	// Limit is the number of events the page may hold. SQL fetches one
	// row more so that Page can tell whether another page follows.
	Limit int
	// CountSQL, when not empty, counts the matching events of all pages,
	// up to one more than Query.MaxEventCount, as its only column and row.
	// Build sets it on the first page of a query whose MaxEventCount is
	// above the page size. A page that reaches MaxEventCount needs no
	// count: its own extra row shows whether more events match.
	CountSQL  string
	CountArgs []any

	returned int
	// capped is set when EventCountLimit ends the query with this page.
	capped bool
	// maxEventCount is Query.MaxEventCount; maxCapped is set when it ends
	// the query with this page.
	maxEventCount int
	maxCapped     bool
}

// Row is one fetched row: the event and its order key.
type Row struct {
	Event store.StoredEvent
	Key   int64
}

// quantityOps maps store.QuantityBound.Op to SQL comparison operators
// (EPCIS 2.0 section 8.2.7.1: EQ_quantity, GT_quantity, GE_quantity,
// LT_quantity and LE_quantity).
var quantityOps = map[string]string{"EQ": "=", "GT": ">", "GE": ">=", "LT": "<", "LE": "<="}

// Build turns q into a Select for dialect d. Values of q are used as bind
// arguments only, never as SQL text. It returns an error wrapping
// store.ErrInvalid when q has an unknown OrderBy or quantity operator, a
// negative PerPage, EventCountLimit, MaxEventCount or Cursor.Returned,
// both EventCountLimit and MaxEventCount, or a quantity bound that is not
// a finite number. Time bounds outside the range of Unix nanoseconds
// (years 1678 to 2262) are clamped to it.
func Build(d Dialect, q store.Query) (Select, error) {
	if err := checkQuery(q); err != nil {
		return Select{}, err
	}
	keyColumn := "e.record_time"
	if q.OrderBy == OrderEventTime {
		keyColumn = "e.event_time"
	}

	perPage := q.PerPage
	if perPage == 0 {
		perPage = store.DefaultPerPage
	}
	s := Select{Limit: perPage, maxEventCount: q.MaxEventCount}
	if q.After != nil {
		s.returned = q.After.Returned
	}
	if q.EventCountLimit > 0 {
		left := q.EventCountLimit - s.returned
		if left <= perPage {
			s.Limit = max(left, 0)
			s.capped = true
		}
	}
	if q.MaxEventCount > 0 {
		// The statement runs even when no event is left, because its
		// extra row shows whether the query went past the limit.
		left := q.MaxEventCount - s.returned
		if left <= perPage {
			s.Limit = max(left, 0)
			s.maxCapped = true
		}
	}
	if s.Limit == 0 && !s.maxCapped {
		return s, nil
	}

	b := &builder{d: d}
	where := b.conditions(q)
	cmp, dir := ">", "ASC"
	if q.Descending {
		cmp, dir = "<", "DESC"
	}
	if q.After != nil {
		where = append(where, "("+keyColumn+", e.seq) "+cmp+" ("+b.arg(q.After.Key)+", "+b.arg(q.After.Seq)+")")
	}

	b.sql.WriteString("SELECT " + EventColumns + ", " + keyColumn + " FROM events e")
	b.writeWhere(where)
	b.sql.WriteString(" ORDER BY " + keyColumn + " " + dir + ", e.seq " + dir)
	b.sql.WriteString(" LIMIT " + b.arg(int64(s.Limit+1)))
	s.SQL = b.sql.String()
	s.Args = b.args

	if q.MaxEventCount > 0 && q.After == nil && !s.maxCapped {
		s.CountSQL, s.CountArgs = countStatement(d, q)
	}
	return s, nil
}

// countStatement returns the statement counting the events that match q,
// up to one more than q.MaxEventCount. Only the count matters, so the
// inner SELECT reads no column and has no order.
func countStatement(d Dialect, q store.Query) (string, []any) {
	b := &builder{d: d}
	where := b.conditions(q)
	b.sql.WriteString("SELECT COUNT(*) FROM (SELECT 1 FROM events e")
	b.writeWhere(where)
	limit := int64(q.MaxEventCount)
	if limit < math.MaxInt64 {
		limit++
	}
	b.sql.WriteString(" LIMIT " + b.arg(limit) + ") AS matching")
	return b.sql.String(), b.args
}

// conditions returns the WHERE conditions of q, apart from the cursor,
// appending their arguments to b.
func (b *builder) conditions(q store.Query) []string {
	var where []string
	add := func(cond string) { where = append(where, cond) }

	if len(q.EventTypes) > 0 {
		add("e.event_type IN " + b.list(q.EventTypes))
	}
	addTime := func(column, op string, t *time.Time) {
		if t != nil {
			add(column + " " + op + " " + b.arg(ClampNanos(*t)))
		}
	}
	addTime("e.event_time", ">=", q.GEEventTime)
	addTime("e.event_time", "<", q.LTEventTime)
	addTime("e.record_time", ">=", q.GERecordTime)
	addTime("e.record_time", "<", q.LTRecordTime)

	addIn := func(column string, values []string) {
		if len(values) > 0 {
			add(column + " IN " + b.list(values))
		}
	}
	addIn("e.action", q.Actions)
	addIn("e.biz_step", q.BizSteps)
	addIn("e.disposition", q.Dispositions)
	// Without a master-data hierarchy the WD_ parameters match like EQ_
	// (see store.Query).
	addIn("e.read_point", q.ReadPoints)
	addIn("e.read_point", q.ReadPointsWD)
	addIn("e.biz_location", q.BizLocations)
	addIn("e.biz_location", q.BizLocationsWD)
	addIn("e.event_id", q.EventIDs)
	if q.ExistsErrorDeclaration {
		add("e.error_declared = " + b.d.True)
	}
	if len(q.ErrorReasons) > 0 {
		add("e.error_declared = " + b.d.True + " AND e.error_reason IN " + b.list(q.ErrorReasons))
	}
	// The error_declared test lets the partial index of declared events
	// serve declarationTime bounds, which have no index of their own.
	addDeclarationTime := func(op string, t *time.Time) {
		if t != nil {
			add("e.error_declared = " + b.d.True + " AND e.declaration_time " + op + " " + b.arg(ClampNanos(*t)))
		}
	}
	addDeclarationTime(">=", q.GEErrorDeclarationTime)
	addDeclarationTime("<", q.LTErrorDeclarationTime)

	addPersistent := func(op string, values []string) {
		if len(values) > 0 {
			add("e.seq IN (SELECT p.event_seq FROM persistent_dispositions p WHERE p.op = " +
				b.arg(op) + " AND p.value IN " + b.list(values) + ")")
		}
	}
	addPersistent("set", q.PersistentDispositionSet)
	addPersistent("unset", q.PersistentDispositionUnset)

	quantityApplied := false
	for _, m := range q.Matches {
		if len(m.Roles) == 0 || len(m.Values) == 0 {
			continue
		}
		cond := "e.seq IN (SELECT i.event_seq FROM identifiers i WHERE i.role IN " +
			b.list(rolesToStrings(m.Roles)) + " AND " + b.idValues("i.canonical", m.Values)
		if len(q.Quantity) > 0 && allClassRoles(m.Roles) {
			cond += b.quantity(q.Quantity)
			quantityApplied = true
		}
		add(cond + ")")
	}
	// NOTE: quantity bounds without a class-role match are served by no
	// index, so they scan the identifier table.
	if len(q.Quantity) > 0 && !quantityApplied {
		add("e.seq IN (SELECT i.event_seq FROM identifiers i WHERE i.role IN " +
			b.list(rolesToStrings(store.ClassRoles)) + b.quantity(q.Quantity) + ")")
	}
	// transformationIDs and correctiveEventIDs are compared exactly: a
	// trailing "*" is part of the value, not a pattern.
	addRoleValues := func(role store.Role, values []string) {
		if len(values) > 0 {
			add("e.seq IN (SELECT i.event_seq FROM identifiers i WHERE i.role = " +
				b.arg(string(role)) + " AND i.canonical IN " + b.list(values) + ")")
		}
	}
	addRoleValues(store.RoleTransformationID, q.TransformationIDs)
	addRoleValues(store.RoleCorrectiveEventID, q.CorrectiveEventIDs)

	for _, typ := range slices.Sorted(maps.Keys(q.BizTransactions)) {
		values := q.BizTransactions[typ]
		if len(values) == 0 {
			continue
		}
		add("e.seq IN (SELECT t.event_seq FROM biz_transactions t WHERE t.type = " +
			b.arg(typ) + " AND t.value IN " + b.list(values) + ")")
	}
	addSourceDest := func(role store.Role, m map[string][]string) {
		for _, typ := range slices.Sorted(maps.Keys(m)) {
			values := m[typ]
			if len(values) == 0 {
				continue
			}
			add("e.seq IN (SELECT i.event_seq FROM identifiers i WHERE i.role = " +
				b.arg(string(role)) + " AND i.type = " + b.arg(typ) + " AND i.canonical IN " + b.list(values) + ")")
		}
	}
	addSourceDest(store.RoleSource, q.Sources)
	addSourceDest(store.RoleDestination, q.Destinations)
	return where
}

// writeWhere writes the WHERE clause joining conditions with AND, if
// there are any.
func (b *builder) writeWhere(conditions []string) {
	if len(conditions) > 0 {
		b.sql.WriteString(" WHERE " + strings.Join(conditions, " AND "))
	}
}

// CheckCount returns a *store.QueryTooLargeError when count, the result
// of CountSQL, is above the query's MaxEventCount.
func (s Select) CheckCount(count int64) error {
	if s.maxEventCount > 0 && count > int64(s.maxEventCount) {
		return &store.QueryTooLargeError{MaxEventCount: s.maxEventCount}
	}
	return nil
}

// Page returns the page made of rows, the result of running s.SQL. It
// keeps at most s.Limit events and sets Next only when more rows matched
// and EventCountLimit leaves room for them. It returns a
// *store.QueryTooLargeError instead when more rows matched and
// MaxEventCount leaves no room for them.
func (s Select) Page(rows []Row) (store.Page, error) {
	var p store.Page
	more := len(rows) > s.Limit
	if more && s.maxCapped {
		return p, &store.QueryTooLargeError{MaxEventCount: s.maxEventCount}
	}
	if more {
		rows = rows[:s.Limit]
	}
	p.Events = make([]store.StoredEvent, len(rows))
	for i, r := range rows {
		p.Events[i] = r.Event
	}
	if more && len(rows) > 0 {
		last := rows[len(rows)-1]
		returned := s.returned + len(rows)
		if !s.capped {
			p.Next = &store.Cursor{Key: last.Key, Seq: last.Event.Seq, Returned: returned}
		}
	}
	return p, nil
}

// idValues returns the condition matching column against values: exact
// values with IN, prefix patterns (a value ending in "*") with LIKE.
//
// NOTE: the identifier conditions select matching events before ordering
// them, so a broad pattern such as "*" costs time in proportion to all the
// identifier rows it matches, even for one page.
func (b *builder) idValues(column string, values []string) string {
	var exact, prefixes []string
	for _, v := range values {
		if p, ok := strings.CutSuffix(v, "*"); ok {
			prefixes = append(prefixes, p)
		} else {
			exact = append(exact, v)
		}
	}
	var alts []string
	if len(exact) > 0 {
		alts = append(alts, column+" IN "+b.list(exact))
	}
	for _, p := range prefixes {
		alts = append(alts, column+" LIKE "+b.arg(LikePrefix(p))+` ESCAPE '\'`)
	}
	if len(alts) == 1 {
		return alts[0]
	}
	return "(" + strings.Join(alts, " OR ") + ")"
}

// quantity returns " AND i.quantity op v" for every bound.
func (b *builder) quantity(bounds []store.QuantityBound) string {
	var s strings.Builder
	for _, qb := range bounds {
		s.WriteString(" AND i.quantity " + quantityOps[qb.Op] + " " + b.arg(qb.Value))
	}
	return s.String()
}

// LikePrefix returns the LIKE pattern (with escape character '\') that
// matches every string starting with prefix.
func LikePrefix(prefix string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(prefix) + "%"
}

func rolesToStrings(roles []store.Role) []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = string(r)
	}
	return out
}

func allClassRoles(roles []store.Role) bool {
	for _, r := range roles {
		if !store.IsClassRole(r) {
			return false
		}
	}
	return true
}

// minTime and maxTime bound the times that Unix nanoseconds in an int64
// can hold.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// ClampNanos returns t in Unix nanoseconds, clamped to the int64 range, so
// that a query bound far in the past or future still compares correctly.
func ClampNanos(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// CheckTime returns an error wrapping store.ErrInvalid when t cannot be
// stored as Unix nanoseconds. name names the field in the message.
func CheckTime(name string, t time.Time) error {
	if t.Before(minTime) || t.After(maxTime) {
		return fmt.Errorf("%s %s is outside the supported range %s to %s: %w",
			name, t.Format(time.RFC3339Nano), minTime.UTC().Format(time.RFC3339), maxTime.UTC().Format(time.RFC3339), store.ErrInvalid)
	}
	return nil
}

func checkQuery(q store.Query) error {
	switch q.OrderBy {
	case "", OrderRecordTime, OrderEventTime:
	default:
		return fmt.Errorf("query orderBy %q is unknown, use %q or %q: %w", q.OrderBy, OrderEventTime, OrderRecordTime, store.ErrInvalid)
	}
	if q.PerPage < 0 {
		return fmt.Errorf("query perPage %d is negative, use 0 for the default or a positive size: %w", q.PerPage, store.ErrInvalid)
	}
	if q.EventCountLimit < 0 {
		return fmt.Errorf("query eventCountLimit %d is negative, use 0 for no limit: %w", q.EventCountLimit, store.ErrInvalid)
	}
	if q.MaxEventCount < 0 {
		return fmt.Errorf("query maxEventCount %d is negative, use 0 for no limit: %w", q.MaxEventCount, store.ErrInvalid)
	}
	if q.MaxEventCount > 0 && q.EventCountLimit > 0 {
		return fmt.Errorf("query has both eventCountLimit %d and maxEventCount %d, which EPCIS 2.0 makes mutually exclusive; give one of them: %w",
			q.EventCountLimit, q.MaxEventCount, store.ErrInvalid)
	}
	if q.After != nil && q.After.Returned < 0 {
		return fmt.Errorf("query cursor count %d is negative, restart the query without a cursor: %w", q.After.Returned, store.ErrInvalid)
	}
	for _, qb := range q.Quantity {
		if _, ok := quantityOps[qb.Op]; !ok {
			return fmt.Errorf("quantity operator %q is unknown, use EQ, GT, GE, LT or LE: %w", qb.Op, store.ErrInvalid)
		}
		if math.IsNaN(qb.Value) || math.IsInf(qb.Value, 0) {
			return fmt.Errorf("quantity bound %v is not a finite number: %w", qb.Value, store.ErrInvalid)
		}
	}
	return nil
}
