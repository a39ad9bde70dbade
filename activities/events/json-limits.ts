/**
 * Checks on a request body that JSON.parse does not make: how deep it nests (a 10,000-deep array
 * parses, then overflows the stack of whatever walks it), found by one linear scan of the raw text
 * before parsing; and, after parsing, values Postgres or a sane consumer cannot take: NUL
 * characters (Postgres text refuses them), unpaired UTF-16 surrogates ("\ud800" is valid JSON but
 * not Unicode: UTF-8 cannot carry it, so it would be stored as U+FFFD or refused by jsonb) and
 * numbers that overflowed to Infinity (1e999).
 */

export const MAX_JSON_DEPTH = 32;

/** The first place the text nests deeper than `maxDepth`, or undefined. Strings are skipped, escapes included. */
export function tooDeep(text: string, maxDepth = MAX_JSON_DEPTH): { at: number } | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > maxDepth) return { at: i };
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return undefined;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored, or undefined. */
function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(text)) return 'an unpaired UTF-16 surrogate (a \\uD800-\\uDFFF escape that is not half of a pair), which is not Unicode text';
  return undefined;
}

/** Where (a JSON path) a value is that cannot be stored, and why; undefined if there is none. Walks at most MAX_JSON_DEPTH levels (tooDeep ran first). */
export function unstorableValue(value: unknown, path = '$'): { path: string; problem: string } | undefined {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { path, problem: `contains ${problem}, which cannot be stored` } : undefined;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { path, problem: 'is a number too large to represent (it overflowed to infinity)' };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = unstorableValue(value[i], `${path}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const keyProblem = textProblem(key);
      if (keyProblem) return { path, problem: `has a key containing ${keyProblem}` };
      // An own "__proto__" member is harmless here, but code that copies the object can turn it into a prototype.
      if (key === '__proto__') return { path, problem: 'has a member named "__proto__", which is not accepted' };
      const problem = unstorableValue(item, `${path}.${key}`);
      if (problem) return problem;
    }
  }
  return undefined;
}
