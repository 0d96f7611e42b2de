-- Suyuan PostgreSQL schema, version 5: fewer index writes per captured
-- event. Every index below is maintained on each capture; each one
-- dropped here is served by another index.

-- action has three values, so an EQ_action query keeps a large share of
-- the events it walks in events_record_time order.
DROP INDEX events_action;

-- Queries reach these tables by value only (identifier, business
-- transaction, persistent disposition); nothing reads them by event.
DROP INDEX identifiers_event_seq;
DROP INDEX biz_transactions_event_seq;
DROP INDEX persistent_dispositions_event_seq;
