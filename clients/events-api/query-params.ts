import { EVENT_STATUSES, type EventStatus } from '../../activities/events/event-body';
import { parseEventTimestamp, type EventInstant } from '../../activities/events/event-timestamp';
import { ApiError } from './api-error';

/**
 * Query-string parameters of the GET routes, read strictly: an unknown or repeated parameter is a
 * 400 (a typo such as ?stauts=failed must not quietly return everything), and so is a value that
 * does not parse.
 */
export class QueryParams {
  private constructor(private readonly values: Record<string, string>) {}

  static read(query: unknown, allowed: readonly string[]): QueryParams {
    const values: Record<string, string> = {};
    for (const [name, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
      if (!allowed.includes(name)) throw badParam(name, `is not a parameter here; the parameters are ${allowed.join(', ')}`);
      if (typeof value !== 'string') throw badParam(name, 'is given more than once');
      values[name] = value;
    }
    return new QueryParams(values);
  }

  text(name: string): string | undefined {
    const value = this.values[name];
    if (value !== undefined && (value.length === 0 || value.length > 200)) throw badParam(name, 'must be 1 to 200 characters');
    return value;
  }

  /** An RFC 3339 time, kept to the microsecond. */
  time(name: string): EventInstant | undefined {
    const value = this.values[name];
    if (value === undefined) return undefined;
    const parsed = parseEventTimestamp(value, ANY_TIME);
    if (!parsed.ok) throw badParam(name, parsed.problem);
    return parsed.value;
  }

  status(name = 'status'): EventStatus | undefined {
    const value = this.values[name];
    if (value === undefined) return undefined;
    if (!(EVENT_STATUSES as readonly string[]).includes(value)) throw badParam(name, `must be one of ${EVENT_STATUSES.join(', ')}`);
    return value as EventStatus;
  }

  oneOf<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const value = this.values[name] ?? fallback;
    if (!(choices as readonly string[]).includes(value)) throw badParam(name, `must be one of ${choices.join(', ')}`);
    return value as T;
  }

  limit(max: number, fallback = Math.min(100, max)): number {
    const value = this.values.limit;
    if (value === undefined) return fallback;
    if (!/^\d{1,6}$/.test(value) || Number(value) < 1 || Number(value) > max) throw badParam('limit', `must be a whole number from 1 to ${max}`);
    return Number(value);
  }

  /** The position after which the next page starts: what next_cursor said. */
  cursor(): PageCursor | undefined {
    const value = this.values.cursor;
    if (value === undefined) return undefined;
    const decoded = decodeCursor(value);
    if (!decoded) throw badParam('cursor', 'is not a cursor this API gave out; pass next_cursor from the previous page unchanged');
    return decoded;
  }
}

/** Keyset paging: the sort time (µs text) and id of the last row of a page. */
export interface PageCursor {
  readonly at: string;
  readonly id: string;
  /** The start of the window the first page listed, when the API chose it (no ?from): later pages list the same window. */
  readonly windowFrom?: string;
}

export function encodeCursor({ at, id, windowFrom }: PageCursor): string {
  return Buffer.from(JSON.stringify(windowFrom === undefined ? [at, id] : [at, id, windowFrom])).toString('base64url');
}

function decodeCursor(text: string): PageCursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length < 2 || value.length > 3 || typeof value[1] !== 'string') return undefined;
    const at = parseEventTimestamp(value[0], ANY_TIME);
    if (!at.ok) return undefined;
    if (value.length === 2) return { at: at.value.iso, id: value[1] };
    const windowFrom = parseEventTimestamp(value[2], ANY_TIME);
    return windowFrom.ok ? { at: at.value.iso, id: value[1], windowFrom: windowFrom.value.iso } : undefined;
  } catch {
    return undefined;
  }
}

const ANY_TIME = { notBefore: new Date('1970-01-01T00:00:00Z'), notAfter: new Date('9999-12-31T23:59:59Z') };

function badParam(name: string, problem: string): ApiError {
  return new ApiError(400, 'invalid_query', `?${name} ${problem}`, { problems: [{ path: `?${name}`, problem }] });
}
