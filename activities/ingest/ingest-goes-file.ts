import { quickLookPng } from '../formats/goes/quick-look';
import { readGoesCmi } from '../formats/goes/read-goes-cmi';
import { IngestFileError } from './errors';
import { parseGoesKey } from './goes-key';
import type { FileOutcome, IngestIo } from './ingest-io';
import type { IngestTask } from './ingest-task';
import type { GoesSource } from './sources';
import { stagingFile } from './staging';
import { cycleSegment } from './store-grib-field';

/** A CONUS CMIP file is 2–30 MB; full disk band 2 about 400 MB. */
const MAX_GOES_FILE_BYTES = 1024 ** 3;

/**
 * One GOES ABI band image: the NetCDF-4 file is read with h5wasm, stored as it came at
 * grids/{goes16}/{YYYYMMDDHH}/{band}_s{scan start}.nc beside a PNG quick-look, and catalogued with
 * its band, scan start and end, extent and value statistics.
 */
export async function ingestGoesFile(io: IngestIo, source: GoesSource, task: IngestTask): Promise<FileOutcome> {
  const key = parseGoesKey(task.key);
  const cycle = new Date(task.cycle);
  return stagingFile(io.workDir, '.nc', async (file) => {
    const bytesFetched = await io.buckets.download(source.bucket, { key: task.key, etag: task.etag, size: task.size }, file, { maxBytes: MAX_GOES_FILE_BYTES, onProgress: io.heartbeat });
    const image = await readGoesCmi(file);
    io.heartbeat();
    if (`C${String(image.band).padStart(2, '0')}` !== key.band) {
      throw new IngestFileError(`${task.key}: the file holds band ${image.band}, but its name says ${key.band}`);
    }
    const stats = statisticsOf(image.values);
    const stamp = key.scanStart.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const base = `grids/${source.id}/${cycleSegment(cycle)}/${key.band}_${key.mode}_s${stamp}`;
    const stored = await io.store.putFile(`${base}.nc`, file, { contentType: 'application/x-netcdf' });
    const quickLook = await io.store.put(`${base}.png`, await quickLookPng(image, stats.present > 0 ? stats : { min: 0, max: 1 }), { contentType: 'image/png' });
    return {
      bytesFetched,
      fields: [
        {
          storageKey: stored.key,
          model: source.id,
          parameter: key.band,
          level: source.product,
          referenceTime: image.scanStart,
          forecastHour: 0,
          cycle,
          bbox: image.extent,
          size: stored.size,
          sha256: stored.sha256,
          min: stats.present > 0 ? stats.min : null,
          max: stats.present > 0 ? stats.max : null,
          mean: stats.present > 0 ? stats.mean : null,
          points: image.values.length,
          missing: image.values.length - stats.present,
          extra: { scanEnd: image.scanEnd.toISOString(), quickLookKey: quickLook.key, units: image.units, rows: image.rows, columns: image.columns, mode: key.mode },
        },
      ],
    };
  });
}

function statisticsOf(values: Float32Array): { min: number; max: number; mean: number; present: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let present = 0;
  for (const value of values) {
    if (Number.isNaN(value)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
    sum += value;
    present += 1;
  }
  return { min, max, mean: present > 0 ? sum / present : NaN, present };
}
