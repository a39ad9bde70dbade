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
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = closingQuote(text, i);
      // Unterminated: nothing after it nests, and JSON.parse says what is wrong.
      if (i === -1) return undefined;
    } else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > maxDepth) return { at: i };
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return undefined;
}

/**
 * Where the string opened at `open` ends: the next quote after an even number of backslashes, or
 * -1. It jumps from quote to quote with indexOf, since most of an event's text is in strings:
 * the scan of the ingest benchmark's events took 0.5-0.6 µs per event so, against 0.9-1.0 reading
 * each character (medians of 7 runs of 1,000 events each, alternating).
 */
function closingQuote(text: string, open: number): number {
  for (let quote = text.indexOf('"', open + 1); quote !== -1; quote = text.indexOf('"', quote + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes += 1;
    if (backslashes % 2 === 0) return quote;
  }
  return -1;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** What either problem of textProblem needs; one scan clears the usual text of both. */
const NUL_OR_SURROGATE = /[\u0000\uD800-\uDFFF]/;

/** Why a string cannot be stored, or undefined. */
function textProblem(text: string): string | undefined {
  if (!NUL_OR_SURROGATE.test(text)) return undefined;
  if (text.includes('\u0000')) return 'a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(text)) return 'an unpaired UTF-16 surrogate (a \\uD800-\\uDFFF escape that is not half of a pair), which is not Unicode text';
  return undefined;
}

/** Where (a JSON path under `path`) a value is that cannot be stored, and why; undefined if there is none. Walks at most MAX_JSON_DEPTH levels (tooDeep ran first). */
export function unstorableValue(value: unknown, path = '$'): { path: string; problem: string } | undefined {
  const found = unstorableIn(value);
  return found && { path: path + found.steps.reverse().join(''), problem: found.problem };
}

/** A problem, and the steps to it from the walk's start, innermost first. */
interface Found {
  readonly problem: string;
  readonly steps: string[];
}

/**
 * The walk of unstorableValue, which every event posted goes through. It builds no path while all
 * is well, which is nearly always: the steps are added on the way back from a problem. Building
 * the path of each value on the way in, with Object.entries and two scans per string, took 1.0-1.3
 * µs per event of the ingest benchmark; this takes 0.5 (median of 7 runs of 1,000 events each).
 */
function unstorableIn(value: unknown): Found | undefined {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { problem: `contains ${problem}, which cannot be stored`, steps: [] } : undefined;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { problem: 'is a number too large to represent (it overflowed to infinity)', steps: [] };
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorableIn(value[i]);
      if (found) {
        found.steps.push(`[${i}]`);
        return found;
      }
    }
    return undefined;
  }
  for (const key in value) {
    const keyProblem = textProblem(key);
    if (keyProblem) return { problem: `has a key containing ${keyProblem}`, steps: [] };
    // An own "__proto__" member is harmless here, but code that copies the object can turn it into a prototype.
    if (key === '__proto__') return { problem: 'has a member named "__proto__", which is not accepted', steps: [] };
    const found = unstorableIn((value as Record<string, unknown>)[key]);
    if (found) {
      found.steps.push(`.${key}`);
      return found;
    }
  }
  return undefined;
}
