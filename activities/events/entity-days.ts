import type { EventBody } from './event-body';

/**
 * What a batch of new events changes in jobs and subjobs: one row per entity and UTC day, with
 * the state of the day's latest event in the batch (by time, then event id), the day's earliest
 * time and how many events it had. The database merges each row into the stored one (the later
 * state wins there too), so a batch is folded in with one upsert per entity-day instead of one
 * per event.
 */

export interface EntityDay {
  readonly type: 'job' | 'subjob';
  readonly jobId: string;
  /** Subjobs only. */
  readonly subjobId: string | null;
  /** YYYY-MM-DD (UTC) */
  readonly day: string;
  /** The day's latest event in the batch. */
  readonly latest: EventBody;
  /** Its position in the batch: the store gives ids in batch order, so this picks its id. */
  readonly latestIndex: number;
  /** The day's earliest event time in the batch (canonical ISO text). */
  readonly firstAt: string;
  readonly events: number;
  /** The latest event's, else one the day's other events carried. */
  readonly businessKey: string | null;
  /** As businessKey. */
  readonly subKey: string | null;
}

interface Accumulating {
  type: 'job' | 'subjob';
  jobId: string;
  subjobId: string | null;
  day: string;
  latest: EventBody;
  latestIndex: number;
  first: EventBody;
  events: number;
  businessKey: string | null;
  subKey: string | null;
}

/**
 * `events` in the order the store gives them ids: of two events of one instant, the later in the
 * batch gets the higher id, and is the later one.
 */
export function entityDays(events: readonly EventBody[]): EntityDay[] {
  const byKey = new Map<string, Accumulating>();
  events.forEach((body, index) => {
    const { entity, event } = body;
    // The canonical text is UTC: its first ten characters are the UTC day (no Date per event).
    const day = event.at.iso.slice(0, 10);
    const jobId = entity.type === 'job' ? entity.id : (entity.parent_id as string);
    const subjobId = entity.type === 'subjob' ? entity.id : null;
    const key = `${entity.type}\u0000${jobId}\u0000${subjobId ?? ''}\u0000${day}`;
    const row = byKey.get(key);
    if (!row) {
      byKey.set(key, { type: entity.type, jobId, subjobId, day, latest: body, latestIndex: index, first: body, events: 1, businessKey: entity.business_key ?? null, subKey: entity.sub_key ?? null });
      return;
    }
    row.events += 1;
    if (earlier(body, row.first)) row.first = body;
    // "Not earlier" is "later, or the same instant and later in the batch" (the higher id).
    const later = !earlier(body, row.latest);
    if (later) {
      row.latest = body;
      row.latestIndex = index;
    }
    if (entity.business_key !== undefined && (later || row.businessKey === null)) row.businessKey = entity.business_key;
    if (entity.sub_key !== undefined && (later || row.subKey === null)) row.subKey = entity.sub_key;
  });
  return [...byKey.values()].map(({ first, ...row }) => ({ ...row, firstAt: first.event.at.iso }));
}

/** Whether a happened strictly before b (to the microsecond). */
function earlier(a: EventBody, b: EventBody): boolean {
  const x = a.event.at;
  const y = b.event.at;
  return x.epochMs < y.epochMs || (x.epochMs === y.epochMs && x.micros < y.micros);
}
