import { createInterface } from 'node:readline';
import { RegistryError } from './errors';
import { FACELIST_FILE } from './facelist-names';
import { checkVersion } from './names';

/**
 * SentinelCam's facelist: the faces whose events datapump must keep ("locked"), one row per face
 * sample, as FaceSweep writes it with pandas. In the registry it is the model "facelist", each
 * version a single facelist.csv, checked row by row before it is published.
 */
export { FACELIST_FILE, FACELIST_MODEL } from './facelist-names';

/** FaceSweep's columns, in its order; FaceDataUpdate appends date_in_use once a row is in use. */
export const FACELIST_COLUMNS = ['date', 'event', 'timestamp', 'objid', 'source', 'status', 'name', 'proba', 'dist', 'margin', 'x1', 'y1', 'x2', 'y2', 'rx', 'ry', 'lx', 'ly', 'dx', 'dy', 'angle', 'focus'] as const;
const OPTIONAL_COLUMNS = ['date_in_use'];
const INTEGER_COLUMNS = new Set(['objid', 'source', 'x1', 'y1', 'x2', 'y2', 'rx', 'ry', 'lx', 'ly', 'dx', 'dy']);
/** pandas writes NaN as an empty field. */
const FLOAT_COLUMNS = new Set(['proba', 'dist', 'margin', 'angle', 'focus']);
/** 0 candidate, 1 selected, 2 in use, 3 revoked, 4 remove. */
const STATUSES = new Set(['0', '1', '2', '3', '4']);
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?$/;

const MAX_LINE_LENGTH = 64 * 1024;
const MAX_ERRORS_SHOWN = 10;

export interface FacelistSummary {
  readonly rows: number;
  readonly names: number;
}

/**
 * Reads a facelist CSV as a stream (a large one is never held whole) and checks it the way its
 * readers use it: every FaceSweep column present, each row as many fields as the header, dates
 * real, timestamps that pandas parses, integers where FaceSweep writes integers, a status 0–4.
 * Every problem is reported with its line, up to ten.
 */
export async function checkFacelistCsv(input: NodeJS.ReadableStream, name = FACELIST_FILE): Promise<FacelistSummary> {
  const lines = createInterface({ input: input as NodeJS.ReadableStream & AsyncIterable<string>, crlfDelay: Infinity });
  const problems: string[] = [];
  const problem = (line: number, text: string) => {
    problems.push(`line ${line}: ${text}`);
  };
  let header: string[] | undefined;
  let lineNumber = 0;
  let rows = 0;
  const names = new Set<string>();
  for await (const line of lines) {
    lineNumber += 1;
    if (line.length > MAX_LINE_LENGTH) {
      problem(lineNumber, `is longer than ${MAX_LINE_LENGTH} characters`);
      break;
    }
    if (line.includes('\u0000')) problem(lineNumber, 'contains a NUL byte');
    const fields = splitCsvLine(line, lineNumber, problem);
    if (!fields) continue;
    if (!header) {
      header = fields.map((field) => field.replace(/^\uFEFF/, ''));
      const missing = FACELIST_COLUMNS.filter((column) => !header!.includes(column));
      const unknown = header.filter((column) => !(FACELIST_COLUMNS as readonly string[]).includes(column) && !OPTIONAL_COLUMNS.includes(column));
      if (missing.length > 0) problem(1, `missing columns: ${missing.join(', ')}`);
      if (unknown.length > 0) problem(1, `unknown columns: ${unknown.join(', ')}`);
      if (missing.length > 0 || unknown.length > 0) break;
      continue;
    }
    if (line.trim() === '') continue;
    rows += 1;
    if (fields.length !== header.length) {
      problem(lineNumber, `has ${fields.length} fields, the header ${header.length}`);
    } else {
      checkRow(Object.fromEntries(header.map((column, i) => [column, fields[i]!])), lineNumber, problem);
      names.add(fields[header.indexOf('name')]!);
    }
    if (problems.length > MAX_ERRORS_SHOWN) break;
  }
  if (!header) problem(1, 'the file is empty: a facelist starts with a header line');
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_ERRORS_SHOWN).join('; ') + (problems.length > MAX_ERRORS_SHOWN ? '; and more' : '');
    throw new RegistryError(`${name} is not a valid facelist: ${shown}`, `A facelist has SentinelCam's columns: ${FACELIST_COLUMNS.join(',')}[,date_in_use].`);
  }
  return { rows, names: names.size };
}

function isRealDate(text: string): boolean {
  try {
    checkVersion(text);
    return true;
  } catch {
    return false;
  }
}

function isTimestamp(text: string): boolean {
  const match = TIMESTAMP.exec(text);
  return match !== null && isRealDate(match[1]!) && Number(match[2]) < 24 && Number(match[3]) < 60 && Number(match[4]) < 60;
}

function checkRow(row: Record<string, string>, line: number, problem: (line: number, text: string) => void): void {
  if (!isRealDate(row.date!)) problem(line, `date ${JSON.stringify(row.date)} is not a real YYYY-MM-DD date`);
  if (row.date_in_use && !isRealDate(row.date_in_use)) problem(line, `date_in_use ${JSON.stringify(row.date_in_use)} is not a real YYYY-MM-DD date`);
  if (!/^[0-9A-Za-z_-]{1,64}$/.test(row.event!)) problem(line, `event ${JSON.stringify(row.event)} is not an event id`);
  if (!isTimestamp(row.timestamp!)) problem(line, `timestamp ${JSON.stringify(row.timestamp)} is not a real date and time (YYYY-MM-DD HH:MM:SS[.ffffff])`);
  if (!STATUSES.has(row.status!)) problem(line, `status ${JSON.stringify(row.status)} is not 0–4`);
  if (row.name!.trim() === '') problem(line, 'name is empty');
  for (const column of INTEGER_COLUMNS) if (!/^-?\d{1,9}$/.test(row[column]!)) problem(line, `${column} ${JSON.stringify(row[column])} is not a whole number`);
  for (const column of FLOAT_COLUMNS) {
    const value = row[column]!;
    if (value !== '' && !(/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value) && Number.isFinite(Number(value)))) problem(line, `${column} ${JSON.stringify(value)} is not a number`);
  }
}

/** RFC 4180 fields of one line: quoted fields may hold commas and doubled quotes, not line breaks. */
function splitCsvLine(line: string, lineNumber: number, problem: (line: number, text: string) => void): string[] | undefined {
  const fields: string[] = [];
  let at = 0;
  for (;;) {
    if (line[at] === '"') {
      let value = '';
      let i = at + 1;
      for (;;) {
        const quote = line.indexOf('"', i);
        if (quote < 0) {
          problem(lineNumber, 'has a quoted field that does not end on this line');
          return undefined;
        }
        value += line.slice(i, quote);
        if (line[quote + 1] === '"') {
          value += '"';
          i = quote + 2;
          continue;
        }
        at = quote + 1;
        break;
      }
      fields.push(value);
    } else {
      const comma = line.indexOf(',', at);
      fields.push(line.slice(at, comma < 0 ? line.length : comma));
      at = comma < 0 ? line.length : comma;
    }
    if (at >= line.length) return fields;
    if (line[at] !== ',') {
      problem(lineNumber, `has text after a quoted field at column ${at + 1}`);
      return undefined;
    }
    at += 1;
  }
}
