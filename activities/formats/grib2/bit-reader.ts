/**
 * Reads the big-endian, bit-packed unsigned integers GRIB2 stores its data in: any width from
 * 0 to 32 bits, starting at any bit. The hot path reads a whole 32-bit word per value; near the
 * end of the input, where a word would run past it, bytes beyond the end count as zeros. The
 * input is used in place, not copied: on a million-point field, a copy costs more than reading.
 * Callers check the bit budget (`remaining`) before reading, which is where corrupt input is caught.
 */
export class BitReader {
  private position = 0;
  /** Bits in the input. */
  readonly length: number;

  constructor(private readonly bytes: Uint8Array) {
    this.length = bytes.length * 8;
  }

  /** Current position, in bits from the start. */
  get bitPosition(): number {
    return this.position;
  }

  get remaining(): number {
    return this.length - this.position;
  }

  /** Each block of a GRIB2 data section starts on a byte boundary. */
  alignToByte(): void {
    this.position = Math.ceil(this.position / 8) * 8;
  }

  skip(bits: number): void {
    this.position += bits;
  }

  read(width: number): number {
    const value = this.peekAt(this.position, width);
    this.position += width;
    return value;
  }

  /** Reads `count` values of `width` bits into `target` from `start`: the hot loop of every packing. */
  readInto(target: Float64Array, start: number, count: number, width: number): void {
    if (width === 0) {
      target.fill(0, start, start + count);
      return;
    }
    const end = start + count;
    let position = this.position;
    let k = start;
    if (width <= 25) {
      // shift (≤ 7) + width (≤ 25) fits one 32-bit word: the fast path for almost all data,
      // taken while the word's 4 bytes are all inside the input.
      const bytes = this.bytes;
      const lastWordStart = bytes.length - 4;
      const drop = 32 - width;
      for (; k < end; k++) {
        const at = position >>> 3;
        if (at > lastWordStart) break;
        const word = (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
        target[k] = (word << (position & 7)) >>> drop;
        position += width;
      }
    }
    for (; k < end; k++) {
      target[k] = this.peekAt(position, width);
      position += width;
    }
    this.position = position;
  }

  private peekAt(position: number, width: number): number {
    if (width === 0) return 0;
    const at = Math.floor(position / 8);
    const shift = position % 8;
    // 40 bits cover any 32-bit value at any shift; doubles hold them exactly.
    let high = 0;
    for (let i = 0; i < 5; i++) high = high * 256 + (this.bytes[at + i] ?? 0);
    // Keep `width` bits starting `shift` bits into those 40.
    return Math.floor(high / 2 ** (40 - shift - width)) % 2 ** width;
  }
}
