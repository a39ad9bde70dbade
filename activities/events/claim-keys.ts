import type { PoolClient } from 'pg';

/**
 * The end of an ingest transaction in one round trip: one simple query that claims the batch's
 * idempotency keys (sluice_claim_idempotency_keys, infra/migrations/…_ingest-claim-keys.sql:
 * lock their buckets, then look them up in every partition) and commits. If another transaction
 * stored some of the keys first, the claim fails with SL409 before the COMMIT runs, and
 * claimKeysAndCommit answers those rows; the caller rolls back.
 *
 * A simple query cannot carry parameters, so the arrays are written into it as literals (pg's
 * escapeLiteral on Postgres' array syntax); keys never hold NUL, which the API refuses.
 */

/** A key's stored event, as the claim reports a row another transaction stored first. */
export interface StoredEvent {
  readonly idempotency_key: string;
  readonly event_id: string;
  readonly digest: string;
  readonly at: string;
}

/** Advisory lock namespace of the ingest (the migration lock is 7_353_001). */
const KEY_LOCK_NAMESPACE = 7_353_002;
/** Few enough that a batch's locks fit Postgres' lock table beside other sessions'. */
const KEY_LOCK_BUCKETS = 256;
const STORED_FIRST = 'SL409';

/** Commits, or answers the rows other transactions stored first for these keys (then the transaction is aborted: roll it back). */
export async function claimKeysAndCommit(client: PoolClient, keys: readonly string[], ownIds: readonly string[]): Promise<StoredEvent[]> {
  const sql =
    `SELECT sluice_claim_idempotency_keys(${KEY_LOCK_NAMESPACE}, '{${keyBuckets(keys).join(',')}}', ` +
    `${client.escapeLiteral(textArray(keys))}, '{${ownIds.map(checkedId).join(',')}}'); COMMIT`;
  try {
    await client.query(sql);
    return [];
  } catch (err) {
    const { code, detail } = err as { code?: string; detail?: string };
    if (code !== STORED_FIRST || detail === undefined) throw err;
    return JSON.parse(detail) as StoredEvent[];
  }
}

/** Postgres' array syntax for text: each element quoted, '"' and '\' escaped with '\'. */
export function textArray(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

function checkedId(id: string): string {
  if (!/^[0-9]{1,19}$/.test(id)) throw new Error(`claimKeysAndCommit: event id ${JSON.stringify(id)} is not a bigint`);
  return id;
}

/** The keys' lock buckets (FNV-1a of each key), each once, in ascending order, so two batches take shared buckets in one order. */
function keyBuckets(keys: readonly string[]): number[] {
  const buckets = new Set<number>();
  for (const key of keys) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
    buckets.add((hash >>> 0) % KEY_LOCK_BUCKETS);
  }
  return [...buckets].sort((a, b) => a - b);
}
