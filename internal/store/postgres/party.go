package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlq"
)

var _ store.PartyStore = (*Store)(nil)

// inTx runs f in one READ COMMITTED transaction, appends the decisions
// after it and commits when both succeed.
func (s *Store) inTx(ctx context.Context, what string, decisions []*store.Decision, f func(tx pgx.Tx) error) error {
	if err := s.checkWritable(what); err != nil {
		return err
	}
	if err := store.CheckDecisions(decisions); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("%s: begin: %w", what, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := f(tx); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	appended := make([]store.Decision, len(decisions))
	for i, d := range decisions {
		if appended[i], err = appendDecisionTx(ctx, tx, *d); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("%s: commit: %w", what, err)
	}
	// The caller sees Seq and LeafIndex only once the decisions are
	// committed.
	for i, d := range decisions {
		*d = appended[i]
	}
	return nil
}

// CreateParty implements store.PartyStore.
func (s *Store) CreateParty(ctx context.Context, p store.Party, decisions ...*store.Decision) error {
	return s.inTx(ctx, "create party "+p.ID, decisions, func(tx pgx.Tx) error { return putParty(ctx, tx, p, false) })
}

// UpdateParty implements store.PartyStore.
func (s *Store) UpdateParty(ctx context.Context, p store.Party, decisions ...*store.Decision) error {
	return s.inTx(ctx, "update party "+p.ID, decisions, func(tx pgx.Tx) error { return putParty(ctx, tx, p, true) })
}

// ImportRegistry implements store.PartyStore.
func (s *Store) ImportRegistry(ctx context.Context, parties []store.Party, locations []store.Location, decisions ...*store.Decision) error {
	return s.inTx(ctx, "import registry", decisions, func(tx pgx.Tx) error {
		// Imports and registrations are rare; one lock keeps concurrent
		// ones from racing between the checks and the writes.
		if _, err := tx.Exec(ctx, "LOCK TABLE parties IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			return fmt.Errorf("lock parties: %w", err)
		}
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

// registry returns the registry checks' reads in the write transaction
// tx.
func registry(tx pgx.Tx) store.RegistryLookup {
	queryRow := func(ctx context.Context, query string, args ...any) sqlq.Scanner {
		return tx.QueryRow(ctx, query, args...)
	}
	return sqlq.RegistryLookup(sqlq.Postgres, queryRow, pgx.ErrNoRows)
}

// putParty inserts p, or replaces the stored party when replace is set,
// after checking its unique keys so that a conflict names the holder.
func putParty(ctx context.Context, tx pgx.Tx, p store.Party, replace bool) error {
	if _, err := tx.Exec(ctx, "LOCK TABLE parties IN SHARE ROW EXCLUSIVE MODE"); err != nil {
		return fmt.Errorf("lock parties: %w", err)
	}
	if err := store.CheckPartyWrite(ctx, registry(tx), p, replace); err != nil {
		return err
	}

	doc, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode party: %w", err)
	}
	if replace {
		_, err = tx.Exec(ctx, "UPDATE parties SET kind = $1, uscc = $2, gln = $3, doc = $4, updated_at = $5 WHERE id = $6",
			string(p.Kind), textOrNull(p.USCC), textOrNull(p.GLN), doc, p.UpdatedAt.UnixNano(), p.ID)
	} else {
		_, err = tx.Exec(ctx, "INSERT INTO parties (id, kind, uscc, gln, doc, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
			p.ID, string(p.Kind), textOrNull(p.USCC), textOrNull(p.GLN), doc, p.CreatedAt.UnixNano(), p.UpdatedAt.UnixNano())
	}
	if err != nil {
		return fmt.Errorf("write party: %w", err)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM party_prefixes WHERE party_id = $1", p.ID); err != nil {
		return fmt.Errorf("clear prefixes: %w", err)
	}
	for _, pr := range store.PartyPrefixes(p) {
		if _, err := tx.Exec(ctx, "INSERT INTO party_prefixes (scheme, prefix, party_id) VALUES ($1, $2, $3)", pr.Scheme, pr.Prefix, p.ID); err != nil {
			return fmt.Errorf("write prefix %s: %w", pr.Prefix, err)
		}
	}
	return nil
}

// textOrNull returns nil (SQL NULL) for the empty string.
func textOrNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Party implements store.PartyStore.
func (s *Store) Party(ctx context.Context, id string) (store.Party, error) {
	var doc []byte
	if err := s.pool.QueryRow(ctx, "SELECT doc FROM parties WHERE id = $1", id).Scan(&doc); err != nil {
		return store.Party{}, notFound(err, "party %s", id)
	}
	var p store.Party
	if err := json.Unmarshal(doc, &p); err != nil {
		return store.Party{}, fmt.Errorf("decode party %s: %w", id, err)
	}
	return p, nil
}

// Parties implements store.PartyStore.
func (s *Store) Parties(ctx context.Context, after string, limit int) ([]store.Party, error) {
	if err := store.CheckListLimit("list parties", limit); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, "SELECT doc FROM parties WHERE id > $1 ORDER BY id LIMIT $2", after, limit)
	if err != nil {
		return nil, fmt.Errorf("list parties: %w", err)
	}
	defer rows.Close()
	return sqlq.DecodeJSONRows[store.Party](rows, "list parties")
}

// PutLocation implements store.PartyStore.
func (s *Store) PutLocation(ctx context.Context, l store.Location, decisions ...*store.Decision) error {
	return s.inTx(ctx, "put location "+l.ID, decisions, func(tx pgx.Tx) error { return putLocation(ctx, tx, l) })
}

func putLocation(ctx context.Context, tx pgx.Tx, l store.Location) error {
	if err := store.CheckLocationWrite(ctx, registry(tx), l); err != nil {
		return err
	}
	doc, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("encode location: %w", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO locations (id, party_id, doc) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET party_id = excluded.party_id, doc = excluded.doc`, l.ID, l.PartyID, doc)
	if err != nil {
		return fmt.Errorf("write location %s: %w", l.ID, err)
	}
	return nil
}

// Location implements store.PartyStore.
func (s *Store) Location(ctx context.Context, id string) (store.Location, error) {
	var doc []byte
	if err := s.pool.QueryRow(ctx, "SELECT doc FROM locations WHERE id = $1", id).Scan(&doc); err != nil {
		return store.Location{}, notFound(err, "location %s", id)
	}
	var l store.Location
	if err := json.Unmarshal(doc, &l); err != nil {
		return store.Location{}, fmt.Errorf("decode location %s: %w", id, err)
	}
	return l, nil
}

// Locations implements store.PartyStore.
func (s *Store) Locations(ctx context.Context, partyID, after string, limit int) ([]store.Location, error) {
	if err := store.CheckListLimit("list locations", limit); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, "SELECT doc FROM locations WHERE ($1 = '' OR party_id = $1) AND id > $2 ORDER BY id LIMIT $3", partyID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list locations: %w", err)
	}
	defer rows.Close()
	return sqlq.DecodeJSONRows[store.Location](rows, "list locations")
}

// CreateToken implements store.PartyStore.
func (s *Store) CreateToken(ctx context.Context, t store.Token, decisions ...*store.Decision) error {
	return s.inTx(ctx, "create token "+t.ID, decisions, func(tx pgx.Tx) error {
		if err := store.CheckTokenCreate(ctx, registry(tx), t); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO api_tokens (id, party_id, name, hash, scopes, created_by, created_at, expires_at, revoked_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, t.ID, t.PartyID, t.Name, t.Hash, sqlq.JoinScopes(t.Scopes), t.CreatedBy,
			t.CreatedAt.UnixNano(), sqlq.NanosOrZero(t.ExpiresAt), sqlq.NanosOrZero(t.RevokedAt))
		if err != nil {
			return fmt.Errorf("write token: %w", err)
		}
		return nil
	})
}

// TokenByHash implements store.PartyStore.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (store.Token, error) {
	t, err := sqlq.ScanToken(s.pool.QueryRow(ctx, "SELECT "+sqlq.TokenColumns+" FROM api_tokens WHERE hash = $1", hash))
	if err != nil {
		return store.Token{}, notFound(err, "token")
	}
	return t, nil
}

// Tokens implements store.PartyStore.
func (s *Store) Tokens(ctx context.Context, partyID string) ([]store.Token, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+sqlq.TokenColumns+" FROM api_tokens WHERE party_id = $1 ORDER BY created_at, id", partyID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	return sqlq.ScanTokens(rows, "list tokens")
}

// RevokeToken implements store.PartyStore.
func (s *Store) RevokeToken(ctx context.Context, id string, at time.Time, decisions ...*store.Decision) error {
	return s.inTx(ctx, "revoke token "+id, decisions, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE api_tokens SET revoked_at = CASE WHEN revoked_at = 0 THEN $1 ELSE revoked_at END WHERE id = $2", at.UnixNano(), id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("token %s: %w", id, store.ErrNotFound)
		}
		return nil
	})
}

// CreateUser implements store.PartyStore.
func (s *Store) CreateUser(ctx context.Context, u store.User, decisions ...*store.Decision) error {
	return s.inTx(ctx, "create user "+u.Username, decisions, func(tx pgx.Tx) error {
		if err := store.CheckUserCreate(ctx, registry(tx), u); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO users (username, party_id, password_hash, scopes, created_at, disabled) VALUES ($1, $2, $3, $4, $5, $6)",
			u.Username, u.PartyID, u.PasswordHash, sqlq.JoinScopes(u.Scopes), u.CreatedAt.UnixNano(), u.Disabled)
		if err != nil {
			return fmt.Errorf("write user: %w", err)
		}
		return nil
	})
}

// UpdateUser implements store.PartyStore.
func (s *Store) UpdateUser(ctx context.Context, u store.User, decisions ...*store.Decision) error {
	return s.inTx(ctx, "update user "+u.Username, decisions, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE users SET party_id = $1, password_hash = $2, scopes = $3, disabled = $4 WHERE username = $5",
			u.PartyID, u.PasswordHash, sqlq.JoinScopes(u.Scopes), u.Disabled, u.Username)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("user %s: %w", u.Username, store.ErrNotFound)
		}
		return nil
	})
}

// User implements store.PartyStore.
func (s *Store) User(ctx context.Context, username string) (store.User, error) {
	var (
		u       store.User
		scopes  string
		created int64
	)
	err := s.pool.QueryRow(ctx, "SELECT username, party_id, password_hash, scopes, created_at, disabled FROM users WHERE username = $1", username).
		Scan(&u.Username, &u.PartyID, &u.PasswordHash, &scopes, &created, &u.Disabled)
	if err != nil {
		return store.User{}, notFound(err, "user %s", username)
	}
	u.Scopes = sqlq.SplitScopes(scopes)
	u.CreatedAt = sqlq.TimeOrZero(created)
	return u, nil
}

// CountUsers implements store.PartyStore.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// CreateSession implements store.PartyStore.
func (s *Store) CreateSession(ctx context.Context, se store.Session) error {
	if err := s.checkWritable("create session"); err != nil {
		return err
	}
	_, err := s.pool.Exec(ctx, "INSERT INTO sessions (hash, username, created_at, expires_at, remote_addr) VALUES ($1, $2, $3, $4, $5)",
		se.Hash, se.Username, se.CreatedAt.UnixNano(), se.ExpiresAt.UnixNano(), se.RemoteAddr)
	if err != nil {
		return fmt.Errorf("create session for %s: %w", se.Username, err)
	}
	return nil
}

// Session implements store.PartyStore.
func (s *Store) Session(ctx context.Context, hash []byte) (store.Session, error) {
	se, err := sqlq.ScanSession(s.pool.QueryRow(ctx, "SELECT "+sqlq.SessionColumns+" FROM sessions WHERE hash = $1", hash))
	if err != nil {
		return store.Session{}, notFound(err, "session")
	}
	return se, nil
}

// DeleteSession implements store.PartyStore.
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	if err := s.checkWritable("delete session"); err != nil {
		return err
	}
	if _, err := s.pool.Exec(ctx, "DELETE FROM sessions WHERE hash = $1", hash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// RecordCapture implements store.PartyStore.
func (s *Store) RecordCapture(ctx context.Context, captureID, partyID string) error {
	if err := s.checkWritable("record capture party"); err != nil {
		return err
	}
	_, err := s.pool.Exec(ctx, "INSERT INTO capture_parties (capture_id, party_id) VALUES ($1, $2) ON CONFLICT (capture_id) DO NOTHING", captureID, partyID)
	if err != nil {
		return fmt.Errorf("record capture party of %s: %w", captureID, err)
	}
	return nil
}

// CaptureParty implements store.PartyStore.
func (s *Store) CaptureParty(ctx context.Context, captureID string) (string, error) {
	var id string
	if err := s.pool.QueryRow(ctx, "SELECT party_id FROM capture_parties WHERE capture_id = $1", captureID).Scan(&id); err != nil {
		return "", notFound(err, "capture job %s party", captureID)
	}
	return id, nil
}

// AppendAccess implements store.PartyStore.
func (s *Store) AppendAccess(ctx context.Context, a store.Access) error {
	if err := s.checkWritable("append access log"); err != nil {
		return err
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO access_log (at, actor, actor_party_id, action, party_id, target, remote_addr)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, a.Time.UnixNano(), a.Actor, a.ActorPartyID, a.Action, a.PartyID, a.Target, a.RemoteAddr)
	if err != nil {
		return fmt.Errorf("append access log: %w", err)
	}
	return nil
}

// AccessLog implements store.PartyStore.
// NOTE: sequence numbers are taken before commit. An entry committed late
// can get a number below one already listed, and a reader paging with
// afterSeq then misses it.
func (s *Store) AccessLog(ctx context.Context, partyID string, afterSeq int64, limit int) ([]store.Access, error) {
	if err := store.CheckListLimit("list access log", limit); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, "SELECT "+sqlq.AccessColumns+` FROM access_log
		WHERE ($1 = '' OR party_id = $1) AND seq > $2 ORDER BY seq LIMIT $3`, partyID, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("list access log: %w", err)
	}
	defer rows.Close()
	return sqlq.ScanAccessLog(rows, "list access log")
}
