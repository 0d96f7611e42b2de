-- Suyuan SQLite schema, version 5: fewer index writes per captured event.
-- Every index below is maintained on each capture; each one dropped or
-- narrowed here is served by another index (see TestQueryPlans).

-- action has three values, so an EQ_action query keeps a large share of
-- the events it walks in events_record_time order.
DROP INDEX events_action;

-- Queries reach these tables by value only (identifier, business
-- transaction, persistent disposition); nothing reads them by event.
DROP INDEX identifiers_event_seq;
DROP INDEX biz_transactions_event_seq;
DROP INDEX persistent_dispositions_event_seq;

-- Optional columns are indexed only where they are set: every query and
-- distinct listing on them compares the column with a value, which
-- implies it is not NULL.
DROP INDEX events_biz_step;
CREATE INDEX events_biz_step ON events (biz_step, record_time) WHERE biz_step IS NOT NULL;
DROP INDEX events_disposition;
CREATE INDEX events_disposition ON events (disposition, record_time) WHERE disposition IS NOT NULL;
DROP INDEX events_read_point;
CREATE INDEX events_read_point ON events (read_point, record_time) WHERE read_point IS NOT NULL;
DROP INDEX events_biz_location;
CREATE INDEX events_biz_location ON events (biz_location, record_time) WHERE biz_location IS NOT NULL;
DROP INDEX events_error_reason;
CREATE INDEX events_error_reason ON events (error_reason, record_time) WHERE error_reason IS NOT NULL;
