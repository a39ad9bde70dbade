import { createHash } from 'node:crypto';
import type { EventBody } from './event-body';

/**
 * What makes two posts of one idempotency key "the same event": the checked body, written as JSON
 * with sorted keys. Key order, white space, a default the client left out and two spellings of
 * one instant (…T12:00:00Z and …T13:00:00.000+01:00) do not make a difference; any value does.
 */
export function eventDigest(event: EventBody): string {
  const normal = { ...event, event: { ...event.event, at: event.event.at.iso } };
  return createHash('sha256').update(canonicalJson(normal)).digest('hex');
}

/** JSON with object keys sorted at every level; undefined members are left out, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}
