import { BITMAP_NONE, BITMAP_PRESENT, BITMAP_PREVIOUS, checkBitmap, spreadOverBitmap, unsupportedBitmap } from './bitmap';
import { openByteSource, type ByteSource, type GribInput } from './byte-source';
import { GribFormatError, type GribLocation } from './errors';
import type { GribFieldMetadata } from './field-metadata';
import { unpackValues } from './packing/unpack';
import type { FieldSections, SectionSpan } from './sections';
import { statisticsOf, type FieldStatistics } from './statistics';

/** A decoded field: one value per grid point in the order the file stores them, NaN where missing. */
export interface DecodedField extends FieldStatistics {
  readonly values: Float64Array;
}

export interface DecodeOptions {
  /**
   * Refuse fields with more grid points than this (default 2^27, 1 GiB of values): a corrupt or
   * hostile header must not make the reader allocate gigabytes. Raise it for bigger grids.
   */
  readonly maxPoints?: number;
}

export const DEFAULT_MAX_DECODE_POINTS = 2 ** 27;

/**
 * One field of a GRIB2 file: its metadata, read when the file was listed, and its values, read
 * from the file and decoded only when `decode()` is called.
 */
export class GribMessage {
  constructor(
    readonly meta: GribFieldMetadata,
    private readonly input: GribInput,
    private readonly sections: FieldSections,
  ) {}

  async decode(options: DecodeOptions = {}): Promise<DecodedField> {
    const { meta } = this;
    const maxPoints = options.maxPoints ?? DEFAULT_MAX_DECODE_POINTS;
    const points = meta.grid.numberOfPoints;
    if (points > maxPoints) {
      throw new GribFormatError(
        this.where(3, this.sections.grid),
        `the grid has ${points} points, more than the ${maxPoints} allowed (DecodeOptions.maxPoints)`,
        'If the grid really is that large, decode it with a larger maxPoints; otherwise the file is corrupt.',
      );
    }
    const source = await openByteSource(this.input);
    try {
      const bitmap = await this.readBitmap(source);
      const dataWhere = this.where(7, this.sections.data);
      if (bitmap) checkBitmap(bitmap, points, meta.packing.numberOfValues, this.where(6, this.sections.bitmap));
      else if (meta.packing.numberOfValues !== points) {
        throw new GribFormatError(this.where(5, this.sections.dataRepresentation), `section 5 packs ${meta.packing.numberOfValues} values for a grid of ${points} points, without a bitmap`);
      }
      const data = await readSection(source, this.sections.data, dataWhere);
      const packed = await unpackValues(data.subarray(5), meta.packing, dataWhere);
      const values = bitmap ? spreadOverBitmap(packed, bitmap, points) : packed;
      return { values, ...statisticsOf(values) };
    } finally {
      await source.close();
    }
  }

  /** The bits of the bitmap that applies (octet 7 onwards of a section 6), or undefined if none. */
  private async readBitmap(source: ByteSource): Promise<Uint8Array | undefined> {
    const indicator = this.meta.bitmapIndicator;
    if (indicator === BITMAP_NONE) return undefined;
    if (indicator === BITMAP_PRESENT) return (await readSection(source, this.sections.bitmap, this.where(6, this.sections.bitmap))).subarray(6);
    if (indicator !== BITMAP_PREVIOUS) throw unsupportedBitmap(indicator, this.where(6, this.sections.bitmap));
    // "The previous bitmap" is the last one this message defined; earlier 254s defer to it too.
    for (const span of [...this.sections.earlierBitmaps].reverse()) {
      const section = await readSection(source, span, this.where(6, span));
      if (section.length >= 6 && section[5] === BITMAP_PRESENT) return section.subarray(6);
    }
    throw new GribFormatError(this.where(6, this.sections.bitmap), 'bitmap indicator 254 ("the previous bitmap"), but no earlier field of this message defines one');
  }

  private where(section: number, span: SectionSpan): GribLocation {
    return { file: this.meta.file, messageIndex: this.meta.messageIndex, section, offset: span.offset };
  }
}

/**
 * Reads a whole section, checking its header still says what the scan saw: a file replaced
 * or rewritten between listing and decoding is reported, not decoded as something else.
 */
async function readSection(source: ByteSource, span: SectionSpan, where: GribLocation): Promise<Uint8Array> {
  const bytes = await source.read(span.offset, span.length);
  const length = ((bytes[0]! << 24) >>> 0) + (bytes[1]! << 16) + (bytes[2]! << 8) + bytes[3]!;
  if (length !== span.length || bytes[4] !== span.number) {
    throw new GribFormatError(where, `section ${span.number} is no longer where the file was listed; did the file change since?`);
  }
  return bytes;
}
