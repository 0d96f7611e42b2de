// Package sqlq owns the SQL that the relational store backends share. It
// turns a store.Query into one SELECT over the events table and its index
// tables, and fetched rows into a store.Page with a keyset cursor. It also
// builds the statements for the REST binding's distinct-value resources.
//
// The statements assume the table design of the store backends' first
// migration (events, identifiers, biz_transactions,
// persistent_dispositions); a Dialect supplies the differences between
// SQLite and PostgreSQL.
package sqlq

import (
	"strconv"
	"strings"
)

// Dialect describes the SQL differences between backends. The zero value
// is not usable; use SQLite or Postgres.
type Dialect struct {
	// Name identifies the dialect in error messages.
	Name string
	// Placeholder returns the bind parameter for the n-th argument of a
	// statement, counted from 1.
	Placeholder func(n int) string
	// True is the literal that equals events.error_declared when an error
	// declaration is attached.
	True string
}

// SQLite is the dialect of modernc.org/sqlite: "?" parameters and an
// INTEGER 0/1 error_declared column.
var SQLite = Dialect{
	Name:        "sqlite",
	Placeholder: func(int) string { return "?" },
	True:        "1",
}

// Postgres is the dialect of PostgreSQL through pgx: "$n" parameters and a
// boolean error_declared column.
var Postgres = Dialect{
	Name:        "postgres",
	Placeholder: func(n int) string { return "$" + strconv.Itoa(n) },
	True:        "TRUE",
}

// EventColumns lists the columns of the events table (alias e) that every
// statement returning events selects, in scan order: seq, event_id, hash,
// record_time (Unix nanoseconds), the served document, error_declared and
// capture_id. The served document is the attached error declaration when
// there is one, else the captured event.
const EventColumns = "e.seq, e.event_id, e.hash, e.record_time, COALESCE(e.declared_doc, e.doc), e.error_declared, e.capture_id"

// builder accumulates SQL text and its arguments, numbering parameters for
// the dialect.
type builder struct {
	d    Dialect
	sql  strings.Builder
	args []any
}

// arg appends v as the next argument and returns its placeholder.
func (b *builder) arg(v any) string {
	b.args = append(b.args, v)
	return b.d.Placeholder(len(b.args))
}

// list returns "(p1, p2, ...)" for the values, appending each as an
// argument.
func (b *builder) list(values []string) string {
	var s strings.Builder
	s.WriteByte('(')
	for i, v := range values {
		if i > 0 {
			s.WriteString(", ")
		}
		s.WriteString(b.arg(v))
	}
	s.WriteByte(')')
	return s.String()
}

// EventByID returns the statement selecting EventColumns of the event with
// the eventID given as its only argument.
func EventByID(d Dialect) string {
	return "SELECT " + EventColumns + " FROM events e WHERE e.event_id = " + d.Placeholder(1)
}

// ScanEvents returns the statement selecting EventColumns of the events
// with seq greater than the first argument, in seq order, at most the
// second argument of them.
func ScanEvents(d Dialect) string {
	return "SELECT " + EventColumns + " FROM events e WHERE e.seq > " + d.Placeholder(1) +
		" ORDER BY e.seq LIMIT " + d.Placeholder(2)
}
