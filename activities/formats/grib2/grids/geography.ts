/** A geographic position in degrees; longitudes as the file gives them (GRIB usually uses 0–360). */
export interface LatLon {
  readonly lat: number;
  readonly lon: number;
}

/**
 * The smallest lat/lon box holding every grid point. `east` may exceed 360 when the grid
 * crosses the prime meridian (west 350, east 370), so `west <= east` always holds and the
 * width is simply `east - west`.
 */
export interface BoundingBox {
  readonly west: number;
  readonly south: number;
  readonly east: number;
  readonly north: number;
}

/** Into [0, 360), the convention GRIB2 and ecCodes use. */
export function normalizeLongitude(lon: number): number {
  const wrapped = lon % 360;
  return wrapped < 0 ? wrapped + 360 : wrapped;
}

/**
 * GRIB2 stores angles as integers in micro-degrees, unless the template gives a basic angle
 * and its subdivisions (octets 39–46 of template 3.0); then one unit is basic/subdivisions degrees.
 */
export function angleUnitInDegrees(basicAngle: number | undefined, subdivisions: number | undefined): number {
  if (!basicAngle || !subdivisions) return 1e-6;
  return basicAngle / subdivisions;
}

/** Multiplying by 1e-6 is inexact (21138123 × 1e-6 ≠ 21.138123); dividing by 1e6 is exact-rounded. */
export function toDegrees(value: number, unitInDegrees: number): number {
  return unitInDegrees === 1e-6 ? value / 1e6 : value * unitInDegrees;
}
