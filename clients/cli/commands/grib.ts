import type { Command } from 'commander';
import { readGribMessages, type GribFieldMetadata, type GribInput } from '../../../activities/formats/grib2';

/** One line of `sluice grib ls`: a field, what it is, and a summary of its values. */
export interface GribListingRow {
  /** 1-based, as grib_ls counts; "3.2" is the second field of message 3. */
  readonly message: string;
  readonly offset: number;
  readonly discipline: number;
  readonly category: number;
  readonly number: number;
  readonly shortName: string;
  readonly level: string;
  /** ISO 8601, UTC. */
  readonly referenceTime: string;
  readonly forecastHour: number | null;
  readonly stepRange: string;
  /** Grid template, e.g. "3.30", and the grid's name as ecCodes calls it. */
  readonly gridTemplate: string;
  readonly gridType: string;
  readonly ni: number;
  readonly nj: number;
  /** Data representation template, e.g. "5.3", and ecCodes' name for the packing. */
  readonly packingTemplate: string;
  readonly packingType: string;
  /** Grid points, missing ones included (ecCodes' numberOfDataPoints). */
  readonly numberOfPoints: number;
  readonly missing: number;
  /** Over the present values; null when every point is missing. */
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number | null;
}

/** `sluice grib ls FILE [--json]`: one row per field, like ecCodes' grib_ls. */
export function registerGrib(program: Command): void {
  const grib = program.command('grib').description('inspect GRIB2 files');
  grib
    .command('ls <file>')
    .description('list the fields of a GRIB2 file: parameter, level, times, grid, packing, and min/max/mean of the values')
    .option('--json', 'print JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const rows = await listGribFields(file);
      process.stdout.write(options.json ? `${JSON.stringify(rows, null, 2)}\n` : formatGribListing(rows, file));
    });
}

/** Reads every field's metadata and decodes its values for the statistics, one field at a time. */
export async function listGribFields(input: GribInput): Promise<GribListingRow[]> {
  const rows: GribListingRow[] = [];
  for await (const message of readGribMessages(input)) {
    const { min, max, mean, missing } = await message.decode();
    rows.push(rowOf(message.meta, { min, max, mean, missing }));
  }
  return rows;
}

function rowOf(meta: GribFieldMetadata, stats: { min: number; max: number; mean: number; missing: number }): GribListingRow {
  const { parameter, level, forecastHour, stepRange } = meta.product;
  const finite = (value: number) => (Number.isNaN(value) ? null : value);
  return {
    message: meta.fieldIndex === 0 ? String(meta.messageIndex + 1) : `${meta.messageIndex + 1}.${meta.fieldIndex + 1}`,
    offset: meta.offset,
    discipline: parameter.discipline,
    category: parameter.category,
    number: parameter.number,
    shortName: parameter.shortName,
    level: level.description,
    referenceTime: meta.identification.referenceTime.toISOString(),
    forecastHour: forecastHour ?? null,
    stepRange,
    gridTemplate: `3.${meta.grid.template}`,
    gridType: meta.grid.gridType,
    ni: meta.grid.ni,
    nj: meta.grid.nj,
    packingTemplate: `5.${meta.packing.template}`,
    packingType: meta.packing.packingType,
    numberOfPoints: meta.grid.numberOfPoints,
    missing: stats.missing,
    min: finite(stats.min),
    max: finite(stats.max),
    mean: finite(stats.mean),
  };
}

const COLUMNS: readonly [heading: string, cell: (row: GribListingRow) => string][] = [
  ['msg', (row) => row.message],
  ['d/c/n', (row) => `${row.discipline}/${row.category}/${row.number}`],
  ['name', (row) => row.shortName],
  ['level', (row) => row.level],
  ['reference time', (row) => row.referenceTime.replace(':00.000Z', 'Z')],
  ['forecast hour', (row) => row.stepRange],
  ['grid', (row) => `${row.gridTemplate} ${row.gridType} ${row.ni}x${row.nj}`],
  ['packing', (row) => `${row.packingTemplate} ${row.packingType}`],
  ['points', (row) => String(row.numberOfPoints)],
  ['missing', (row) => String(row.missing)],
  ['min', (row) => formatValue(row.min)],
  ['max', (row) => formatValue(row.max)],
  ['mean', (row) => formatValue(row.mean)],
];

/** The rows as an aligned table, with a closing count like grib_ls's. */
export function formatGribListing(rows: readonly GribListingRow[], file: string): string {
  const table = [COLUMNS.map(([heading]) => heading), ...rows.map((row) => COLUMNS.map(([, cell]) => cell(row)))];
  const widths = COLUMNS.map((_, c) => Math.max(...table.map((line) => line[c]!.length)));
  const lines = table.map((line) => line.map((text, c) => text.padEnd(widths[c]!)).join('  ').trimEnd());
  return `${lines.join('\n')}\n${rows.length} field${rows.length === 1 ? '' : 's'} in ${file}\n`;
}

/** Six significant digits, as grib_ls prints statistics; "-" when every point is missing. */
function formatValue(value: number | null): string {
  return value === null ? '-' : String(Number(value.toPrecision(6)));
}
