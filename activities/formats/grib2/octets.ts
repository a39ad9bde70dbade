import { GribFormatError, type GribLocation } from './errors';

type Width = 1 | 2 | 4 | 8;

/**
 * The bytes of one section, read the way the WMO tables number them: octet 1 is the section's
 * first byte, so `uint(31, 4)` reads "octets 31–34" exactly as the template tables say.
 *
 * GRIB2 integers are big-endian; signed ones are sign-and-magnitude (top bit is the sign), not
 * two's complement. A field with every bit set means "missing". Every read is bounds-checked,
 * so a section shorter than its template fails with a GribFormatError naming it.
 */
export class Octets {
  constructor(
    readonly bytes: Uint8Array,
    readonly where: GribLocation,
  ) {}

  get length(): number {
    return this.bytes.length;
  }

  uint(octet: number, width: Width): number {
    const start = this.checked(octet, width);
    let value = 0;
    for (let i = 0; i < width; i++) value = value * 256 + this.bytes[start + i]!;
    return value;
  }

  /** A sign-and-magnitude integer: the top bit is the sign, the rest the magnitude. */
  int(octet: number, width: Exclude<Width, 8>): number {
    const raw = this.uint(octet, width);
    const signBit = 2 ** (8 * width - 1);
    return raw >= signBit ? -(raw - signBit) : raw;
  }

  /** An IEEE 754 single-precision float (big-endian), as for the reference value R. */
  float32(octet: number): number {
    const start = this.checked(octet, 4);
    return new DataView(this.bytes.buffer, this.bytes.byteOffset + start, 4).getFloat32(0, false);
  }

  /** True when every bit of the field is set, GRIB's "missing". */
  isMissing(octet: number, width: Width): boolean {
    const start = this.checked(octet, width);
    for (let i = 0; i < width; i++) if (this.bytes[start + i] !== 0xff) return false;
    return true;
  }

  uintOrMissing(octet: number, width: Width): number | undefined {
    return this.isMissing(octet, width) ? undefined : this.uint(octet, width);
  }

  intOrMissing(octet: number, width: Exclude<Width, 8>): number | undefined {
    return this.isMissing(octet, width) ? undefined : this.int(octet, width);
  }

  /** The bytes from `octet` to the end of the section, without copying. */
  from(octet: number): Uint8Array {
    return this.bytes.subarray(this.checked(octet, 0));
  }

  /** Fails unless the section reaches at least `lastOctet`, saying what needed it. */
  require(lastOctet: number, what: string): void {
    if (this.bytes.length < lastOctet) {
      throw new GribFormatError(this.where, `section is ${this.bytes.length} bytes, too short for ${what} (needs ${lastOctet})`);
    }
  }

  fail(problem: string): never {
    throw new GribFormatError(this.where, problem);
  }

  private checked(octet: number, width: number): number {
    const start = octet - 1;
    if (start < 0 || start + width > this.bytes.length) {
      throw new GribFormatError(this.where, `section is ${this.bytes.length} bytes, too short to hold octets ${octet}–${octet + width - 1}`);
    }
    return start;
  }
}
