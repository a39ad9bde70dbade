/**
 * A second reference for the batch ingest: what a script would do to get the ingest's results
 * with psql alone. `\copy` the rows into a temporary staging table, then in one transaction look
 * their keys up among the stored ones, insert the events and their key rows, fold them into jobs
 * and subjobs per entity and day (the latest event's state wins, as in the API), and mark the
 * rollups' dirty hours. The benchmark runs it in two sessions at once, one per core, each with
 * half of the rows (one session alone reached about two thirds of that rate). It checks nothing
 * else (the API also validates every field, digests each body and answers over HTTP), so it
 * shows what the stored work alone costs.
 */

/** Run once per psql session: the staging table, in the CSV's column order. */
export const STAGING_TABLE = `CREATE TEMP TABLE staging (
  idempotency_key text, site_id text, app_id text, app_name text, app_version text, entity_type text, entity_id text, parent_id text,
  kind text, at timestamptz, status text, metrics jsonb, metadata jsonb, body_digest bytea)`;

const LATEST_STATE = ['site_id', 'app_id', 'app_name', 'app_version', 'status', 'kind', 'metrics', 'last_event_id'];
const latestWins = (alias: string) =>
  LATEST_STATE.map((name) => `${name} = CASE WHEN (excluded.last_at, excluded.last_event_id) > (${alias}.last_at, ${alias}.last_event_id) THEN excluded.${name} ELSE ${alias}.${name} END`).join(', ');
const folded = (alias: string) => `first_at = least(${alias}.first_at, excluded.first_at), last_at = greatest(${alias}.last_at, excluded.last_at), events = ${alias}.events + excluded.events`;

/** After each `\copy staging …`: the work, then the staging table emptied for the next turn. */
export const SAME_WORK = `BEGIN;
DO $$ BEGIN
  IF EXISTS (SELECT FROM staging JOIN event_keys USING (idempotency_key)) THEN RAISE EXCEPTION 'a key of this batch is stored already'; END IF;
END $$;
WITH ins AS (
  INSERT INTO events (idempotency_key, site_id, app_id, app_name, app_version, entity_type, entity_id, parent_id, kind, at, status, metrics, metadata, body_digest)
  SELECT * FROM staging
  RETURNING event_id, idempotency_key, site_id, app_id, app_name, app_version, entity_type, entity_id, parent_id, kind, at, status, metrics
), keys AS (
  INSERT INTO event_keys (idempotency_key, event_id, at) SELECT idempotency_key, event_id, at FROM ins
), entity_days AS (
  SELECT DISTINCT ON (entity_type, job_id, subjob_id, day)
         entity_type, job_id, subjob_id, day, site_id, app_id, app_name, app_version, status, kind, metrics,
         at AS last_at, event_id AS last_event_id, min(at) OVER w AS first_at, count(*) OVER w AS events
    FROM (SELECT ins.*, CASE WHEN entity_type = 'job' THEN entity_id ELSE parent_id END AS job_id,
                 CASE WHEN entity_type = 'subjob' THEN entity_id END AS subjob_id, (at AT TIME ZONE 'UTC')::date AS day
            FROM ins) AS e
  WINDOW w AS (PARTITION BY entity_type, job_id, subjob_id, day)
   ORDER BY entity_type, job_id, subjob_id, day, at DESC, event_id DESC
), job_rows AS (
  INSERT INTO jobs AS j (job_id, day, site_id, app_id, app_name, app_version, status, kind, metrics, first_at, last_at, last_event_id, events)
  SELECT job_id, day, site_id, app_id, app_name, app_version, status, kind, metrics, first_at, last_at, last_event_id, events
    FROM entity_days WHERE entity_type = 'job' ORDER BY job_id, day
  ON CONFLICT (job_id, day) DO UPDATE SET ${latestWins('j')}, ${folded('j')}
), subjob_rows AS (
  INSERT INTO subjobs AS s (job_id, subjob_id, day, site_id, app_id, app_name, app_version, status, kind, metrics, first_at, last_at, last_event_id, events)
  SELECT job_id, subjob_id, day, site_id, app_id, app_name, app_version, status, kind, metrics, first_at, last_at, last_event_id, events
    FROM entity_days WHERE entity_type = 'subjob' ORDER BY job_id, subjob_id, day
  ON CONFLICT (job_id, subjob_id, day) DO UPDATE SET ${latestWins('s')}, ${folded('s')}
)
INSERT INTO event_rollup_dirty (hour) SELECT DISTINCT date_trunc('hour', at) FROM ins;
COMMIT;
TRUNCATE staging;`;
