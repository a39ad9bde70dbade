/**
 * The claim of a batch's idempotency keys, the last step of an ingest transaction
 * (sluice_claim_idempotency_keys, infra/migrations/…_event-keys.sql): lock the keys' buckets,
 * then look for the keys in event_keys, a key found there counting while its event exists. If
 * another transaction stored some of them first, the claim fails with SL409 and those rows as
 * JSON in its DETAIL, which aborts the transaction; storedFirst reads them from the error.
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

/** The claim as a SQL call, given the placeholders of the buckets (int[]), the keys (text[]) and the batch's own event ids (bigint[]). */
export const claimCall = (buckets: string, keys: string, ownIds: string): string =>
  `sluice_claim_idempotency_keys(${KEY_LOCK_NAMESPACE}, ${buckets}::int[], ${keys}::text[], ${ownIds}::bigint[])`;

/** The rows other transactions stored first, if `err` is the claim's refusal; undefined for any other error. */
export function storedFirst(err: unknown): StoredEvent[] | undefined {
  const { code, detail } = (err ?? {}) as { code?: string; detail?: string };
  return code === STORED_FIRST && detail !== undefined ? (JSON.parse(detail) as StoredEvent[]) : undefined;
}

/** The keys' lock buckets (FNV-1a of each key), each once, in ascending order, so two batches take shared buckets in one order. */
export function keyBuckets(keys: readonly string[]): number[] {
  const buckets = new Set<number>();
  for (const key of keys) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
    buckets.add((hash >>> 0) % KEY_LOCK_BUCKETS);
  }
  return [...buckets].sort((a, b) => a - b);
}
