import { GribFormatError, GribUnsupportedError } from './errors';
import type { LatLon } from './grids/geography';
import { lambertPointLocator, readLambertConformalGrid, type LambertConformalGrid } from './grids/lambert-conformal-grid';
import { latLonPointLocator, readLatLonGrid, type LatLonGrid } from './grids/lat-lon-grid';
import type { Octets } from './octets';

/** Section 3 for the supported templates, with the point count every template shares. */
export type Grid = (LatLonGrid | LambertConformalGrid) & {
  /** Grid points in the field, including those a bitmap marks missing. */
  readonly numberOfPoints: number;
};

/**
 * The largest grid accepted: typed arrays and Buffers index with 31 bits. Real grids are far
 * smaller (GFS 0.25° has 1 038 240 points, HRRR 1 905 141, MRMS 24 500 000).
 */
export const MAX_GRID_POINTS = 2 ** 31 - 1;

export function readGrid(octets: Octets): Grid {
  octets.require(14, 'the grid definition header (14 octets)');
  const source = octets.uint(6, 1);
  if (source !== 0) throw new GribUnsupportedError(octets.where, `grid definition source ${source}: a grid predefined by the centre, not described in the file`);
  const numberOfPoints = octets.uint(7, 4);
  if (numberOfPoints > MAX_GRID_POINTS) octets.fail(`the grid claims ${numberOfPoints} points, more than the ${MAX_GRID_POINTS} a reader can address`);
  const template = octets.uint(13, 2);
  if (template !== 0 && template !== 30) throw new GribUnsupportedError(octets.where, `unsupported grid definition template 3.${template}`);

  // Both templates put Ni/Nx and Nj/Ny at octets 31 and 35. Checked before the template is read,
  // since reading a Lambert grid walks its perimeter.
  octets.require(38, `grid template 3.${template}`);
  if (octets.isMissing(31, 4) || octets.isMissing(35, 4) || octets.uint(11, 1) !== 0) {
    throw new GribUnsupportedError(octets.where, 'quasi-regular (reduced) grids, whose rows vary in length');
  }
  const ni = octets.uint(31, 4);
  const nj = octets.uint(35, 4);
  if (ni * nj !== numberOfPoints || numberOfPoints === 0) {
    throw new GribFormatError(octets.where, `the grid is ${ni}×${nj} = ${ni * nj} points, but section 3 says ${numberOfPoints}`);
  }
  const definition = template === 0 ? readLatLonGrid(octets) : readLambertConformalGrid(octets);
  return { ...definition, numberOfPoints };
}

/** The grid indices (i along rows, j along columns) of the value at `index` in decoded order. */
export function gridIndicesOf(grid: Grid, index: number): { i: number; j: number } {
  const { jConsecutive, alternatingRows } = grid.scanningMode;
  const lineLength = jConsecutive ? grid.nj : grid.ni;
  const line = Math.floor(index / lineLength);
  let along = index % lineLength;
  // Boustrophedonic grids run every other line backwards.
  if (alternatingRows && line % 2 === 1) along = lineLength - 1 - along;
  return jConsecutive ? { i: line, j: along } : { i: along, j: line };
}

/** A function giving the latitude and longitude of grid point (i, j); build it once per grid. */
export function gridPointLocator(grid: Grid): (i: number, j: number) => LatLon {
  return grid.template === 0 ? latLonPointLocator(grid) : lambertPointLocator(grid);
}
