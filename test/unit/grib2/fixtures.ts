import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The committed GRIB2 fixtures and what ecCodes read from them (made by
 * test/fixtures/grib2/generate.sh), so these tests need no ecCodes.
 */
export const FIXTURES_DIR = path.join(__dirname, '../../fixtures/grib2');

export const FIXTURE_NAMES = readdirSync(FIXTURES_DIR)
  .filter((name) => name.endsWith('.grib2'))
  .sort();

/** One field as ecCodes reads it: grib_ls keys, and every value (null = missing). */
export interface ReferenceField {
  readonly keys: Readonly<Record<string, number | string>>;
  readonly values: readonly (number | null)[];
  /** Only for the Lambert fixtures: every point's position, in value order. */
  readonly latitudes?: readonly number[];
  readonly longitudes?: readonly number[];
}

export function fixturePath(name: string): string {
  return path.join(FIXTURES_DIR, name);
}

export function fixtureBytes(name: string): Buffer {
  return readFileSync(fixturePath(name));
}

export function referenceFields(name: string): ReferenceField[] {
  const reference = JSON.parse(readFileSync(fixturePath(name.replace(/\.grib2$/, '.json')), 'utf8')) as { fields: ReferenceField[] };
  return reference.fields;
}

/** A numeric grib_ls key; fails the test if ecCodes gave something else. */
export function numberKey(field: ReferenceField, key: string): number {
  const value = field.keys[key];
  if (typeof value !== 'number') throw new Error(`reference key ${key} is ${JSON.stringify(value)}, not a number`);
  return value;
}

/** Byte offsets of each section of the first message of a GRIB2 file, found independently of the reader. */
export function sectionOffsets(bytes: Buffer): Map<number, number> {
  const offsets = new Map<number, number>([[0, 0]]);
  let at = 16;
  while (bytes.toString('latin1', at, at + 4) !== '7777') {
    const number = bytes[at + 4]!;
    if (!offsets.has(number)) offsets.set(number, at);
    at += bytes.readUInt32BE(at);
  }
  offsets.set(8, at);
  return offsets;
}
