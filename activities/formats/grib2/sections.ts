import { GribEditionError, GribFormatError, type GribLocation } from './errors';
import type { ReadAhead } from './read-ahead';

/** Where one section lies in the file. */
export interface SectionSpan {
  readonly number: number;
  /** Absolute byte offset of the section's first octet in the file. */
  readonly offset: number;
  readonly length: number;
}

/**
 * The sections that make up one field. A GRIB2 message may carry several fields: after a
 * section 7, sections 2, 3 or 4 may start the next one and the sections not repeated carry over.
 */
export interface FieldSections {
  readonly identification: SectionSpan;
  readonly grid: SectionSpan;
  readonly product: SectionSpan;
  readonly dataRepresentation: SectionSpan;
  readonly bitmap: SectionSpan;
  readonly data: SectionSpan;
  /** For a bitmap indicator of 254 ("the previous bitmap"): earlier section 6s of the message. */
  readonly earlierBitmaps: readonly SectionSpan[];
}

export interface MessageSections {
  /** 0-based position of the message in the file. */
  readonly index: number;
  readonly offset: number;
  readonly length: number;
  /** Discipline from section 0 (code table 0.0): 0 meteorological, 2 land, 10 oceanographic… */
  readonly discipline: number;
  readonly fields: readonly FieldSections[];
}

const INDICATOR_LENGTH = 16;
const END_MARKER = '7777';
/**
 * Sections 1, 3, 4 and 5 are read whole to build metadata. Real ones are under a few kilobytes
 * (a reduced-Gaussian section 3 with its row list is ~5 KB), so a larger claim is corruption,
 * refused before anything that size is allocated.
 */
export const MAX_METADATA_SECTION_LENGTH = 1024 * 1024;
const METADATA_SECTIONS = new Set([1, 3, 4, 5]);
/**
 * The fewest bytes each section can have: its header plus the fixed octets every template
 * shares (section 1 is 21 bytes; 3, 4 and 5 have their template numbers at octets 13–14, 8–9
 * and 10–11; 6 its indicator at 6). Checked while walking, so a run of tiny forged sections is
 * refused at once rather than listed as thousands of fields.
 */
const MIN_SECTION_LENGTH: Record<number, number> = { 1: 21, 2: 5, 3: 14, 4: 9, 5: 11, 6: 6, 7: 5 };

/** Which section numbers may follow each one (WMO Manual on Codes, GRIB2 regulation 92.1.3). */
const ALLOWED_NEXT: Record<number, readonly number[]> = {
  0: [1],
  1: [2, 3],
  2: [3],
  3: [4],
  4: [5],
  5: [6],
  6: [7],
  7: [2, 3, 4, 8],
};

/**
 * Walks a GRIB2 file message by message, reading only section headers (and nothing of the data),
 * and checks the structure as it goes: "GRIB" at each message start, edition 2, a total length
 * within the file, sections in a legal order whose lengths add up exactly to "7777" at the end.
 */
export async function* scanMessages(reader: ReadAhead): AsyncGenerator<MessageSections> {
  const { source } = reader;
  if (source.size === 0) throw new GribFormatError({ file: source.name }, 'the file is empty (0 bytes)');
  let offset = 0;
  for (let index = 0; offset < source.size; index++) {
    const message = await readMessageSections(reader, index, offset);
    yield message;
    offset += message.length;
  }
}

async function readMessageSections(reader: ReadAhead, index: number, offset: number): Promise<MessageSections> {
  const { source } = reader;
  const where: GribLocation = { file: source.name, messageIndex: index, offset };
  const available = source.size - offset;

  const magic = await reader.read(offset, Math.min(4, available));
  if (asciiOf(magic) !== 'GRIB') {
    const what = index === 0 ? 'the file does not start with "GRIB"' : `expected "GRIB" after the previous message`;
    throw new GribFormatError({ ...where, section: 0 }, `${what}; found ${quoteBytes(magic)}`);
  }
  if (available < 8) throw new GribFormatError({ ...where, section: 0 }, `the file ends ${available} bytes into the indicator section (truncated)`);
  const edition = (await reader.read(offset + 7, 1))[0]!;
  if (edition !== 2) throw new GribEditionError({ ...where, section: 0 }, edition);
  if (available < INDICATOR_LENGTH) throw new GribFormatError({ ...where, section: 0 }, `the file ends ${available} bytes into the 16-byte indicator section (truncated)`);

  const indicator = await reader.read(offset, INDICATOR_LENGTH);
  const discipline = indicator[6]!;
  const length = readUint64(indicator, 8);
  if (length > available) {
    throw new GribFormatError({ ...where, section: 0 }, `the message claims ${length} bytes but only ${available} remain in the file (truncated, or a corrupt length)`);
  }
  if (length < INDICATOR_LENGTH + END_MARKER.length) throw new GribFormatError({ ...where, section: 0 }, `the message claims ${length} bytes, fewer than the indicator and end sections alone`);
  const end = offset + length;
  // Read past the window: the headers that come next are at the start of the message.
  const tail = await source.read(end - 4, 4);
  if (asciiOf(tail) !== END_MARKER) {
    throw new GribFormatError({ ...where, section: 8 }, `the message does not end with "7777": its last 4 bytes (at byte ${end - 4}) are ${quoteBytes(tail)}; truncated or a wrong length`);
  }

  const fields = await walkSections(reader, where, offset + INDICATOR_LENGTH, end);
  return { index, offset, length, discipline, fields };
}

async function walkSections(reader: ReadAhead, where: GribLocation, start: number, end: number): Promise<FieldSections[]> {
  const fields: FieldSections[] = [];
  const latest = new Map<number, SectionSpan>();
  const bitmaps: SectionSpan[] = [];
  let previous = 0;
  let previousSpan: SectionSpan | undefined;
  let position = start;
  for (;;) {
    if (position === end - 4) {
      // The tail was checked to be "7777"; a message must end on a complete field.
      if (previous !== 7) throw new GribFormatError({ ...where, section: 8, offset: position }, `the message ends after section ${previous}, before any complete field (sections 3–7)`);
      return fields;
    }
    if (position + 5 > end - 4) {
      throw new GribFormatError({ ...where, section: previous, offset: position }, `section ${previous} ends ${end - 4 - position} bytes before "7777"; the section lengths do not add up to the message length`);
    }
    const header = await reader.read(position, 5);
    const length = readUint32(header, 0);
    const number = header[4]!;
    const here: GribLocation = { ...where, section: number, offset: position };
    if (asciiOf(header.subarray(0, 4)) === END_MARKER) {
      throw new GribFormatError({ ...here, section: 8 }, `"7777" found ${end - position - 4} bytes before the end the message length says`);
    }
    if (number < 1 || number > 7) {
      // Most likely the section before has a wrong length, so it is the one reported.
      const after = previousSpan ? `section ${previous} (${previousSpan.length} bytes from byte ${previousSpan.offset})` : 'the indicator section';
      throw new GribFormatError({ ...where, section: previous, offset: previousSpan?.offset ?? where.offset }, `no section header after ${after}: byte ${position} holds section number ${number}; a section length is wrong`);
    }
    if (!ALLOWED_NEXT[previous]!.includes(number)) throw new GribFormatError(here, `section ${number} cannot follow section ${previous}`);
    if (length < MIN_SECTION_LENGTH[number]!) throw new GribFormatError(here, `section ${number} is ${length} bytes, shorter than the ${MIN_SECTION_LENGTH[number]} any section ${number} needs`);
    if (position + length > end - 4) throw new GribFormatError(here, `section ${number} claims ${length} bytes, past the end of the message (byte ${end - 4} is where "7777" starts)`);
    if (METADATA_SECTIONS.has(number) && length > MAX_METADATA_SECTION_LENGTH) {
      throw new GribFormatError(here, `section ${number} claims ${length} bytes, far more than any real one; the length is corrupt`);
    }

    const span: SectionSpan = { number, offset: position, length };
    latest.set(number, span);
    if (number === 6) bitmaps.push(span);
    if (number === 7) fields.push(fieldOf(latest, bitmaps));
    previous = number;
    previousSpan = span;
    position += length;
  }
}

/** The legal order guarantees every section of the field has been seen by its section 7. */
function fieldOf(latest: Map<number, SectionSpan>, bitmaps: SectionSpan[]): FieldSections {
  const section = (n: number): SectionSpan => latest.get(n)!;
  return {
    identification: section(1),
    grid: section(3),
    product: section(4),
    dataRepresentation: section(5),
    bitmap: section(6),
    data: section(7),
    earlierBitmaps: bitmaps.slice(0, -1),
  };
}

function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8) + bytes[at + 3]!;
}

/** Exact up to 2^53; anything larger is far beyond any file and fails the length check anyway. */
function readUint64(bytes: Uint8Array, at: number): number {
  return readUint32(bytes, at) * 2 ** 32 + readUint32(bytes, at + 4);
}

function asciiOf(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

/** Shows bytes readably in a message: printable ASCII as text, anything else as hex. */
function quoteBytes(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'nothing (end of file)';
  const printable = bytes.every((b) => b >= 0x20 && b < 0x7f);
  return printable ? JSON.stringify(asciiOf(bytes)) : `bytes ${Buffer.from(bytes).toString('hex').replace(/(..)(?!$)/g, '$1 ')}`;
}
