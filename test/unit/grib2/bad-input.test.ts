import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GribEditionError, GribFormatError, GribUnsupportedError, listGribMessages, type GribInput } from '../../../activities/formats/grib2';
import { UserError } from '../../../infra/errors/user-error';
import { FIXTURE_NAMES, fixtureBytes, fixturePath, sectionOffsets } from './fixtures';
import { latLonGridSection, simpleMessage, uint } from './grib-builder';
import { seededRandom } from '../../harness/seeded-random';

/** Lists and decodes everything in the input; returns what it threw. */
async function failureOf(input: GribInput): Promise<unknown> {
  try {
    for (const message of await listGribMessages(input)) await message.decode();
  } catch (err) {
    return err;
  }
  throw new Error('expected the input to be refused, but it decoded');
}

async function expectRefused(
  input: GribInput,
  where: { section?: number; message?: number },
  problem: RegExp,
  type: abstract new (...args: never[]) => GribFormatError = GribFormatError,
): Promise<GribFormatError> {
  const err = await failureOf(input);
  expect(err).toBeInstanceOf(type);
  expect(err).toBeInstanceOf(UserError);
  const gribError = err as GribFormatError;
  expect(gribError.message).toMatch(problem);
  if (where.message !== undefined) expect(gribError.location.messageIndex).toBe(where.message - 1);
  if (where.section !== undefined) expect(gribError.location.section).toBe(where.section);
  return gribError;
}

/** A copy of a fixture with some bytes changed; offsets relative to a section's start. */
function patched(name: string, edits: [section: number, offset: number, bytes: Buffer][]): Buffer {
  const bytes = Buffer.from(fixtureBytes(name));
  const sections = sectionOffsets(bytes);
  for (const [section, offset, value] of edits) value.copy(bytes, sections.get(section)! + offset);
  return bytes;
}

/** Octet n of a WMO template table is byte n − 1 of its section. */
const octet = (n: number) => n - 1;

describe('refusing bad files, each with a GribFormatError naming the file, message and section', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'grib2-bad-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an empty file', async () => {
    const empty = path.join(dir, 'empty.grib2');
    writeFileSync(empty, '');
    const err = await expectRefused(empty, {}, /empty \(0 bytes\)/);
    expect(err.message).toContain(empty);
    await expectRefused(Buffer.alloc(0), {}, /empty \(0 bytes\)/);
  });

  it('a file that is not GRIB at all', async () => {
    const err = await expectRefused(Buffer.from('<html><body>404 Not Found</body></html>'), { message: 1, section: 0 }, /does not start with "GRIB"; found "<htm"/);
    expect(err.hint).toBeDefined();
    await expectRefused(Buffer.from([0, 1, 2, 0xff]), { message: 1, section: 0 }, /found bytes 00 01 02 ff/);
  });

  it('a second message that does not start with "GRIB"', async () => {
    const first = fixtureBytes('latlon-png8-tcdc.grib2');
    await expectRefused(Buffer.concat([first, Buffer.from('garbage after the first message')]), { message: 2, section: 0 }, /expected "GRIB" after the previous message/);
  });

  it('GRIB edition 1, by name, with how to convert it', async () => {
    const err = await expectRefused(fixturePath('edition1.grib1'), { message: 1, section: 0 }, /GRIB edition 1 is not supported; only GRIB edition 2/, GribEditionError);
    expect((err as GribEditionError).edition).toBe(1);
    expect(err.hint).toMatch(/grib_set -s edition=2/);
  });

  it('a truncated file, written to disk', async () => {
    const whole = fixtureBytes('latlon-simple-multi.grib2');
    const truncated = path.join(dir, 'truncated.grib2');
    writeFileSync(truncated, whole.subarray(0, whole.length - 1000));
    const err = await expectRefused(truncated, { message: 6, section: 0 }, /the message claims \d+ bytes but only \d+ remain in the file \(truncated/);
    expect(err.message).toContain(truncated);
  });

  it('a file cut inside its first 16 bytes', async () => {
    await expectRefused(fixtureBytes('latlon-png8-tcdc.grib2').subarray(0, 11), { message: 1, section: 0 }, /ends 11 bytes into the 16-byte indicator section/);
    await expectRefused(Buffer.from('GRIB'), { message: 1, section: 0 }, /ends 4 bytes into the indicator section/);
  });

  it('a message without "7777" at its end', async () => {
    const bytes = Buffer.from(fixtureBytes('latlon-png8-tcdc.grib2'));
    bytes.write('0000', bytes.length - 4);
    await expectRefused(bytes, { message: 1, section: 8 }, /does not end with "7777"/);
  });

  it('a huge length field', async () => {
    const bytes = Buffer.from(fixtureBytes('latlon-png8-tcdc.grib2'));
    uint(2 ** 52, 8).copy(bytes, 8);
    await expectRefused(bytes, { message: 1, section: 0 }, /claims 4503599627370496 bytes but only 987 remain/);
  });

  it('a section length past the end of the message', async () => {
    await expectRefused(patched('latlon-png8-tcdc.grib2', [[3, 0, uint(1_000_000, 4)]]), { message: 1, section: 3 }, /section 3 claims 1000000 bytes, past the end of the message/);
  });

  it('section lengths that do not add up to the message length', async () => {
    await expectRefused(patched('latlon-png8-tcdc.grib2', [[4, 0, uint(33, 4)]]), { message: 1, section: 4 }, /no section header after section 4 \(33 bytes from byte 109\): byte 142 holds section number 21; a section length is wrong/);
  });

  it('a section shorter than its template', async () => {
    // Section 1 cut to 13 bytes, and the 8 bytes saved moved to section 3 so the lengths add up.
    const bytes = fixtureBytes('latlon-png8-tcdc.grib2');
    const sections = sectionOffsets(bytes);
    const shortened = Buffer.concat([bytes.subarray(0, sections.get(1)! + 13), bytes.subarray(sections.get(3)!)]);
    uint(shortened.length, 8).copy(shortened, 8);
    uint(13, 4).copy(shortened, sections.get(1)!);
    await expectRefused(shortened, { message: 1, section: 1 }, /section 1 is 13 bytes, shorter than the 21 any section 1 needs/);
  });

  it('more than 32 bits per value', async () => {
    await expectRefused(patched('latlon-simple-multi.grib2', [[5, octet(20), uint(33, 1)]]), { message: 1, section: 5 }, /33 bits per value is more than the 32/);
  });

  it('a grid of 2^31 points or more', async () => {
    await expectRefused(patched('latlon-simple-multi.grib2', [[3, octet(7), uint(2 ** 31, 4)]]), { message: 1, section: 3 }, /claims 2147483648 points/);
  });

  it('Ni × Nj that disagree with the number of points', async () => {
    await expectRefused(patched('latlon-simple-multi.grib2', [[3, octet(31), uint(61, 4)]]), { message: 1, section: 3 }, /the grid is 61×40 = 2440 points, but section 3 says 2400/);
  });

  it('a grid with more points than its data section holds, refused before allocating', async () => {
    // 30 000 × 40 000 points claimed, 12 bits each, for the 3.6 KB of data of a 60 × 40 field.
    const points = 30_000 * 40_000;
    const bytes = patched('latlon-simple-multi.grib2', [
      [3, octet(7), uint(points, 4)],
      [3, octet(31), uint(30_000, 4)],
      [3, octet(35), uint(40_000, 4)],
      [5, octet(6), uint(points, 4)],
    ]);
    const [message] = await listGribMessages(bytes);
    await expect(message!.decode({ maxPoints: 2 ** 31 })).rejects.toThrow(/1200000000 values of 12 bits need 1800000000 bytes, but section 7 holds 3600/);
    // With the default limit it stops even earlier, at the point count.
    await expect(message!.decode()).rejects.toThrow(/the grid has 1200000000 points, more than the \d+ allowed/);
  });

  it('a data section that cannot hold its groups (complex packing)', async () => {
    await expectRefused(patched('latlon-complex-prmsl.grib2', [[5, octet(32), uint(2_000_000, 4)]]), { message: 1, section: 7 }, /2000000 groups for 2400 values/);
    await expectRefused(patched('latlon-complex-prmsl.grib2', [[5, octet(43), uint(5000, 4)]]), { message: 1, section: 7 }, /the group lengths add up to \d+ values, but section 5 says 2400/);
  });

  it('more packed values than grid points, without a bitmap', async () => {
    await expectRefused(patched('latlon-simple-multi.grib2', [[5, octet(6), uint(2401, 4)]]), { message: 1, section: 5 }, /packs 2401 values for a grid of 2400 points, without a bitmap/);
  });

  it('a bitmap that disagrees with the number of packed values', async () => {
    const bitmapByte = 6 + 100; // well inside the bitmap
    const bytes = Buffer.from(fixtureBytes('latlon-bitmap-icec.grib2'));
    const at = sectionOffsets(bytes).get(6)! + bitmapByte;
    bytes[at] = bytes[at]! ^ 0xff;
    await expectRefused(bytes, { message: 1, section: 6 }, /the bitmap marks \d+ points present, but section 5 packs 1603 values/);
  });

  it('a bitmap indicator pointing to a predefined or missing previous bitmap', async () => {
    await expectRefused(patched('latlon-bitmap-icec.grib2', [[6, octet(6), uint(7, 1)]]), { message: 1, section: 6 }, /bitmap indicator 7: a bitmap predefined/, GribUnsupportedError);
    await expectRefused(patched('latlon-bitmap-icec.grib2', [[6, octet(6), uint(254, 1)]]), { message: 1, section: 6 }, /bitmap indicator 254 .* no earlier field of this message defines one/);
  });

  it('an impossible reference time', async () => {
    await expectRefused(patched('latlon-png8-tcdc.grib2', [[1, octet(15), uint(2, 1)], [1, octet(16), uint(30, 1)]]), { message: 1, section: 1 }, /impossible date-time: 2024-2-30/);
  });

  it('a corrupt PNG or JPEG 2000 image', async () => {
    const png = Buffer.from(fixtureBytes('latlon-png8-tcdc.grib2'));
    const pngData = sectionOffsets(png).get(7)! + 5;
    png.fill(0x55, pngData + 60, pngData + 120); // inside the compressed pixels
    await expectRefused(png, { message: 1, section: 7 }, /PNG/);

    const jpeg = Buffer.from(fixtureBytes('latlon-jpeg2000-ugrd.grib2'));
    const jpegData = sectionOffsets(jpeg).get(7)! + 5;
    jpeg.fill(0, jpegData + 120, jpeg.length - 4);
    await expectRefused(jpeg, { message: 1, section: 7 }, /JPEG 2000/);
    // The codec still decodes good images afterwards.
    const [good] = await listGribMessages(fixturePath('latlon-jpeg2000-ugrd.grib2'));
    await expect(good!.decode()).resolves.toMatchObject({ missing: 0 });
  });
});

describe('templates this reader does not decode, each a GribUnsupportedError naming the template', () => {
  it.each([
    [3, octet(13), uint(40, 2), /unsupported grid definition template 3\.40/],
    [4, octet(8), uint(1, 2), /unsupported product definition template 4\.1/],
    [5, octet(10), uint(51, 2), /unsupported data representation template 5\.51/],
  ] as const)('section %i', async (section, offset, value, problem) => {
    const err = await expectRefused(patched('latlon-simple-multi.grib2', [[section, offset, value]]), { message: 1, section }, problem, GribUnsupportedError);
    expect(err).toBeInstanceOf(GribFormatError);
    expect(err.name).toBe('GribUnsupportedError');
  });

  it('reduced (quasi-regular) grids', async () => {
    await expectRefused(patched('latlon-simple-multi.grib2', [[3, octet(31), Buffer.alloc(4, 0xff)]]), { message: 1, section: 3 }, /quasi-regular/, GribUnsupportedError);
  });
});


describe('garbage never gets past the reader as anything but a GribFormatError, in bounded time', () => {
  it('random bytes, bare or behind a GRIB2 indicator', async () => {
    const next = seededRandom(2024);
    for (let round = 0; round < 300; round++) {
      const garbage = Buffer.from(Array.from({ length: Math.floor(next() * 3000) }, () => Math.floor(next() * 256)));
      const input = round % 2 ? garbage : Buffer.concat([Buffer.from('GRIB'), Buffer.alloc(2), Buffer.from([0, 2]), uint(garbage.length + 16, 8), garbage]);
      expect(await failureOf(input)).toBeInstanceOf(GribFormatError);
    }
  });

  it.each(FIXTURE_NAMES)('%s with a few bytes changed at random: decodes, or fails as GribFormatError', async (name) => {
    const original = fixtureBytes(name);
    const next = seededRandom(original.length);
    const started = performance.now();
    for (let round = 0; round < 150; round++) {
      const bytes = Buffer.from(original);
      const changes = 1 + Math.floor(next() * 4);
      for (let c = 0; c < changes; c++) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
      try {
        for (const message of await listGribMessages(bytes)) await message.decode({ maxPoints: 10_000_000 });
      } catch (err) {
        if (!(err instanceof GribFormatError)) throw new Error(`round ${round}: ${String(err)}`, { cause: err });
      }
    }
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('a message built by hand with a constant field of 2^31 − 1 points is refused at decode, not allocated', async () => {
    const grid = latLonGridSection({ ni: 2 ** 31 - 1, nj: 1, first: [0, 0], last: [0, 0], increments: [0, 0] });
    const [message] = await listGribMessages(simpleMessage({ grid, packed: [], bitsPerValue: 0, numberOfValues: 2 ** 31 - 1 }));
    await expect(message!.decode()).rejects.toThrow(GribFormatError);
  });
});
