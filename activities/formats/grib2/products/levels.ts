import type { Octets } from '../octets';

/** The vertical level or layer of a field: fixed surfaces 1 and 2 of product templates 4.0 and 4.8. */
export interface Level {
  /** Code table 4.5, e.g. 1 surface, 100 isobaric, 103 height above ground. */
  readonly firstSurfaceType: number;
  /** In the units code table 4.5 gives (Pa, m, K…); undefined when the surface has no value. */
  readonly firstSurfaceValue: number | undefined;
  /** 255 when the field is at a level rather than in a layer. */
  readonly secondSurfaceType: number;
  readonly secondSurfaceValue: number | undefined;
  /** ecCodes' name for the level type (its typeOfLevel key), e.g. "heightAboveGround". */
  readonly typeOfLevel: string;
  /** ecCodes' `level` key: the first surface's value, in hPa for isobaric levels. */
  readonly level: number | undefined;
  /** The level as NCEP inventories write it: "2 m above ground", "500 mb", "surface". */
  readonly description: string;
}

const NO_SURFACE = 255;

/** A level type: ecCodes' name, and how NCEP inventories describe a level or layer of it. */
interface LevelType {
  readonly typeOfLevel: string;
  /** Level types that are a place, not a value: "surface", "tropopause". */
  readonly fixed?: string;
  /** For valued levels: the unit phrase after the value(s), e.g. "m above ground". */
  readonly unit?: string;
  /** Converts the SI value of code table 4.5 to the unit of `unit` (Pa → mb). */
  readonly scale?: number;
  /** ecCodes' typeOfLevel when both surfaces are of this type (a layer). */
  readonly layer?: string;
}

/** Code table 4.5, the entries GFS, HRRR, NAM and RAP files use; 200 and above are NCEP's. */
const LEVEL_TYPES: Record<number, LevelType> = {
  1: { typeOfLevel: 'surface', fixed: 'surface' },
  2: { typeOfLevel: 'cloudBase', fixed: 'cloud base' },
  3: { typeOfLevel: 'cloudTop', fixed: 'cloud top' },
  4: { typeOfLevel: 'isothermZero', fixed: '0C isotherm' },
  5: { typeOfLevel: 'adiabaticCondensation', fixed: 'level of adiabatic condensation from sfc' },
  6: { typeOfLevel: 'maxWind', fixed: 'max wind' },
  7: { typeOfLevel: 'tropopause', fixed: 'tropopause' },
  8: { typeOfLevel: 'nominalTop', fixed: 'top of atmosphere' },
  9: { typeOfLevel: 'seaBottom', fixed: 'sea bottom' },
  10: { typeOfLevel: 'atmosphere', fixed: 'entire atmosphere' },
  20: { typeOfLevel: 'isothermal', unit: 'K level' },
  100: { typeOfLevel: 'isobaricInhPa', unit: 'mb', scale: 0.01, layer: 'isobaricLayer' },
  101: { typeOfLevel: 'meanSea', fixed: 'mean sea level' },
  102: { typeOfLevel: 'heightAboveSea', unit: 'm above mean sea level', layer: 'heightAboveSeaLayer' },
  103: { typeOfLevel: 'heightAboveGround', unit: 'm above ground', layer: 'heightAboveGroundLayer' },
  104: { typeOfLevel: 'sigma', unit: 'sigma level', layer: 'sigmaLayer' },
  105: { typeOfLevel: 'hybrid', unit: 'hybrid level', layer: 'hybridLayer' },
  106: { typeOfLevel: 'depthBelowLand', unit: 'm below ground', layer: 'depthBelowLandLayer' },
  107: { typeOfLevel: 'theta', unit: 'K isentropic level', layer: 'thetaLayer' },
  108: { typeOfLevel: 'pressureFromGround', unit: 'mb above ground', scale: 0.01, layer: 'pressureFromGroundLayer' },
  109: { typeOfLevel: 'potentialVorticity', unit: 'PV units (K m^2/kg/s) surface' },
  160: { typeOfLevel: 'depthBelowSea', unit: 'm below sea level', layer: 'depthBelowSeaLayer' },
  200: { typeOfLevel: 'atmosphereSingleLayer', fixed: 'entire atmosphere (considered as a single layer)' },
  204: { typeOfLevel: 'highestTroposphericFreezing', fixed: 'highest tropospheric freezing level' },
  211: { typeOfLevel: 'boundaryLayerCloudLayer', fixed: 'boundary layer cloud layer' },
  212: { typeOfLevel: 'lowCloudBottom', fixed: 'low cloud bottom level' },
  213: { typeOfLevel: 'lowCloudTop', fixed: 'low cloud top level' },
  214: { typeOfLevel: 'lowCloudLayer', fixed: 'low cloud layer' },
  215: { typeOfLevel: 'cloudCeiling', fixed: 'cloud ceiling' },
  220: { typeOfLevel: 'planetaryBoundaryLayer', fixed: 'planetary boundary layer' },
  222: { typeOfLevel: 'middleCloudBottom', fixed: 'middle cloud bottom level' },
  223: { typeOfLevel: 'middleCloudTop', fixed: 'middle cloud top level' },
  224: { typeOfLevel: 'middleCloudLayer', fixed: 'middle cloud layer' },
  232: { typeOfLevel: 'highCloudBottom', fixed: 'high cloud bottom level' },
  233: { typeOfLevel: 'highCloudTop', fixed: 'high cloud top level' },
  234: { typeOfLevel: 'highCloudLayer', fixed: 'high cloud layer' },
};

/** Reads octets 23–34 of product templates 4.0 and 4.8. */
export function readLevel(octets: Octets): Level {
  const surface = (typeOctet: number) => {
    const type = octets.uint(typeOctet, 1);
    const factor = octets.intOrMissing(typeOctet + 1, 1);
    const scaled = octets.uintOrMissing(typeOctet + 2, 4);
    // value / 10^factor; dividing keeps 0.995 exact where multiplying by 10^-3 would not.
    const value = type === NO_SURFACE || factor === undefined || scaled === undefined ? undefined : factor >= 0 ? scaled / 10 ** factor : scaled * 10 ** -factor;
    return { type, value };
  };
  const first = surface(23);
  const second = surface(29);
  return describeLevel(first.type, first.value, second.type, second.value);
}

export function describeLevel(firstType: number, firstValue: number | undefined, secondType: number, secondValue: number | undefined): Level {
  const known = LEVEL_TYPES[firstType];
  const isLayer = secondType !== NO_SURFACE;
  const base = { firstSurfaceType: firstType, firstSurfaceValue: firstValue, secondSurfaceType: secondType, secondSurfaceValue: secondValue };
  if (!known) {
    const description = `level type ${firstType}${firstValue === undefined ? '' : ` ${formatNumber(firstValue)}`}${isLayer ? ` to type ${secondType}${secondValue === undefined ? '' : ` ${formatNumber(secondValue)}`}` : ''}`;
    return { ...base, typeOfLevel: `type${firstType}`, level: firstValue, description };
  }
  const inUnit = (value: number | undefined) => (value === undefined ? undefined : round(value * (known.scale ?? 1)));
  if (known.fixed !== undefined) return { ...base, typeOfLevel: known.typeOfLevel, level: inUnit(firstValue) ?? 0, description: known.fixed };

  const top = inUnit(firstValue);
  const bottom = inUnit(secondValue);
  if (isLayer && secondType === firstType) {
    return { ...base, typeOfLevel: known.layer ?? known.typeOfLevel, level: top, description: `${formatNumber(top)}-${formatNumber(bottom)} ${known.unit}` };
  }
  const typeOfLevel = firstType === 100 && top !== undefined && !Number.isInteger(top) ? 'isobaricInPa' : known.typeOfLevel;
  // ecCodes gives sub-hPa isobaric levels in Pa; the description stays in mb like NCEP's.
  const level = typeOfLevel === 'isobaricInPa' ? firstValue : top;
  return { ...base, typeOfLevel, level, description: `${formatNumber(top)} ${known.unit}` };
}

/** Shortest decimal form: 0.995, 500, 1e-06; "?" for a level with no value. */
function formatNumber(value: number | undefined): string {
  return value === undefined ? '?' : String(value);
}

/** Removes binary noise from unit conversions (50000 Pa × 0.01 = 500.00000000000006). */
function round(value: number): number {
  return Number(value.toPrecision(12));
}
