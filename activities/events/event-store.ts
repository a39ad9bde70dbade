import type { Pool } from 'pg';
import type { EventBody } from './event-body';
import { dayOf, ensureDayPartitions, isMissingPartition } from './day-partitions';
import { storedFirst, type StoredEvent } from './claim-keys';
import { commitNewEvents } from './commit-new-events';

/**
 * Stores checked events, and the job and subjob state derived from them, in one transaction.
 *
 * Idempotency: an event whose key is stored already is not stored again. The same body (same
 * digest) is a duplicate and answers with the first event's id; a different body is a conflict.
 * The key cannot be a unique constraint on a partitioned table (see the events migration), so it
 * is enforced by a lock per key bucket and a look at every month's keys, in this order:
 *
 *   1. insert the keys of the events not known to be stored (event_keys, partitioned by month,
 *      so a look for a key probes a few partitions rather than one per day), and fold the events
 *      into jobs and subjobs; the events themselves go in before (COPY) or after the claim (one
 *      statement), in the same transaction;
 *   2. lock their keys' buckets (pg_advisory_xact_lock, in one order, so two batches cannot
 *      deadlock on them);
 *   3. look for the keys: a key row that is not this transaction's, and whose event still exists,
 *      was committed by another transaction before this one held the lock. If there is any, roll
 *      back and try again, knowing those keys; if not, commit.
 * Steps 2 and 3 are the claim (claim-keys.ts). A small batch does all of it in one statement, one
 * round trip; a large one in five (commit-new-events.ts).
 *
 * Two transactions with a key in common cannot both miss each other: the second to get the lock
 * looks after the first committed. Locking last, rather than first, lets batches do the expensive
 * insert at the same time (1,000 keys cover every bucket, so lock-first made all batches take
 * turns), and a transaction that holds bucket locks waits for nothing but other bucket locks, so
 * the locks cannot deadlock with the row locks of the job upserts. A replay costs one attempt more.
 */

export interface IncomingEvent {
  readonly event: EventBody;
  /** eventDigest(event) */
  readonly digest: string;
}

export type IngestOutcome =
  | { readonly status: 'created'; readonly eventId: string }
  /** Stored before with the same body: the first event's id. */
  | { readonly status: 'duplicate'; readonly eventId: string }
  /** Stored before with another body: nothing stored for it. */
  | { readonly status: 'conflict'; readonly eventId: string; readonly storedAt: string }
  /** Not stored because another event of its all-or-nothing batch conflicts. */
  | { readonly status: 'rejected' };

export interface StoreOptions {
  /** 'reject-all' stores nothing if any event conflicts (a batch); 'skip' stores the others. */
  readonly conflicts: 'reject-all' | 'skip';
}

const TRANSIENT = new Set(['40001' /* serialization_failure */, '40P01' /* deadlock_detected */]);

/** Rounds of "another transaction stored some of these keys first" before giving up: each round learns the keys it lost. */
const MAX_ATTEMPTS = 8;

export async function storeEvents(pool: Pool, events: readonly IncomingEvent[], options: StoreOptions): Promise<IngestOutcome[]> {
  const keys = events.map(({ event }) => event.idempotency_key);
  if (new Set(keys).size !== keys.length) throw new Error('storeEvents: idempotency keys repeat within one call; the API refuses such a batch before it gets here');
  if (events.length === 0) return [];
  const known = new Map<string, StoredEvent>();
  let partitionsMade = false;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await storeOnce(pool, events, options, known);
      if ('outcomes' in result) return result.outcomes;
      for (const row of result.storedMeanwhile) known.set(row.idempotency_key, row);
    } catch (err) {
      if (isMissingPartition(err) && !partitionsMade) {
        // A late, backfilled or archived day: make its partitions, then try again.
        await ensureDayPartitions(pool, events.map(({ event }) => dayOf(event.event.at.epochMs)));
        partitionsMade = true;
        continue;
      }
      if (!TRANSIENT.has((err as { code?: string }).code ?? '') || attempt >= MAX_ATTEMPTS) throw err;
    }
    if (attempt >= MAX_ATTEMPTS) throw new Error(`storeEvents: other transactions kept storing keys of this batch first (${attempt} attempts); nothing of it was stored`);
  }
}

type Attempt = { readonly outcomes: IngestOutcome[] } | { readonly storedMeanwhile: readonly StoredEvent[] };

async function storeOnce(pool: Pool, events: readonly IncomingEvent[], options: StoreOptions, known: ReadonlyMap<string, StoredEvent>): Promise<Attempt> {
  const outcomes: (IngestOutcome | undefined)[] = events.map(({ event, digest }) => {
    const earlier = known.get(event.idempotency_key);
    if (!earlier) return undefined;
    return earlier.digest === digest ? { status: 'duplicate', eventId: earlier.event_id } : { status: 'conflict', eventId: earlier.event_id, storedAt: earlier.at };
  });
  if (options.conflicts === 'reject-all' && outcomes.some((outcome) => outcome?.status === 'conflict')) {
    return { outcomes: outcomes.map((outcome) => outcome ?? { status: 'rejected' }) };
  }
  const fresh = events.filter((_, index) => outcomes[index] === undefined);
  if (fresh.length === 0) return { outcomes: outcomes as IngestOutcome[] };

  const client = await pool.connect();
  let ids: string[];
  try {
    ids = await commitNewEvents(client, fresh);
  } catch (err) {
    const storedMeanwhile = storedFirst(err);
    if (storedMeanwhile) return { storedMeanwhile };
    throw err;
  } finally {
    client.release();
  }
  const idOf = new Map(fresh.map(({ event }, index) => [event.idempotency_key, ids[index]!]));
  return { outcomes: events.map(({ event }, index) => outcomes[index] ?? { status: 'created', eventId: idOf.get(event.idempotency_key) as string }) };
}
