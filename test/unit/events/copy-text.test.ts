import { copyBytea, copyField, copyLine } from '../../../activities/events/copy-text';

/** Postgres' reading of one COPY text field (the inverse of copyField), to check round trips. */
function readField(field: string): string | null {
  if (field === '\\N') return null;
  return field.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r', '\\': '\\' })[c] ?? c);
}

describe('COPY text', () => {
  it('leaves plain text, quotes, commas and non-ASCII alone', () => {
    for (const text of ['job-42', 'a "quoted", comma', 'Ærø 東京 🚀', '', ' leading and trailing ']) expect(copyField(text)).toBe(text);
  });

  it('escapes the characters that would split a field or a row, and the escape itself', () => {
    expect(copyField('a\tb')).toBe('a\\tb');
    expect(copyField('line 1\nline 2\r\n')).toBe('line 1\\nline 2\\r\\n');
    expect(copyField('C:\\temp\\new')).toBe('C:\\\\temp\\\\new');
    expect(copyField('\\N')).toBe('\\\\N');
    expect(copyField('\\.')).toBe('\\\\.');
  });

  it('writes a missing value as NULL, distinct from the text \\N and from an empty string', () => {
    expect(copyField(null)).toBe('\\N');
    expect(copyField(undefined)).toBe('\\N');
    expect(readField(copyField('\\N'))).toBe('\\N');
    expect(readField(copyField(''))).toBe('');
  });

  it('round-trips hostile strings: every escape in every position, JSON with escapes, and a 1 MiB value', () => {
    const hostile = ['\\', '\t', '\n', '\r', '\\t', '\\\\n', '\t\\N\t', '{"a":"x\\ty\\n\\\\"}', '\\.\n\\.', 'x'.repeat(1 << 20) + '\t\n'];
    for (const text of hostile) {
      const field = copyField(text);
      expect(field).not.toMatch(/[\t\n\r]/);
      expect(readField(field)).toBe(text);
    }
  });

  it('joins fields with tabs and ends the row with a newline', () => {
    const line = copyLine([copyField('a\tb'), copyField(null), copyBytea('00ff')]);
    expect(line).toBe('a\\tb\t\\N\t\\\\x00ff\n');
    expect(line.slice(0, -1).split('\t').map(readField)).toEqual(['a\tb', null, '\\x00ff']);
  });
});
