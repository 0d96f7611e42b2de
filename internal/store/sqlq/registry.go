package sqlq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// Scanner is a single row of either backend's driver: *sql.Row,
// *sql.Rows, pgx.Row or pgx.Rows.
type Scanner interface {
	Scan(dest ...any) error
}

// Rows is a result set of either backend's driver. Its owner closes it.
type Rows interface {
	Scanner
	Next() bool
	Err() error
}

// DecodeJSONRows decodes rows of one JSON document column, such as
// parties.doc or locations.doc. Operation prefixes its errors.
func DecodeJSONRows[T any](rows Rows, operation string) ([]T, error) {
	var out []T
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("%s: %w", operation, err)
		}
		var v T
		if err := json.Unmarshal(doc, &v); err != nil {
			return nil, fmt.Errorf("%s: decode: %w", operation, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", operation, err)
	}
	return out, nil
}

// NanosOrZero returns t in Unix nanoseconds, or 0 for the zero time, as
// the registry's time columns store an absent time.
func NanosOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// TimeOrZero is the inverse of NanosOrZero. It returns times in UTC.
func TimeOrZero(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// TokenColumns lists the api_tokens columns in the scan order of
// ScanToken.
const TokenColumns = "id, party_id, name, hash, scopes, created_by, created_at, expires_at, revoked_at"

// ScanToken reads one row of TokenColumns.
func ScanToken(row Scanner) (store.Token, error) {
	var (
		t                         store.Token
		scopes                    string
		created, expires, revoked int64
	)
	if err := row.Scan(&t.ID, &t.PartyID, &t.Name, &t.Hash, &scopes, &t.CreatedBy, &created, &expires, &revoked); err != nil {
		return t, err
	}
	t.Scopes = SplitScopes(scopes)
	t.CreatedAt = TimeOrZero(created)
	t.ExpiresAt = TimeOrZero(expires)
	t.RevokedAt = TimeOrZero(revoked)
	return t, nil
}

// SessionColumns lists the sessions columns in the scan order of
// ScanSession.
const SessionColumns = "hash, username, created_at, expires_at, remote_addr"

// ScanSession reads one row of SessionColumns.
func ScanSession(row Scanner) (store.Session, error) {
	var (
		se               store.Session
		created, expires int64
	)
	if err := row.Scan(&se.Hash, &se.Username, &created, &expires, &se.RemoteAddr); err != nil {
		return store.Session{}, err
	}
	se.CreatedAt = TimeOrZero(created)
	se.ExpiresAt = TimeOrZero(expires)
	return se, nil
}

// AccessColumns lists the access_log columns in the scan order of
// ScanAccessLog.
const AccessColumns = "seq, at, actor, actor_party_id, action, party_id, target, remote_addr"

// ScanAccessLog reads the rows of AccessColumns. Operation prefixes its
// errors.
func ScanAccessLog(rows Rows, operation string) ([]store.Access, error) {
	var out []store.Access
	for rows.Next() {
		var (
			a  store.Access
			at int64
		)
		if err := rows.Scan(&a.Seq, &at, &a.Actor, &a.ActorPartyID, &a.Action, &a.PartyID, &a.Target, &a.RemoteAddr); err != nil {
			return nil, fmt.Errorf("%s: %w", operation, err)
		}
		a.Time = TimeOrZero(at)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", operation, err)
	}
	return out, nil
}

// ScanTokens reads the rows of TokenColumns. Operation prefixes its
// errors.
func ScanTokens(rows Rows, operation string) ([]store.Token, error) {
	var out []store.Token
	for rows.Next() {
		t, err := ScanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", operation, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", operation, err)
	}
	return out, nil
}

// QueryRowFunc runs a query that returns at most one row, in the caller's
// transaction.
type QueryRowFunc func(ctx context.Context, query string, args ...any) Scanner

// registryLookup implements store.RegistryLookup with the statements of a
// dialect.
type registryLookup struct {
	d        Dialect
	queryRow QueryRowFunc
	noRows   error
}

// RegistryLookup returns the registry checks' reads in dialect d, run by
// queryRow. NoRows is the driver's error for a query that returned no
// row, such as sql.ErrNoRows or pgx.ErrNoRows.
func RegistryLookup(d Dialect, queryRow QueryRowFunc, noRows error) store.RegistryLookup {
	return registryLookup{d: d, queryRow: queryRow, noRows: noRows}
}

// statement returns query with each "?" replaced by the dialect's
// placeholder, numbered from 1. The registry statements hold no "?"
// literals.
func (r registryLookup) statement(query string) string {
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString(r.d.Placeholder(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// PartyExists implements store.RegistryLookup.
func (r registryLookup) PartyExists(ctx context.Context, id string) (bool, error) {
	return r.exists(ctx, "SELECT count(*) FROM parties WHERE id = ?", id)
}

// USCCHolder implements store.RegistryLookup.
func (r registryLookup) USCCHolder(ctx context.Context, uscc, exceptID string) (string, error) {
	return r.holder(ctx, "SELECT id FROM parties WHERE uscc = ? AND id <> ?", uscc, exceptID)
}

// PrefixHolder implements store.RegistryLookup.
func (r registryLookup) PrefixHolder(ctx context.Context, scheme, prefix, exceptID string) (string, error) {
	return r.holder(ctx, "SELECT party_id FROM party_prefixes WHERE scheme = ? AND prefix = ? AND party_id <> ?", scheme, prefix, exceptID)
}

// TokenExists implements store.RegistryLookup.
func (r registryLookup) TokenExists(ctx context.Context, id string, hash []byte) (bool, error) {
	return r.exists(ctx, "SELECT count(*) FROM api_tokens WHERE id = ? OR hash = ?", id, hash)
}

// UserExists implements store.RegistryLookup.
func (r registryLookup) UserExists(ctx context.Context, username string) (bool, error) {
	return r.exists(ctx, "SELECT count(*) FROM users WHERE username = ?", username)
}

// exists runs a count query and reports whether it counted any row.
func (r registryLookup) exists(ctx context.Context, query string, args ...any) (bool, error) {
	var n int
	if err := r.queryRow(ctx, r.statement(query), args...).Scan(&n); err != nil {
		return false, err
	}
	return n > 0, nil
}

// holder runs a query for one party ID and returns "" when it finds none.
func (r registryLookup) holder(ctx context.Context, query string, args ...any) (string, error) {
	var id string
	err := r.queryRow(ctx, r.statement(query), args...).Scan(&id)
	if errors.Is(err, r.noRows) {
		return "", nil
	}
	return id, err
}
