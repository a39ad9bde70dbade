/**
 * Unified diffs of rendered task configs, for `sluice deploy plan` (like `ansible --check --diff`).
 *
 * The edit script is a shortest one, found with the greedy forward search of E. Myers,
 * "An O(ND) Difference Algorithm and Its Variations" (Algorithmica 1, 1986), after the common
 * prefix and suffix are set aside. The search keeps the furthest point reached on each diagonal
 * for every edit count D, and the path is read back from those rows. When several shortest
 * scripts exist, any one of them may be printed: the output is a valid `diff -u` style patch
 * with the fewest possible changed lines, not necessarily byte-identical to another tool's.
 *
 * Bounded: past MAX_DIFF_LINES lines or MAX_DIFF_EDITS changed lines, a one-line summary is
 * returned instead, so a huge or wholly rewritten file cannot stall a plan. The search stops as
 * soon as D passes MAX_DIFF_EDITS, so its cost is at most O((N + M) · MAX_DIFF_EDITS).
 */

export interface UnifiedDiffOptions {
  /** Unchanged lines shown around each change, as `diff -U`; default 3. */
  readonly context?: number;
  /** Longer output is cut, with a last line saying how many lines were left out; default 200. */
  readonly maxOutputLines?: number;
  /** Shown in the `---` header; default "a". */
  readonly fromLabel?: string;
  /** Shown in the `+++` header; default "b". */
  readonly toLabel?: string;
}

/** Inputs with more lines than this are summarised, not diffed. */
export const MAX_DIFF_LINES = 50_000;
/** Diffs with more inserted plus deleted lines than this are summarised, not shown. */
export const MAX_DIFF_EDITS = 2_000;

/** `""` when the texts are equal; otherwise the diff, or a summary when too large. Every line ends with "\n". */
export function unifiedDiff(before: string, after: string, options: UnifiedDiffOptions = {}): string {
  const context = options.context ?? 3;
  const maxOutputLines = options.maxOutputLines ?? 200;
  if (!Number.isSafeInteger(context) || context < 0) throw new RangeError(`context must be a whole number ≥ 0, not ${context}`);
  if (!Number.isSafeInteger(maxOutputLines) || maxOutputLines < 1) throw new RangeError(`maxOutputLines must be a whole number ≥ 1, not ${maxOutputLines}`);
  if (before === after) return '';

  // Counted before splitting, so a huge input costs one scan and no line array.
  const beforeCount = countLines(before);
  const afterCount = countLines(after);
  const summary = (why: string) => `(content differs: ${beforeCount} lines before, ${afterCount} after; ${why})\n`;
  if (beforeCount > MAX_DIFF_LINES || afterCount > MAX_DIFF_LINES) return summary('too large to show');

  const a = splitLines(before);
  const b = splitLines(after);
  const marks = changedLines(a, b, MAX_DIFF_EDITS);
  if (marks === undefined) return summary(`more than ${MAX_DIFF_EDITS} changed lines, too many to show`);

  const out = new OutputLines(maxOutputLines);
  out.push(`--- ${options.fromLabel ?? 'a'}`);
  out.push(`+++ ${options.toLabel ?? 'b'}`);
  for (const hunk of hunks(changeBlocks(marks), a.length, context)) printHunk(out, hunk, a, b);
  return out.text();
}

// ---------------------------------------------------------------------------------------------
// Lines

/** Number of lines: one per "\n", plus a last line that has none. */
function countLines(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  if (text.length > 0 && !text.endsWith('\n')) count++;
  return count;
}

/** The text cut into lines, each keeping its "\n" (so a last line without one differs from the same line with one). */
function splitLines(text: string): string[] {
  const result: string[] = [];
  let from = 0;
  while (from < text.length) {
    const end = text.indexOf('\n', from);
    const to = end === -1 ? text.length : end + 1;
    result.push(text.slice(from, to));
    from = to;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Shortest edit script

/** Which lines are deleted from a and inserted into b. */
interface ChangedLines {
  readonly deleted: Uint8Array;
  readonly inserted: Uint8Array;
}

/**
 * Marks the lines outside a longest common subsequence of a and b, or returns undefined when
 * that takes more than `limit` deleted plus inserted lines.
 */
function changedLines(a: readonly string[], b: readonly string[], limit: number): ChangedLines | undefined {
  const deleted = new Uint8Array(a.length);
  const inserted = new Uint8Array(b.length);

  // Lines as small integers, so the search compares numbers instead of strings.
  const ids = new Map<string, number>();
  const idOf = (line: string) => {
    let id = ids.get(line);
    if (id === undefined) {
      id = ids.size;
      ids.set(line, id);
    }
    return id;
  };

  // The common prefix and suffix are unchanged; only what lies between them is searched.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let aEnd = a.length;
  let bEnd = b.length;
  while (aEnd > start && bEnd > start && a[aEnd - 1] === b[bEnd - 1]) {
    aEnd--;
    bEnd--;
  }
  const n = aEnd - start;
  const m = bEnd - start;
  if (Math.abs(n - m) > limit) return undefined; // at least |n − m| edits are needed
  const x = Int32Array.from(a.slice(start, aEnd), idOf);
  const y = Int32Array.from(b.slice(start, bEnd), idOf);

  const path = shortestPath(x, y, limit);
  if (path === undefined) return undefined;
  for (const edit of path) {
    if (edit.kind === 'delete') deleted[start + edit.index] = 1;
    else inserted[start + edit.index] = 1;
  }
  return { deleted, inserted };
}

interface Edit {
  readonly kind: 'delete' | 'insert';
  /** The line deleted from x, or inserted from y (0-based). */
  readonly index: number;
}

/**
 * Myers' greedy search. On the edit graph of x (across) and y (down), diagonal k holds the
 * points with column − row = k. For each D in turn, `reach[k]` is the furthest column on
 * diagonal k that a path with D edits can reach, extended along equal lines ("snakes").
 * A copy of the row for each D is kept, so the path can be read back from the end.
 */
function shortestPath(x: Int32Array, y: Int32Array, limit: number): Edit[] | undefined {
  const n = x.length;
  const m = y.length;
  const maxD = Math.min(n + m, limit);
  const offset = maxD + 1;
  const reach = new Int32Array(2 * maxD + 3);
  const rows: Int32Array[] = [];

  for (let d = 0; d <= maxD; d++) {
    for (let k = -d; k <= d; k += 2) {
      // Either one step down from diagonal k + 1 (an insertion) or one step right from k − 1 (a deletion).
      let col: number;
      if (d === 0) col = 0;
      else if (k === -d || (k !== d && reach[offset + k - 1]! < reach[offset + k + 1]!)) col = reach[offset + k + 1]!;
      else col = reach[offset + k - 1]! + 1;
      let row = col - k;
      while (col < n && row < m && x[col] === y[row]) {
        col++;
        row++;
      }
      reach[offset + k] = col;
      if (col >= n && row >= m) {
        rows.push(reach.slice(offset - d, offset + d + 1));
        return readPath(rows, n, m);
      }
    }
    rows.push(reach.slice(offset - d, offset + d + 1));
  }
  return undefined;
}

/** Walks back from (n, m) through the rows of `shortestPath`, collecting the edits in order. */
function readPath(rows: readonly Int32Array[], n: number, m: number): Edit[] {
  const edits: Edit[] = [];
  let col = n;
  let row = m;
  for (let d = rows.length - 1; d > 0; d--) {
    const previous = rows[d - 1]!; // diagonals −(d − 1) … d − 1, at index k + d − 1
    const at = (k: number) => previous[k + d - 1]!;
    const k = col - row;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const fromK = down ? k + 1 : k - 1;
    const fromCol = at(fromK);
    const fromRow = fromCol - fromK;
    // The snake that followed the edit is equal lines; the edit itself is one line.
    if (down) edits.push({ kind: 'insert', index: fromRow });
    else edits.push({ kind: 'delete', index: fromCol });
    col = fromCol;
    row = fromRow;
  }
  return edits.reverse();
}

// ---------------------------------------------------------------------------------------------
// Hunks

/** Lines `aStart … aEnd − 1` of a are replaced by lines `bStart … bEnd − 1` of b (0-based, ends exclusive). */
interface Block {
  readonly aStart: number;
  readonly aEnd: number;
  readonly bStart: number;
  readonly bEnd: number;
}

/** The runs of changed lines, in order. Unchanged lines pair up one to one between the runs. */
function changeBlocks({ deleted, inserted }: ChangedLines): Block[] {
  const blocks: Block[] = [];
  let i = 0;
  let j = 0;
  while (i < deleted.length || j < inserted.length) {
    if (i < deleted.length && j < inserted.length && deleted[i] === 0 && inserted[j] === 0) {
      i++;
      j++;
      continue;
    }
    const aStart = i;
    const bStart = j;
    while (i < deleted.length && deleted[i] === 1) i++;
    while (j < inserted.length && inserted[j] === 1) j++;
    blocks.push({ aStart, aEnd: i, bStart, bEnd: j });
  }
  return blocks;
}

/** Blocks printed together, with `lead` unchanged lines before the first and `trail` after the last. */
interface Hunk {
  readonly blocks: readonly Block[];
  readonly lead: number;
  readonly trail: number;
}

/** Groups blocks no more than 2 × context unchanged lines apart into one hunk. */
function hunks(blocks: readonly Block[], aLength: number, context: number): Hunk[] {
  const result: Hunk[] = [];
  let group: Block[] = [];
  const close = () => {
    const first = group[0]!;
    const last = group[group.length - 1]!;
    result.push({ blocks: group, lead: Math.min(context, first.aStart), trail: Math.min(context, aLength - last.aEnd) });
    group = [];
  };
  for (const block of blocks) {
    const previous = group[group.length - 1];
    if (previous !== undefined && block.aStart - previous.aEnd > 2 * context) close();
    group.push(block);
  }
  if (group.length > 0) close();
  return result;
}

function printHunk(out: OutputLines, { blocks, lead, trail }: Hunk, a: readonly string[], b: readonly string[]): void {
  const first = blocks[0]!;
  const last = blocks[blocks.length - 1]!;
  const aFrom = first.aStart - lead;
  const bFrom = first.bStart - lead;
  const aTo = last.aEnd + trail;
  const bTo = last.bEnd + trail;
  out.push(`@@ -${range(aFrom, aTo - aFrom)} +${range(bFrom, bTo - bFrom)} @@`);

  let i = aFrom;
  for (const block of blocks) {
    for (; i < block.aStart; i++) printLine(out, ' ', a[i]!);
    for (; i < block.aEnd; i++) printLine(out, '-', a[i]!);
    for (let j = block.bStart; j < block.bEnd; j++) printLine(out, '+', b[j]!);
  }
  for (; i < aTo; i++) printLine(out, ' ', a[i]!);
}

/** `start,count` with start 1-based; an empty range names the line before it, a single line has no count. */
function range(from: number, count: number): string {
  if (count === 0) return `${from},0`;
  if (count === 1) return `${from + 1}`;
  return `${from + 1},${count}`;
}

function printLine(out: OutputLines, mark: string, line: string): void {
  if (line.endsWith('\n')) {
    out.push(mark + line.slice(0, -1));
  } else {
    out.push(mark + line);
    out.push('\\ No newline at end of file');
  }
}

/** Keeps the first `max` lines and only counts the others. */
class OutputLines {
  private readonly kept: string[] = [];
  private left = 0;

  constructor(private readonly max: number) {}

  push(line: string): void {
    if (this.kept.length < this.max) this.kept.push(line);
    else this.left++;
  }

  text(): string {
    const notice = this.left > 0 ? [`… ${this.left} more diff lines not shown`] : [];
    return [...this.kept, ...notice].map((line) => `${line}\n`).join('');
  }
}
