import { randomBytes } from 'node:crypto';
import { QuoteParity } from '../../../activities/archive/quote-parity';

const byteLoop = (bytes: Uint8Array, from: number, end: number) => {
  let odd = 0;
  for (let at = from; at < end; at++) if (bytes[at] === 0x22) odd ^= 1;
  return odd;
};

describe('QuoteParity', () => {
  it('agrees with a byte loop on every span of quote-dense buffers at every alignment', () => {
    // Bytes near 0x22 (0x21, 0x23, 0xa2) are what a sloppy word trick would mistake for quotes.
    const palette = [0x22, 0x21, 0x23, 0xa2, 0x00, 0xff, 0x0a, 0x41];
    const base = Buffer.from(Array.from({ length: 300 }, () => palette[Math.floor(Math.random() * palette.length)]!));
    const parity = new QuoteParity();
    for (let offset = 0; offset < 4; offset++) {
      const chunk = base.subarray(offset);
      parity.use(chunk);
      for (let from = 0; from < 40; from++) {
        for (let end = from; end <= chunk.length; end += 1 + (end % 7)) expect([offset, from, end, parity.odd(from, end)]).toEqual([offset, from, end, byteLoop(chunk, from, end)]);
      }
    }
  });

  it('agrees with a byte loop on 1 MiB of random bytes, and on empty and tiny chunks', () => {
    const parity = new QuoteParity();
    const big = randomBytes(1 << 20);
    parity.use(big.subarray(3));
    expect(parity.odd(0, big.length - 3)).toBe(byteLoop(big, 3, big.length));
    const tiny = Buffer.from('x""""x"');
    const chunks = [Buffer.alloc(0), Buffer.from('"'), Buffer.from('a"'), Buffer.from('""""')];
    // Every slice at every offset: some end before their first aligned byte.
    for (let from = 0; from < tiny.length; from++) for (let end = from; end <= tiny.length; end++) chunks.push(tiny.subarray(from, end));
    for (const chunk of chunks) {
      parity.use(chunk);
      expect(parity.odd(0, chunk.length)).toBe(byteLoop(chunk, 0, chunk.length));
    }
  });
});
