import { checkEventBodyWithSchema } from '../../../activities/events/event-body';
import { acceptValidEventBody } from '../../../activities/events/event-body-fast-path';

const bounds = { notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2026-11-23T12:05:00Z') };

const base = () => ({
  idempotency_key: 'site-a:job-42:finished',
  site_id: 'site-a',
  app: { app_id: 'etch-7', name: 'Etcher', version: '2.1.0' },
  entity: { type: 'subjob', id: 'step-3', parent_id: 'job-42', business_key: 'LOT-9', sub_key: 'chamber-2' },
  event: { kind: 'finished', at: '2026-11-23T10:15:30.123456+01:00', status: 'succeeded', metrics: { duration_s: 12.5 }, metadata: { operator: 'kim', tags: ['a', { b: null }] } },
});

type Body = Record<string, any>;
/** A copy of the base body with one change made at a path (undefined deletes the member). */
function changed(path: string[], value: unknown): Body {
  const body: Body = JSON.parse(JSON.stringify(base())); // not structuredClone: its objects come from another realm than jest's
  let target = body;
  for (const key of path.slice(0, -1)) target = target[key];
  const last = path[path.length - 1]!;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return body;
}

// Every member of the body, each set to values of every kind, valid and not.
const VALUES: unknown[] = [undefined, null, '', 'x', ' ', 'ok-id', 'a b', 'UPPER', 'é', 'x'.repeat(64), 'x'.repeat(65), 'x'.repeat(101), 'x'.repeat(201), 0, -1.5, 1e308, true, [], ['x'], {}, { a: 1 }, { 'bad name': 1 }, { a: 'text' }, { __proto__: null, a: 1 }, 'queued', 'job', 'subjob', '2026-11-23T09:00:00Z', '2025-02-30T00:00:00Z', 'a\u0000b', 'half \ud83d'];
const PATHS = [
  ['idempotency_key'], ['site_id'], ['app'], ['app', 'app_id'], ['app', 'name'], ['app', 'version'], ['app', 'extra'],
  ['entity'], ['entity', 'type'], ['entity', 'id'], ['entity', 'parent_id'], ['entity', 'business_key'], ['entity', 'sub_key'], ['entity', 'extra'],
  ['event'], ['event', 'kind'], ['event', 'at'], ['event', 'status'], ['event', 'metrics'], ['event', 'metadata'], ['event', 'extra'], ['extra'],
];

describe('acceptValidEventBody (the fast path of checkEventBody)', () => {
  it('accepts exactly what the schema accepts, returning the same event, for every member set to every kind of value', () => {
    let accepted = 0;
    let compared = 0;
    for (const path of PATHS) {
      for (const value of VALUES) {
        const body = changed(path, value);
        const fast = acceptValidEventBody(body, bounds);
        const schema = checkEventBodyWithSchema(body, bounds);
        compared += 1;
        // The fast path may leave a valid body to the schema, but never accepts what the schema refuses or return another value.
        if (fast !== undefined) {
          accepted += 1;
          expect({ path, value, result: schema }).toEqual({ path, value, result: { ok: true, event: fast } });
        } else if (schema.ok) {
          throw new Error(`the fast path refused a valid body (${path.join('.')} = ${JSON.stringify(value)}); valid bodies must not pay for the schema`);
        }
      }
    }
    expect(compared).toBe(PATHS.length * VALUES.length);
    expect(accepted).toBeGreaterThan(40);
  });

  it('fills the defaults the schema fills', () => {
    const body = { idempotency_key: 'k', site_id: 's', app: { app_id: 'a' }, entity: { type: 'job', id: 'j' }, event: { kind: 'started', at: '2026-11-23T09:00:00Z', status: 'running' } };
    const fast = acceptValidEventBody(body, bounds);
    expect(fast).toEqual({ ...body, app: { app_id: 'a', name: '', version: '' }, event: { ...body.event, at: expect.objectContaining({ iso: '2026-11-23T09:00:00.000000Z' }), metrics: {}, metadata: {} } });
    expect(checkEventBodyWithSchema(body, bounds)).toEqual({ ok: true, event: fast });
  });

  it('leaves a subjob without its job, 101 metrics, a metric of Infinity and a non-JSON object to the schema', () => {
    expect(acceptValidEventBody(changed(['entity', 'parent_id'], undefined), bounds)).toBeUndefined();
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`m${i}`, i]));
    expect(acceptValidEventBody(changed(['event', 'metrics'], many), bounds)).toBeUndefined();
    expect(acceptValidEventBody(changed(['event', 'metrics'], { x: Infinity }), bounds)).toBeUndefined();
    expect(acceptValidEventBody(changed(['event', 'metadata'], new Date()), bounds)).toBeUndefined();
    for (const input of [null, undefined, 'text', 42, [], [base()]]) expect(acceptValidEventBody(input, bounds)).toBeUndefined();
  });
});
