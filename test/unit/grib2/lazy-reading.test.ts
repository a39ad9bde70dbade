import { listGribMessages, readGribMessages, type ByteSource, type RandomAccessInput } from '../../../activities/formats/grib2';
import { fixtureBytes, fixturePath } from './fixtures';
import { latLonGridSection, simpleMessage } from './grib-builder';

/** Serves a buffer through the random-access interface, counting the bytes asked for. */
class CountingInput implements RandomAccessInput {
  bytesRead = 0;
  opened = 0;

  constructor(private readonly bytes: Buffer) {}

  async open(): Promise<ByteSource> {
    this.opened++;
    const { bytes } = this;
    return {
      name: 'counted',
      size: bytes.length,
      read: async (offset, length) => {
        this.bytesRead += length;
        return bytes.subarray(offset, offset + length);
      },
      close: async () => {},
    };
  }
}

describe('reading only what is needed', () => {
  // 20 messages of a 500 × 500 field at 8 bits: 250 KB of data each, 5 MB in all.
  const side = 500;
  const oneMessage = simpleMessage({
    grid: latLonGridSection({ ni: side, nj: side, first: [50, 0], last: [0, 49.9], increments: [0.1, 0.1] }),
    packed: Array.from({ length: side * side }, (_, k) => k % 251),
    bitsPerValue: 8,
    referenceValue: 200,
    decimalScaleFactor: 1,
  });
  const file = Buffer.concat(Array.from({ length: 20 }, () => oneMessage));

  it('lists a file by its headers: a few kilobytes per message, not the data', async () => {
    const input = new CountingInput(file);
    const messages = await listGribMessages(input);
    expect(messages).toHaveLength(20);
    expect(input.bytesRead).toBeLessThan(20 * 8 * 1024);
  });

  it('reads one message\'s data when that message is decoded, after the listing closed the source', async () => {
    const input = new CountingInput(file);
    const messages = await listGribMessages(input);
    const afterListing = input.bytesRead;
    const field = await messages[7]!.decode();
    expect(input.bytesRead - afterListing).toBeLessThan(oneMessage.length);
    expect(input.bytesRead - afterListing).toBeGreaterThan(side * side);
    expect(field.values[0]).toBe(20);
    expect(field.values[250]).toBe(20 + 250 / 10);
    expect(input.opened).toBe(2);
  });

  it('stops reading when the caller stops iterating', async () => {
    const input = new CountingInput(file);
    for await (const message of readGribMessages(input)) {
      expect(message.meta.messageIndex).toBe(0);
      break;
    }
    expect(input.bytesRead).toBeLessThan(64 * 1024);
  });

  it('gives the same fields from a path and from the bytes in memory', async () => {
    const fromPath = await listGribMessages(fixturePath('latlon-simple-multi.grib2'));
    const fromBytes = await listGribMessages(fixtureBytes('latlon-simple-multi.grib2'));
    expect(fromPath.map((message) => ({ ...message.meta, file: '' }))).toEqual(fromBytes.map((message) => ({ ...message.meta, file: '' })));
    expect(fromPath[0]!.meta.file).toBe(fixturePath('latlon-simple-multi.grib2'));
    expect(fromBytes[0]!.meta.file).toBe('<buffer>');
    const [a, b] = await Promise.all([fromPath[3]!.decode(), fromBytes[3]!.decode()]);
    expect(a.values).toEqual(b.values);
  });
});
