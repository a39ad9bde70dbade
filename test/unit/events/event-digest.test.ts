import { checkEventBody, type EventBody } from '../../../activities/events/event-body';
import { canonicalEventJson, canonicalJson, eventDigest, quoted } from '../../../activities/events/event-digest';
import { seededRandom } from '../../harness/seeded-random';

const bounds = { notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2026-12-31T00:00:00Z') };

function checked(body: unknown): EventBody {
  const result = checkEventBody(body, bounds);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.event;
}

const body = (entity: Record<string, unknown>, event: Record<string, unknown> = {}) => ({
  idempotency_key: 'k-1', site_id: 'site-a', app: { app_id: 'etch', name: 'Ætcher "2"', version: '2.1.0' }, entity,
  event: { kind: 'finished', at: '2026-11-23T10:15:30.123456+01:00', status: 'succeeded', ...event },
});

/** The digest's definition: the checked body as canonicalJson, with `at` as its canonical text. */
const reference = (event: EventBody) => canonicalJson({ ...event, event: { ...event.event, at: event.event.at.iso } });

describe('eventDigest', () => {
  it('writes exactly the canonical JSON of the body, for every combination of optional members', () => {
    const entities = [
      { type: 'job', id: 'j' },
      { type: 'job', id: 'j', business_key: 'LOT\n"9"' },
      { type: 'subjob', id: 's', parent_id: 'j' },
      { type: 'subjob', id: 's', parent_id: 'j', sub_key: 'c2' },
      { type: 'subjob', id: 's', parent_id: 'j', business_key: '', sub_key: '\\' },
    ];
    const events = [{}, { metrics: { z: 1, a: -0.5, m: 1e-7 } }, { metadata: { z: [3, { y: 1, b: null }], a: 'ü', '': true, '\u2028': 'sep' } }];
    for (const entity of entities) {
      for (const event of events) {
        const stored = checked(body(entity, event));
        expect(canonicalEventJson(stored)).toBe(reference(stored));
      }
    }
  });

  it('is the same for the same event written differently, and differs for any other value', () => {
    const first = eventDigest(checked(body({ type: 'job', id: 'j' }, { metadata: { a: 1, b: 2 } })));
    const reordered = eventDigest(checked({ event: { metadata: { b: 2, a: 1 }, status: 'succeeded', at: '2026-11-23T09:15:30.123456Z', kind: 'finished', metrics: {} }, entity: { id: 'j', type: 'job' }, app: { version: '2.1.0', name: 'Ætcher "2"', app_id: 'etch' }, site_id: 'site-a', idempotency_key: 'k-1' }));
    expect(reordered).toBe(first);
    expect(eventDigest(checked(body({ type: 'job', id: 'j' }, { metadata: { a: 1, b: 3 } })))).not.toBe(first);
    expect(eventDigest(checked(body({ type: 'job', id: 'j' }, { metadata: { a: 1, b: 2 }, at: '2026-11-23T09:15:30.123457Z' })))).not.toBe(first);
  });

  it('writes keys in UTF-16 code unit order at every level, numbers as JSON.stringify does, and `at` in UTC to the microsecond', () => {
    // Written out by hand, not by canonicalJson: this text is what stored digests were computed from.
    const stored = checked({
      idempotency_key: 'k-1', site_id: 'site-a', app: { app_id: 'etch', name: 'Ætcher "2"', version: '2.1.0' }, entity: { type: 'job', id: 'j', business_key: 'LOT\n9' },
      event: { kind: 'finished', at: '2026-11-23T10:15:30.123456+01:00', status: 'succeeded', metrics: { z: 1, a: -0.5 }, metadata: { zone: { b: [2, { y: 1, x: null }], a: 'ü' }, Zeta: true, '': 0, 'a b': 1e21 } },
    });
    expect(canonicalEventJson(stored)).toBe(
      String.raw`{"app":{"app_id":"etch","name":"Ætcher \"2\"","version":"2.1.0"},"entity":{"business_key":"LOT\n9","id":"j","type":"job"},` +
        String.raw`"event":{"at":"2026-11-23T09:15:30.123456Z","kind":"finished","metadata":{"":0,"Zeta":true,"a b":1e+21,"zone":{"a":"ü","b":[2,{"x":null,"y":1}]}},` +
        String.raw`"metrics":{"a":-0.5,"z":1},"status":"succeeded"},"idempotency_key":"k-1","site_id":"site-a"}`,
    );
  });

  it('never changes: digests stored by earlier versions must still match', () => {
    // Pinned when the digest was first written; a change here turns every replay of a stored event into a 409.
    expect(eventDigest(checked(body({ type: 'subjob', id: 's', parent_id: 'j', sub_key: 'c2' }, { metrics: { duration_s: 12.5 }, metadata: { tags: ['a'] } })))).toBe('dd7fec131ddf7d77e14e4e4ad1b8861bd04fcbc11971f087bb5b55ccb159a002');
  });
});

/** canonicalJson as first written: every key sorted, every string through JSON.stringify. */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : sortedJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record).sort().filter((key) => record[key] !== undefined).map((key) => `${JSON.stringify(key)}:${sortedJson(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Quotes, backslashes, control characters, separators, paired and lone surrogates, and plain text. */
const HOSTILE = ['a', 'Z', '0', ' ', '"', '\\', '\u0000', '\u0008', '\n', '\u001f', '\u007f', 'é', '\u2028', '\ud83d\ude00', '\ud83d', '\ude00', '\udbff', '/', '{', '}'];

function randomText(random: () => number): string {
  let text = '';
  const length = Math.floor(random() * 12);
  for (let i = 0; i < length; i++) text += HOSTILE[Math.floor(random() * HOSTILE.length)];
  return text;
}

function randomValue(random: () => number, depth: number): unknown {
  const pick = Math.floor(random() * (depth > 3 ? 5 : 7));
  if (pick === 0) return randomText(random);
  if (pick === 1) return [0, -0, 1e21, -0.5, 12.5, 1e-7, Number.MAX_SAFE_INTEGER][Math.floor(random() * 7)];
  if (pick === 2) return random() < 0.5;
  if (pick === 3) return null;
  if (pick === 4) return undefined;
  if (pick === 5) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
  return Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, () => [randomText(random), randomValue(random, depth + 1)]));
}

describe('quoted', () => {
  it('writes what JSON.stringify writes, for 20,000 seeded random texts of characters JSON escapes and some it does not', () => {
    const random = seededRandom(11);
    const texts = Array.from({ length: 20_000 }, () => randomText(random));
    expect(texts.filter((text) => quoted(text) !== JSON.stringify(text))).toEqual([]);
    expect(texts.filter((text) => quoted(text) !== `"${text}"`).length).toBeGreaterThan(10_000); // most need escaping
  });
});

describe('canonicalJson', () => {
  it('writes what sorting every key and JSON.stringify write, for 5,000 seeded random values, nested, with hostile keys and undefined members', () => {
    const random = seededRandom(12);
    const values = Array.from({ length: 5_000 }, () => randomValue(random, 0));
    expect(values.filter((value) => canonicalJson(value) !== sortedJson(value))).toEqual([]);
  });
});
