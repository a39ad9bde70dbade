import type { Pool } from 'pg';
import { cycleSegment } from '../ingest/store-grib-field';
import type { ObjectStore } from '../storage/object-store';

export interface PurgeResult {
  readonly deleted: number;
  readonly bytesFreed: number;
  /** Objects that could not be deleted: their catalog rows stay, and the next purge tries again. */
  readonly failed: { key: string; error: string }[];
}

/**
 * Deletes one expired cycle of one source, in batches: catalogued objects first (a row goes only
 * once its object is gone), then any object under the cycle's prefix the catalog does not know
 * (a crash between upload and commit, a GOES quick-look), and last, if nothing failed, the cycle's
 * ingest_state and completeness rows.
 */
export async function purgeCycle(
  deps: { pool: Pool; store: ObjectStore; heartbeat: () => void },
  input: { source: string; cycle: string; batchSize: number },
): Promise<PurgeResult> {
  const { pool, store } = deps;
  const cycle = new Date(input.cycle);
  let deleted = 0;
  let bytesFreed = 0;
  const failed: PurgeResult['failed'] = [];

  let after = '';
  for (;;) {
    const { rows } = await pool.query<{ storage_key: string; size: string }>(
      'SELECT storage_key, size FROM weather_fields WHERE source = $1 AND cycle = $2 AND storage_key > $3 ORDER BY storage_key LIMIT $4',
      [input.source, cycle, after, input.batchSize],
    );
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.storage_key;
    const outcome = await store.deleteMany(rows.map((row) => row.storage_key));
    failed.push(...outcome.failed);
    if (outcome.deleted.length > 0) {
      await pool.query('DELETE FROM weather_fields WHERE storage_key = ANY($1::text[])', [outcome.deleted]);
      const sizes = new Map(rows.map((row) => [row.storage_key, Number(row.size)]));
      deleted += outcome.deleted.length;
      bytesFreed += outcome.deleted.reduce((sum, key) => sum + (sizes.get(key) ?? 0), 0);
    }
    deps.heartbeat();
  }

  const orphans = await sweepPrefix(deps, `grids/${input.source}/${cycleSegment(cycle)}/`, input.batchSize, failed);
  deleted += orphans.deleted;
  bytesFreed += orphans.bytes;

  if (failed.length === 0) {
    await pool.query('DELETE FROM ingest_state WHERE source = $1 AND cycle = $2', [input.source, cycle]);
    await pool.query('DELETE FROM weather_cycles WHERE source = $1 AND cycle = $2', [input.source, cycle]);
  }
  return { deleted, bytesFreed, failed };
}

/** Objects under the prefix without a catalog row: nothing refers to them, so they only take space. */
async function sweepPrefix(
  deps: { pool: Pool; store: ObjectStore; heartbeat: () => void },
  prefix: string,
  batchSize: number,
  failed: PurgeResult['failed'],
): Promise<{ deleted: number; bytes: number }> {
  let deleted = 0;
  let bytes = 0;
  let batch: { key: string; size: number }[] = [];
  const flush = async () => {
    const { rows } = await deps.pool.query<{ storage_key: string }>('SELECT storage_key FROM weather_fields WHERE storage_key = ANY($1::text[])', [batch.map((o) => o.key)]);
    const catalogued = new Set(rows.map((row) => row.storage_key));
    const orphans = batch.filter((object) => !catalogued.has(object.key));
    const outcome = await deps.store.deleteMany(orphans.map((object) => object.key));
    const gone = new Set(outcome.deleted);
    deleted += outcome.deleted.length;
    bytes += orphans.filter((object) => gone.has(object.key)).reduce((sum, object) => sum + object.size, 0);
    failed.push(...outcome.failed);
    batch = [];
    deps.heartbeat();
  };
  for await (const object of deps.store.list(prefix)) {
    batch.push({ key: object.key, size: object.size });
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length > 0) await flush();
  return { deleted, bytes };
}
