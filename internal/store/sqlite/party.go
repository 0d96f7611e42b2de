package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlq"
)

var _ store.PartyStore = (*Store)(nil)

// CreateParty implements store.PartyStore.
func (s *Store) CreateParty(ctx context.Context, p store.Party, decisions ...*store.Decision) error {
	return s.inTx(ctx, "create party "+p.ID, decisions, func(tx *sql.Tx) error { return putParty(ctx, tx, p, false) })
}

// UpdateParty implements store.PartyStore.
func (s *Store) UpdateParty(ctx context.Context, p store.Party, decisions ...*store.Decision) error {
	return s.inTx(ctx, "update party "+p.ID, decisions, func(tx *sql.Tx) error { return putParty(ctx, tx, p, true) })
}

// ImportRegistry implements store.PartyStore.
func (s *Store) ImportRegistry(ctx context.Context, parties []store.Party, locations []store.Location, decisions ...*store.Decision) error {
	return s.inTx(ctx, "import registry", decisions, func(tx *sql.Tx) error {
		for _, p := range parties {
			exists, err := registry(tx).PartyExists(ctx, p.ID)
			if err != nil {
				return fmt.Errorf("look up party %s: %w", p.ID, err)
			}
			if err := putParty(ctx, tx, p, exists); err != nil {
				return err
			}
		}
		for _, l := range locations {
			if err := putLocation(ctx, tx, l); err != nil {
				return err
			}
		}
		return nil
	})
}

// inTx runs f in one transaction on the write connection, appends the
// decisions after it and commits when both succeed.
func (s *Store) inTx(ctx context.Context, what string, decisions []*store.Decision, f func(tx *sql.Tx) error) error {
	if err := store.CheckDecisions(decisions); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: begin: %w", what, err)
	}
	defer tx.Rollback()
	if err := f(tx); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	appended := make([]store.Decision, len(decisions))
	for i, d := range decisions {
		if appended[i], err = appendDecisionTx(ctx, tx, *d); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", what, err)
	}
	// The caller sees Seq and LeafIndex only once the decisions are
	// committed.
	for i, d := range decisions {
		*d = appended[i]
	}
	return nil
}

// registry returns the registry checks' reads in the write transaction
// tx.
func registry(tx *sql.Tx) store.RegistryLookup {
	queryRow := func(ctx context.Context, query string, args ...any) sqlq.Scanner {
		return tx.QueryRowContext(ctx, query, args...)
	}
	return sqlq.RegistryLookup(sqlq.SQLite, queryRow, sql.ErrNoRows)
}

// putParty inserts p, or replaces the stored party when replace is set,
// after checking its unique keys so that a conflict names the holder.
func putParty(ctx context.Context, tx *sql.Tx, p store.Party, replace bool) error {
	if err := store.CheckPartyWrite(ctx, registry(tx), p, replace); err != nil {
		return err
	}

	doc, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode party: %w", err)
	}
	if replace {
		_, err = tx.ExecContext(ctx, "UPDATE parties SET kind = ?, uscc = ?, gln = ?, doc = ?, updated_at = ? WHERE id = ?",
			string(p.Kind), nullString(p.USCC), nullString(p.GLN), string(doc), p.UpdatedAt.UnixNano(), p.ID)
	} else {
		_, err = tx.ExecContext(ctx, "INSERT INTO parties (id, kind, uscc, gln, doc, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			p.ID, string(p.Kind), nullString(p.USCC), nullString(p.GLN), string(doc), p.CreatedAt.UnixNano(), p.UpdatedAt.UnixNano())
	}
	if err != nil {
		return fmt.Errorf("write party: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM party_prefixes WHERE party_id = ?", p.ID); err != nil {
		return fmt.Errorf("clear prefixes: %w", err)
	}
	for _, pr := range store.PartyPrefixes(p) {
		if _, err := tx.ExecContext(ctx, "INSERT INTO party_prefixes (scheme, prefix, party_id) VALUES (?, ?, ?)", pr.Scheme, pr.Prefix, p.ID); err != nil {
			return fmt.Errorf("write prefix %s: %w", pr.Prefix, err)
		}
	}
	return nil
}

// Party implements store.PartyStore.
func (s *Store) Party(ctx context.Context, id string) (store.Party, error) {
	var doc string
	err := s.read.QueryRowContext(ctx, "SELECT doc FROM parties WHERE id = ?", id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Party{}, fmt.Errorf("party %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Party{}, fmt.Errorf("read party %s: %w", id, err)
	}
	var p store.Party
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return store.Party{}, fmt.Errorf("decode party %s: %w", id, err)
	}
	return p, nil
}

// Parties implements store.PartyStore.
func (s *Store) Parties(ctx context.Context, after string, limit int) ([]store.Party, error) {
	if err := store.CheckListLimit("list parties", limit); err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, "SELECT doc FROM parties WHERE id > ? ORDER BY id LIMIT ?", after, limit)
	if err != nil {
		return nil, fmt.Errorf("list parties: %w", err)
	}
	defer rows.Close()
	return sqlq.DecodeJSONRows[store.Party](rows, "list parties")
}

// PutLocation implements store.PartyStore.
func (s *Store) PutLocation(ctx context.Context, l store.Location, decisions ...*store.Decision) error {
	return s.inTx(ctx, "put location "+l.ID, decisions, func(tx *sql.Tx) error { return putLocation(ctx, tx, l) })
}

func putLocation(ctx context.Context, tx *sql.Tx, l store.Location) error {
	if err := store.CheckLocationWrite(ctx, registry(tx), l); err != nil {
		return err
	}
	doc, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("encode location: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO locations (id, party_id, doc) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET party_id = excluded.party_id, doc = excluded.doc`, l.ID, l.PartyID, string(doc))
	if err != nil {
		return fmt.Errorf("write location %s: %w", l.ID, err)
	}
	return nil
}

// Location implements store.PartyStore.
func (s *Store) Location(ctx context.Context, id string) (store.Location, error) {
	rows, err := s.read.QueryContext(ctx, "SELECT doc FROM locations WHERE id = ?", id)
	if err != nil {
		return store.Location{}, fmt.Errorf("read location %s: %w", id, err)
	}
	defer rows.Close()
	ls, err := sqlq.DecodeJSONRows[store.Location](rows, "read location "+id)
	if err != nil {
		return store.Location{}, err
	}
	if len(ls) == 0 {
		return store.Location{}, fmt.Errorf("location %s: %w", id, store.ErrNotFound)
	}
	return ls[0], nil
}

// Locations implements store.PartyStore.
func (s *Store) Locations(ctx context.Context, partyID, after string, limit int) ([]store.Location, error) {
	if err := store.CheckListLimit("list locations", limit); err != nil {
		return nil, err
	}
	var (
		rows *sql.Rows
		err  error
	)
	if partyID != "" {
		rows, err = s.read.QueryContext(ctx, "SELECT doc FROM locations WHERE party_id = ? AND id > ? ORDER BY id LIMIT ?", partyID, after, limit)
	} else {
		rows, err = s.read.QueryContext(ctx, "SELECT doc FROM locations WHERE id > ? ORDER BY id LIMIT ?", after, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("list locations: %w", err)
	}
	defer rows.Close()
	return sqlq.DecodeJSONRows[store.Location](rows, "list locations")
}

// CreateToken implements store.PartyStore.
func (s *Store) CreateToken(ctx context.Context, t store.Token, decisions ...*store.Decision) error {
	return s.inTx(ctx, "create token "+t.ID, decisions, func(tx *sql.Tx) error {
		if err := store.CheckTokenCreate(ctx, registry(tx), t); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, party_id, name, hash, scopes, created_by, created_at, expires_at, revoked_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.ID, t.PartyID, t.Name, t.Hash, sqlq.JoinScopes(t.Scopes), t.CreatedBy,
			t.CreatedAt.UnixNano(), sqlq.NanosOrZero(t.ExpiresAt), sqlq.NanosOrZero(t.RevokedAt))
		if err != nil {
			return fmt.Errorf("write token: %w", err)
		}
		return nil
	})
}

// TokenByHash implements store.PartyStore.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (store.Token, error) {
	t, err := sqlq.ScanToken(s.read.QueryRowContext(ctx, "SELECT "+sqlq.TokenColumns+" FROM api_tokens WHERE hash = ?", hash))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Token{}, fmt.Errorf("token: %w", store.ErrNotFound)
	}
	if err != nil {
		return store.Token{}, fmt.Errorf("read token: %w", err)
	}
	return t, nil
}

// Tokens implements store.PartyStore.
func (s *Store) Tokens(ctx context.Context, partyID string) ([]store.Token, error) {
	rows, err := s.read.QueryContext(ctx, "SELECT "+sqlq.TokenColumns+" FROM api_tokens WHERE party_id = ? ORDER BY created_at, id", partyID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	return sqlq.ScanTokens(rows, "list tokens")
}

// RevokeToken implements store.PartyStore.
func (s *Store) RevokeToken(ctx context.Context, id string, at time.Time, decisions ...*store.Decision) error {
	return s.inTx(ctx, "revoke token "+id, decisions, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = CASE WHEN revoked_at = 0 THEN ? ELSE revoked_at END WHERE id = ?", at.UnixNano(), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("token %s: %w", id, store.ErrNotFound)
		}
		return nil
	})
}

// CreateUser implements store.PartyStore.
func (s *Store) CreateUser(ctx context.Context, u store.User, decisions ...*store.Decision) error {
	return s.inTx(ctx, "create user "+u.Username, decisions, func(tx *sql.Tx) error {
		if err := store.CheckUserCreate(ctx, registry(tx), u); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO users (username, party_id, password_hash, scopes, created_at, disabled) VALUES (?, ?, ?, ?, ?, ?)",
			u.Username, u.PartyID, u.PasswordHash, sqlq.JoinScopes(u.Scopes), u.CreatedAt.UnixNano(), boolInt(u.Disabled))
		if err != nil {
			return fmt.Errorf("write user: %w", err)
		}
		return nil
	})
}

// UpdateUser implements store.PartyStore.
func (s *Store) UpdateUser(ctx context.Context, u store.User, decisions ...*store.Decision) error {
	return s.inTx(ctx, "update user "+u.Username, decisions, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE users SET party_id = ?, password_hash = ?, scopes = ?, disabled = ? WHERE username = ?",
			u.PartyID, u.PasswordHash, sqlq.JoinScopes(u.Scopes), boolInt(u.Disabled), u.Username)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("user %s: %w", u.Username, store.ErrNotFound)
		}
		return nil
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// User implements store.PartyStore.
func (s *Store) User(ctx context.Context, username string) (store.User, error) {
	var (
		u        store.User
		scopes   string
		created  int64
		disabled int
	)
	err := s.read.QueryRowContext(ctx, "SELECT username, party_id, password_hash, scopes, created_at, disabled FROM users WHERE username = ?", username).
		Scan(&u.Username, &u.PartyID, &u.PasswordHash, &scopes, &created, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return store.User{}, fmt.Errorf("user %s: %w", username, store.ErrNotFound)
	}
	if err != nil {
		return store.User{}, fmt.Errorf("read user %s: %w", username, err)
	}
	u.Scopes = sqlq.SplitScopes(scopes)
	u.CreatedAt = sqlq.TimeOrZero(created)
	u.Disabled = disabled != 0
	return u, nil
}

// CountUsers implements store.PartyStore.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// CreateSession implements store.PartyStore.
func (s *Store) CreateSession(ctx context.Context, se store.Session) error {
	_, err := s.write.ExecContext(ctx, "INSERT INTO sessions (hash, username, created_at, expires_at, remote_addr) VALUES (?, ?, ?, ?, ?)",
		se.Hash, se.Username, se.CreatedAt.UnixNano(), se.ExpiresAt.UnixNano(), se.RemoteAddr)
	if err != nil {
		return fmt.Errorf("create session for %s: %w", se.Username, err)
	}
	return nil
}

// Session implements store.PartyStore.
func (s *Store) Session(ctx context.Context, hash []byte) (store.Session, error) {
	se, err := sqlq.ScanSession(s.read.QueryRowContext(ctx, "SELECT "+sqlq.SessionColumns+" FROM sessions WHERE hash = ?", hash))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Session{}, fmt.Errorf("session: %w", store.ErrNotFound)
	}
	if err != nil {
		return store.Session{}, fmt.Errorf("read session: %w", err)
	}
	return se, nil
}

// DeleteSession implements store.PartyStore.
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	if _, err := s.write.ExecContext(ctx, "DELETE FROM sessions WHERE hash = ?", hash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// RecordCapture implements store.PartyStore.
func (s *Store) RecordCapture(ctx context.Context, captureID, partyID string) error {
	_, err := s.write.ExecContext(ctx, "INSERT INTO capture_parties (capture_id, party_id) VALUES (?, ?) ON CONFLICT (capture_id) DO NOTHING", captureID, partyID)
	if err != nil {
		return fmt.Errorf("record capture party of %s: %w", captureID, err)
	}
	return nil
}

// CaptureParty implements store.PartyStore.
func (s *Store) CaptureParty(ctx context.Context, captureID string) (string, error) {
	var id string
	err := s.read.QueryRowContext(ctx, "SELECT party_id FROM capture_parties WHERE capture_id = ?", captureID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("capture job %s party: %w", captureID, store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("read capture party of %s: %w", captureID, err)
	}
	return id, nil
}

// AppendAccess implements store.PartyStore.
func (s *Store) AppendAccess(ctx context.Context, a store.Access) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO access_log (at, actor, actor_party_id, action, party_id, target, remote_addr)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, a.Time.UnixNano(), a.Actor, a.ActorPartyID, a.Action, a.PartyID, a.Target, a.RemoteAddr)
	if err != nil {
		return fmt.Errorf("append access log: %w", err)
	}
	return nil
}

// AccessLog implements store.PartyStore.
func (s *Store) AccessLog(ctx context.Context, partyID string, afterSeq int64, limit int) ([]store.Access, error) {
	if err := store.CheckListLimit("list access log", limit); err != nil {
		return nil, err
	}
	const cols = "SELECT " + sqlq.AccessColumns + " FROM access_log"
	var (
		rows *sql.Rows
		err  error
	)
	if partyID != "" {
		rows, err = s.read.QueryContext(ctx, cols+" WHERE party_id = ? AND seq > ? ORDER BY seq LIMIT ?", partyID, afterSeq, limit)
	} else {
		rows, err = s.read.QueryContext(ctx, cols+" WHERE seq > ? ORDER BY seq LIMIT ?", afterSeq, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("list access log: %w", err)
	}
	defer rows.Close()
	return sqlq.ScanAccessLog(rows, "list access log")
}
