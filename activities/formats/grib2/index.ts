/**
 * A GRIB2 reader for NOAA's model output (GFS, HRRR, NAM, RAP, MRMS):
 *
 *   for await (const message of readGribMessages('/data/hrrr.t00z.wrfsfcf01.grib2')) {
 *     const { shortName } = message.meta.product.parameter;
 *     const { values, min, max, mean, missing } = await message.decode();
 *   }
 *
 * Grid templates 3.0 and 3.30; product templates 4.0 and 4.8; data templates 5.0, 5.2, 5.3,
 * 5.40 and 5.41; bitmaps. Bad input fails with a GribFormatError (a UserError) naming the file,
 * message and section; valid GRIB this reader cannot decode fails with GribUnsupportedError.
 */
export { readGribMessages, listGribMessages } from './reader';
export { GribMessage, DEFAULT_MAX_DECODE_POINTS, type DecodedField, type DecodeOptions } from './message';
export type { GribFieldMetadata } from './field-metadata';
export { namedBytes, type ByteSource, type GribInput, type RandomAccessInput } from './byte-source';
export { GribFormatError, GribUnsupportedError, GribEditionError, type GribLocation } from './errors';
export { gridIndicesOf, gridPointLocator, MAX_GRID_POINTS, type Grid } from './grid';
export type { LatLonGrid } from './grids/lat-lon-grid';
export type { LambertConformalGrid } from './grids/lambert-conformal-grid';
export type { BoundingBox, LatLon } from './grids/geography';
export type { EarthShape } from './grids/earth-shape';
export type { ScanningMode } from './grids/scanning-mode';
export type { Identification } from './identification';
export type { Product } from './product';
export type { Parameter } from './products/parameters';
export type { Level } from './products/levels';
export type { StatisticalProcessing, TimeRange } from './products/statistical-processing';
export type { TimeSpan } from './products/time-units';
export type { DataRepresentation, MissingValueManagement } from './data-representation';
export type { FieldStatistics } from './statistics';
