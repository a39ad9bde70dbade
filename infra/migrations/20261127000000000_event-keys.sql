-- Up Migration

-- Every event's idempotency key, with the event's id and time, in a table of its own that is
-- partitioned by month (event_keys_pYYYYMM, by the event's time) rather than by day. The claim of
-- an ingest (sluice_claim_idempotency_keys) looks for a batch's keys here: one index probe per key
-- and month, against one per key and day in the events table. Under a retention of 90 days that
-- is 4 partitions instead of 92. Measured with storeEvents on 3M events in 89 daily partitions
-- (README, "Idempotency"): 45.2 against 39.7 µs per event in batches of 1,000 and 159.1 against
-- 83.3 in commits of 30 on PostgreSQL 18, and 170.5 against 39.6 in batches on PostgreSQL 15.
--
-- A key row is written by the statement that writes its event, so they commit together. It
-- outlives its event when retention or archival drops the event's day but other days of the month
-- remain; the claim therefore counts a key only while its event exists. A month's partition is
-- dropped with the last events partition of that month (dropDayPartition in
-- activities/events/day-partitions.ts), so no row is ever deleted.
CREATE TABLE event_keys (
  idempotency_key text        NOT NULL,
  event_id        bigint      NOT NULL,
  at              timestamptz NOT NULL
) PARTITION BY RANGE (at);
CREATE INDEX event_keys_key ON event_keys (idempotency_key);

-- The months of the events partitions there are, and the keys of their events.
DO $$
DECLARE
  month date;
BEGIN
  FOR month IN
    SELECT DISTINCT date_trunc('month', to_date(substring(child.relname FROM '^events_p(\d{8})$'), 'YYYYMMDD'))::date
      FROM pg_inherits
      JOIN pg_class child ON child.oid = pg_inherits.inhrelid
     WHERE pg_inherits.inhparent = 'events'::regclass AND child.relname ~ '^events_p\d{8}$'
  LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF event_keys FOR VALUES FROM (%L) TO (%L)',
                   'event_keys_p' || to_char(month, 'YYYYMM'),
                   to_char(month, 'YYYY-MM-DD') || ' 00:00:00+00', to_char(month + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00');
  END LOOP;
END
$$;
INSERT INTO event_keys (idempotency_key, event_id, at) SELECT idempotency_key, event_id, at FROM events;

-- Nothing looks keys up in events any more; the index only cost every ingest an insert.
DROP INDEX events_idempotency_key;

-- The claim, as in …_claim-keys-anti-join.sql, but looking in event_keys. Keys found there that
-- are not the batch's own are rare (a replay, or a race); each is then checked against its event,
-- by primary key in the one partition of its time, and counted only if the event still exists.
CREATE OR REPLACE FUNCTION sluice_claim_idempotency_keys(lock_namespace integer, buckets integer[], keys text[], own_ids bigint[])
  RETURNS void
  LANGUAGE plpgsql
  VOLATILE
  SET plan_cache_mode = force_generic_plan
  SET enable_seqscan = off
  SET enable_nestloop = off
AS $$
DECLARE
  candidates event_keys[];
  stored_first jsonb;
BEGIN
  PERFORM pg_advisory_xact_lock(lock_namespace, bucket) FROM unnest(buckets) AS bucket;
  SELECT array_agg(k)
    INTO candidates
    FROM event_keys k
   WHERE k.idempotency_key = ANY (keys)
     AND NOT EXISTS (SELECT FROM unnest(own_ids) AS own(event_id) WHERE own.event_id = k.event_id);
  IF candidates IS NULL THEN
    RETURN;
  END IF;
  -- A lateral join can only be a loop (whatever enable_nestloop says): one probe per found key.
  SELECT jsonb_agg(jsonb_build_object(
           'idempotency_key', e.idempotency_key,
           'event_id', e.event_id::text,
           'digest', encode(e.body_digest, 'hex'),
           'at', to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')))
    INTO stored_first
    FROM unnest(candidates) AS f,
         LATERAL (SELECT * FROM events WHERE events.event_id = f.event_id AND events.at = f.at) AS e;
  IF stored_first IS NOT NULL THEN
    RAISE EXCEPTION 'idempotency keys of this batch were stored by another transaction first'
      USING ERRCODE = 'SL409', DETAIL = stored_first::text;
  END IF;
END
$$;

-- Down Migration

CREATE OR REPLACE FUNCTION sluice_claim_idempotency_keys(lock_namespace integer, buckets integer[], keys text[], own_ids bigint[])
  RETURNS void
  LANGUAGE plpgsql
  VOLATILE
  SET plan_cache_mode = force_generic_plan
  SET enable_seqscan = off
  SET enable_nestloop = off
AS $$
DECLARE
  stored_first jsonb;
BEGIN
  PERFORM pg_advisory_xact_lock(lock_namespace, bucket) FROM unnest(buckets) AS bucket;
  SELECT jsonb_agg(jsonb_build_object(
           'idempotency_key', e.idempotency_key,
           'event_id', e.event_id::text,
           'digest', encode(e.body_digest, 'hex'),
           'at', to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')))
    INTO stored_first
    FROM events e
   WHERE e.idempotency_key = ANY (keys)
     AND NOT EXISTS (SELECT FROM unnest(own_ids) AS own(event_id) WHERE own.event_id = e.event_id);
  IF stored_first IS NOT NULL THEN
    RAISE EXCEPTION 'idempotency keys of this batch were stored by another transaction first'
      USING ERRCODE = 'SL409', DETAIL = stored_first::text;
  END IF;
END
$$;
CREATE INDEX events_idempotency_key ON events (idempotency_key);
DROP TABLE event_keys;
