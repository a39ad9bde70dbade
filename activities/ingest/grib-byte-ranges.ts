import type { GribIndexEntry } from './grib-index';
import { GribIndexError } from './grib-index-error';
import type { GribParameter } from './sources';

/** One HTTP range request: bytes start..end, both inclusive, and the index entries it holds. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
  /** Every entry of the messages in the range: sub-messages share bytes, so asking for one brings all. */
  readonly entries: readonly GribIndexEntry[];
}

interface Message {
  readonly start: number;
  readonly entries: GribIndexEntry[];
}

/**
 * The byte ranges holding the wanted fields. A message runs from its offset to the byte before
 * the next message's offset; the last one to objectSize − 1. Ranges that touch are merged, so a
 * run of wanted messages costs one request. Every wanted parameter must be in the index (all that
 * are not are named at once): silently skipping one would store a forecast with a field missing.
 * A parameter listed more than once (APCP at "surface" as 0-6 and 5-6 hour sums) brings all of them.
 */
export function byteRangesFor(entries: readonly GribIndexEntry[], wanted: readonly GribParameter[], objectSize: number, source?: string): ByteRange[] {
  if (!Number.isSafeInteger(objectSize) || objectSize <= 0) throw new GribIndexError(`object size ${objectSize} is not a positive whole number of bytes`, undefined, source);
  if (entries.length === 0) throw new GribIndexError('the index is empty', undefined, source);

  const messages = groupIntoMessages(entries, objectSize, source);
  const keyOf = (p: GribParameter) => `${p.shortName}\u0000${p.level}`;
  const wantedKeys = new Set(wanted.map(keyOf));
  const found = new Set<string>();
  const ranges: { start: number; end: number; entries: GribIndexEntry[] }[] = [];
  messages.forEach((message, i) => {
    const matches = message.entries.filter((entry) => wantedKeys.has(keyOf(entry)));
    if (matches.length === 0) return;
    for (const entry of matches) found.add(keyOf(entry));
    const end = (messages[i + 1]?.start ?? objectSize) - 1;
    const last = ranges[ranges.length - 1];
    if (last && last.end + 1 === message.start) {
      last.end = end;
      last.entries.push(...message.entries);
    } else {
      ranges.push({ start: message.start, end, entries: [...message.entries] });
    }
  });

  const missing = dedupe(wanted.filter((p) => !found.has(keyOf(p))), keyOf);
  if (missing.length > 0) {
    const names = missing.map((p) => `${p.shortName} at ${JSON.stringify(p.level)}`).join(', ');
    throw new GribIndexError(
      `not in the index: ${names}`,
      undefined,
      source,
      missing,
      'Check the parameter names against `sluice grib ls` of one file; some fields (APCP) are absent from the analysis (f000).',
    );
  }
  return ranges;
}

/** Entries of one message number are consecutive (parseGribIndex checks it); offsets must fit the object. */
function groupIntoMessages(entries: readonly GribIndexEntry[], objectSize: number, source: string | undefined): Message[] {
  const messages: Message[] = [];
  let current: (Message & { number: number }) | undefined;
  for (const entry of entries) {
    if (entry.offset >= objectSize) {
      throw new GribIndexError(`offset ${entry.offset} is past the end of the ${objectSize}-byte object: the index belongs to another version of the file`, entry.line, source);
    }
    if (current && current.number === entry.messageNumber) {
      current.entries.push(entry);
      continue;
    }
    if (current && entry.offset <= current.start) {
      throw new GribIndexError(`offset ${entry.offset} is not after offset ${current.start} of the previous message`, entry.line, source);
    }
    current = { number: entry.messageNumber, start: entry.offset, entries: [entry] };
    messages.push(current);
  }
  return messages;
}

function dedupe<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(keyOf(item)) && seen.add(keyOf(item)) !== undefined);
}

/** The HTTP Range header value for a range: "bytes=0-1233". */
export function rangeHeader(range: Pick<ByteRange, 'start' | 'end'>): string {
  return `bytes=${range.start}-${range.end}`;
}
