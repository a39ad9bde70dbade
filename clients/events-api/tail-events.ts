import { setTimeout as sleep } from 'node:timers/promises';
import { UserError, messageOf } from '../../infra/errors/user-error';
import type { EventView } from './job-queries';

export interface TailOptions {
  /** The site API's base URL. */
  readonly url: string;
  /** Recent events shown first. */
  readonly limit: number;
  /** Keep polling until `stopped` settles. */
  readonly follow?: { readonly intervalMs: number; readonly stopped: Promise<unknown> };
  readonly filter: { readonly app_id?: string; readonly status?: string };
  readonly write: (line: string) => void;
  readonly format: 'text' | 'json';
}

/**
 * Events are ordered by when they happened, and one that commits late can have an earlier time
 * than one already shown; each poll therefore looks this far back and skips ids it has shown.
 */
const OVERLAP_MS = 30_000;
const REMEMBERED_IDS = 100_000;

/** `sluice events tail`: the latest events, oldest first, then (with follow) new ones as they come. */
export async function tailEvents(options: TailOptions): Promise<void> {
  const shown = new Set<string>();
  let newest = Date.now() - OVERLAP_MS;
  const show = (event: EventView) => {
    if (shown.has(event.event_id)) return;
    shown.add(event.event_id);
    if (shown.size > REMEMBERED_IDS) shown.delete(shown.values().next().value as string);
    newest = Math.max(newest, Date.parse(event.event.at));
    options.write(options.format === 'json' ? JSON.stringify(event) : eventLine(event));
  };

  if (options.limit > 0) {
    const page = await getEvents(options.url, { ...options.filter, order: 'desc', limit: String(options.limit) });
    page.events.reverse().forEach(show);
  }
  if (!options.follow) return;
  let stopped = false;
  void options.follow.stopped.then(() => (stopped = true));
  while (!stopped) {
    await Promise.race([sleep(options.follow.intervalMs), options.follow.stopped]);
    if (stopped) break;
    let cursor: string | null = null;
    do {
      const page = await getEvents(options.url, { ...options.filter, order: 'asc', from: new Date(newest - OVERLAP_MS).toISOString(), ...(cursor ? { cursor } : {}) });
      page.events.forEach(show);
      cursor = page.next_cursor;
    } while (cursor && !stopped);
  }
}

export function eventLine(event: EventView): string {
  const { entity } = event;
  const what = entity.type === 'subjob' ? `subjob ${entity.id} of ${entity.parent_id}` : `job ${entity.id}`;
  const metrics = Object.entries(event.event.metrics).map(([name, value]) => `${name}=${value}`);
  return [event.event.at, event.event.status.padEnd(9), what, event.event.kind, `app=${event.app.app_id}`, ...metrics, `key=${event.idempotency_key}`].join('  ');
}

async function getEvents(base: string, query: Record<string, string | undefined>): Promise<{ events: EventView[]; next_cursor: string | null }> {
  const params = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const url = `${base.replace(/\/$/, '')}/v1/events?${params}`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new UserError(`The event API at ${base} did not answer: ${messageOf((err as Error).cause ?? err)}`, 'Is it running (sluice events serve, or sluice up with events.enabled)? Pass --url to ask another site.', { cause: err });
  }
  const body = (await response.json().catch(() => undefined)) as { events?: EventView[]; next_cursor?: string | null; message?: string } | undefined;
  if (!response.ok || !body?.events) throw new UserError(`The event API at ${base} answered ${response.status}: ${body?.message ?? 'not an event list'}`);
  return { events: body.events, next_cursor: body.next_cursor ?? null };
}
