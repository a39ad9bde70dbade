import type { Octets } from '../octets';

/**
 * The figure of the earth a grid is defined on (code table 3.2). A sphere has a radius; an
 * oblate spheroid has semi-major and semi-minor axes. Lambert grids need it to turn projected
 * metres into latitude and longitude; lat/lon grids only carry it along.
 */
export type EarthShape =
  | { readonly code: number; readonly kind: 'sphere'; readonly radius: number }
  | { readonly code: number; readonly kind: 'spheroid'; readonly semiMajorAxis: number; readonly semiMinorAxis: number };

/**
 * Reads octets 15–30, common to grid templates 3.0 and 3.30. Returns undefined for codes whose
 * figure is not the earth's (11, the sun) or that are reserved, and for a producer-specified
 * size left missing: the grid stays usable, only its projection cannot be evaluated.
 */
export function readEarthShape(octets: Octets): EarthShape | undefined {
  const code = octets.uint(15, 1);
  const sphere = (radius: number) => ({ code, kind: 'sphere', radius }) as const;
  const spheroid = (semiMajorAxis: number, semiMinorAxis: number) => ({ code, kind: 'spheroid', semiMajorAxis, semiMinorAxis }) as const;
  const scaled = (factorOctet: number) => {
    // Unsigned, as ecCodes reads them: a negative scale for an earth radius has no meaning.
    const factor = octets.uintOrMissing(factorOctet, 1);
    const value = octets.uintOrMissing(factorOctet + 1, 4);
    return factor === undefined || value === undefined ? undefined : value / 10 ** factor;
  };
  switch (code) {
    case 0:
      return sphere(6_367_470);
    case 1: {
      const radius = scaled(16);
      return radius === undefined ? undefined : sphere(radius);
    }
    case 2:
      return spheroid(6_378_160, 6_356_775); // IAU 1965
    case 3:
    case 7: {
      // Code 3 gives the axes in kilometres, code 7 in metres.
      const unit = code === 3 ? 1000 : 1;
      const major = scaled(21);
      const minor = scaled(26);
      return major === undefined || minor === undefined ? undefined : spheroid(major * unit, minor * unit);
    }
    case 4:
      return spheroid(6_378_137, 6_356_752.314); // IAG-GRS80
    case 5:
    case 10: // WGS84 with corrected geomagnetic coordinates: same figure
      return spheroid(6_378_137, 6_378_137 * (1 - 1 / 298.257223563)); // WGS84
    case 6:
      return sphere(6_371_229);
    case 8:
      return sphere(6_371_200); // with the WGS84 horizontal datum
    case 9:
      return spheroid(6_377_563.396, 6_356_256.909); // OSGB 1936 (Airy 1830)
    default:
      return undefined;
  }
}
