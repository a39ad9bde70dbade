/**
 * Postgres' COPY text format: one line per row, fields separated by tabs, NULL as \N, and a
 * backslash, tab, newline or carriage return inside a value escaped with a backslash.
 * (NUL cannot occur: the API refuses it before anything is stored.)
 */

const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = /[\\\t\n\r]/g;
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export function copyField(value: string | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  return SPECIAL.test(value) ? value.replace(SPECIALS, (c) => ESCAPED[c] as string) : value;
}

/** A bytea value from its hex digits. */
export const copyBytea = (hex: string): string => `\\\\x${hex}`;

export const copyLine = (fields: readonly string[]): string => `${fields.join('\t')}\n`;
