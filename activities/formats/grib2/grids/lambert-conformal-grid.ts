import { GribUnsupportedError } from '../errors';
import type { Octets } from '../octets';
import { readEarthShape, type EarthShape } from './earth-shape';
import { normalizeLongitude, toDegrees, type BoundingBox, type LatLon } from './geography';
import { lambertBoundingBox, type LambertGridPlane } from './lambert-bounding-box';
import { LambertConformalProjection } from './lambert-projection';
import { scanningModeOf, type ScanningMode } from './scanning-mode';

/** Grid template 3.30: Lambert conformal conic, as HRRR and NAM use. */
export interface LambertConformalGrid {
  readonly template: 30;
  readonly gridType: 'lambert';
  /** Points along x (GRIB2's Nx). */
  readonly ni: number;
  /** Points along y (GRIB2's Ny). */
  readonly nj: number;
  readonly earthShape: EarthShape;
  readonly scanningMode: ScanningMode;
  readonly firstPoint: LatLon;
  /** Latitude where Dx and Dy apply, and the origin of y (LaD). */
  readonly lad: number;
  /** The meridian parallel to the y axis (LoV). */
  readonly lov: number;
  readonly latin1: number;
  readonly latin2: number;
  /** Grid lengths in metres. */
  readonly dx: number;
  readonly dy: number;
  readonly southPole: LatLon;
  /** Flag table 3.5: bit 1 set when the south pole is on the projection plane. */
  readonly projectionCentreFlags: number;
  readonly uvRelativeToGrid: boolean;
  /** The grid's four corner points, in grid order: first, end of first row, start and end of last row. */
  readonly corners: readonly [LatLon, LatLon, LatLon, LatLon];
  readonly boundingBox: BoundingBox;
}

export function readLambertConformalGrid(octets: Octets): LambertConformalGrid {
  octets.require(81, 'grid template 3.30 (81 octets)');
  const degrees = (octet: number) => toDegrees(octets.int(octet, 4), 1e-6);
  const earthShape = readEarthShape(octets);
  if (!earthShape) throw new GribUnsupportedError(octets.where, `shape of the earth ${octets.uint(15, 1)} (code table 3.2) cannot be used to project a Lambert grid`);
  const resolutionFlags = octets.uint(47, 1);
  const geometry = {
    ni: octets.uint(31, 4),
    nj: octets.uint(35, 4),
    earthShape,
    scanningMode: scanningModeOf(octets.uint(65, 1)),
    firstPoint: { lat: degrees(39), lon: normalizeLongitude(degrees(43)) },
    lad: degrees(48),
    lov: normalizeLongitude(degrees(52)),
    latin1: degrees(66),
    latin2: degrees(70),
    // Dx and Dy are in millimetres.
    dx: octets.uint(56, 4) / 1000,
    dy: octets.uint(60, 4) / 1000,
  };
  if (geometry.dx === 0 || geometry.dy === 0) octets.fail(`grid lengths Dx ${geometry.dx} m and Dy ${geometry.dy} m: both must be positive`);
  // Standard parallels symmetric about the equator make the cone a cylinder (n = 0): Mercator, not Lambert.
  if (geometry.latin1 + geometry.latin2 === 0) octets.fail(`standard parallels ${geometry.latin1} and ${geometry.latin2} do not define a cone`);
  const plane = planeOf(geometry);
  return {
    template: 30,
    gridType: 'lambert',
    ...geometry,
    southPole: { lat: degrees(74), lon: degrees(78) },
    projectionCentreFlags: octets.uint(64, 1),
    uvRelativeToGrid: (resolutionFlags & 0x08) !== 0,
    corners: cornersOf(plane),
    boundingBox: lambertBoundingBox(plane),
  };
}

type Geometry = Pick<LambertConformalGrid, 'ni' | 'nj' | 'earthShape' | 'scanningMode' | 'firstPoint' | 'lad' | 'lov' | 'latin1' | 'latin2' | 'dx' | 'dy'>;

/**
 * The grid on the projection plane: the first point projected, then Dx and Dy metres per step,
 * each way as the scanning mode says. Like ecCodes, Dx and Dy are taken as plane distances; NCEP
 * grids set LaD to the standard parallel, where plane and ground distances agree.
 */
function planeOf(grid: Geometry): LambertGridPlane {
  const projection = new LambertConformalProjection({
    earth: grid.earthShape,
    latin1: grid.latin1,
    latin2: grid.latin2,
    originLatitude: grid.lad,
    centralMeridian: grid.lov,
  });
  const origin = projection.forward(grid.firstPoint.lat, grid.firstPoint.lon);
  const dx = grid.scanningMode.iNegative ? -grid.dx : grid.dx;
  const dy = grid.scanningMode.jPositive ? grid.dy : -grid.dy;
  // The cone's apex: the pole on the side of the standard parallels.
  const apexLatitude = grid.latin1 >= 0 ? 90 : -90;
  const apex = projection.forward(apexLatitude, grid.lov);
  return {
    ni: grid.ni,
    nj: grid.nj,
    at: (i, j) => projection.inverse(origin.x + i * dx, origin.y + j * dy),
    apexLatitude,
    // Where the apex falls in grid index units (fractional, possibly outside the grid).
    apexI: (apex.x - origin.x) / dx,
    apexJ: (apex.y - origin.y) / dy,
  };
}

/**
 * Locates points (i, j) of a Lambert grid, i along x and j along y from the first point; the
 * projection is set up once, so locating every point of a large grid stays cheap.
 */
export function lambertPointLocator(grid: LambertConformalGrid): (i: number, j: number) => LatLon {
  const plane = planeOf(grid);
  return (i, j) => {
    const point = plane.at(i, j);
    return { lat: point.lat, lon: normalizeLongitude(point.lon) };
  };
}

function cornersOf(plane: LambertGridPlane): [LatLon, LatLon, LatLon, LatLon] {
  const at = (i: number, j: number) => {
    const point = plane.at(i, j);
    return { lat: point.lat, lon: normalizeLongitude(point.lon) };
  };
  return [at(0, 0), at(plane.ni - 1, 0), at(0, plane.nj - 1), at(plane.ni - 1, plane.nj - 1)];
}
