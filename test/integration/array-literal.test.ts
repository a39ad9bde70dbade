import { arrayLiteral } from '../../infra/db/array-literal';
import { useIsolatedTest } from '../harness/isolated-test';

/** Characters that mean something in an array literal, in JSON or in SQL, and some that need more than one UTF-16 unit. */
const HOSTILE_ALPHABET = ['"', '\\', '{', '}', ',', ' ', '\t', '\n', "'", 'N', 'U', 'L', 'a', '東', '🚀', '\u00a0'];

function hostileString(random: () => number): string {
  const length = Math.floor(random() * 12);
  let text = '';
  for (let i = 0; i < length; i++) text += HOSTILE_ALPHABET[Math.floor(random() * HOSTILE_ALPHABET.length)];
  return text;
}

/** A fixed sequence, so that a failure can be reproduced. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
}

describe('arrayLiteral (read back by real Postgres)', () => {
  const t = useIsolatedTest();
  const readBack = async <T>(literal: string, type: string): Promise<T[]> => (await t.pool().query<{ a: T[] }>(`SELECT $1::${type} AS a`, [literal])).rows[0]!.a;

  it('keeps text that looks like syntax as text: empty, NULL, braces, commas, quotes, backslashes, white space', async () => {
    const values = ['', 'NULL', 'null', '{}', '{a,b}', 'a,b', ' padded ', '"', '\\', '\\"', '"\\', 'x\ny\tz', '{"k":"v\\"w"}', 'Ærø 東京 🚀'];
    expect(await readBack(arrayLiteral(values), 'text[]')).toEqual(values);
  });

  it('keeps syntax-like text as text also when no element needs escaping (the elements are then joined in one go)', async () => {
    const values = ['', 'NULL', '{}', '{a,b}', 'a,b', ' padded ', "it's", 'x\ny', '東京 🚀'];
    expect(await readBack(arrayLiteral(values), 'text[]')).toEqual(values);
    const random = seededRandom(7);
    const plain = Array.from({ length: 5_000 }, () => hostileString(random).replace(/["\\]/g, ''));
    expect(await readBack(arrayLiteral(plain), 'text[]')).toEqual(plain);
  });

  it('writes null and undefined as SQL NULL, distinct from the text "NULL"', async () => {
    expect(arrayLiteral(['NULL', null, undefined])).toBe('{"NULL",NULL,NULL}');
    expect(await readBack(arrayLiteral(['NULL', null, undefined, '']), 'text[]')).toEqual(['NULL', null, null, '']);
  });

  it('gives an empty array for no elements', async () => {
    expect(await readBack(arrayLiteral([]), 'text[]')).toEqual([]);
  });

  it('carries the other types the ingest casts to: jsonb, int, bigint beyond 2^53, timestamptz and date', async () => {
    const json = ['{"host":"edge \\"1\\"","path":"C:\\\\logs"}', '{}', '[1,"two",null]'];
    const { rows } = await t.pool().query<{ v: unknown }>('SELECT unnest($1::jsonb[]) AS v', [arrayLiteral(json)]);
    expect(rows.map((row) => row.v)).toEqual(json.map((text) => JSON.parse(text)));
    expect(await readBack(arrayLiteral([1, -2, 0]), 'int[]')).toEqual([1, -2, 0]);
    expect(await readBack(arrayLiteral([9_007_199_254_740_993n, '-42']), 'bigint[]')).toEqual(['9007199254740993', '-42']);
    const at = await readBack<Date>(arrayLiteral(['2026-02-28T23:59:59.123456Z', null]), 'timestamptz[]');
    expect(at[0]!.toISOString()).toBe('2026-02-28T23:59:59.123Z');
    expect(at[1]).toBeNull();
    expect((await t.pool().query<{ a: string }>(`SELECT $1::date[]::text AS a`, [arrayLiteral(['2026-03-01'])])).rows[0]!.a).toBe('{2026-03-01}');
  });

  it('reads back equal to node-postgres\' own rendering for 20,000 random hostile strings, and a 1 MiB one', async () => {
    const random = seededRandom(6);
    const values: (string | null)[] = Array.from({ length: 20_000 }, (_, i) => (i % 97 === 0 ? null : hostileString(random)));
    values.push(`${'"\\'.repeat(1 << 18)}{,}`);
    expect(await readBack(arrayLiteral(values), 'text[]')).toEqual(values);
    // node-postgres renders the JS array itself; both must name the same array.
    const { rows } = await t.pool().query<{ same: boolean }>('SELECT $1::text[] IS NOT DISTINCT FROM $2::text[] AS same', [arrayLiteral(values), values]);
    expect(rows[0]!.same).toBe(true);
  });

  it('is refused by Postgres for a type the text does not fit, rather than stored as something else', async () => {
    await expect(readBack(arrayLiteral(['12', 'twelve']), 'int[]')).rejects.toThrow(/invalid input syntax for type integer: "twelve"/);
  });
});
