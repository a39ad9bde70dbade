/**
 * Event times as the API accepts them: RFC 3339 with a zone (`2025-03-01T12:00:00.123456Z`,
 * `…+02:00`), checked field by field. `Date.parse` would turn 2025-02-30 into March 2nd and read a
 * zoneless time in the server's zone; both silently store the wrong time. Numbers are refused,
 * with a guess at whether they were epoch seconds or milliseconds, since that confusion is the
 * usual reason a client sends one.
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

/** An instant with microseconds, the precision Postgres keeps. */
export interface EventInstant {
  /** Milliseconds since the epoch. */
  readonly epochMs: number;
  /** 0–999: the microseconds below epochMs. */
  readonly micros: number;
  /** Canonical UTC text with 6 fractional digits, as Postgres prints it. */
  readonly iso: string;
}

/** A Date (or ms since the epoch) as an EventInstant's iso text: the one time format the APIs answer with. */
export function microsecondIso(date: Date | number): string {
  return `${new Date(date).toISOString().slice(0, 23)}000Z`;
}

export interface TimeBounds {
  /** Earliest accepted instant. */
  readonly notBefore: Date;
  /** Latest accepted instant (now plus the allowed clock skew). */
  readonly notAfter: Date;
}

export type TimestampResult = { ok: true; value: EventInstant } | { ok: false; problem: string };

export function parseEventTimestamp(value: unknown, bounds: TimeBounds): TimestampResult {
  if (typeof value === 'number') return { ok: false, problem: `expected an RFC 3339 timestamp string such as "2025-03-01T12:00:00Z", got the number ${value}${epochGuess(value)}` };
  if (typeof value !== 'string') return { ok: false, problem: `expected an RFC 3339 timestamp string such as "2025-03-01T12:00:00Z", got ${describe(value)}` };
  if (value.length > 40) return { ok: false, problem: `expected an RFC 3339 timestamp, got a string of ${value.length} characters` };
  const match = RFC3339.exec(value);
  if (!match) return { ok: false, problem: `"${value}" is not an RFC 3339 timestamp with a time zone, such as "2025-03-01T12:00:00Z" or "2025-03-01T14:00:00.5+02:00"` };
  const [, y, mo, d, h, mi, s, fraction = '', zone] = match as unknown as [string, string, string, string, string, string, string, string | undefined, string];
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12) return { ok: false, problem: `"${value}" has month ${month}; months are 01–12` };
  const daysInMonth = month === 2 ? (isLeapYear(year) ? 29 : 28) : DAYS_IN_MONTH[month - 1]!;
  if (day < 1 || day > daysInMonth) return { ok: false, problem: `"${value}": ${y}-${mo} has ${daysInMonth} days, there is no day ${d}` };
  if (hour > 23 || minute > 59 || second > 59) return { ok: false, problem: `"${value}" has no such time of day (hours 00–23, minutes and seconds 00–59; leap seconds are not accepted)` };
  const offsetMinutes = zone === 'Z' || zone === 'z' ? 0 : offsetOf(zone);
  if (offsetMinutes === undefined) return { ok: false, problem: `"${value}" has the time zone offset ${zone}; offsets run from -23:59 to +23:59` };
  // Date.UTC reads years 0–99 as 1900–1999; no event is that old anyway.
  if (year < 1000) return { ok: false, problem: `"${value}" is in the year ${year}` };
  const wholeMs = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000;
  // Postgres keeps microseconds; digits beyond them (a Go client's nanoseconds) are dropped.
  const digits = fraction.padEnd(9, '0');
  const epochMs = wholeMs + Number(digits.slice(0, 3));
  const micros = Number(digits.slice(3, 6));
  if (epochMs < bounds.notBefore.getTime()) return { ok: false, problem: `"${value}" is before ${bounds.notBefore.toISOString()}, the oldest time accepted (older events are past retention)` };
  if (epochMs > bounds.notAfter.getTime()) return { ok: false, problem: `"${value}" is after ${bounds.notAfter.toISOString()}, later than now plus the allowed clock skew; check the client's clock and time zone` };
  // In UTC already (most clients), the canonical text is the fields themselves: no Date to build and print.
  const iso = offsetMinutes === 0 ? `${y}-${mo}-${d}T${h}:${mi}:${s}.${digits.slice(0, 6)}Z` : `${new Date(epochMs).toISOString().slice(0, 23)}${digits.slice(3, 6)}Z`;
  return { ok: true, value: { epochMs, micros, iso } };
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

function offsetOf(zone: string): number | undefined {
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 23 || minutes > 59) return undefined;
  return (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/** Which epoch unit a number most likely is, for the error message. */
function epochGuess(value: number): string {
  if (!Number.isFinite(value)) return '';
  const abs = Math.abs(value);
  const as = (ms: number) => new Date(ms).toISOString();
  if (abs >= 1e9 && abs < 1e11) return `; if that is epoch seconds it is ${as(value * 1000)}: send it as an ISO string`;
  if (abs >= 1e11 && abs < 1e14) return `; if that is epoch milliseconds it is ${as(value)}: send it as an ISO string`;
  if (abs >= 1e14 && abs < 1e17) return `; if that is epoch microseconds it is ${as(value / 1000)}: send it as an ISO string`;
  return '';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
