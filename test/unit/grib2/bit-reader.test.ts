import { BitReader } from '../../../activities/formats/grib2/bit-reader';

/** The obvious bit-by-bit reading, to check the word-at-a-time one against. */
function naiveRead(bytes: Uint8Array, position: number, width: number): number {
  let value = 0;
  for (let bit = 0; bit < width; bit++) {
    const at = position + bit;
    value = value * 2 + ((bytes[at >> 3]! >> (7 - (at & 7))) & 1);
  }
  return value;
}

describe('BitReader', () => {
  const bytes = Uint8Array.from({ length: 64 }, (_, k) => (k * 151 + 89) & 0xff);

  it.each(Array.from({ length: 33 }, (_, width) => width))('reads %i-bit values at every bit offset', (width) => {
    for (let start = 0; start < 16; start++) {
      const reader = new BitReader(bytes);
      reader.skip(start);
      const count = Math.floor((bytes.length * 8 - start) / Math.max(width, 1)) - 1;
      const bulk = new Float64Array(count);
      reader.readInto(bulk, 0, count, width);
      const single = new BitReader(bytes);
      single.skip(start);
      for (let k = 0; k < count; k++) {
        const expected = naiveRead(bytes, start + k * width, width);
        expect(bulk[k]).toBe(expected);
        expect(single.read(width)).toBe(expected);
      }
    }
  });

  it('reads all-ones 32-bit values as unsigned', () => {
    const reader = new BitReader(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff]));
    reader.skip(3);
    expect(reader.read(32)).toBe(2 ** 32 - 1);
  });

  it('aligns to the next byte and counts what remains', () => {
    const reader = new BitReader(new Uint8Array(4));
    reader.skip(3);
    reader.alignToByte();
    expect(reader.bitPosition).toBe(8);
    reader.alignToByte();
    expect(reader.bitPosition).toBe(8);
    expect(reader.remaining).toBe(24);
  });

  it('reads zeros, not garbage, just past the end (the padding), so a checked read never faults', () => {
    const reader = new BitReader(Uint8Array.from([0xff]));
    reader.skip(4);
    expect(reader.read(12)).toBe(0b1111_0000_0000);
  });
});
