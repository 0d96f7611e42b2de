package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// maxChunkRows is the most rows one multi-row statement carries. With at
// most 18 columns that stays far below SQLite's default limit of 32766
// bound parameters.
const maxChunkRows = 256

// bulkTable is a table that Capture fills with multi-row INSERTs.
type bulkTable struct {
	name    string
	columns []string
}

// chunks splits n rows into statement sizes: full chunks of maxChunkRows,
// then powers of two, so that few distinct statements are prepared.
func chunks(n int) []int {
	var out []int
	for n >= maxChunkRows {
		out = append(out, maxChunkRows)
		n -= maxChunkRows
	}
	for size := maxChunkRows / 2; size >= 1; size /= 2 {
		if n >= size {
			out = append(out, size)
			n -= size
		}
	}
	return out
}

// placeholders returns "(?, ?), (?, ?)" for rows rows of cols columns.
func placeholders(rows, cols int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}

// Prefixes of the lookup statements Capture runs with selectIn.
const (
	sqlEventsByID = `SELECT event_id, seq, hash, capture_id, error_declared, COALESCE(declared_hash, '')
FROM events WHERE event_id IN `
	// sqlHashesIn is completed by hashesIn, which repeats the list: once
	// for the partial index events_hash, once for events whose eventID is
	// their hash.
	sqlHashesIn = `SELECT hash FROM events WHERE hash <> event_id AND hash IN `
	sqlHashIDs  = ` UNION ALL SELECT event_id FROM events WHERE hash = event_id AND event_id IN `
)

// hashesInSQL returns the statement finding which of n hashes are stored;
// it takes the n hashes twice.
func hashesInSQL(n int) string {
	return inSQL(sqlHashesIn, n) + inSQL(sqlHashIDs, n)
}

// insertSQL returns the INSERT statement of t for rows rows.
func insertSQL(t bulkTable, rows int) string {
	return "INSERT INTO " + t.name + " (" + strings.Join(t.columns, ", ") + ") VALUES " + placeholders(rows, len(t.columns))
}

// inSQL returns prefix followed by a list of n parameters.
func inSQL(prefix string, n int) string {
	return prefix + "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

// prepareCapture prepares every statement Capture runs, in each chunk size,
// on the write connection. It runs before any transaction holds that
// connection, because preparing on the database needs a free connection.
func (s *Store) prepareCapture(ctx context.Context) error {
	var queries []string
	for size := maxChunkRows; size >= 1; size /= 2 {
		for _, t := range []bulkTable{eventsTable, identifiersTable, bizTransactionsTable, persistentDispTable, leavesTable} {
			queries = append(queries, insertSQL(t, size))
		}
		queries = append(queries, inSQL(sqlEventsByID, size), hashesInSQL(size))
	}
	for _, q := range queries {
		stmt, err := s.write.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare capture statement: %w", err)
		}
		s.stmts[q] = stmt
	}
	return nil
}

// cached returns the statement for query bound to tx: the one prepared by
// prepareCapture when there is one, else a statement prepared on tx alone.
// The caller must hold s.mu.
//
// database/sql keeps every statement bound to a transaction until the
// transaction ends. So s.txStmts keeps one binding per query and
// transaction, because a capture of one huge document would otherwise
// pile up a binding per chunk.
func (s *Store) cached(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	if s.txStmts.tx != tx {
		s.txStmts.tx, s.txStmts.stmts = tx, map[string]*sql.Stmt{}
	}
	if stmt, ok := s.txStmts.stmts[query]; ok {
		return stmt, nil
	}
	var stmt *sql.Stmt
	if prepared, ok := s.stmts[query]; ok {
		stmt = tx.StmtContext(ctx, prepared)
	} else {
		var err error
		if stmt, err = tx.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
	}
	s.txStmts.stmts[query] = stmt
	return stmt, nil
}

// insertRows inserts the rows held flat in args (len(t.columns) values
// per row) into t. The caller must hold s.mu.
func (s *Store) insertRows(ctx context.Context, tx *sql.Tx, t bulkTable, args []any) error {
	cols := len(t.columns)
	rows := len(args) / cols
	for _, n := range chunks(rows) {
		stmt, err := s.cached(ctx, tx, insertSQL(t, n))
		if err != nil {
			return fmt.Errorf("prepare insert into %s: %w", t.name, err)
		}
		if _, err := stmt.ExecContext(ctx, args[:n*cols]...); err != nil {
			return fmt.Errorf("insert %d rows into %s: %w", n, t.name, err)
		}
		args = args[n*cols:]
	}
	return nil
}

// selectIn runs the statement that build returns for chunks of values,
// giving each chunk repeat times as arguments, and calls scan for every
// row. The caller must hold s.mu.
func (s *Store) selectIn(ctx context.Context, tx *sql.Tx, build func(n int) string, repeat int, values []any, scan func(*sql.Rows) error) error {
	for _, n := range chunks(len(values)) {
		stmt, err := s.cached(ctx, tx, build(n))
		if err != nil {
			return err
		}
		args := make([]any, 0, n*repeat)
		for range repeat {
			args = append(args, values[:n]...)
		}
		rows, err := stmt.QueryContext(ctx, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		values = values[n:]
	}
	return nil
}

// sortRows sorts the rows held flat in args (cols values per row) by the
// string in column key. Inserting a chunk's rows in index order makes
// consecutive inserts into that index land on the same or neighbouring
// B-tree pages, which are then still in the page cache.
func sortRows(args []any, cols, key int) {
	n := len(args) / cols
	if n < 2 {
		return
	}
	keyOf := func(row int) string { s, _ := args[row*cols+key].(string); return s }
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(keyOf(a), keyOf(b)) })
	sorted := make([]any, 0, len(args))
	for _, row := range order {
		sorted = append(sorted, args[row*cols:(row+1)*cols]...)
	}
	copy(args, sorted)
}
