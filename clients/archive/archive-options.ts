import { isDay, PARTITIONED_TABLES, type PartitionedTable } from '../../activities/events/day-partitions';
import { UserError } from '../../infra/errors/user-error';

/** `sluice archive` options as given on the command line. */
export interface ArchiveCliOptions {
  from?: string;
  to?: string;
  table?: string[];
}

export interface ArchiveRange {
  readonly from?: string;
  readonly to?: string;
  readonly tables?: PartitionedTable[];
}

/** Checks --from, --to and --table: real calendar days (2025-02-30 is refused, not rolled over), from ≤ to, known tables. */
export function archiveRange(options: ArchiveCliOptions): ArchiveRange {
  const day = (flag: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new UserError(`${flag} ${JSON.stringify(value)} is not a day written YYYY-MM-DD.`, `Write it like ${flag} 2026-03-01 (a UTC day).`);
    if (!isDay(value)) throw new UserError(`${flag} ${value} is not a day of the calendar: ${whyNotADay(value)}.`, `${flag} takes a real UTC day, such as 2026-03-01.`);
    return value;
  };
  const from = day('--from', options.from);
  const to = day('--to', options.to);
  if (from !== undefined && to !== undefined && from > to) throw new UserError(`--from ${from} is after --to ${to}.`, 'Give the earlier day as --from and the later one as --to (both included).');
  const tables = options.table?.flatMap((entry) => entry.split(',')).map((entry) => entry.trim()).filter(Boolean);
  for (const table of tables ?? []) {
    if (!(PARTITIONED_TABLES as readonly string[]).includes(table)) throw new UserError(`--table ${JSON.stringify(table)} is not an archived table.`, `Choose from ${PARTITIONED_TABLES.join(', ')} (repeat --table or separate with commas).`);
  }
  return { ...(from ? { from } : {}), ...(to ? { to } : {}), ...(tables && tables.length > 0 ? { tables: [...new Set(tables)] as PartitionedTable[] } : {}) };
}

/** What is wrong with a YYYY-MM-DD text that is not a calendar day. */
function whyNotADay(value: string): string {
  const [year, month] = value.split('-').map(Number) as [number, number];
  if (month < 1 || month > 12) return `there is no month ${value.slice(5, 7)} (months are 01–12)`;
  // Day 0 of the next month is the last day of this one.
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${value.slice(0, 7)} has ${days} days, there is no day ${value.slice(8)}`;
}
