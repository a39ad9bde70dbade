import { normalizeLongitude, type BoundingBox, type LatLon } from './geography';

/** A Lambert grid as the bounding box needs it: points located on the cone's plane. */
export interface LambertGridPlane {
  readonly ni: number;
  readonly nj: number;
  /** Latitude and longitude of grid point (i, j); longitude unwrapped around LoV (within ±180°). */
  at(i: number, j: number): LatLon;
  /** The pole at the cone's apex: 90 or -90. */
  readonly apexLatitude: number;
  /** The apex's position in fractional grid indices. */
  readonly apexI: number;
  readonly apexJ: number;
}

/**
 * The lat/lon box of a Lambert grid's points, found in constant time, whatever the grid's size.
 *
 * On the plane, latitude only depends on the distance to the apex (the pole), and longitude
 * only on the direction from it. Along a straight grid edge the direction turns monotonically,
 * so the longitude extremes are at corners; the distance is largest at an end of the edge and
 * smallest at the foot of the perpendicular from the apex. So the box comes from the corners
 * plus, on each edge, the two grid points either side of that foot: the northern edge of a CONUS
 * grid bows north of its corners, and a box of the corners alone would cut it off.
 *
 * Longitudes are taken continuously around LoV, so a grid straddling 0°/360° gets east > 360.
 * A grid enclosing the pole spans every longitude and reaches the pole.
 */
export function lambertBoundingBox(plane: LambertGridPlane): BoundingBox {
  const lastI = plane.ni - 1;
  const lastJ = plane.nj - 1;
  const candidates: [number, number][] = [
    [0, 0],
    [lastI, 0],
    [0, lastJ],
    [lastI, lastJ],
  ];
  for (const i of bracketing(plane.apexI, lastI)) candidates.push([i, 0], [i, lastJ]);
  for (const j of bracketing(plane.apexJ, lastJ)) candidates.push([0, j], [lastI, j]);

  const points = candidates.map(([i, j]) => plane.at(i, j));
  const lats = points.map((point) => point.lat);
  const lons = points.map((point) => point.lon);
  const enclosesApex = plane.apexI >= 0 && plane.apexI <= lastI && plane.apexJ >= 0 && plane.apexJ <= lastJ;
  if (enclosesApex) {
    return plane.apexLatitude > 0 ? { west: 0, east: 360, south: Math.min(...lats), north: 90 } : { west: 0, east: 360, south: -90, north: Math.max(...lats) };
  }
  const west = Math.min(...lons);
  const east = Math.max(...lons);
  const normalizedWest = normalizeLongitude(west);
  return { west: normalizedWest, east: normalizedWest + (east - west), south: Math.min(...lats), north: Math.max(...lats) };
}

/** The grid indices either side of a fractional position along an edge, kept on the grid. */
function bracketing(position: number, last: number): number[] {
  const clamp = (index: number) => Math.min(last, Math.max(0, index));
  return [clamp(Math.floor(position)), clamp(Math.ceil(position))];
}
