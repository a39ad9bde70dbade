import type { GribMessage } from '../formats/grib2';
import type { ObjectBody, ObjectStore } from '../storage/object-store';
import type { CatalogRow } from './ingest-store';
import { pad } from './utc';

/** Where one field goes and what the catalog calls it. */
export interface FieldTarget {
  readonly storageKey: string;
  readonly model: string;
  readonly parameter: string;
  readonly level: string;
  readonly cycle: Date;
}

/**
 * Stores one GRIB2 message as its own object and returns its catalog row. The values are decoded
 * first, so a message that does not decode is never stored, and the row's min/max/mean describe
 * exactly the bytes stored.
 */
export async function storeGribField(store: ObjectStore, message: GribMessage, body: ObjectBody, target: FieldTarget): Promise<CatalogRow> {
  const { min, max, mean, missing } = await message.decode();
  const put = await store.put(target.storageKey, body, { contentType: 'application/x-grib2' });
  const { meta } = message;
  const finite = (value: number) => (Number.isFinite(value) ? value : null);
  return {
    ...target,
    referenceTime: meta.identification.referenceTime,
    forecastHour: fieldForecastHour(message),
    bbox: meta.grid.boundingBox,
    size: put.size,
    sha256: put.sha256,
    min: finite(min),
    max: finite(max),
    mean: finite(mean),
    points: meta.grid.numberOfPoints,
    missing,
    extra: { stepRange: meta.product.stepRange, gridTemplate: meta.grid.template, packingTemplate: meta.packing.template },
  };
}

/** The forecast hour a field is valid at: the end of an accumulation (APCP 0-6 → 6), else its lead time. */
export function fieldForecastHour(message: GribMessage): number {
  const { product } = message.meta;
  return product.statistics?.endHour ?? product.forecastHour ?? 0;
}

/** "2 m above ground" → "2_m_above_ground": readable, and safe in any object store's keys. */
export function keySegment(text: string): string {
  return text.replace(/[^A-Za-z0-9.-]+/g, '_').replace(/^_+|_+$/g, '') || 'none';
}

/** "2024050112": the {YYYYMMDDHH} of storage keys. */
export function cycleSegment(cycle: Date): string {
  return `${pad(cycle.getUTCFullYear(), 4)}${pad(cycle.getUTCMonth() + 1, 2)}${pad(cycle.getUTCDate(), 2)}${pad(cycle.getUTCHours(), 2)}`;
}

/**
 * grids/{model}/{YYYYMMDDHH}/{param}_{level}_f{fff}.grib2. An accumulation or average that the
 * file holds over several periods (APCP 0-6 and 5-6 hour) gets its period appended, so two fields
 * never share a key.
 */
export function modelFieldKey(model: string, cycle: Date, message: GribMessage): string {
  const { product } = message.meta;
  const period = product.statistics ? `_${keySegment(product.stepRange)}` : '';
  const name = `${keySegment(product.parameter.shortName)}_${keySegment(product.level.description)}_f${pad(fieldForecastHour(message), 3)}${period}`;
  return `grids/${model}/${cycleSegment(cycle)}/${name}.grib2`;
}
