/** What the codestream's SIZ marker segment says about the image. */
export interface Jpeg2000ImageSize {
  readonly width: number;
  readonly height: number;
  readonly components: number;
  /** Bit depth of the first component. */
  readonly bitsPerSample: number;
  readonly signed: boolean;
}

/**
 * Reads the SIZ segment that must follow the start-of-codestream marker (ITU-T T.800 §A.5.1), so
 * the image size can be checked against section 5 before the decoder allocates anything: the
 * decoder itself only reports the size after a full decode.
 */
export function readJpeg2000ImageSize(codestream: Uint8Array): Jpeg2000ImageSize | undefined {
  // SOC (FF4F), then SIZ (FF51) with Lsiz, Rsiz, Xsiz, Ysiz, XOsiz, YOsiz, 4 tile fields, Csiz, Ssiz…
  if (codestream.length < 43) return undefined;
  if (codestream[0] !== 0xff || codestream[1] !== 0x4f || codestream[2] !== 0xff || codestream[3] !== 0x51) return undefined;
  const view = new DataView(codestream.buffer, codestream.byteOffset, codestream.length);
  const width = view.getUint32(8) - view.getUint32(16);
  const height = view.getUint32(12) - view.getUint32(20);
  const ssiz = codestream[42]!;
  return { width, height, components: view.getUint16(40), bitsPerSample: (ssiz & 0x7f) + 1, signed: (ssiz & 0x80) !== 0 };
}
