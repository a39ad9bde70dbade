import { checkEventBody } from '../../../activities/events/event-body';
import { parseEventTimestamp } from '../../../activities/events/event-timestamp';
import { MAX_JSON_DEPTH, tooDeep, unstorableValue } from '../../../activities/events/json-limits';
import { seededRandom } from '../../harness/seeded-random';

const bounds = { notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2026-11-23T12:05:00Z') };

const valid = () => ({
  idempotency_key: 'site-a:job-42:finished',
  site_id: 'site-a',
  app: { app_id: 'etch-7', name: 'Etcher', version: '2.1.0' },
  entity: { type: 'job', id: 'job-42', business_key: 'LOT-9' },
  event: { kind: 'finished', at: '2026-11-23T10:15:30.123456+01:00', status: 'succeeded', metrics: { duration_s: 12.5, cpu_user_s: 3 }, metadata: { operator: 'kim', tags: ['a', 'b'] } },
});

const problemsOf = (body: unknown) => {
  const result = checkEventBody(body, bounds);
  if (result.ok) throw new Error('expected the body to be refused');
  return result.problems;
};

describe('checkEventBody', () => {
  it('accepts the seed\'s body and fills the defaults', () => {
    const result = checkEventBody({ ...valid(), app: { app_id: 'etch-7' }, event: { kind: 'started', at: '2026-11-23T09:00:00Z', status: 'running' } }, bounds);
    expect(result).toEqual({
      ok: true,
      event: {
        idempotency_key: 'site-a:job-42:finished',
        site_id: 'site-a',
        app: { app_id: 'etch-7', name: '', version: '' },
        entity: { type: 'job', id: 'job-42', business_key: 'LOT-9' },
        event: { kind: 'started', at: { epochMs: Date.UTC(2026, 10, 23, 9), micros: 0, iso: '2026-11-23T09:00:00.000000Z' }, status: 'running', metrics: {}, metadata: {} },
      },
    });
    const full = checkEventBody(valid(), bounds);
    expect(full.ok && full.event.event.at).toEqual({ epochMs: Date.UTC(2026, 10, 23, 9, 15, 30, 123), micros: 456, iso: '2026-11-23T09:15:30.123456Z' });
  });

  it('names every missing, extra or mistyped field with its path, at once', () => {
    const body = { ...valid(), colour: 'red', app: { name: 'x' }, entity: { type: 'batch', id: 5 }, event: { at: '2026-11-23T09:00:00Z', status: 'done', metrics: { 'bad name': 1, ok: 'fast' } } };
    expect(problemsOf(body)).toEqual(
      expect.arrayContaining([
        { path: '$', problem: 'unknown field "colour"' },
        { path: '$.app.app_id', problem: 'app.app_id is missing' },
        { path: '$.entity.type', problem: 'entity.type must be "job" or "subjob"' },
        { path: '$.entity.id', problem: 'entity.id must be a string' },
        { path: '$.event.kind', problem: 'event.kind must be a string' },
        { path: '$.event.status', problem: 'event.status must be one of queued, running, succeeded, failed, cancelled' },
        { path: '$.event.metrics.bad name', problem: expect.stringMatching(/metric name/) },
        { path: '$.event.metrics.ok', problem: 'a metric must be a number' },
      ]),
    );
    expect(problemsOf(null)).toEqual(expect.arrayContaining([{ path: '$', problem: expect.stringMatching(/expected object/i) }]));
    expect(problemsOf([valid()])).toEqual(expect.arrayContaining([{ path: '$', problem: expect.stringMatching(/expected object/i) }]));
  });

  it('wants a subjob to name its job', () => {
    expect(problemsOf({ ...valid(), entity: { type: 'subjob', id: 's-1', sub_key: 'wafer-3' } })).toEqual([{ path: '$.entity.parent_id', problem: 'a subjob must name its job in entity.parent_id' }]);
  });

  it('refuses NUL characters and numbers that overflowed, wherever they are', () => {
    const nul = JSON.parse('{"operator":"ki\\u0000m"}');
    expect(problemsOf({ ...valid(), event: { ...valid().event, metadata: { nested: [nul] } } })).toEqual([{ path: '$.event.metadata.nested[0].operator', problem: 'contains a NUL character (\\u0000), which cannot be stored' }]);
    const huge = JSON.parse('{"duration_s": 1e999}');
    expect(problemsOf({ ...valid(), event: { ...valid().event, metrics: huge } })).toEqual(expect.arrayContaining([{ path: '$.event.metrics.duration_s', problem: 'is a number too large to represent (it overflowed to infinity)' }]));
    expect(problemsOf({ ...valid(), site_id: 'site\u0000a' })).toEqual(expect.arrayContaining([{ path: '$.site_id', problem: expect.stringMatching(/NUL/) }]));
  });

  it('refuses over-long and non-printable identifiers', () => {
    expect(problemsOf({ ...valid(), idempotency_key: 'k'.repeat(201) })).toEqual([{ path: '$.idempotency_key', problem: 'idempotency_key is longer than 200 characters' }]);
    expect(problemsOf({ ...valid(), site_id: 'site a' })).toEqual([{ path: '$.site_id', problem: 'site_id must be printable ASCII without spaces' }]);
    expect(problemsOf({ ...valid(), idempotency_key: '' })).toEqual([{ path: '$.idempotency_key', problem: 'idempotency_key is empty' }]);
  });

  it('refuses more than 100 metrics', () => {
    const metrics = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`m${i}`, i]));
    expect(problemsOf({ ...valid(), event: { ...valid().event, metrics } })).toEqual([{ path: '$.event.metrics', problem: 'at most 100 metrics per event' }]);
  });
});

describe('parseEventTimestamp', () => {
  const problem = (value: unknown) => {
    const result = parseEventTimestamp(value, bounds);
    if (result.ok) throw new Error(`expected ${String(value)} to be refused`);
    return result.problem;
  };

  it('refuses a day that does not exist instead of rolling it into the next month', () => {
    expect(problem('2025-02-30T00:00:00Z')).toBe('"2025-02-30T00:00:00Z": 2025-02 has 28 days, there is no day 30');
    expect(problem('2025-02-29T00:00:00Z')).toBe('"2025-02-29T00:00:00Z": 2025-02 has 28 days, there is no day 29');
    expect(parseEventTimestamp('2024-02-29T23:59:59Z', { ...bounds, notBefore: new Date('2024-01-01T00:00:00Z') }).ok).toBe(true);
    expect(problem('2025-04-31T00:00:00Z')).toMatch(/2025-04 has 30 days/);
    expect(problem('2025-13-01T00:00:00Z')).toMatch(/month 13; months are 01–12/);
    expect(problem('2025-06-01T24:00:00Z')).toMatch(/no such time of day/);
    expect(problem('2025-06-30T23:59:60Z')).toMatch(/leap seconds are not accepted/);
  });

  it('wants a time zone, and reads offsets', () => {
    expect(problem('2025-06-01T12:00:00')).toMatch(/not an RFC 3339 timestamp with a time zone/);
    expect(problem('2025-06-01')).toMatch(/not an RFC 3339 timestamp/);
    expect(problem('2025-06-01T12:00:00+24:00')).toMatch(/offsets run from -23:59 to \+23:59/);
    const a = parseEventTimestamp('2025-06-01T14:30:00.5+02:30', bounds);
    expect(a.ok && a.value.iso).toBe('2025-06-01T12:00:00.500000Z');
    const b = parseEventTimestamp('2025-06-01t12:00:00.123456789z', bounds);
    expect(b.ok && b.value).toEqual({ epochMs: Date.UTC(2025, 5, 1, 12, 0, 0, 123), micros: 456, iso: '2025-06-01T12:00:00.123456Z' });
  });

  it('gives the instant and canonical text Date gives, for 20,000 random times in every zone, and knows every month length', () => {
    const wide = { notBefore: new Date('1000-01-01T00:00:00Z'), notAfter: new Date('9999-12-31T23:59:59Z') };
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    for (let i = 0; i < 20_000; i++) {
      const at = new Date(Date.UTC(1000, 0, 1) + Math.random() * (Date.UTC(9999, 0, 1) - Date.UTC(1000, 0, 1)));
      const fraction = ['', '.5', '.123', '.123456', '.123456789'][i % 5]!;
      const offset = i % 3 === 0 ? 'Z' : `${i % 2 ? '+' : '-'}${pad(i % 24)}:${pad(i % 60)}`;
      const text = `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}${['T', 't', ' '][i % 3]}${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}${fraction}${offset}`;
      const parsed = parseEventTimestamp(text, wide);
      const sign = offset === 'Z' ? 0 : offset[0] === '+' ? 1 : -1;
      const digits = fraction.slice(1).padEnd(9, '0');
      const epochMs = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate(), at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds()) - sign * ((i % 24) * 60 + (i % 60)) * 60_000 + Number(digits.slice(0, 3));
      if (epochMs < wide.notBefore.getTime() || epochMs > wide.notAfter.getTime()) continue;
      expect([text, parsed]).toEqual([text, { ok: true, value: { epochMs, micros: Number(digits.slice(3, 6)), iso: `${new Date(epochMs).toISOString().slice(0, 23)}${digits.slice(3, 6)}Z` } }]);
    }
    for (let year = 1000; year <= 9999; year += 1) {
      for (let month = 1; month <= 12; month++) {
        const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
        const day = (n: number) => parseEventTimestamp(`${year}-${pad(month)}-${pad(n)}T12:00:00Z`, wide).ok;
        if (!day(days) || day(days + 1)) throw new Error(`${year}-${pad(month)} should have ${days} days`);
      }
    }
  });

  it('refuses infinity, out-of-range and too-new times', () => {
    expect(problem('infinity')).toMatch(/not an RFC 3339 timestamp/);
    expect(problem('-infinity')).toMatch(/not an RFC 3339 timestamp/);
    expect(problem('0099-01-01T00:00:00Z')).toBe('"0099-01-01T00:00:00Z" is in the year 99');
    expect(problem('2024-12-31T23:59:59Z')).toMatch(/before 2025-01-01T00:00:00.000Z, the oldest time accepted/);
    expect(problem('2026-11-23T12:05:00.001Z')).toMatch(/later than now plus the allowed clock skew/);
    expect(problem('275760-09-13T00:00:00Z')).toMatch(/not an RFC 3339 timestamp/);
    expect(problem('9'.repeat(1000))).toMatch(/a string of 1000 characters/);
  });

  it('refuses epoch numbers, guessing their unit for the message', () => {
    expect(problem(1_763_900_000)).toBe('expected an RFC 3339 timestamp string such as "2025-03-01T12:00:00Z", got the number 1763900000; if that is epoch seconds it is 2025-11-23T12:13:20.000Z: send it as an ISO string');
    expect(problem(1_763_900_000_000)).toMatch(/if that is epoch milliseconds it is 2025-11-23T12:13:20.000Z/);
    expect(problem(1_763_900_000_000_000)).toMatch(/if that is epoch microseconds it is 2025-11-23T12:13:20.000Z/);
    expect(problem(Number.NaN)).toBe('expected an RFC 3339 timestamp string such as "2025-03-01T12:00:00Z", got the number NaN');
    expect(problem(null)).toMatch(/got null$/);
    expect(problem(undefined)).toMatch(/got undefined$/);
    expect(problem({})).toMatch(/got an object$/);
  });
});

describe('JSON limits', () => {
  it('finds nesting deeper than the limit in one pass, even 10,000 deep, ignoring brackets in strings', () => {
    expect(tooDeep('[]')).toBeUndefined();
    expect(tooDeep('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH))).toBeUndefined();
    expect(tooDeep('['.repeat(MAX_JSON_DEPTH + 1))).toEqual({ at: MAX_JSON_DEPTH });
    expect(tooDeep(`{"a":"${'['.repeat(100)}\\"${'{'.repeat(100)}"}`)).toBeUndefined();
    const hostile = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    const started = Date.now();
    expect(tooDeep(hostile)).toEqual({ at: 5 * MAX_JSON_DEPTH });
    expect(tooDeep('"'.repeat(5_000_000))).toBeUndefined();
    expect(tooDeep(`"${'\\'.repeat(5_000_000)}"[[`, 1)).toEqual({ at: 5_000_003 });
    expect(tooDeep(`"${'\\"'.repeat(2_000_000)}`)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('skips strings as a reading of each character would: escaped quotes, escaped backslashes, unterminated strings', () => {
    expect(tooDeep('["a\\\\",[[', 2)).toEqual({ at: 8 });
    expect(tooDeep('["a\\",[[', 2)).toBeUndefined();
    // The reference reads every character; tooDeep jumps from quote to quote.
    const reference = (text: string, maxDepth: number) => {
      let depth = 0;
      let inString = false;
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (inString) {
          if (c === '\\') i += 1;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === '[' || c === '{') {
          if (++depth > maxDepth) return { at: i };
        } else if (c === ']' || c === '}') depth -= 1;
      }
      return undefined;
    };
    const random = seededRandom(6);
    const pieces = ['"', '\\', '\\\\', '\\"', '[', ']', '{', '}', 'a', ','];
    const disagreements: unknown[] = [];
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      for (let k = 1 + Math.floor(random() * 40); k > 0; k--) text += pieces[Math.floor(random() * pieces.length)];
      const maxDepth = 1 + Math.floor(random() * 4);
      if (JSON.stringify(tooDeep(text, maxDepth)) !== JSON.stringify(reference(text, maxDepth))) disagreements.push({ text, maxDepth });
    }
    expect(disagreements).toEqual([]);
  });

  it('reports the first unstorable value with its path', () => {
    expect(unstorableValue({ a: [1, 'ok', { b: 'x\u0000' }] })).toEqual({ path: '$.a[2].b', problem: 'contains a NUL character (\\u0000), which cannot be stored' });
    expect(unstorableValue({ ['k\u0000']: 1 })).toEqual({ path: '$', problem: 'has a key containing a NUL character (\\u0000)' });
    expect(unstorableValue([Number.POSITIVE_INFINITY])).toEqual({ path: '$[0]', problem: 'is a number too large to represent (it overflowed to infinity)' });
    expect(unstorableValue({ a: null, b: true, c: 1.5, d: 'fine' })).toBeUndefined();
    // The path is put together on the way back from the problem: each step in order, under the given start.
    expect(unstorableValue({ ok: [1], a: [[0], [{ 'b.c': [2, { d: -Infinity }] }]] }, '$.events[7]')).toEqual({ path: '$.events[7].a[1][0].b.c[1].d', problem: expect.stringMatching(/overflowed to infinity/) });
    expect(unstorableValue({ x: 1e999 }, '$.events[0]')).toEqual({ path: '$.events[0].x', problem: expect.stringMatching(/overflowed/) });
    expect(unstorableValue({ note: 'half a pair \ud83d here' })).toEqual({ path: '$.note', problem: expect.stringMatching(/^contains an unpaired UTF-16 surrogate/) });
    expect(unstorableValue(['\udc00 starts with a low half'])).toEqual({ path: '$[0]', problem: expect.stringMatching(/unpaired UTF-16 surrogate/) });
    expect(unstorableValue({ ['k\udfff']: 1 })).toEqual({ path: '$', problem: expect.stringMatching(/^has a key containing an unpaired UTF-16 surrogate/) });
    expect(unstorableValue({ rocket: '\ud83d\ude80', mixed: 'Ærø 東京' })).toBeUndefined();
  });
});
