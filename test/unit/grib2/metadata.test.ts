import { listGribMessages, type GribFieldMetadata } from '../../../activities/formats/grib2';
import { FIXTURE_NAMES, fixturePath, numberKey, referenceFields, type ReferenceField } from './fixtures';

/** What NCEP's inventories (and wgrib2) call each fixture field; ecCodes uses other names (2t, gh…). */
const NCEP_NAMES: Record<string, readonly (readonly [shortName: string, level: string, stepRange: string])[]> = {
  'lambert-hrrr-refc.grib2': [['REFC', 'entire atmosphere', '6']],
  'lambert-wgs84-dpt.grib2': [['DPT', '2 m above ground', '6']],
  'latlon-bitmap-icec.grib2': [['ICEC', 'surface', '6']],
  'latlon-complex-missing2-snod.grib2': [['SNOD', 'surface', '6']],
  'latlon-complex-prmsl.grib2': [['PRMSL', 'mean sea level', '6']],
  'latlon-jpeg2000-ugrd.grib2': [['UGRD', '10 m above ground', '6']],
  'latlon-multifield-wind.grib2': [
    ['UGRD', '10 m above ground', '6'],
    ['VGRD', '10 m above ground', '6'],
  ],
  'latlon-png16-gust.grib2': [['GUST', 'surface', '6']],
  'latlon-png8-tcdc.grib2': [['TCDC', 'entire atmosphere', '6']],
  'latlon-simple-multi.grib2': [
    ['TMP', '2 m above ground', '6'],
    ['HGT', '500 mb', '6'],
    ['RH', '850 mb', '6'],
    ['PRMSL', 'mean sea level', '6'],
    ['UGRD', '10 m above ground', '6'],
    ['SPFH', '2 m above ground', '6'],
  ],
  'latlon-spatial-order0-dpt.grib2': [['DPT', '2 m above ground', '6']],
  'latlon-spatial-order1-tmp.grib2': [['TMP', '2 m above ground', '6']],
  'latlon-spatial-order2-hgt.grib2': [['HGT', '500 mb', '6']],
  'latlon-spatial-order2-missing-wtmp.grib2': [['WTMP', 'surface', '6']],
  'latlon-statistical-apcp.grib2': [
    ['APCP', 'surface', '0-6'],
    ['TMAX', '2 m above ground', '0-6'],
    ['APCP', 'surface', '0.75-1'],
  ],
};

/** Hours per unit of code table 4.4, for the units the fixtures use. */
const HOURS_PER_UNIT: Record<number, number> = { 0: 1 / 60, 1: 1 };

it('every fixture has its NCEP names listed here', () => {
  expect(Object.keys(NCEP_NAMES).sort()).toEqual(FIXTURE_NAMES);
});

describe.each(FIXTURE_NAMES)('%s metadata', (name) => {
  const reference = referenceFields(name);
  let metas: GribFieldMetadata[];

  beforeAll(async () => {
    metas = (await listGribMessages(fixturePath(name))).map((message) => message.meta);
  });

  const fields = reference.map((field, index) => [index + 1, field] as const);

  it.each(fields)('field %i: parameter and its NCEP name', (number, expected) => {
    const { parameter } = metas[number - 1]!.product;
    expect([parameter.discipline, parameter.category, parameter.number]).toEqual([
      numberKey(expected, 'discipline'),
      numberKey(expected, 'parameterCategory'),
      numberKey(expected, 'parameterNumber'),
    ]);
    expect(parameter.shortName).toBe(NCEP_NAMES[name]![number - 1]![0]);
  });

  it.each(fields)('field %i: level as ecCodes types it, and described as NCEP does', (number, expected) => {
    const { level } = metas[number - 1]!.product;
    expect(level.typeOfLevel).toBe(expected.keys.typeOfLevel);
    expect(level.level).toBe(numberKey(expected, 'level'));
    expect(level.firstSurfaceType).toBe(numberKey(expected, 'typeOfFirstFixedSurface'));
    expect(level.description).toBe(NCEP_NAMES[name]![number - 1]![1]);
  });

  it.each(fields)('field %i: reference time, forecast hour and step range', (number, expected) => {
    const meta = metas[number - 1]!;
    expect(meta.identification.referenceTime.toISOString()).toBe(isoOf(expected));
    // ecCodes gives the end step in the unit of the forecast time: minutes, hours…
    const endHours = numberKey(expected, 'endStep') * HOURS_PER_UNIT[numberKey(expected, 'indicatorOfUnitOfTimeRange')]!;
    expect(meta.product.forecastHour).toBeCloseTo(endHours, 12);
    expect(meta.product.stepRange).toBe(NCEP_NAMES[name]![number - 1]![2]);
    expect(meta.product.template).toBe(numberKey(expected, 'productDefinitionTemplateNumber'));
    if (meta.product.template === 8) {
      expect(meta.product.statistics?.process).toBe(numberKey(expected, 'typeOfStatisticalProcessing'));
      const startHours = numberKey(expected, 'startStep') * HOURS_PER_UNIT[numberKey(expected, 'indicatorOfUnitOfTimeRange')]!;
      expect(meta.product.statistics?.startHour).toBeCloseTo(startHours, 12);
    }
  });

  it.each(fields)('field %i: grid template, size, shape of the earth and scanning', (number, expected) => {
    const { grid } = metas[number - 1]!;
    expect(grid.template).toBe(numberKey(expected, 'gridDefinitionTemplateNumber'));
    expect(grid.gridType).toBe(expected.keys.gridType);
    expect([grid.ni, grid.nj]).toEqual(grid.template === 0 ? [numberKey(expected, 'Ni'), numberKey(expected, 'Nj')] : [numberKey(expected, 'Nx'), numberKey(expected, 'Ny')]);
    expect(grid.numberOfPoints).toBe(numberKey(expected, 'numberOfDataPoints'));
    expect(grid.earthShape?.code).toBe(numberKey(expected, 'shapeOfTheEarth'));
    expect(grid.scanningMode.flags).toBe(numberKey(expected, 'scanningMode'));
    expect(grid.firstPoint.lat).toBeCloseTo(numberKey(expected, 'latitudeOfFirstGridPointInDegrees'), 9);
    expect(grid.firstPoint.lon).toBeCloseTo(numberKey(expected, 'longitudeOfFirstGridPointInDegrees'), 9);
    if (grid.template === 0) {
      expect(grid.lastPoint.lat).toBeCloseTo(numberKey(expected, 'latitudeOfLastGridPointInDegrees'), 9);
      expect(grid.lastPoint.lon).toBeCloseTo(numberKey(expected, 'longitudeOfLastGridPointInDegrees'), 9);
    }
  });

  it.each(fields)('field %i: packing template and parameters', (number, expected) => {
    const { packing, bitmapIndicator } = metas[number - 1]!;
    expect(packing.template).toBe(numberKey(expected, 'dataRepresentationTemplateNumber'));
    expect(packing.packingType).toBe(expected.keys.packingType);
    expect(packing.numberOfValues).toBe(numberKey(expected, 'numberOfValues'));
    expect(packing.bitsPerValue).toBe(numberKey(expected, 'bitsPerValue'));
    expect(packing.referenceValue).toBe(numberKey(expected, 'referenceValue'));
    expect(packing.binaryScaleFactor).toBe(numberKey(expected, 'binaryScaleFactor'));
    expect(packing.decimalScaleFactor).toBe(numberKey(expected, 'decimalScaleFactor'));
    if (packing.template === 2 || packing.template === 3) expect(packing.missingValues.mode).toBe(numberKey(expected, 'missingValueManagementUsed'));
    if (packing.template === 3) expect(packing.order).toBe(numberKey(expected, 'orderOfSpatialDifferencing'));
    expect(bitmapIndicator === 255 ? 0 : 1).toBe(numberKey(expected, 'bitmapPresent'));
  });
});

describe('where each field lies in its file', () => {
  it('gives each message its offset and length, and numbers fields within a message', async () => {
    const multi = (await listGribMessages(fixturePath('latlon-simple-multi.grib2'))).map((message) => message.meta);
    expect(multi.map((meta) => meta.messageIndex)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(multi[0]!.offset).toBe(0);
    for (let k = 1; k < multi.length; k++) expect(multi[k]!.offset).toBe(multi[k - 1]!.offset + multi[k - 1]!.length);

    const wind = (await listGribMessages(fixturePath('latlon-multifield-wind.grib2'))).map((message) => message.meta);
    expect(wind.map((meta) => [meta.messageIndex, meta.fieldIndex, meta.offset, meta.bitmapIndicator])).toEqual([
      [0, 0, 0, 0],
      [0, 1, 0, 254],
    ]);
  });

  it('reads the statistical processing of template 4.8: process, end of interval and units', async () => {
    const [sixHourly, , fifteenMinutes] = (await listGribMessages(fixturePath('latlon-statistical-apcp.grib2'))).map((message) => message.meta.product);
    expect(sixHourly!.statistics).toMatchObject({ process: 1, processName: 'accumulation', processAbbreviation: 'acc', startHour: 0, endHour: 6 });
    expect(sixHourly!.statistics!.endTime.toISOString()).toBe('2024-05-01T18:00:00.000Z');
    expect(sixHourly!.validTime?.toISOString()).toBe('2024-05-01T18:00:00.000Z');
    expect(fifteenMinutes!.forecastTime).toEqual({ value: 45, unit: 0, unitName: 'minute' });
    expect(fifteenMinutes!.statistics!.timeRanges[0]!.length).toEqual({ value: 15, unit: 0, unitName: 'minute' });
    expect(fifteenMinutes!.statistics!.endTime.toISOString()).toBe('2024-05-01T13:00:00.000Z');
  });

  it('reads the missing value substitutes of complex packing', async () => {
    const [snow] = await listGribMessages(fixturePath('latlon-complex-missing2-snod.grib2'));
    const { packing } = snow!.meta;
    if (packing.template !== 2) throw new Error(`expected template 5.2, got 5.${packing.template}`);
    expect(packing.missingValues).toEqual({ mode: 2, primarySubstitute: Math.fround(9.999e20), secondarySubstitute: Math.fround(-9.999e20) });
  });
});

function isoOf(field: ReferenceField): string {
  const date = String(numberKey(field, 'dataDate'));
  const time = String(numberKey(field, 'dataTime')).padStart(4, '0');
  return `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${time.slice(0, 2)}:${time.slice(2)}:00.000Z`;
}
