import type { EventBody } from './event-body';

/**
 * What a batch of new events changes in jobs and subjobs: one row per entity and UTC day, with
 * the state of the day's latest event in the batch (by time, then event id), the day's earliest
 * time and how many events it had. The database merges each row into the stored one (the later
 * state wins there too), so a batch is folded in with one upsert per entity-day instead of one
 * per event.
 */

export interface StoredNewEvent {
  readonly event: EventBody;
  /** Assigned in the batch's order: a later event of one instant has the higher id. */
  readonly eventId: string;
}

export interface EntityDay {
  readonly type: 'job' | 'subjob';
  readonly jobId: string;
  /** Subjobs only. */
  readonly subjobId: string | null;
  /** YYYY-MM-DD (UTC) */
  readonly day: string;
  /** The day's latest event in the batch. */
  readonly latest: StoredNewEvent;
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
  latest: StoredNewEvent;
  first: StoredNewEvent;
  events: number;
  businessKey: string | null;
  subKey: string | null;
}

/** `events` in the order their ids were assigned. */
export function entityDays(events: readonly StoredNewEvent[]): EntityDay[] {
  const byKey = new Map<string, Accumulating>();
  for (const stored of events) {
    const { entity, event } = stored.event;
    // The canonical text is UTC: its first ten characters are the UTC day (no Date per event).
    const day = event.at.iso.slice(0, 10);
    const jobId = entity.type === 'job' ? entity.id : (entity.parent_id as string);
    const subjobId = entity.type === 'subjob' ? entity.id : null;
    const key = `${entity.type}\u0000${jobId}\u0000${subjobId ?? ''}\u0000${day}`;
    const row = byKey.get(key);
    if (!row) {
      byKey.set(key, { type: entity.type, jobId, subjobId, day, latest: stored, first: stored, events: 1, businessKey: entity.business_key ?? null, subKey: entity.sub_key ?? null });
      continue;
    }
    row.events += 1;
    if (earlier(stored, row.first)) row.first = stored;
    // Ids ascend in the batch's order, so "not earlier" is "later or the same instant with a higher id".
    const later = !earlier(stored, row.latest);
    if (later) row.latest = stored;
    if (entity.business_key !== undefined && (later || row.businessKey === null)) row.businessKey = entity.business_key;
    if (entity.sub_key !== undefined && (later || row.subKey === null)) row.subKey = entity.sub_key;
  }
  return [...byKey.values()].map(({ first, ...row }) => ({ ...row, firstAt: first.event.event.at.iso }));
}

/** Whether a happened strictly before b (to the microsecond). */
function earlier(a: StoredNewEvent, b: StoredNewEvent): boolean {
  const x = a.event.event.at;
  const y = b.event.event.at;
  return x.epochMs < y.epochMs || (x.epochMs === y.epochMs && x.micros < y.micros);
}
