-- Up Migration

-- The data plane: a site's events, and the jobs and subjobs derived from them, each in daily range
-- partitions (UTC days) that the partition upkeep workflow creates ahead of time and that
-- retention and archival drop whole. Partitions are named <table>_pYYYYMMDD; this migration
-- creates none.
--
-- A unique constraint on a partitioned table must include the partition key, so "one event per
-- idempotency key" cannot be a constraint here (the trap of a hypertable keyed by id alone). The
-- ingest transaction enforces it instead, under an advisory lock per key bucket
-- (activities/events/event-store.ts), and finds earlier events by the per-partition index below.
CREATE SEQUENCE events_event_id_seq AS bigint;
CREATE TABLE events (
  event_id        bigint      NOT NULL DEFAULT nextval('events_event_id_seq'),
  idempotency_key text        NOT NULL,
  site_id         text        NOT NULL,
  app_id          text        NOT NULL,
  app_name        text        NOT NULL,
  app_version     text        NOT NULL,
  entity_type     text        NOT NULL CHECK (entity_type IN ('job', 'subjob')),
  entity_id       text        NOT NULL,
  parent_id       text,
  business_key    text,
  sub_key         text,
  kind            text        NOT NULL,
  at              timestamptz NOT NULL,
  status          text        NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  metrics         jsonb       NOT NULL,
  metadata        jsonb       NOT NULL,
  received_at     timestamptz NOT NULL DEFAULT now(),
  -- sha256 of the body as the client sent it (canonical JSON): a replay with the same key must match.
  body_digest     bytea       NOT NULL,
  PRIMARY KEY (event_id, at)
) PARTITION BY RANGE (at);
ALTER SEQUENCE events_event_id_seq OWNED BY events.event_id;
CREATE INDEX events_idempotency_key ON events (idempotency_key);
CREATE INDEX events_entity ON events (entity_id, at);
CREATE INDEX events_at ON events (at);

-- A job's state as of its events on one day: a job whose events span days has a row per day, so
-- each day's partition is complete on its own (archived and dropped without touching another
-- day). Its latest state is the row with the latest event; the API merges the rows.
CREATE TABLE jobs (
  job_id        text        NOT NULL,
  day           date        NOT NULL,
  site_id       text        NOT NULL,
  app_id        text        NOT NULL,
  app_name      text        NOT NULL,
  app_version   text        NOT NULL,
  business_key  text,
  -- Of the day's latest event (by time, then event id).
  status        text        NOT NULL,
  kind          text        NOT NULL,
  metrics       jsonb       NOT NULL,
  first_at      timestamptz NOT NULL,
  last_at       timestamptz NOT NULL,
  last_event_id bigint      NOT NULL,
  events        integer     NOT NULL,
  PRIMARY KEY (job_id, day)
) PARTITION BY RANGE (day);
CREATE INDEX jobs_last_at ON jobs (last_at);

CREATE TABLE subjobs (
  job_id        text        NOT NULL,
  subjob_id     text        NOT NULL,
  day           date        NOT NULL,
  site_id       text        NOT NULL,
  app_id        text        NOT NULL,
  app_name      text        NOT NULL,
  app_version   text        NOT NULL,
  business_key  text,
  sub_key       text,
  status        text        NOT NULL,
  kind          text        NOT NULL,
  metrics       jsonb       NOT NULL,
  first_at      timestamptz NOT NULL,
  last_at       timestamptz NOT NULL,
  last_event_id bigint      NOT NULL,
  events        integer     NOT NULL,
  PRIMARY KEY (job_id, subjob_id, day)
) PARTITION BY RANGE (day);
CREATE INDEX subjobs_last_at ON subjobs (last_at);

-- Rollups of events per time bucket, app, entity type and status: what TimescaleDB's continuous
-- aggregates gave the seed. The hour table is recomputed from raw events for each hour an ingest
-- touched (event_rollup_dirty); day, week and month are sums of hours, so every column is
-- additive. They are kept after their events are archived and dropped.
CREATE TABLE event_rollups (
  grain         text        NOT NULL CHECK (grain IN ('hour', 'day', 'week', 'month')),
  bucket        timestamptz NOT NULL,
  app_id        text        NOT NULL,
  entity_type   text        NOT NULL,
  status        text        NOT NULL,
  events        bigint      NOT NULL,
  -- Events that ended a job or subjob (succeeded, failed, cancelled).
  finished      bigint      NOT NULL,
  -- Of the metric duration_s, where an event has one.
  durations     bigint      NOT NULL,
  duration_sum  double precision NOT NULL,
  duration_max  double precision,
  PRIMARY KEY (grain, bucket, app_id, entity_type, status)
);

-- Hours each ingest transaction added events to, one row per hour per transaction (no unique key,
-- so ingests never wait on each other here). A refresh deletes the rows it can see and recomputes
-- their hours in the same transaction: a row it cannot see yet belongs to an ingest that commits
-- later and is left for the next refresh, so no ingest is ever missed.
CREATE TABLE event_rollup_dirty (
  hour          timestamptz NOT NULL
);

-- The hour rollups of event partitions that archival dropped, added up at each drop (in the drop's
-- transaction). An hour's rollup is what is sealed here plus what its live events give, so a late
-- event for an archived day (it lands in a new partition, archived later as the next part) is
-- counted without losing what was archived.
CREATE TABLE event_rollups_sealed (
  hour          timestamptz NOT NULL,
  app_id        text        NOT NULL,
  entity_type   text        NOT NULL,
  status        text        NOT NULL,
  events        bigint      NOT NULL,
  finished      bigint      NOT NULL,
  durations     bigint      NOT NULL,
  duration_sum  double precision NOT NULL,
  duration_max  double precision,
  PRIMARY KEY (hour, app_id, entity_type, status)
);

-- Down Migration

DROP TABLE event_rollups_sealed;
DROP TABLE event_rollup_dirty;
DROP TABLE event_rollups;
DROP TABLE subjobs;
DROP TABLE jobs;
DROP TABLE events;
