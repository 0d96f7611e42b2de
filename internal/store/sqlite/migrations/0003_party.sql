-- Registry of parties, their locations, API tokens, web users and
-- sessions, and the access log.

CREATE TABLE parties (
    id         TEXT PRIMARY KEY,  -- platform party ID
    kind       TEXT NOT NULL,     -- enterprise, regulator or operator
    uscc       TEXT UNIQUE,       -- unified social credit code, NULL when none
    gln        TEXT,              -- canonical PGLN Digital Link, NULL when none
    doc        TEXT NOT NULL,     -- the whole party as JSON (store.Party)
    created_at INTEGER NOT NULL,  -- Unix nanoseconds
    updated_at INTEGER NOT NULL   -- Unix nanoseconds
);

CREATE TABLE party_prefixes (
    prefix   TEXT NOT NULL,  -- GS1 company prefix digits, or a canonical code URI prefix
    scheme   TEXT NOT NULL,  -- 'gs1' or 'cn'
    party_id TEXT NOT NULL REFERENCES parties (id) ON DELETE CASCADE,
    PRIMARY KEY (scheme, prefix)
);
CREATE INDEX party_prefixes_party ON party_prefixes (party_id);

CREATE TABLE locations (
    id       TEXT PRIMARY KEY,  -- canonical identifier
    party_id TEXT NOT NULL REFERENCES parties (id),
    doc      TEXT NOT NULL      -- the whole location as JSON (store.Location)
);
CREATE INDEX locations_party ON locations (party_id, id);

CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,      -- public token ID
    party_id   TEXT NOT NULL REFERENCES parties (id),
    name       TEXT NOT NULL,
    hash       BLOB NOT NULL UNIQUE,  -- SHA-256 of the secret; the secret is never stored
    scopes     TEXT NOT NULL,         -- space-separated scopes
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,      -- Unix nanoseconds
    expires_at INTEGER NOT NULL,      -- Unix nanoseconds, 0 for never
    revoked_at INTEGER NOT NULL       -- Unix nanoseconds, 0 while valid
);
CREATE INDEX api_tokens_party ON api_tokens (party_id, created_at);

CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    party_id      TEXT NOT NULL REFERENCES parties (id),
    password_hash TEXT NOT NULL,     -- argon2id PHC string
    scopes        TEXT NOT NULL,     -- space-separated scopes
    created_at    INTEGER NOT NULL,  -- Unix nanoseconds
    disabled      INTEGER NOT NULL   -- 1 when the user may not sign in
);

CREATE TABLE sessions (
    hash        BLOB PRIMARY KEY,  -- SHA-256 of the session cookie
    username    TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,  -- Unix nanoseconds
    expires_at  INTEGER NOT NULL,  -- Unix nanoseconds
    remote_addr TEXT NOT NULL
);

CREATE TABLE capture_parties (
    capture_id TEXT PRIMARY KEY,  -- capture job ID
    party_id   TEXT NOT NULL      -- party whose credentials submitted it
);

CREATE TABLE access_log (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    at             INTEGER NOT NULL,  -- Unix nanoseconds
    actor          TEXT NOT NULL,     -- user name or token:ID
    actor_party_id TEXT NOT NULL,
    action         TEXT NOT NULL,
    party_id       TEXT NOT NULL,     -- party concerned, '' for none
    target         TEXT NOT NULL,
    remote_addr    TEXT NOT NULL
);
CREATE INDEX access_log_party ON access_log (party_id, seq);
