-- Registry of parties, their locations, API tokens, web users and
-- sessions, and the access log.

CREATE TABLE parties (
    id         text PRIMARY KEY,  -- platform party ID
    kind       text NOT NULL,     -- enterprise, regulator or operator
    uscc       text UNIQUE,       -- unified social credit code, NULL when none
    gln        text,              -- canonical PGLN Digital Link, NULL when none
    doc        jsonb NOT NULL,    -- the whole party (store.Party)
    created_at bigint NOT NULL,   -- Unix nanoseconds
    updated_at bigint NOT NULL    -- Unix nanoseconds
);

CREATE TABLE party_prefixes (
    scheme   text NOT NULL,  -- 'gs1' or 'cn'
    prefix   text NOT NULL,  -- GS1 company prefix digits, or a canonical code URI prefix
    party_id text NOT NULL REFERENCES parties (id) ON DELETE CASCADE,
    PRIMARY KEY (scheme, prefix)
);
CREATE INDEX party_prefixes_party ON party_prefixes (party_id);

CREATE TABLE locations (
    id       text PRIMARY KEY,  -- canonical identifier
    party_id text NOT NULL REFERENCES parties (id),
    doc      jsonb NOT NULL     -- the whole location (store.Location)
);
CREATE INDEX locations_party ON locations (party_id, id);

CREATE TABLE api_tokens (
    id         text PRIMARY KEY,      -- public token ID
    party_id   text NOT NULL REFERENCES parties (id),
    name       text NOT NULL,
    hash       bytea NOT NULL UNIQUE, -- SHA-256 of the secret; the secret is never stored
    scopes     text NOT NULL,         -- space-separated scopes
    created_by text NOT NULL,
    created_at bigint NOT NULL,       -- Unix nanoseconds
    expires_at bigint NOT NULL,       -- Unix nanoseconds, 0 for never
    revoked_at bigint NOT NULL        -- Unix nanoseconds, 0 while valid
);
CREATE INDEX api_tokens_party ON api_tokens (party_id, created_at);

CREATE TABLE users (
    username      text PRIMARY KEY,
    party_id      text NOT NULL REFERENCES parties (id),
    password_hash text NOT NULL,     -- argon2id PHC string
    scopes        text NOT NULL,     -- space-separated scopes
    created_at    bigint NOT NULL,   -- Unix nanoseconds
    disabled      boolean NOT NULL   -- true when the user may not sign in
);

CREATE TABLE sessions (
    hash        bytea PRIMARY KEY,  -- SHA-256 of the session cookie
    username    text NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    created_at  bigint NOT NULL,    -- Unix nanoseconds
    expires_at  bigint NOT NULL,    -- Unix nanoseconds
    remote_addr text NOT NULL
);

CREATE TABLE capture_parties (
    capture_id text PRIMARY KEY,  -- capture job ID
    party_id   text NOT NULL      -- party whose credentials submitted it
);

CREATE TABLE access_log (
    seq            bigserial PRIMARY KEY,
    at             bigint NOT NULL,  -- Unix nanoseconds
    actor          text NOT NULL,    -- user name or token:ID
    actor_party_id text NOT NULL,
    action         text NOT NULL,
    party_id       text NOT NULL,    -- party concerned, '' for none
    target         text NOT NULL,
    remote_addr    text NOT NULL
);
CREATE INDEX access_log_party ON access_log (party_id, seq);
