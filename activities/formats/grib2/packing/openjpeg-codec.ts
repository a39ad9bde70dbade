/**
 * The JPEG 2000 decoder: OpenJPEG compiled to WebAssembly, from @cornerstonejs/codec-openjpeg.
 * The package has no type declarations; these describe the part of its API used here.
 */
export interface J2KFrameInfo {
  readonly width: number;
  readonly height: number;
  readonly bitsPerSample: number;
  readonly componentCount: number;
  readonly isSigned: boolean;
}

export interface J2KDecoder {
  /** A buffer in the codec's memory to copy the codestream into. */
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): J2KFrameInfo;
  /** The samples: one byte each up to 8 bits, two (little-endian) up to 16. */
  getDecodedBuffer(): Uint8Array;
  /** Frees the decoder's memory inside the codec; it is not garbage collected. */
  delete(): void;
}

interface OpenJpegModule {
  J2KDecoder: new () => J2KDecoder;
}

type OpenJpegFactory = (options: { print: (text: string) => void; printErr: (text: string) => void }) => Promise<OpenJpegModule>;

let loaded: Promise<OpenJpegModule> | undefined;

/**
 * Loads the codec once, on first use, so files without JPEG 2000 never pay for it. The package's
 * "./wasmjs" export is its WebAssembly build: on a 1000 × 1000 field it decodes in ~150 ms where
 * the package root's asm.js build takes ~1.1 s, with identical output.
 *
 * OpenJPEG prints progress lines ("[INFO] Header of tile 1 / 1 has been read"): they are
 * silenced, or they would land in the middle of a command's output.
 */
export function openJpegCodec(): Promise<OpenJpegModule> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS package without types
  const factory = require('@cornerstonejs/codec-openjpeg/wasmjs') as OpenJpegFactory;
  loaded ??= factory({ print: () => {}, printErr: () => {} });
  return loaded;
}

/** After the codec threw (an Emscripten abort leaves it unusable), the next use loads a fresh one. */
export function discardOpenJpegCodec(): void {
  loaded = undefined;
}
