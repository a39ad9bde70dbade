import type { Jpeg2000Packing } from '../data-representation';
import { GribFormatError, GribUnsupportedError, type GribLocation } from '../errors';
import { readJpeg2000ImageSize } from './jpeg2000-header';
import { discardOpenJpegCodec, openJpegCodec } from './openjpeg-codec';
import { applyScaling, constantField, scalingOf } from './scaling';

/** The codec returns samples of one or two bytes; deeper images come back clipped. */
const MAX_DECODABLE_BITS = 16;

/**
 * Template 5.40: section 7 is a JPEG 2000 codestream (not a JP2 file) of one gray component,
 * whose samples are the packed integers.
 */
export async function unpackJpeg2000(data: Uint8Array, packing: Jpeg2000Packing, where: GribLocation): Promise<Float64Array> {
  const count = packing.numberOfValues;
  // A constant field has no codestream at all.
  if (packing.bitsPerValue === 0) return constantField(count, packing.referenceValue);
  const scaling = scalingOf(packing.referenceValue, packing.binaryScaleFactor, packing.decimalScaleFactor);

  const size = readJpeg2000ImageSize(data);
  if (!size) throw new GribFormatError(where, 'section 7 does not start with a JPEG 2000 codestream (SOC and SIZ markers)');
  if (size.width * size.height !== count) throw new GribFormatError(where, `the JPEG 2000 image is ${size.width}×${size.height}, but section 5 says ${count} values`);
  if (size.components !== 1 || size.signed) throw new GribFormatError(where, `the JPEG 2000 image has ${size.components} component(s)${size.signed ? ', signed' : ''}; GRIB2 packs one unsigned component`);
  if (size.bitsPerSample > MAX_DECODABLE_BITS) {
    throw new GribUnsupportedError(
      where,
      `JPEG 2000 images of ${size.bitsPerSample} bits per sample: the decoder (@cornerstonejs/codec-openjpeg) handles at most ${MAX_DECODABLE_BITS}`,
      'Repack the field, e.g. with ecCodes: grib_set -r -s packingType=grid_complex_spatial_differencing in.grib2 out.grib2.',
    );
  }

  const codec = await openJpegCodec();
  const decoder = new codec.J2KDecoder();
  try {
    decoder.getEncodedBuffer(data.length).set(data);
    try {
      decoder.decode();
    } catch (err) {
      discardOpenJpegCodec();
      throw new GribFormatError(where, `the JPEG 2000 codestream does not decode: ${String(err)}`);
    }
    const frame = decoder.getFrameInfo();
    // OpenJPEG reports a corrupt codestream by decoding nothing.
    if (frame.width === 0 || frame.height === 0) throw new GribFormatError(where, 'the JPEG 2000 codestream is corrupt: it decodes to no image');
    if (frame.width * frame.height !== count) throw new GribFormatError(where, `the JPEG 2000 image decoded to ${frame.width}×${frame.height}, but section 5 says ${count} values`);
    return applyScaling(samplesOf(decoder.getDecodedBuffer(), count, frame.bitsPerSample), scaling);
  } finally {
    try {
      decoder.delete();
    } catch {
      // Only after the codec aborted, which was reported above and discarded it.
    }
  }
}

/** Copies the samples out of the codec's memory (the buffer is a view that `delete` frees). */
function samplesOf(buffer: Uint8Array, count: number, bitsPerSample: number): Float64Array {
  const values = new Float64Array(count);
  if (bitsPerSample <= 8) {
    for (let k = 0; k < count; k++) values[k] = buffer[k]!;
  } else {
    for (let k = 0; k < count; k++) values[k] = buffer[2 * k]! | (buffer[2 * k + 1]! << 8);
  }
  return values;
}
