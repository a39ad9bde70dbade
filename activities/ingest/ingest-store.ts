import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '../../infra/db/transaction';

/**
 * The ingest tables in Postgres (infra/migrations/…_weather-ingest.sql): what each source object
 * became (ingest_state), the catalog of stored fields (weather_fields) and cycle completeness
 * (weather_cycles). Writes for one file happen in one transaction, so a crash leaves either the
 * file fully recorded or not at all, and a retry rewrites the same rows.
 */

export interface KnownObject {
  readonly etag: string;
  readonly size: number;
  readonly status: 'ingested' | 'quarantined';
}

export interface CatalogRow {
  readonly storageKey: string;
  readonly model: string;
  readonly parameter: string;
  readonly level: string;
  readonly referenceTime: Date;
  readonly forecastHour: number;
  readonly cycle: Date;
  readonly bbox: { readonly west: number; readonly south: number; readonly east: number; readonly north: number };
  readonly size: number;
  readonly sha256: string;
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number | null;
  readonly points: number;
  readonly missing: number;
  readonly extra?: Record<string, unknown>;
}

export interface SourceObjectRef {
  readonly source: string;
  readonly key: string;
  readonly etag: string;
  readonly size: number;
  readonly cycle: Date;
  readonly workflowId: string;
}

/** What ingest_state holds for these keys of one source. */
export async function knownObjects(pool: Pool, source: string, keys: readonly string[]): Promise<Map<string, KnownObject>> {
  const known = new Map<string, KnownObject>();
  if (keys.length === 0) return known;
  const { rows } = await pool.query<{ source_key: string; etag: string; size: string; status: KnownObject['status'] }>(
    'SELECT source_key, etag, size, status FROM ingest_state WHERE source = $1 AND source_key = ANY($2::text[])',
    [source, keys],
  );
  for (const row of rows) known.set(row.source_key, { etag: row.etag, size: Number(row.size), status: row.status });
  return known;
}

/**
 * Records an ingested object and its fields in one transaction. A replaced object's fields land
 * on the same storage keys as before, so re-ingesting overwrites rows instead of adding new ones.
 */
export async function recordIngested(pool: Pool, object: SourceObjectRef, fields: readonly CatalogRow[], bytesFetched: number): Promise<void> {
  await inTransaction(pool, async (client) => {
    for (const field of fields) await upsertField(client, object, field);
    await client.query(
      `INSERT INTO ingest_state (source, source_key, etag, size, status, cycle, detail, fields, bytes_fetched, workflow_id, updated_at)
       VALUES ($1, $2, $3, $4, 'ingested', $5, '', $6, $7, $8, now())
       ON CONFLICT (source, source_key) DO UPDATE SET etag = EXCLUDED.etag, size = EXCLUDED.size, status = 'ingested', cycle = EXCLUDED.cycle,
         detail = '', fields = EXCLUDED.fields, bytes_fetched = EXCLUDED.bytes_fetched, workflow_id = EXCLUDED.workflow_id, updated_at = now()`,
      [object.source, object.key, object.etag, object.size, object.cycle, fields.length, bytesFetched, object.workflowId],
    );
  });
}

/** A file that will not ingest until it changes: listed by `sluice ingest status`, never counted as success. */
export async function recordQuarantined(pool: Pool, object: SourceObjectRef, reason: string): Promise<void> {
  await pool.query(
    `INSERT INTO ingest_state (source, source_key, etag, size, status, cycle, detail, workflow_id, updated_at)
     VALUES ($1, $2, $3, $4, 'quarantined', $5, $6, $7, now())
     ON CONFLICT (source, source_key) DO UPDATE SET etag = EXCLUDED.etag, size = EXCLUDED.size, status = 'quarantined', cycle = EXCLUDED.cycle,
       detail = EXCLUDED.detail, fields = 0, bytes_fetched = 0, workflow_id = EXCLUDED.workflow_id, updated_at = now()`,
    [object.source, object.key, object.etag, object.size, object.cycle, reason.slice(0, 4000), object.workflowId],
  );
}

async function upsertField(client: PoolClient, object: SourceObjectRef, field: CatalogRow): Promise<void> {
  await client.query(
    `INSERT INTO weather_fields (storage_key, source, model, parameter, level, reference_time, forecast_hour, cycle,
       lat_min, lat_max, lon_min, lon_max, size, sha256, value_min, value_max, value_mean, points, missing, extra, source_key, ingested_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, now())
     ON CONFLICT (storage_key) DO UPDATE SET source = EXCLUDED.source, model = EXCLUDED.model, parameter = EXCLUDED.parameter, level = EXCLUDED.level,
       reference_time = EXCLUDED.reference_time, forecast_hour = EXCLUDED.forecast_hour, cycle = EXCLUDED.cycle,
       lat_min = EXCLUDED.lat_min, lat_max = EXCLUDED.lat_max, lon_min = EXCLUDED.lon_min, lon_max = EXCLUDED.lon_max,
       size = EXCLUDED.size, sha256 = EXCLUDED.sha256, value_min = EXCLUDED.value_min, value_max = EXCLUDED.value_max,
       value_mean = EXCLUDED.value_mean, points = EXCLUDED.points, missing = EXCLUDED.missing, extra = EXCLUDED.extra,
       source_key = EXCLUDED.source_key, ingested_at = now()`,
    [
      field.storageKey, object.source, field.model, field.parameter, field.level, field.referenceTime, field.forecastHour, field.cycle,
      field.bbox.south, field.bbox.north, field.bbox.west, field.bbox.east, field.size, field.sha256,
      field.min, field.max, field.mean, field.points, field.missing, JSON.stringify(field.extra ?? {}), object.key,
    ],
  );
}
