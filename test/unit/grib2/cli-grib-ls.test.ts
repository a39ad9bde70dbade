import { Command } from 'commander';
import { formatGribListing, listGribFields, registerGrib, type GribListingRow } from '../../../clients/cli/commands/grib';
import { GribEditionError } from '../../../activities/formats/grib2';
import { fixturePath, numberKey, referenceFields } from './fixtures';

describe('sluice grib ls', () => {
  let rows: GribListingRow[];

  beforeAll(async () => {
    rows = await listGribFields(fixturePath('latlon-statistical-apcp.grib2'));
  });

  it('has one row per field with what grib_ls shows, plus the NCEP name and level', () => {
    const reference = referenceFields('latlon-statistical-apcp.grib2');
    expect(rows).toHaveLength(reference.length);
    rows.forEach((row, k) => {
      const expected = reference[k]!;
      expect(row).toMatchObject({
        message: String(k + 1),
        discipline: numberKey(expected, 'discipline'),
        category: numberKey(expected, 'parameterCategory'),
        number: numberKey(expected, 'parameterNumber'),
        referenceTime: '2024-05-01T12:00:00.000Z',
        gridTemplate: '3.0',
        gridType: 'regular_ll',
        ni: numberKey(expected, 'Ni'),
        nj: numberKey(expected, 'Nj'),
        packingTemplate: `5.${numberKey(expected, 'dataRepresentationTemplateNumber')}`,
        numberOfPoints: numberKey(expected, 'numberOfDataPoints'),
        missing: numberKey(expected, 'numberOfMissing'),
        min: numberKey(expected, 'min'),
        max: numberKey(expected, 'max'),
      });
      expect(row.mean).toBeCloseTo(numberKey(expected, 'average'), 9);
    });
    expect(rows.map((row) => [row.shortName, row.level, row.stepRange, row.forecastHour])).toEqual([
      ['APCP', 'surface', '0-6', 6],
      ['TMAX', '2 m above ground', '0-6', 6],
      ['APCP', 'surface', '0.75-1', 1],
    ]);
  });

  it('formats an aligned table with a count', () => {
    const text = formatGribListing(rows, 'apcp.grib2');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^msg\s+d\/c\/n\s+name\s+level\s+reference time\s+forecast hour\s+grid\s+packing\s+points\s+missing\s+min\s+max\s+mean$/);
    expect(lines[1]).toMatch(/^1\s+0\/1\/8\s+APCP\s+surface\s+2024-05-01T12:00Z\s+0-6\s+3\.0 regular_ll 60x40\s+5\.0 grid_simple\s+2400\s+0\s+0\s+45\.62\s+3\.03362$/);
    // Every row's level column starts where the heading's does.
    const levelColumn = lines[0]!.indexOf('level');
    expect(lines.slice(1, 4).map((line) => line.slice(levelColumn, levelColumn + 7))).toEqual(['surface', '2 m abo', 'surface']);
    expect(lines[4]).toBe('3 fields in apcp.grib2');
  });

  it('shows "-" for the statistics of a field with every point missing', () => {
    const allMissing = { ...rows[0]!, missing: 2400, min: null, max: null, mean: null };
    expect(formatGribListing([allMissing], 'x.grib2').split('\n')[1]).toMatch(/2400\s+-\s+-\s+-$/);
  });

  describe('through commander', () => {
    let output: string;
    let write: jest.SpyInstance;

    beforeEach(() => {
      output = '';
      write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        output += String(chunk);
        return true;
      });
    });
    afterEach(() => write.mockRestore());

    const run = async (...args: string[]) => {
      const program = new Command('sluice').exitOverride();
      registerGrib(program);
      await program.parseAsync(['grib', 'ls', ...args], { from: 'user' });
    };

    it('--json prints the rows', async () => {
      await run(fixturePath('latlon-multifield-wind.grib2'), '--json');
      const printed = JSON.parse(output) as GribListingRow[];
      expect(printed.map((row) => [row.message, row.shortName, row.missing])).toEqual([
        ['1', 'UGRD', 342],
        ['1.2', 'VGRD', 342],
      ]);
    });

    it('without --json prints the table', async () => {
      await run(fixturePath('lambert-hrrr-refc.grib2'));
      expect(output).toMatch(/REFC\s+entire atmosphere\s+2024-05-01T12:00Z\s+6\s+3\.30 lambert 60x40/);
    });

    it('lets a GribFormatError through, for the CLI to print as a user error', async () => {
      await expect(run(fixturePath('edition1.grib1'))).rejects.toThrow(GribEditionError);
      expect(output).toBe('');
    });
  });
});
