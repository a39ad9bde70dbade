import fs from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { projectRoot } from '../../../infra/project-root';
import { UserError } from '../../../infra/errors/user-error';

/** One GOES ABI Level 2 Cloud and Moisture Imagery band, as the file holds it. */
export interface GoesImage {
  /** ABI band number, 1–16. */
  readonly band: number;
  readonly scanStart: Date;
  readonly scanEnd: Date;
  /** Degrees, from the file's geospatial_lat_lon_extent. */
  readonly extent: { readonly west: number; readonly south: number; readonly east: number; readonly north: number };
  readonly rows: number;
  readonly columns: number;
  /** Reflectance factor (bands 1–6) or brightness temperature in K, row by row; NaN where the file has its fill value. */
  readonly values: Float32Array;
  readonly units: string;
  /** "G16", "G18". */
  readonly platform: string | undefined;
}

/** A file that is not a readable GOES CMIP product. Bad input: not retried. */
export class GoesFormatError extends UserError {
  override name = 'GoesFormatError';
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`, 'The file is not a GOES ABI L2 CMIP NetCDF-4 file; it is quarantined until the source replaces it.');
  }
}

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
/** CONUS band 2 (0.5 km) is 6000 × 10000; full disk band 2 is 21696². */
const MAX_POINTS = 21_696 ** 2;
const READ_TIMEOUT_MS = 120_000;

/**
 * Reads a GOES ABI L2 CMIP NetCDF-4 file with h5wasm (HDF5 compiled to WebAssembly), in a worker
 * thread with a time limit. The file is first checked to be HDF5 at all, so a NetCDF-3 ("CDF\x01")
 * or any other file gets a plain answer instead of an HDF5 library error.
 */
export async function readGoesCmi(file: string): Promise<GoesImage> {
  await requireHdf5(file);
  const raw = await readInWorker(file);
  const fail = (problem: string) => new GoesFormatError(file, problem);
  const [rows, columns] = raw.shape as [number, number];
  const scanStart = parseTime(raw.timeCoverageStart, 'time_coverage_start', fail);
  const scanEnd = parseTime(raw.timeCoverageEnd, 'time_coverage_end', fail);
  if (typeof raw.bandId !== 'number' || raw.bandId < 1 || raw.bandId > 16) throw fail(`band_id ${JSON.stringify(raw.bandId)} is not an ABI band 1–16`);
  const extent = raw.extent;
  if (!extent || ![extent.west, extent.east, extent.south, extent.north].every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw fail('has no geospatial_lat_lon_extent with four bounds');
  }
  return {
    band: raw.bandId,
    scanStart,
    scanEnd,
    extent: { west: extent.west!, south: extent.south!, east: extent.east!, north: extent.north! },
    rows,
    columns,
    values: scaledValues(raw, fail),
    units: typeof raw.units === 'string' ? raw.units : '',
    platform: typeof raw.platform === 'string' ? raw.platform : undefined,
  };
}

interface RawCmi {
  shape: number[];
  raw: ArrayLike<number>;
  scaleFactor?: number;
  addOffset?: number;
  fillValue?: number;
  unsigned?: string;
  units?: unknown;
  bandId?: unknown;
  timeCoverageStart?: unknown;
  timeCoverageEnd?: unknown;
  platform?: unknown;
  extent?: { west?: number; east?: number; south?: number; north?: number };
}

/** HDF5 puts its signature at 0, 512, 1024, 2048… (after an optional user block). */
async function requireHdf5(file: string): Promise<void> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const probe = Buffer.alloc(8);
    for (let offset = 0; offset + 8 <= size; offset = offset === 0 ? 512 : offset * 2) {
      await handle.read(probe, 0, 8, offset);
      if (probe.equals(HDF5_SIGNATURE)) return;
    }
    await handle.read(probe, 0, Math.min(8, size), 0);
    const what = probe.subarray(0, 3).toString('latin1') === 'CDF' ? 'a classic NetCDF (version 3) file' : size === 0 ? 'empty' : 'not HDF5';
    throw new GoesFormatError(file, `is ${what}; GOES L2 products are NetCDF-4, which is HDF5`);
  } finally {
    await handle.close();
  }
}

function readInWorker(file: string): Promise<RawCmi> {
  const script = path.join(projectRoot(), 'activities', 'formats', 'goes', 'h5-read-worker.mjs');
  return new Promise((resolve, reject) => {
    // The HDF5 library prints its error stack to stderr; it is kept for the error message instead.
    const worker = new Worker(script, { workerData: { path: file, maxPoints: MAX_POINTS }, stderr: true, stdout: true });
    let diagnostics = '';
    worker.stderr.on('data', (chunk: Buffer) => (diagnostics = `${diagnostics}${chunk}`.slice(-4000)));
    worker.stdout.resume();
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new GoesFormatError(file, `reading took more than ${READ_TIMEOUT_MS / 1000} s`));
    }, READ_TIMEOUT_MS);
    worker.once('message', (message: { ok: true; result: RawCmi } | { ok: false; message: string }) => {
      clearTimeout(timer);
      void worker.terminate();
      if (message.ok) resolve(message.result);
      else reject(new GoesFormatError(file, `${message.message}${firstHdf5Problem(diagnostics)}`));
    });
    worker.once('error', (err) => {
      clearTimeout(timer);
      reject(new GoesFormatError(file, `HDF5 could not read it: ${err.message}`));
    });
  });
}

/** HDF5's error stack names the failing routine and why ("minor: Inappropriate type"); the first such pair is enough. */
function firstHdf5Problem(diagnostics: string): string {
  const major = /major: (.+)/.exec(diagnostics)?.[1];
  const minor = /minor: (.+)/.exec(diagnostics)?.[1];
  return major ? ` (HDF5: ${major.trim()}${minor ? `, ${minor.trim()}` : ''})` : '';
}

function scaledValues(raw: RawCmi, fail: (problem: string) => Error): Float32Array {
  const scale = raw.scaleFactor ?? 1;
  const offset = raw.addOffset ?? 0;
  if (!Number.isFinite(scale) || !Number.isFinite(offset)) throw fail('CMI has a scale_factor or add_offset that is not a number');
  const unsigned = raw.unsigned === 'true';
  const values = new Float32Array(raw.raw.length);
  for (let i = 0; i < values.length; i++) {
    const stored = raw.raw[i]!;
    values[i] = stored === raw.fillValue ? NaN : (unsigned && stored < 0 ? stored + 65536 : stored) * scale + offset;
  }
  return values;
}

function parseTime(value: unknown, name: string, fail: (problem: string) => Error): Date {
  const time = typeof value === 'string' ? new Date(value) : undefined;
  if (!time || Number.isNaN(time.getTime())) throw fail(`${name} ${JSON.stringify(value)} is not an ISO time`);
  return time;
}
