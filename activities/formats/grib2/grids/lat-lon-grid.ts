import type { Octets } from '../octets';
import { readEarthShape, type EarthShape } from './earth-shape';
import { angleUnitInDegrees, normalizeLongitude, toDegrees, type BoundingBox, type LatLon } from './geography';
import { scanningModeOf, type ScanningMode } from './scanning-mode';

/** Grid template 3.0: a regular latitude/longitude grid ("equidistant cylindrical"), as GFS uses. */
export interface LatLonGrid {
  readonly template: 0;
  readonly gridType: 'regular_ll';
  /** Points along a parallel (a row). */
  readonly ni: number;
  /** Points along a meridian (a column). */
  readonly nj: number;
  readonly earthShape: EarthShape | undefined;
  readonly scanningMode: ScanningMode;
  readonly firstPoint: LatLon;
  readonly lastPoint: LatLon;
  /** Degrees between points along i and j, always positive; the scanning mode gives directions. */
  readonly iIncrement: number;
  readonly jIncrement: number;
  /** Flag table 3.3 bit 5: vector components relative to the grid's x/y rather than east/north. */
  readonly uvRelativeToGrid: boolean;
  readonly boundingBox: BoundingBox;
}

export function readLatLonGrid(octets: Octets): LatLonGrid {
  octets.require(72, 'grid template 3.0 (72 octets)');
  const ni = octets.uint(31, 4);
  const nj = octets.uint(35, 4);
  const unit = angleUnitInDegrees(octets.uintOrMissing(39, 4), octets.uintOrMissing(43, 4));
  const angle = (octet: number) => toDegrees(octets.int(octet, 4), unit);
  const resolutionFlags = octets.uint(55, 1);
  const scanningMode = scanningModeOf(octets.uint(72, 1));
  const firstPoint = { lat: angle(47), lon: angle(51) };
  const lastPoint = { lat: angle(56), lon: angle(60) };

  // Increments may be left missing (flag table 3.3 bits 3 and 4); the end points then define them.
  const iSpan = longitudeSpan(firstPoint.lon, lastPoint.lon, scanningMode.iNegative);
  const iIncrement = octets.isMissing(64, 4) ? iSpan / Math.max(ni - 1, 1) : toDegrees(octets.uint(64, 4), unit);
  const jIncrement = octets.isMissing(68, 4) ? Math.abs(lastPoint.lat - firstPoint.lat) / Math.max(nj - 1, 1) : toDegrees(octets.uint(68, 4), unit);

  const west = normalizeLongitude(scanningMode.iNegative ? lastPoint.lon : firstPoint.lon);
  return {
    template: 0,
    gridType: 'regular_ll',
    ni,
    nj,
    earthShape: readEarthShape(octets),
    scanningMode,
    firstPoint,
    lastPoint,
    iIncrement,
    jIncrement,
    uvRelativeToGrid: (resolutionFlags & 0x08) !== 0,
    boundingBox: {
      west,
      east: west + iSpan,
      south: Math.min(firstPoint.lat, lastPoint.lat),
      north: Math.max(firstPoint.lat, lastPoint.lat),
    },
  };
}

/** Locates points (i, j) of the grid; i counts along rows, j along columns, from the first point. */
export function latLonPointLocator(grid: LatLonGrid): (i: number, j: number) => LatLon {
  const { iNegative, jPositive } = grid.scanningMode;
  return (i, j) => ({
    lat: grid.firstPoint.lat + (jPositive ? j : -j) * grid.jIncrement,
    lon: normalizeLongitude(grid.firstPoint.lon + (iNegative ? -i : i) * grid.iIncrement),
  });
}

/** Degrees covered from the first to the last column, going the way the rows scan. */
function longitudeSpan(firstLon: number, lastLon: number, iNegative: boolean): number {
  const span = iNegative ? firstLon - lastLon : lastLon - firstLon;
  if (span === 360 || span === -360) return 360; // a closed ring: the last column repeats the first
  return normalizeLongitude(span);
}
