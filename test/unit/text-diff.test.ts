import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MAX_DIFF_EDITS, MAX_DIFF_LINES, unifiedDiff } from '../../activities/fleet/text-diff';
import { seededRandom } from '../harness/seeded-random';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-text-diff-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const lines = (...items: string[]) => items.map((item) => `${item}\n`).join('');
const QUICK_MS = 2_000;
const ALL = Number.MAX_SAFE_INTEGER;

/** Lines as a diff sees them: each keeps its "\n", a last line without one stays without. */
function splitKeepingNewlines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

// ---------------------------------------------------------------------------------------------
// A small unified-diff reader and patcher, independent of the code under test.

interface BodyLine {
  readonly mark: ' ' | '-' | '+';
  /** The line with its "\n", unless a "\ No newline at end of file" followed it. */
  text: string;
}

interface ParsedHunk {
  readonly oldStart: number;
  readonly oldCount: number;
  readonly newStart: number;
  readonly newCount: number;
  readonly body: BodyLine[];
}

interface ParsedDiff {
  readonly from: string;
  readonly to: string;
  readonly hunks: ParsedHunk[];
}

/** Reads a unified diff, checking its syntax and that each hunk header counts match the hunk body. */
function parseDiff(diff: string): ParsedDiff {
  expect(diff.endsWith('\n')).toBe(true);
  const rows = diff.slice(0, -1).split('\n');
  expect(rows[0]).toMatch(/^--- /);
  expect(rows[1]).toMatch(/^\+\+\+ /);
  const hunks: ParsedHunk[] = [];
  let current: ParsedHunk | undefined;
  for (const row of rows.slice(2)) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$/.exec(row);
    if (header !== null) {
      // A count of 1 is never written out, as diff does.
      expect(header[2]).not.toBe('1');
      expect(header[4]).not.toBe('1');
      current = { oldStart: Number(header[1]), oldCount: Number(header[2] ?? 1), newStart: Number(header[3]), newCount: Number(header[4] ?? 1), body: [] };
      hunks.push(current);
      continue;
    }
    if (current === undefined) throw new Error(`diff line before any hunk: ${JSON.stringify(row)}`);
    const mark = row[0];
    if (mark === ' ' || mark === '-' || mark === '+') {
      current.body.push({ mark, text: `${row.slice(1)}\n` });
    } else if (row === '\\ No newline at end of file') {
      const last = current.body[current.body.length - 1];
      if (last === undefined || !last.text.endsWith('\n')) throw new Error('misplaced "\\ No newline at end of file"');
      last.text = last.text.slice(0, -1);
    } else {
      throw new Error(`not a diff line: ${JSON.stringify(row)}`);
    }
  }
  expect(hunks.length).toBeGreaterThan(0);
  for (const hunk of hunks) {
    expect(hunk.body.filter((line) => line.mark !== '+')).toHaveLength(hunk.oldCount);
    expect(hunk.body.filter((line) => line.mark !== '-')).toHaveLength(hunk.newCount);
  }
  return { from: rows[0]!.slice(4), to: rows[1]!.slice(4), hunks };
}

/** Index of a hunk's first line; an empty range names the line before it. */
const startIndex = (start: number, count: number) => (count === 0 ? start : start - 1);

/** Applies a parsed diff to `before`, checking that every context and deleted line is where the hunk says. */
function applyDiff(before: string, diff: ParsedDiff): string {
  const old = splitKeepingNewlines(before);
  const out: string[] = [];
  let at = 0;
  for (const hunk of diff.hunks) {
    const start = startIndex(hunk.oldStart, hunk.oldCount);
    expect(start).toBeGreaterThanOrEqual(at);
    out.push(...old.slice(at, start));
    at = start;
    expect(startIndex(hunk.newStart, hunk.newCount)).toBe(out.length);
    for (const line of hunk.body) {
      if (line.mark !== '+') {
        expect(old[at]).toBe(line.text);
        at++;
      }
      if (line.mark !== '-') out.push(line.text);
    }
  }
  out.push(...old.slice(at));
  return out.join('');
}

/**
 * Checks the hunks have the usual shape for `context`: each starts and ends with `context`
 * unchanged lines (fewer only at the file's ends), holds at least one change, shows deleted
 * lines before inserted ones in each change, and has no run of more than 2 × context unchanged
 * lines inside; and hunks are in order with at least one line not shown between them.
 */
function expectHunkShape(diff: ParsedDiff, oldLength: number, context: number): void {
  let previousEnd = -1;
  for (const hunk of diff.hunks) {
    const marks = hunk.body.map((line) => line.mark).join('');
    expect(marks).toMatch(/[-+]/);
    expect(marks).not.toMatch(/\+-/);
    const lead = /^ */.exec(marks)![0].length;
    const trail = / *$/.exec(marks)![0].length;
    const start = startIndex(hunk.oldStart, hunk.oldCount);
    const end = start + hunk.oldCount;
    expect(lead).toBe(Math.min(context, start + lead));
    expect(trail).toBe(Math.min(context, oldLength - end + trail));
    for (const run of marks.slice(lead, marks.length - trail).match(/ +/g) ?? []) expect(run.length).toBeLessThanOrEqual(2 * context);
    expect(start).toBeGreaterThan(previousEnd);
    previousEnd = end;
  }
}

/** Length of a longest common subsequence of two line lists: the plain O(n·m) table, one row at a time. */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  const ids = new Map<string, number>();
  const id = (line: string) => ids.get(line) ?? ids.set(line, ids.size).get(line)!;
  const x = a.map(id);
  const y = b.map(id);
  let previous = new Int32Array(y.length + 1);
  let current = new Int32Array(y.length + 1);
  for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < y.length; j++) current[j + 1] = x[i] === y[j] ? previous[j]! + 1 : Math.max(previous[j + 1]!, current[j]!);
    [previous, current] = [current, previous];
  }
  return previous[y.length]!;
}

const changedLineCount = (diff: ParsedDiff) => diff.hunks.reduce((sum, hunk) => sum + hunk.body.filter((line) => line.mark !== ' ').length, 0);

/** GNU diff, only as an oracle: whether the files differ, and how many lines it marks as changed. */
function gnuChangedLines(before: string, after: string): number {
  const from = path.join(dir, 'before');
  const to = path.join(dir, 'after');
  fs.writeFileSync(from, before);
  fs.writeFileSync(to, after);
  const result = spawnSync('/usr/bin/diff', ['-u', from, to], { encoding: 'utf8' });
  expect(result.error).toBeUndefined();
  expect(result.stderr).toBe('');
  expect(result.status).toBe(before === after ? 0 : 1);
  return result.stdout
    .split('\n')
    .slice(2)
    .filter((line) => line.startsWith('-') || line.startsWith('+')).length;
}

/** What `/usr/bin/patch` makes of `before` with the diff, exact context required. */
function gnuPatch(before: string, diff: string): string {
  const original = path.join(dir, 'original');
  const patchFile = path.join(dir, 'change.diff');
  const output = path.join(dir, 'patched');
  fs.writeFileSync(original, before);
  fs.writeFileSync(patchFile, diff);
  fs.rmSync(output, { force: true });
  const result = spawnSync('/usr/bin/patch', ['--silent', '--force', '--fuzz=0', '--no-backup-if-mismatch', '-o', output, original, patchFile], { encoding: 'utf8' });
  expect(result.error).toBeUndefined();
  expect(result.stderr + result.stdout).toBe('');
  expect(result.status).toBe(0);
  return fs.readFileSync(output, 'utf8');
}

/**
 * The checks every diff must pass: it parses, its headers match its hunks, it turns `before`
 * into `after` (with our patcher and with /usr/bin/patch), it changes no more lines than a
 * shortest edit script (checked against the LCS table when small enough, and never more than
 * GNU diff), and its hunks have the usual shape for the context width.
 */
function expectGoodDiff(before: string, after: string, context: number, external = true): string {
  const diff = unifiedDiff(before, after, { context, maxOutputLines: ALL });
  if (before === after) {
    expect(diff).toBe('');
    return diff;
  }
  const parsed = parseDiff(diff);
  expect(parsed.from).toBe('a');
  expect(parsed.to).toBe('b');
  expect(applyDiff(before, parsed)).toBe(after);
  const a = splitKeepingNewlines(before);
  const b = splitKeepingNewlines(after);
  expectHunkShape(parsed, a.length, context);
  const changed = changedLineCount(parsed);
  if (a.length * b.length <= 4_000_000) expect(changed).toBe(a.length + b.length - 2 * lcsLength(a, b));
  if (external) {
    expect(changed).toBeLessThanOrEqual(gnuChangedLines(before, after));
    expect(gnuPatch(before, diff)).toBe(after);
  }
  return diff;
}


describe('the test helpers', () => {
  it('compute LCS lengths', () => {
    expect(lcsLength([], ['a'])).toBe(0);
    expect(lcsLength(['a', 'b', 'c', 'b', 'd', 'a', 'b'], ['b', 'd', 'c', 'a', 'b', 'a'])).toBe(4);
    expect(lcsLength(['x', 'y'], ['y', 'x'])).toBe(1);
  });

  it('apply a hand-written diff, and refuse one whose context does not match', () => {
    const diff = ['--- a', '+++ b', '@@ -1,2 +1,2 @@', ' a', '-b', '+c', '\\ No newline at end of file', ''].join('\n');
    expect(applyDiff('a\nb\n', parseDiff(diff))).toBe('a\nc');
    expect(() => applyDiff('z\nb\n', parseDiff(diff))).toThrow();
    expect(() => parseDiff(['--- a', '+++ b', '@@ -1,2 +1,2 @@', ' a', '+c', ''].join('\n'))).toThrow();
  });
});

describe('unifiedDiff', () => {
  it('returns "" for equal texts', () => {
    expect(unifiedDiff('', '')).toBe('');
    expect(unifiedDiff('a\nb\n', 'a\nb\n')).toBe('');
    expect(unifiedDiff('no newline', 'no newline')).toBe('');
  });

  it('prints a changed line with three lines of context each side', () => {
    const before = lines('1', '2', '3', '4', '5', '6', '7', '8', '9');
    const after = lines('1', '2', '3', '4', 'five', '6', '7', '8', '9');
    expect(unifiedDiff(before, after)).toBe(['--- a', '+++ b', '@@ -2,7 +2,7 @@', ' 2', ' 3', ' 4', '-5', '+five', ' 6', ' 7', ' 8', ''].join('\n'));
    expect(unifiedDiff(before, after, { context: 0 })).toBe(['--- a', '+++ b', '@@ -5 +5 @@', '-5', '+five', ''].join('\n'));
  });

  it('prints an insertion at the end', () => {
    expect(unifiedDiff(lines('1', '2', '3', '4', '5'), lines('1', '2', '3', '4', '5', '6', '7'))).toBe(
      ['--- a', '+++ b', '@@ -3,3 +3,5 @@', ' 3', ' 4', ' 5', '+6', '+7', ''].join('\n'),
    );
  });

  it('uses the labels given', () => {
    expect(unifiedDiff('x\n', 'y\n', { fromLabel: 'edge-7:/etc/sluice/task.yaml', toLabel: 'planned' })).toBe(
      ['--- edge-7:/etc/sluice/task.yaml', '+++ planned', '@@ -1 +1 @@', '-x', '+y', ''].join('\n'),
    );
  });

  it('writes ranges as diff does: one line as its number, none as the line before and ",0"', () => {
    expect(unifiedDiff('', 'a\nb\n')).toBe(['--- a', '+++ b', '@@ -0,0 +1,2 @@', '+a', '+b', ''].join('\n'));
    expect(unifiedDiff('a\n', '')).toBe(['--- a', '+++ b', '@@ -1 +0,0 @@', '-a', ''].join('\n'));
    expect(unifiedDiff(lines('a', 'b', 'c'), lines('a', 'c'), { context: 0 })).toBe(['--- a', '+++ b', '@@ -2 +1,0 @@', '-b', ''].join('\n'));
    expect(unifiedDiff(lines('a', 'c'), lines('a', 'b', 'c'), { context: 0 })).toBe(['--- a', '+++ b', '@@ -1,0 +2 @@', '+b', ''].join('\n'));
  });

  it('marks a last line without a newline, as diff does', () => {
    expect(unifiedDiff('a\nb', 'a\nb\n')).toBe(['--- a', '+++ b', '@@ -1,2 +1,2 @@', ' a', '-b', '\\ No newline at end of file', '+b', ''].join('\n'));
    expect(unifiedDiff('a\nb\n', 'a\nc')).toBe(['--- a', '+++ b', '@@ -1,2 +1,2 @@', ' a', '-b', '+c', '\\ No newline at end of file', ''].join('\n'));
    expect(unifiedDiff('a\nz', 'b\nz')).toBe(['--- a', '+++ b', '@@ -1,2 +1,2 @@', '-a', '+b', ' z', '\\ No newline at end of file', ''].join('\n'));
    expect(unifiedDiff('x', '')).toBe(['--- a', '+++ b', '@@ -1 +0,0 @@', '-x', '\\ No newline at end of file', ''].join('\n'));
  });

  it('splits hunks more than 2 × context unchanged lines apart, and joins closer ones', () => {
    const before = lines(...Array.from({ length: 30 }, (_, i) => `line ${i + 1}`));
    // Changes at lines 5 and 13 have 7 unchanged lines between them, at 5 and 12 six (= 2 × 3).
    const apart = before.replace('line 5\n', 'five\n').replace('line 13\n', 'thirteen\n');
    const close = before.replace('line 5\n', 'five\n').replace('line 12\n', 'twelve\n');
    expect(unifiedDiff(before, apart).match(/^@@ .*$/gm)).toEqual(['@@ -2,7 +2,7 @@', '@@ -10,7 +10,7 @@']);
    expect(unifiedDiff(before, close).match(/^@@ .*$/gm)).toEqual(['@@ -2,14 +2,14 @@']);
    expect(unifiedDiff(before, apart, { context: 1 }).match(/^@@ .*$/gm)).toEqual(['@@ -4,3 +4,3 @@', '@@ -12,3 +12,3 @@']);
    expect(unifiedDiff(before, close, { context: 1 }).match(/^@@ .*$/gm)).toEqual(['@@ -4,3 +4,3 @@', '@@ -11,3 +11,3 @@']);
    expect(unifiedDiff(before, close, { context: 0 }).match(/^@@ .*$/gm)).toEqual(['@@ -5 +5 @@', '@@ -12 +12 @@']);
    for (const context of [0, 1, 3, 4, 100]) {
      expectGoodDiff(before, apart, context);
      expectGoodDiff(before, close, context);
    }
  });

  it('rejects options that make no sense', () => {
    expect(() => unifiedDiff('a', 'b', { context: -1 })).toThrow(RangeError);
    expect(() => unifiedDiff('a', 'b', { context: 1.5 })).toThrow(RangeError);
    expect(() => unifiedDiff('a', 'b', { context: Number.NaN })).toThrow(RangeError);
    expect(() => unifiedDiff('a', 'b', { maxOutputLines: 0 })).toThrow(RangeError);
    expect(() => unifiedDiff('a', 'b', { maxOutputLines: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    // Checked even when the texts are equal.
    expect(() => unifiedDiff('a', 'a', { context: -1 })).toThrow(RangeError);
  });

  describe('gives a minimal diff that patches before into after', () => {
    const config = lines('detector:', '  model: /opt/models/face/model.tflite', '  threshold: 0.5', '', 'cameras:', '  - id: 1', '    enabled: true', '  - id: 2', '    enabled: true', '');

    it.each<[string, string, string]>([
      ['an insert at the start', config, `# rendered by sluice\n${config}`],
      ['an insert at the end', config, `${config}extra: 1\n`],
      ['everything deleted', config, ''],
      ['everything new', '', config],
      ['everything replaced', config, lines('a', 'b', 'c')],
      ['no newline at the end before', config.slice(0, -1), config],
      ['no newline at the end after', config, config.slice(0, -1)],
      ['no newline at the end of either', `${config}x`, `${config}y`],
      ['the same last line, without a newline on both sides', `a\n${config}x`, `b\n${config}x`],
      ['one line without a newline to empty', 'x', ''],
      ['empty to one line without a newline', '', 'x'],
      ['only a newline added', 'x', 'x\n'],
      ['CRLF line ends', config.replace(/\n/g, '\r\n'), config.replace(/\n/g, '\r\n').replace('0.5', '0.6')],
      ['CRLF to LF', config.replace(/\n/g, '\r\n'), config],
      ['a blank line added among blank lines', lines('a', '', '', 'b', '', 'c'), lines('a', '', '', '', 'b', '', 'c')],
      ['blank lines removed', lines('', '', '', 'a', '', '', ''), lines('', 'a', '')],
      ['a repeated block added', lines('x', '}', '{', '}', '{', 'y'), lines('x', '}', '{', '}', '{', '}', '{', 'y')],
      ['a repeated block removed', lines('{', '}', '{', '}', '{', '}'), lines('{', '}')],
      ['one line repeated, fewer times', 'a\n'.repeat(10), 'a\n'.repeat(7)],
      ['a camera added in the middle', config, config.replace('  - id: 2\n', '  - id: 3\n    enabled: false\n  - id: 2\n')],
      ['lines moved', lines('1', '2', '3', '4', '5', '6', '7', '8'), lines('5', '6', '7', '8', '1', '2', '3', '4')],
      ['lines reversed', lines('1', '2', '3', '4', '5', '6'), lines('6', '5', '4', '3', '2', '1')],
      ['lines that look like diff syntax', lines('--- a', '+++ b', '@@ -1 +1 @@', ' x'), lines('--- b', '+++ b', '\\ No newline at end of file', '@@ -1 +1 @@', '-x')],
      ['trailing whitespace changed', lines('a', 'b ', 'c'), lines('a', 'b', 'c ')],
    ])('%s', (_label, before, after) => {
      for (const context of [0, 1, 3, 5]) expectGoodDiff(before, after, context);
    });

    // Texts with few distinct lines have many equally short edit scripts, so they test that
    // whichever one is chosen is printed and patched correctly.
    interface Kind {
      readonly line: (next: () => number, serial: () => number) => string;
      readonly rounds: number;
      readonly maxLines: number;
      readonly maxEdits: number;
      readonly maxEditSize: number;
    }
    const common = ['', '', '}', '{', 'x', '  enabled: true'];
    const kinds: Record<string, Kind> = {
      'unique lines': { line: (_next, serial) => `line ${serial()}`, rounds: 40, maxLines: 400, maxEdits: 12, maxEditSize: 6 },
      'config-like lines': {
        line: (next, serial) => ['', '', '  enabled: true', '  enabled: false', '}', '{', `  id: ${serial()}`][Math.floor(next() * 7)]!,
        rounds: 150,
        maxLines: 300,
        maxEdits: 12,
        maxEditSize: 6,
      },
      'two distinct lines': { line: (next) => (next() < 0.5 ? 'a' : 'b'), rounds: 150, maxLines: 200, maxEdits: 12, maxEditSize: 6 },
      'CRLF lines': { line: (next) => ['a\r', 'b\r', '\r', ''][Math.floor(next() * 4)]!, rounds: 60, maxLines: 120, maxEdits: 8, maxEditSize: 4 },
      'long texts, half unique lines': {
        line: (next, serial) => (next() < 0.5 ? common[Math.floor(next() * common.length)]! : `u${serial()}`),
        rounds: 60,
        maxLines: 3000,
        maxEdits: 30,
        maxEditSize: 12,
      },
    };

    it.each(Object.keys(kinds))('on random edits of generated texts: %s', (name) => {
      const kind = kinds[name]!;
      const next = seededRandom(20260101 + name.length);
      let counter = 0;
      const line = () => kind.line(next, () => counter++);
      let compared = 0;
      for (let round = 0; round < kind.rounds; round++) {
        const original = Array.from({ length: Math.floor(next() * kind.maxLines) }, line);
        const edited = original.slice();
        for (let edit = Math.floor(next() * kind.maxEdits); edit >= 0; edit--) {
          const at = Math.floor(next() * (edited.length + 1));
          const size = 1 + Math.floor(next() * kind.maxEditSize);
          const what = next();
          if (what < 0.35) edited.splice(at, 0, ...Array.from({ length: size }, line));
          else if (what < 0.7) edited.splice(at, size);
          else edited.splice(at, size, ...Array.from({ length: Math.floor(next() * kind.maxEditSize) }, line));
        }
        const text = (items: string[]) => (items.length === 0 ? '' : items.join('\n') + (next() < 0.8 ? '\n' : ''));
        const before = text(original);
        const after = text(edited);
        if (before === after) continue;
        // Every round is checked against the LCS table; every third one against GNU diff and patch too.
        expectGoodDiff(before, after, [0, 1, 3, 3, 5][round % 5]!, round % 10 === 0);
        compared++;
      }
      expect(compared).toBeGreaterThan(kind.rounds * 0.8);
    });
  });

  describe('bounds', () => {
    it('summarises inputs of more than MAX_DIFF_LINES lines, quickly', () => {
      const start = performance.now();
      expect(unifiedDiff('x\n'.repeat(120_000), 'a\nb\nc')).toBe('(content differs: 120000 lines before, 3 after; too large to show)\n');
      expect(unifiedDiff('a\n', 'y\n'.repeat(MAX_DIFF_LINES + 1))).toBe(`(content differs: 1 lines before, ${MAX_DIFF_LINES + 1} after; too large to show)\n`);
      expect(performance.now() - start).toBeLessThan(QUICK_MS);
    });

    it('still diffs inputs of exactly MAX_DIFF_LINES lines', () => {
      const before = Array.from({ length: MAX_DIFF_LINES }, (_, i) => `line ${i}\n`).join('');
      const after = before.replace('line 25000\n', 'changed\n');
      expect(unifiedDiff(before, after)).toBe(
        ['--- a', '+++ b', '@@ -24998,7 +24998,7 @@', ' line 24997', ' line 24998', ' line 24999', '-line 25000', '+changed', ' line 25001', ' line 25002', ' line 25003', ''].join('\n'),
      );
    });

    it(`shows ${MAX_DIFF_EDITS} changed lines, and summarises ${MAX_DIFF_EDITS + 2} quickly`, () => {
      const original = Array.from({ length: 5000 }, (_, i) => `line ${i}`);
      const replaced = (count: number) => original.map((line, i) => (i % 4 === 0 && i / 4 < count ? `new ${i}` : line));
      const atLimit = expectGoodDiff(lines(...original), lines(...replaced(MAX_DIFF_EDITS / 2)), 3, false);
      expect(atLimit.split('\n').filter((line) => /^[-+][^-+]/.test(line))).toHaveLength(MAX_DIFF_EDITS);
      const start = performance.now();
      expect(unifiedDiff(lines(...original), lines(...replaced(MAX_DIFF_EDITS / 2 + 1)))).toBe(
        `(content differs: 5000 lines before, 5000 after; more than ${MAX_DIFF_EDITS} changed lines, too many to show)\n`,
      );
      expect(performance.now() - start).toBeLessThan(QUICK_MS);
    });

    it('summarises a length difference beyond the limit without searching', () => {
      const start = performance.now();
      expect(unifiedDiff('x\n', 'y\n'.repeat(MAX_DIFF_EDITS + 5))).toBe(
        `(content differs: 1 lines before, ${MAX_DIFF_EDITS + 5} after; more than ${MAX_DIFF_EDITS} changed lines, too many to show)\n`,
      );
      expect(unifiedDiff('y\n'.repeat(MAX_DIFF_LINES), '')).toBe(`(content differs: ${MAX_DIFF_LINES} lines before, 0 after; more than ${MAX_DIFF_EDITS} changed lines, too many to show)\n`);
      expect(performance.now() - start).toBeLessThan(QUICK_MS);
    });

    it('gives up early when the edit search itself goes past the limit', () => {
      // Only two distinct lines, every one of them changed: the search must run to the limit.
      const next = seededRandom(7);
      const before = Array.from({ length: MAX_DIFF_LINES }, () => (next() < 0.5 ? 'a\n' : 'b\n'));
      const after = before.map((line) => (line === 'a\n' ? 'b\n' : 'a\n'));
      const start = performance.now();
      expect(unifiedDiff(before.join(''), after.join(''))).toBe(
        `(content differs: ${MAX_DIFF_LINES} lines before, ${MAX_DIFF_LINES} after; more than ${MAX_DIFF_EDITS} changed lines, too many to show)\n`,
      );
      // No line in common at all: every diagonal is searched with no equal lines to follow.
      expect(unifiedDiff('x\n'.repeat(MAX_DIFF_LINES), 'y\n'.repeat(MAX_DIFF_LINES))).toMatch(/too many to show\)\n$/);
      expect(performance.now() - start).toBeLessThan(QUICK_MS);
    });

    it('diffs the largest inputs with scattered changes within the limits quickly, cutting the output', () => {
      const next = seededRandom(11);
      const before = Array.from({ length: MAX_DIFF_LINES }, (): string => (next() < 0.5 ? 'a\n' : 'b\n'));
      const after = before.slice();
      for (let i = 0; i < 600; i++) after[Math.floor(next() * after.length)] = 'c\n';
      const start = performance.now();
      const diff = unifiedDiff(before.join(''), after.join(''));
      expect(performance.now() - start).toBeLessThan(QUICK_MS);
      const shown = diff.split('\n').slice(0, -1);
      expect(shown).toHaveLength(201);
      expect(shown[200]).toMatch(/^… \d+ more diff lines not shown$/);
      const full = expectGoodDiff(before.join(''), after.join(''), 3);
      expect(shown.slice(0, 200)).toEqual(full.split('\n').slice(0, 200));
      expect(Number(/\d+/.exec(shown[200]!)![0])).toBe(full.split('\n').length - 1 - 200);
    });

    it('cuts output longer than maxOutputLines, saying how much was left out', () => {
      const before = lines(...Array.from({ length: 40 }, (_, i) => `line ${i}`));
      const after = before.replace(/line (\d*[05])\n/g, 'changed $1\n');
      const full = unifiedDiff(before, after, { maxOutputLines: 1000 });
      const fullLines = full.split('\n').slice(0, -1);
      expect(fullLines.length).toBeGreaterThan(20);
      expect(unifiedDiff(before, after, { maxOutputLines: 10 })).toBe([...fullLines.slice(0, 10), `… ${fullLines.length - 10} more diff lines not shown`, ''].join('\n'));
      expect(unifiedDiff(before, after, { maxOutputLines: fullLines.length })).toBe(full);
      expect(unifiedDiff(before, after, { maxOutputLines: fullLines.length - 1 })).toBe([...fullLines.slice(0, -1), '… 1 more diff lines not shown', ''].join('\n'));
      expect(unifiedDiff(before, after, { maxOutputLines: 1 })).toBe(['--- a', `… ${fullLines.length - 1} more diff lines not shown`, ''].join('\n'));
    });
  });
});
