import { GribFormatError } from '../../../activities/formats/grib2';
import { Octets } from '../../../activities/formats/grib2/octets';
import { describeLevel } from '../../../activities/formats/grib2/products/levels';
import { parameterOf } from '../../../activities/formats/grib2/products/parameters';
import { hoursOf, timeSpanOf } from '../../../activities/formats/grib2/products/time-units';

describe('parameter names', () => {
  it.each([
    [0, 0, 0, 'TMP'],
    [0, 2, 2, 'UGRD'],
    [0, 2, 3, 'VGRD'],
    [0, 1, 1, 'RH'],
    [0, 3, 5, 'HGT'],
    [0, 1, 8, 'APCP'],
    [0, 1, 7, 'PRATE'],
    [0, 16, 196, 'REFC'],
    [0, 3, 1, 'PRMSL'],
    [0, 0, 6, 'DPT'],
    [0, 6, 1, 'TCDC'],
    [0, 2, 22, 'GUST'],
    [0, 7, 6, 'CAPE'],
    [10, 2, 0, 'ICEC'],
  ])('%i.%i.%i from NCEP is %s', (discipline, category, number, shortName) => {
    expect(parameterOf(discipline, category, number, 7).shortName).toBe(shortName);
  });

  it('names unknown parameters var{discipline}_{category}_{number}', () => {
    expect(parameterOf(0, 19, 250, 7)).toEqual({ discipline: 0, category: 19, number: 250, shortName: 'var0_19_250', name: undefined, units: undefined });
  });

  it('reads NCEP local numbers as NCEP\'s only when NCEP made the file', () => {
    expect(parameterOf(0, 16, 196, 7).shortName).toBe('REFC');
    expect(parameterOf(0, 16, 196, 98).shortName).toBe('var0_16_196');
    expect(parameterOf(0, 0, 0, 98).shortName).toBe('TMP');
  });
});

describe('level descriptions, as NCEP inventories write them', () => {
  it.each([
    [1, undefined, 255, undefined, 'surface', 'surface', 0],
    [103, 2, 255, undefined, '2 m above ground', 'heightAboveGround', 2],
    [100, 50000, 255, undefined, '500 mb', 'isobaricInhPa', 500],
    [100, 40, 255, undefined, '0.4 mb', 'isobaricInPa', 40],
    [10, undefined, 255, undefined, 'entire atmosphere', 'atmosphere', 0],
    [101, undefined, 255, undefined, 'mean sea level', 'meanSea', 0],
    [106, 0, 106, 0.1, '0-0.1 m below ground', 'depthBelowLandLayer', 0],
    [108, 18000, 108, 0, '180-0 mb above ground', 'pressureFromGroundLayer', 180],
    [104, 0.995, 255, undefined, '0.995 sigma level', 'sigma', 0.995],
    [200, undefined, 255, undefined, 'entire atmosphere (considered as a single layer)', 'atmosphereSingleLayer', 0],
    [150, 3, 255, undefined, 'level type 150 3', 'type150', 3],
  ] as const)('type %i = %s', (firstType, firstValue, secondType, secondValue, description, typeOfLevel, level) => {
    expect(describeLevel(firstType, firstValue, secondType, secondValue)).toMatchObject({ description, typeOfLevel, level });
  });
});

describe('forecast time units (code table 4.4)', () => {
  it.each([
    [90, 0, 1.5],
    [6, 1, 6],
    [2, 2, 48],
    [4, 10, 12],
    [2, 11, 12],
    [1, 12, 12],
    [5400, 13, 1.5],
  ])('%i of unit %i is %f hours', (value, unit, hours) => {
    expect(hoursOf(timeSpanOf(value, unit))).toBe(hours);
  });

  it('has no hours for months and years, which have no fixed length', () => {
    expect(hoursOf(timeSpanOf(1, 3))).toBeUndefined();
    expect(timeSpanOf(1, 3).unitName).toBe('month');
  });
});

describe('octets as the WMO tables number them', () => {
  const octets = new Octets(Uint8Array.from([0x80, 0x05, 0xff, 0xff, 0x00, 0x2a, 0x42, 0x28, 0x00, 0x00]), { file: 'test', section: 5 });

  it('reads sign-and-magnitude integers, not two\'s complement', () => {
    expect(octets.int(1, 2)).toBe(-5);
    expect(octets.uint(1, 2)).toBe(0x8005);
    expect(octets.int(5, 2)).toBe(42);
  });

  it('tells missing (all bits set) from values', () => {
    expect(octets.isMissing(3, 2)).toBe(true);
    expect(octets.uintOrMissing(3, 2)).toBeUndefined();
    expect(octets.uintOrMissing(5, 2)).toBe(42);
  });

  it('reads IEEE floats', () => {
    expect(octets.float32(7)).toBe(42);
  });

  it('fails with the section named when a template reaches past the section', () => {
    expect(() => octets.uint(9, 4)).toThrow(GribFormatError);
    expect(() => octets.uint(9, 4)).toThrow(/test, section 5: section is 10 bytes, too short to hold octets 9–12/);
  });
});
