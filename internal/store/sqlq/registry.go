package sqlq

import (
	"encoding/json"
	"fmt"
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
// parties.doc or locations.doc. What names the read in errors.
func DecodeJSONRows[T any](rows Rows, what string) ([]T, error) {
	var out []T
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		var v T
		if err := json.Unmarshal(doc, &v); err != nil {
			return nil, fmt.Errorf("%s: decode: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
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

// ScanAccessLog reads the rows of AccessColumns. What names the read in
// errors.
func ScanAccessLog(rows Rows, what string) ([]store.Access, error) {
	var out []store.Access
	for rows.Next() {
		var (
			a  store.Access
			at int64
		)
		if err := rows.Scan(&a.Seq, &at, &a.Actor, &a.ActorPartyID, &a.Action, &a.PartyID, &a.Target, &a.RemoteAddr); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		a.Time = TimeOrZero(at)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// ScanTokens reads the rows of TokenColumns. What names the read in
// errors.
func ScanTokens(rows Rows, what string) ([]store.Token, error) {
	var out []store.Token
	for rows.Next() {
		t, err := ScanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}
