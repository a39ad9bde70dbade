import { UserError } from '../../infra/errors/user-error';

/**
 * Task configs for edge nodes (YAML and the like) rendered from templates, with model paths and
 * other values filled in: `{{ models.face_recognition.path }}`. Deliberately much smaller than
 * Jinja: no filters, no logic, no escapes. An expression is a dotted name or a quoted literal, and
 * must close on the line it opens on, so a forgotten `}}` is reported where it was forgotten
 * instead of swallowing the lines up to the next `}}`.
 *
 * The scanner moves forward only (indexOf and single-character steps), so any input, hostile or
 * not, is handled in linear time; there is no regular expression to backtrack.
 */

/** Task configs are a few KiB; a template this big is a mistake (or an attack), not a config. */
export const MAX_TEMPLATE_BYTES = 1024 * 1024;

export type TemplateValue = string | number | boolean | { readonly [name: string]: TemplateValue };
export type TemplateVariables = { readonly [name: string]: TemplateValue };

/** A template that cannot be rendered. The message starts with `name:line:column: `. */
export class TemplateError extends UserError {
  override name = 'TemplateError';

  constructor(
    readonly templateName: string,
    /** 1-based. */
    readonly line: number,
    /** 1-based, in characters (code points), as editors count. */
    readonly column: number,
    /** What is wrong, without the location (it is prefixed). */
    readonly problem: string,
    hint: string,
  ) {
    super(`${templateName}:${line}:${column}: ${problem}`, hint);
  }
}

/** Renders `source`, replacing each `{{ expr }}`; everything else is copied as it is. */
export function renderTemplate(source: string, variables: TemplateVariables, templateName: string): string {
  const out: string[] = [];
  // Pieces are resolved as they are scanned, so the first problem in the file is the one reported.
  for (const piece of scanTemplate(source, templateName)) {
    if (piece.kind === 'text' || piece.kind === 'literal') out.push(piece.text);
    else out.push(resolve(source, templateName, variables, piece));
  }
  return out.join('');
}

interface Segment {
  readonly name: string;
  /** Index of the segment's first character in the source. */
  readonly offset: number;
}

type Piece =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'name'; readonly segments: readonly Segment[] };

const OPEN = '{{';
const CLOSE = '}}';
/** Expressions and names longer than this are shortened in messages, which must stay readable. */
const SHOWN_CHARS = 80;
const MAX_KNOWN_LISTED = 20;

function* scanTemplate(source: string, templateName: string): Generator<Piece> {
  const bytes = Buffer.byteLength(source, 'utf8');
  if (bytes > MAX_TEMPLATE_BYTES) {
    // A whole-file problem: reported at 1:1, as linters do, so every message has the same shape.
    throw new TemplateError(
      templateName,
      1,
      1,
      `template is ${bytes} bytes, more than the limit of ${MAX_TEMPLATE_BYTES} bytes (1 MiB)`,
      'A task config template should be small; keep large data in a file the task reads instead of in the template.',
    );
  }
  let pos = 0;
  for (;;) {
    const open = source.indexOf(OPEN, pos);
    if (open < 0) break;
    if (open > pos) yield { kind: 'text', text: source.slice(pos, open) };
    const parsed = new ExpressionParser(source, templateName, open).parse();
    yield parsed.piece;
    pos = parsed.end;
  }
  if (pos < source.length) yield { kind: 'text', text: source.slice(pos) };
}

/** Parses the one expression that starts with the `{{` at `open`. */
class ExpressionParser {
  private pos: number;

  constructor(
    private readonly source: string,
    private readonly templateName: string,
    private readonly open: number,
  ) {
    this.pos = open + OPEN.length;
  }

  parse(): { piece: Piece; end: number } {
    this.skipBlanks();
    if (this.source.startsWith(CLOSE, this.pos)) {
      throw this.error(
        this.open,
        'empty expression: nothing between "{{" and "}}"',
        'Put a variable name between the braces, e.g. {{ models.detector.path }}; to write a literal "{{", write {{ "{{" }}.',
      );
    }
    const c = this.source.charCodeAt(this.pos);
    const piece: Piece = c === QUOTE || c === APOSTROPHE ? this.literal() : this.dottedName();
    this.skipBlanks();
    if (!this.source.startsWith(CLOSE, this.pos)) this.unexpected('expected "}}"');
    return { piece, end: this.pos + CLOSE.length };
  }

  private literal(): Piece {
    const quote = this.source[this.pos]!;
    const start = this.pos + 1;
    let end = start;
    while (end < this.source.length && this.source[end] !== quote && this.source[end] !== '\n') end++;
    if (end >= this.source.length || this.source[end] === '\n') {
      throw this.error(
        this.pos,
        `unclosed string literal: no closing ${quote} before the end of the ${end >= this.source.length ? 'template' : 'line'}`,
        `Close the quote on the same line. Literals have no escapes: to include ${quote}, quote with ${quote === '"' ? "'" : '"'} instead.`,
      );
    }
    this.pos = end + 1;
    return { kind: 'literal', text: this.source.slice(start, end) };
  }

  private dottedName(): Piece {
    const segments: Segment[] = [];
    for (;;) {
      const c = this.source.charCodeAt(this.pos);
      if (!isNameStart(c)) {
        if (segments.length > 0) this.unexpected('expected a name after "."');
        if (isNameChar(c)) this.unexpected('a name must start with a letter or "_"');
        this.unexpected('expected a variable name or a quoted string');
      }
      const start = this.pos;
      while (isNameChar(this.source.charCodeAt(this.pos))) this.pos++;
      segments.push({ name: this.source.slice(start, this.pos), offset: start });
      if (this.source[this.pos] !== '.') return { kind: 'name', segments };
      this.pos++;
    }
  }

  private skipBlanks(): void {
    while (this.source[this.pos] === ' ' || this.source[this.pos] === '\t') this.pos++;
  }

  /**
   * The character at `pos` does not belong. If the expression never closes on its line, that is
   * the real mistake (`{{ a` with no `}}`), so it is reported at the `{{`; otherwise the character
   * is, with the whole expression for context.
   */
  private unexpected(expectation: string): never {
    const at = this.pos;
    const newline = this.source.indexOf('\n', at);
    const lineEnd = newline < 0 ? this.source.length : newline;
    const close = this.source.indexOf(CLOSE, at);
    if (close < 0 || close >= lineEnd) {
      throw this.error(
        this.open,
        `unclosed "{{": no "}}" before the end of the ${newline < 0 ? 'template' : 'line'}`,
        'Close the expression with "}}" on the same line; to write a literal "{{", write {{ "{{" }}.',
      );
    }
    const expression = this.source.slice(this.open + OPEN.length, close).trim();
    const found = String.fromCodePoint(this.source.codePointAt(at)!);
    const problem = `${expectation}, found ${JSON.stringify(found)}`;
    throw this.error(
      at,
      `invalid expression ${show(expression)}: ${problem}`,
      'An expression is a dotted name such as {{ models.detector.path }} (letters, digits, "_" and "-"; starting with a letter or "_") or a quoted literal such as {{ "{{" }}.',
    );
  }

  private error(offset: number, problem: string, hint: string): TemplateError {
    return errorAt(this.source, this.templateName, offset, problem, hint);
  }
}

const QUOTE = 0x22;
const APOSTROPHE = 0x27;

function isNameStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d;
}

/** Looks the name up, own properties only: `{{ constructor }}` must never reach Object.prototype. */
function resolve(source: string, templateName: string, variables: TemplateVariables, piece: Piece & { kind: 'name' }): string {
  const { segments } = piece;
  // Names are joined only for a message: joining at every step would be quadratic in a hostile `a.a.a…`.
  const nameUpTo = (count: number) => segments.slice(0, count).map((segment) => segment.name).join('.');
  const fail = (offset: number, problem: string, hint: string) => errorAt(source, templateName, offset, problem, hint);
  let group: { readonly [name: string]: unknown } = variables;
  for (let k = 0; k < segments.length; k++) {
    const segment = segments[k]!;
    if (!Object.hasOwn(group, segment.name)) {
      const parent = show(nameUpTo(k));
      const known = Object.keys(group).sort();
      const listed = known.length > 0 ? `known: ${listKnown(known)}` : k === 0 ? 'there are no variables' : `${parent} is empty`;
      throw fail(
        segment.offset,
        `unknown variable ${show(nameUpTo(segments.length))}: no ${show(segment.name)} ${k === 0 ? 'among the variables' : `under ${parent}`}; ${listed}`,
        `Check the spelling against the known names, or add ${show(segment.name)} ${k === 0 ? '' : `under ${parent} `}to the variables the template is rendered with.`,
      );
    }
    const value = group[segment.name];
    if (k === segments.length - 1) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
      const name = nameUpTo(segments.length);
      if (!isGroup(value)) throw unrenderable(fail, segments[0]!.offset, name, value);
      const members = Object.keys(value).sort();
      const example = exampleValuePath(value, { visits: 100 });
      throw fail(
        segments[0]!.offset,
        members.length === 0 ? `${show(name)} is an empty group, not a value` : `${show(name)} is a group, not a value; its members: ${listKnown(members)}`,
        example === undefined ? 'Name a value (a string, number or boolean), not a group.' : `Name a value in it, e.g. {{ ${shorten(name)}.${example} }}.`,
      );
    }
    if (!isGroup(value)) {
      const name = nameUpTo(k + 1);
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw unrenderable(fail, segments[0]!.offset, name, value);
      }
      const next = segments[k + 1]!;
      throw fail(
        next.offset,
        `unknown variable ${show(nameUpTo(segments.length))}: ${show(name)} is a value (a ${typeof value}), not a group, so it has no ${show(next.name)}`,
        `Use {{ ${shorten(name)} }} itself, or check the variable's name.`,
      );
    }
    group = value;
  }
  // Unreachable: the parser never yields a name without segments.
  throw new Error(`empty variable name in ${templateName}`);
}

/** Values outside TemplateValue (null, arrays…) can still arrive from parsed YAML or JSON. */
function unrenderable(fail: (offset: number, problem: string, hint: string) => TemplateError, offset: number, name: string, value: unknown): TemplateError {
  const what = value === null ? 'null' : value === undefined ? 'undefined' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
  return fail(offset, `${show(name)} is ${what}, which cannot be rendered`, `Give ${show(name)} a string, number or boolean value (or make it a group of them).`);
}

function isGroup(value: unknown): value is { readonly [name: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A path below `group` that reaches a value, for a hint; `budget` keeps a huge group cheap. */
function exampleValuePath(group: { readonly [name: string]: unknown }, budget: { visits: number }): string | undefined {
  for (const key of Object.keys(group).sort()) {
    if (budget.visits-- <= 0) return undefined;
    if (!isName(key)) continue;
    const value = group[key];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return key;
    const rest = isGroup(value) ? exampleValuePath(value, budget) : undefined;
    if (rest !== undefined) return `${key}.${rest}`;
  }
  return undefined;
}

function isName(text: string): boolean {
  if (text.length === 0 || !isNameStart(text.charCodeAt(0))) return false;
  for (let i = 1; i < text.length; i++) if (!isNameChar(text.charCodeAt(i))) return false;
  return true;
}

function listKnown(names: readonly string[]): string {
  const shown = names.slice(0, MAX_KNOWN_LISTED).map((name) => shorten(name));
  return names.length > MAX_KNOWN_LISTED ? `${shown.join(', ')}, …and ${names.length - MAX_KNOWN_LISTED} more` : shown.join(', ');
}

/** Quoted and, when huge (hostile input), shortened: a message must not carry a megabyte of name. */
function show(text: string): string {
  return JSON.stringify(shorten(text));
}

function shorten(text: string): string {
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text;
}

/** Line and column are computed only here, for the one error, so rendering never counts lines. */
function errorAt(source: string, templateName: string, offset: number, problem: string, hint: string): TemplateError {
  let line = 1;
  let lineStart = 0;
  for (let newline = source.indexOf('\n'); newline >= 0 && newline < offset; newline = source.indexOf('\n', newline + 1)) {
    line++;
    lineStart = newline + 1;
  }
  let column = 1;
  for (let i = lineStart; i < offset; i++) {
    // The second half of a surrogate pair is not a character of its own.
    const c = source.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) column++;
  }
  return new TemplateError(templateName, line, column, problem, hint);
}
