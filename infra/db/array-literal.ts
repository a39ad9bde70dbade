/**
 * A one-dimensional array as Postgres' array literal text (`{"a","b\"c",NULL}`), for a parameter
 * the statement casts (`$1::text[]`, `::jsonb[]`, `::int[]`, …).
 *
 * node-postgres turns a JS array into the same text itself, but escapes every element with two
 * regular-expression replacements and builds the result by concatenation: for the ingest's
 * thousand-event statements, 35 arrays of up to a thousand elements each, that took 9 µs of the
 * API's CPU per event, about a third of all it spends. Here an element is only escaped if it has
 * a quote or a backslash (ids, times and numbers never do), and the elements are joined once:
 * about 2 µs per event (200 batches of the ingest benchmark's events, CPU time of each step).
 *
 * Every element is quoted, so that an empty string, the text "NULL" or one with a brace, comma or
 * white space stays what it is; null and undefined become SQL NULL.
 */

const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;

export type ArrayElement = string | number | bigint | null | undefined;

export function arrayLiteral(values: readonly ArrayElement[]): string {
  // The usual case, no NULL and nothing to escape, in one join: a third less CPU than element by element.
  if (values.every(isPlain)) return values.length === 0 ? '{}' : `{"${values.join('","')}"}`;
  const elements = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) {
      elements[i] = 'NULL';
      continue;
    }
    const text = String(value);
    elements[i] = NEEDS_ESCAPE.test(text) ? `"${text.replace(ESCAPED, '\\$&')}"` : `"${text}"`;
  }
  return `{${elements.join(',')}}`;
}

const isPlain = (value: ArrayElement): boolean => (typeof value === 'string' ? !NEEDS_ESCAPE.test(value) : typeof value === 'number' || typeof value === 'bigint');
