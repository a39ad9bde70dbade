import { quote } from './errors';
import { GribIndexError } from './grib-index-error';

export { byteRangesFor, rangeHeader, type ByteRange } from './grib-byte-ranges';
export { GribIndexError } from './grib-index-error';

/**
 * One line of an NCEP/wgrib2 inventory (.idx), e.g.
 *   17:1234567:d=2024050112:TMP:2 m above ground:6 hour fcst:
 */
export interface GribIndexEntry {
  /** 1-based line in the inventory, for error messages. */
  readonly line: number;
  /** The GRIB message (1-based) this field is in. */
  readonly messageNumber: number;
  /** M of "N.M": one of several fields packed in message N, at N's offset; undefined for "N". */
  readonly subMessage: number | undefined;
  /** Byte offset of the message in the GRIB2 file. */
  readonly offset: number;
  readonly referenceTime: Date;
  readonly shortName: string;
  /** As NCEP and the repo's GRIB2 reader print it: "2 m above ground". */
  readonly level: string;
  /** "anl", "6 hour fcst", "0-6 hour acc fcst". */
  readonly forecast: string;
  /** Anything after the forecast field (ensemble or probability text), colons kept; usually "". */
  readonly extra: string;
}

const MAX_LINE_LENGTH = 4096;
const MESSAGE_NUMBER = /^(\d{1,9})(?:\.(\d{1,9}))?$/;
const OFFSET = /^\d{1,16}$/;
const REFERENCE_TIME = /^d=(\d{4})(\d{2})(\d{2})(\d{2})$/;
/** wgrib2's forecast-time text; used to find where a level that contains colons ends. */
const FORECAST = /^(?:anl|\d+(?:-\d+)? (?:sec|min|hour|hr|day|week|month|mon|year|yr)s? (?:[^:]* )?fcst|[^:]*fcst)$/;

/**
 * Parses an inventory. Each line is checked as it is read, in one pass (a 50 MB inventory takes
 * linear time): numbers must be numbers, messages must run 1, 2, 3… with offsets increasing, and
 * sub-messages "N.1", "N.2" must follow N at its offset. A gap would make byteRangesFor end a
 * message at the wrong byte, so it fails here instead. CRLF line ends and blank lines are accepted.
 */
export function parseGribIndex(text: string, source?: string): GribIndexEntry[] {
  const entries: GribIndexEntry[] = [];
  /** firstLines[n - 1]: the line where message n first appears. */
  const firstLines: number[] = [];
  let previous: GribIndexEntry | undefined;
  let lineNumber = 0;
  let from = 0;
  while (from <= text.length) {
    const newline = text.indexOf('\n', from);
    const to = newline < 0 ? text.length : newline;
    lineNumber += 1;
    const line = text.slice(from, text.charCodeAt(to - 1) === 13 && to > from ? to - 1 : to);
    from = to + 1;
    if (line.trim() === '') continue;
    const entry = parseLine(line, lineNumber, source);
    checkSequence(entry, previous, firstLines, source);
    if (previous?.messageNumber !== entry.messageNumber) firstLines.push(lineNumber);
    entries.push(entry);
    previous = entry;
  }
  if (entries.length === 0) throw new GribIndexError('the index is empty', undefined, source);
  return entries;
}

function parseLine(line: string, lineNumber: number, source: string | undefined): GribIndexEntry {
  const fail = (problem: string): never => {
    throw new GribIndexError(problem, lineNumber, source);
  };
  // Real lines are under 200 characters; splitting a hostile megabyte line would cost memory for nothing.
  if (line.length > MAX_LINE_LENGTH) fail(`the line is ${line.length} characters long; inventory lines are at most ${MAX_LINE_LENGTH}`);
  const fields = line.split(':');
  // A well-formed line ends with ':', leaving one empty field at the end.
  if (fields.length > 1 && fields[fields.length - 1] === '') fields.pop();
  if (fields.length < 6) fail(`expected at least 6 fields (number:offset:d=YYYYMMDDHH:name:level:forecast:), found ${fields.length} in ${quote(line)}`);
  const [number = '', offsetText = '', date = '', shortName = '', ...rest] = fields;

  const numbers = MESSAGE_NUMBER.exec(number) ?? fail(`message number ${quote(number)} is not a number like 17 or 17.1`);
  if (!OFFSET.test(offsetText)) fail(`offset ${quote(offsetText)} is not a whole number of bytes`);
  const offset = Number(offsetText);
  if (!Number.isSafeInteger(offset)) fail(`offset ${offsetText} is too large`);
  const referenceTime = parseReferenceTime(date) ?? fail(`reference time ${quote(date)} is not d=YYYYMMDDHH`);
  if (shortName.trim() === '') fail('the parameter name is empty');

  // The level is everything up to the forecast field, so a level with ':' in it stays whole.
  let forecastAt = rest.findIndex((field, i) => i > 0 && FORECAST.test(field));
  if (forecastAt < 0) forecastAt = 1;
  const level = rest.slice(0, forecastAt).join(':');
  const forecast = rest[forecastAt] ?? '';
  if (level.trim() === '') fail('the level is empty');
  if (forecast.trim() === '') fail('the forecast time is empty');

  const messageNumber = Number(numbers[1]);
  const subMessage = numbers[2] === undefined ? undefined : Number(numbers[2]);
  if (messageNumber < 1) fail('message numbers start at 1');
  return { line: lineNumber, messageNumber, subMessage, offset, referenceTime, shortName, level, forecast, extra: rest.slice(forecastAt + 1).join(':') };
}

function parseReferenceTime(text: string): Date | undefined {
  const match = REFERENCE_TIME.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour] = match.slice(1).map(Number) as [number, number, number, number];
  const time = new Date(Date.UTC(year, month - 1, day, hour));
  // Date.UTC rolls 2024-02-30 into March: a date that does not survive the round trip is not real.
  const real = time.getUTCFullYear() === year && time.getUTCMonth() === month - 1 && time.getUTCDate() === day && hour < 24;
  return real ? time : undefined;
}

function checkSequence(entry: GribIndexEntry, previous: GribIndexEntry | undefined, firstLines: readonly number[], source: string | undefined): void {
  const fail = (problem: string): never => {
    throw new GribIndexError(problem, entry.line, source);
  };
  const name = formatNumber(entry);
  if (previous === undefined) {
    if (entry.messageNumber !== 1) fail(`the first message is ${name}, not 1: the index is incomplete`);
    return;
  }
  if (entry.messageNumber === previous.messageNumber) {
    // "N" counts as sub-message 0: N, N.1, N.2… or N.1, N.2… and nothing twice.
    if ((entry.subMessage ?? 0) <= (previous.subMessage ?? 0)) fail(`message ${name} is listed twice or out of order (after ${formatNumber(previous)} on line ${previous.line})`);
    if (entry.offset !== previous.offset) fail(`sub-message ${name} is at offset ${entry.offset}, not at its message's offset ${previous.offset}`);
    return;
  }
  if (entry.messageNumber < previous.messageNumber) fail(`duplicate message number ${entry.messageNumber} (first on line ${firstLines[entry.messageNumber - 1]})`);
  if (entry.messageNumber > previous.messageNumber + 1) {
    fail(`message numbers jump from ${previous.messageNumber} to ${entry.messageNumber}: the index is incomplete, so where message ${previous.messageNumber} ends is unknown`);
  }
  if (entry.offset <= previous.offset) fail(`offset ${entry.offset} of message ${name} is not after offset ${previous.offset} of message ${previous.messageNumber} (line ${previous.line})`);
}

function formatNumber(entry: GribIndexEntry): string {
  return entry.subMessage === undefined ? String(entry.messageNumber) : `${entry.messageNumber}.${entry.subMessage}`;
}
