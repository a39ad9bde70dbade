import { MAX_TEMPLATE_BYTES, renderTemplate, TemplateError, type TemplateVariables } from '../../activities/fleet/task-template';
import { UserError } from '../../infra/errors/user-error';

const variables: TemplateVariables = {
  models: {
    face_recognition: { path: '/opt/models/face/2026-01-01/model.tflite', version: '2026-01-01' },
    mobilenet_ssd: { path: '/opt/models/ssd/v3/model.tflite', version: 'v3' },
  },
  host: 'edge-7',
  vars: { 'camera-id': 42, threshold: 0.75, enabled: true, muted: false, _private: 'p' },
  empty: {},
};

/** The TemplateError thrown, so a test can look at all of it; fails the test when nothing is thrown. */
function errorOf(render: () => unknown): TemplateError {
  try {
    render();
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError);
    return err as TemplateError;
  }
  throw new Error('expected a TemplateError, but nothing was thrown');
}

const render = (source: string, vars: TemplateVariables = variables) => renderTemplate(source, vars, 'task.yaml');
const messageOf = (source: string, vars: TemplateVariables = variables) => errorOf(() => render(source, vars)).message;

/** Time limit for hostile inputs: linear work takes a fraction of this, quadratic work minutes. */
const QUICK_MS = 3_000;
function timed<T>(work: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = work();
  return { result, ms: performance.now() - start };
}

describe('renderTemplate', () => {
  it('fills in dotted names, numbers and booleans, and copies everything else as it is', () => {
    const source = [
      'detector:',
      '  model: {{ models.face_recognition.path }}',
      '  version: "{{models.face_recognition.version}}"',
      '  camera: {{   vars.camera-id\t}}',
      '  threshold: {{ vars.threshold }}',
      '  enabled: {{ vars.enabled }} / {{ vars.muted }}',
      '  host: {{ host }}{{ vars._private }}',
      '',
    ].join('\n');
    expect(render(source)).toBe(
      [
        'detector:',
        '  model: /opt/models/face/2026-01-01/model.tflite',
        '  version: "2026-01-01"',
        '  camera: 42',
        '  threshold: 0.75',
        '  enabled: true / false',
        '  host: edge-7p',
        '',
      ].join('\n'),
    );
  });

  it('leaves single braces, a lone "}}" and text without expressions alone', () => {
    expect(render('{ a: { b: 1 } } }} }}} {x} { {')).toBe('{ a: { b: 1 } } }} }}} {x} { {');
    expect(render('')).toBe('');
    expect(render('plain\r\ntext\n')).toBe('plain\r\ntext\n');
    expect(render('{{ host }}}')).toBe('edge-7}');
  });

  it('writes quoted literals as they are, which is how a literal "{{" is written', () => {
    expect(render('{{ "{{" }} host }}')).toBe('{{ host }}');
    expect(render(`{{ '"' }}{{ "'" }}{{ '}}' }}{{ "" }}{{"a b"}}`)).toBe(`"'}}a b`);
    expect(render('{{ "{{ host }}" }}')).toBe('{{ host }}');
  });

  it('renders the values as String() does', () => {
    expect(render('{{ a }} {{ b }} {{ c }} {{ d }} {{ e }}', { a: 0, b: -1.5e-7, c: 1e21, d: '', e: 'ünïcødé 😀' })).toBe('0 -1.5e-7 1e+21  ünïcødé 😀');
  });

  it('renders many expressions in one template', () => {
    const source = '{{ host }},'.repeat(50_000);
    const { result, ms } = timed(() => render(source));
    expect(result).toBe('edge-7,'.repeat(50_000));
    expect(ms).toBeLessThan(QUICK_MS);
  });

  describe('unknown variables', () => {
    it('names the expression, the first unknown part and what is known there', () => {
      expect(messageOf('a: 1\nb: 2\n  path: {{ models.mobilenet.path }}\n')).toBe(
        'task.yaml:3:19: unknown variable "models.mobilenet.path": no "mobilenet" under "models"; known: face_recognition, mobilenet_ssd',
      );
      expect(messageOf('{{ hots }}')).toBe('task.yaml:1:4: unknown variable "hots": no "hots" among the variables; known: empty, host, models, vars');
      expect(messageOf('{{ models.face_recognition.paht }}')).toBe(
        'task.yaml:1:28: unknown variable "models.face_recognition.paht": no "paht" under "models.face_recognition"; known: path, version',
      );
    });

    it('says so when the group is empty or there are no variables at all', () => {
      expect(messageOf('{{ empty.x }}')).toBe('task.yaml:1:10: unknown variable "empty.x": no "x" under "empty"; "empty" is empty');
      expect(messageOf('{{ x }}', {})).toBe('task.yaml:1:4: unknown variable "x": no "x" among the variables; there are no variables');
    });

    it('lists at most 20 known names, sorted, then how many more', () => {
      const many: Record<string, string> = {};
      for (let i = 25; i >= 1; i--) many[`m${String(i).padStart(2, '0')}`] = 'v';
      const known = Array.from({ length: 20 }, (_, i) => `m${String(i + 1).padStart(2, '0')}`).join(', ');
      expect(messageOf('{{ g.nope }}', { g: many })).toBe(`task.yaml:1:6: unknown variable "g.nope": no "nope" under "g"; known: ${known}, …and 5 more`);
    });

    it('hints at what to do', () => {
      const err = errorOf(() => render('{{ models.mobilenet.path }}'));
      expect(err.hint).toBe('Check the spelling against the known names, or add "mobilenet" under "models" to the variables the template is rendered with.');
      expect(errorOf(() => render('{{ hots }}')).hint).toBe('Check the spelling against the known names, or add "hots" to the variables the template is rendered with.');
      expect(err).toBeInstanceOf(UserError);
      expect(err.name).toBe('TemplateError');
      expect([err.templateName, err.line, err.column]).toEqual(['task.yaml', 1, 11]);
    });

    it.each([
      ['__proto__', 'task.yaml:1:4: unknown variable "__proto__": no "__proto__" among the variables; known: empty, host, models, vars'],
      ['constructor', 'task.yaml:1:4: unknown variable "constructor": no "constructor" among the variables; known: empty, host, models, vars'],
      ['toString', 'task.yaml:1:4: unknown variable "toString": no "toString" among the variables; known: empty, host, models, vars'],
      ['hasOwnProperty', 'task.yaml:1:4: unknown variable "hasOwnProperty": no "hasOwnProperty" among the variables; known: empty, host, models, vars'],
      ['models.__proto__', 'task.yaml:1:11: unknown variable "models.__proto__": no "__proto__" under "models"; known: face_recognition, mobilenet_ssd'],
      ['models.constructor.name', 'task.yaml:1:11: unknown variable "models.constructor.name": no "constructor" under "models"; known: face_recognition, mobilenet_ssd'],
      ['host.length', 'task.yaml:1:9: unknown variable "host.length": "host" is a value (a string), not a group, so it has no "length"'],
    ])('never reaches prototype or built-in properties: {{ %s }}', (name, message) => {
      expect(messageOf(`{{ ${name} }}`)).toBe(message);
    });

    it('ignores inherited properties, and works with objects without a prototype', () => {
      const inherited = Object.create({ secret: 'from the prototype' }) as TemplateVariables;
      expect(messageOf('{{ secret }}', inherited)).toBe('task.yaml:1:4: unknown variable "secret": no "secret" among the variables; there are no variables');
      const bare = Object.assign(Object.create(null) as Record<string, TemplateValueForTest>, { a: Object.assign(Object.create(null) as Record<string, TemplateValueForTest>, { b: 'ok' }) });
      expect(render('{{ a.b }}', bare)).toBe('ok');
    });
  });

  describe('names that are not values', () => {
    it('says a group is a group, with its members and an example value to use', () => {
      const err = errorOf(() => render('x: {{ models }}'));
      expect(err.message).toBe('task.yaml:1:7: "models" is a group, not a value; its members: face_recognition, mobilenet_ssd');
      expect(err.hint).toBe('Name a value in it, e.g. {{ models.face_recognition.path }}.');
      expect(messageOf('{{ models.mobilenet_ssd }}')).toBe('task.yaml:1:4: "models.mobilenet_ssd" is a group, not a value; its members: path, version');
      expect(messageOf('{{ empty }}')).toBe('task.yaml:1:4: "empty" is an empty group, not a value');
    });

    it('says a name cannot continue past a value', () => {
      const err = errorOf(() => render('{{ host.name }}'));
      expect(err.message).toBe('task.yaml:1:9: unknown variable "host.name": "host" is a value (a string), not a group, so it has no "name"');
      expect(err.hint).toBe("Use {{ host }} itself, or check the variable's name.");
      expect(messageOf('{{ vars.camera-id.x.y }}')).toBe(
        'task.yaml:1:19: unknown variable "vars.camera-id.x.y": "vars.camera-id" is a value (a number), not a group, so it has no "x"',
      );
    });

    it('refuses values a template cannot hold (null, lists) that slip in from parsed YAML', () => {
      const loose = { a: null, list: ['x'], g: { n: null } } as unknown as TemplateVariables;
      expect(messageOf('{{ a }}', loose)).toBe('task.yaml:1:4: "a" is null, which cannot be rendered');
      expect(messageOf('{{ list }}', loose)).toBe('task.yaml:1:4: "list" is a list, which cannot be rendered');
      expect(messageOf('{{ list.length }}', loose)).toBe('task.yaml:1:4: "list" is a list, which cannot be rendered');
      expect(messageOf('{{ g.n.x }}', loose)).toBe('task.yaml:1:4: "g.n" is null, which cannot be rendered');
    });
  });

  describe('syntax errors', () => {
    it.each([
      ['{{ }}', 'task.yaml:1:1: empty expression: nothing between "{{" and "}}"'],
      ['ab{{}}', 'task.yaml:1:3: empty expression: nothing between "{{" and "}}"'],
      ['{{ a + b }}', 'task.yaml:1:6: invalid expression "a + b": expected "}}", found "+"'],
      ['{{ a b }}', 'task.yaml:1:6: invalid expression "a b": expected "}}", found "b"'],
      ['{{ a..b }}', 'task.yaml:1:6: invalid expression "a..b": expected a name after ".", found "."'],
      ['{{ a. }}', 'task.yaml:1:6: invalid expression "a.": expected a name after ".", found " "'],
      ['{{ a.1 }}', 'task.yaml:1:6: invalid expression "a.1": expected a name after ".", found "1"'],
      ['{{ 1abc }}', 'task.yaml:1:4: invalid expression "1abc": a name must start with a letter or "_", found "1"'],
      ['{{ -a }}', 'task.yaml:1:4: invalid expression "-a": a name must start with a letter or "_", found "-"'],
      ['{{- a -}}', 'task.yaml:1:3: invalid expression "- a -": a name must start with a letter or "_", found "-"'],
      ['{{ {a} }}', 'task.yaml:1:4: invalid expression "{a}": expected a variable name or a quoted string, found "{"'],
      ['{{{ a }}', 'task.yaml:1:3: invalid expression "{ a": expected a variable name or a quoted string, found "{"'],
      ['{{ a[0] }}', 'task.yaml:1:5: invalid expression "a[0]": expected "}}", found "["'],
      ['{{ "lit" x }}', 'task.yaml:1:10: invalid expression "\\"lit\\" x": expected "}}", found "x"'],
      ['{{ é }}', 'task.yaml:1:4: invalid expression "é": expected a variable name or a quoted string, found "é"'],
      ['{{ a\r }}', 'task.yaml:1:5: invalid expression "a": expected "}}", found "\\r"'],
      ['{{ 😀 }}', 'task.yaml:1:4: invalid expression "😀": expected a variable name or a quoted string, found "😀"'],
    ])('%j', (source, message) => {
      const err = errorOf(() => render(source));
      expect(err.message).toBe(message);
      expect(err.hint).toBeTruthy();
    });

    it('reports an unclosed "{{" at the "{{", not where the scan gave up', () => {
      expect(messageOf('a: 1\nb: {{ models.face_recognition.path\nc: {{ host }}\n')).toBe('task.yaml:2:4: unclosed "{{": no "}}" before the end of the line');
      expect(messageOf('x {{ host')).toBe('task.yaml:1:3: unclosed "{{": no "}}" before the end of the template');
      expect(messageOf('{{ host }\n}}')).toBe('task.yaml:1:1: unclosed "{{": no "}}" before the end of the line');
      expect(messageOf('{{ a + b\n}}')).toBe('task.yaml:1:1: unclosed "{{": no "}}" before the end of the line');
      expect(messageOf('{{')).toBe('task.yaml:1:1: unclosed "{{": no "}}" before the end of the template');
      expect(errorOf(() => render('{{ host')).hint).toBe('Close the expression with "}}" on the same line; to write a literal "{{", write {{ "{{" }}.');
    });

    it('reports an unclosed string literal at its quote', () => {
      expect(messageOf('{{ "abc }}\n')).toBe('task.yaml:1:4: unclosed string literal: no closing " before the end of the line');
      expect(messageOf("x\n  {{ 'abc")).toBe("task.yaml:2:6: unclosed string literal: no closing ' before the end of the template");
    });

    it('counts lines by "\\n" and columns in characters, so CRLF files and emoji do not shift them', () => {
      expect(messageOf('a\r\nb\r\n😀é {{ nope }}\r\n')).toBe('task.yaml:3:7: unknown variable "nope": no "nope" among the variables; known: empty, host, models, vars');
      expect(messageOf('\n\n\n{{ + }}')).toBe('task.yaml:4:4: invalid expression "+": expected a variable name or a quoted string, found "+"');
    });

    it('reports the first problem in the template, whichever kind it is', () => {
      expect(messageOf('{{ nope }}\n{{ a + b }}')).toBe('task.yaml:1:4: unknown variable "nope": no "nope" among the variables; known: empty, host, models, vars');
      expect(messageOf('{{ host }}\n{{ a + b }}\n{{ nope }}')).toBe('task.yaml:2:6: invalid expression "a + b": expected "}}", found "+"');
    });
  });

  describe('size limit', () => {
    it('accepts a template of exactly MAX_TEMPLATE_BYTES', () => {
      expect(render('x'.repeat(MAX_TEMPLATE_BYTES))).toHaveLength(MAX_TEMPLATE_BYTES);
    });

    it('refuses a bigger one, counting UTF-8 bytes rather than characters', () => {
      const err = errorOf(() => render('x'.repeat(MAX_TEMPLATE_BYTES + 1)));
      expect(err.message).toBe(`task.yaml:1:1: template is ${MAX_TEMPLATE_BYTES + 1} bytes, more than the limit of ${MAX_TEMPLATE_BYTES} bytes (1 MiB)`);
      expect(err.hint).toBe('A task config template should be small; keep large data in a file the task reads instead of in the template.');
      // 2 bytes each: fewer characters than the limit, more bytes.
      const wide = 'é'.repeat(MAX_TEMPLATE_BYTES / 2 + 1);
      expect(wide.length).toBeLessThan(MAX_TEMPLATE_BYTES);
      expect(errorOf(() => render(wide)).message).toBe(`task.yaml:1:1: template is ${MAX_TEMPLATE_BYTES + 2} bytes, more than the limit of ${MAX_TEMPLATE_BYTES} bytes (1 MiB)`);
    });
  });

  describe('hostile input of nearly 1 MiB is answered quickly', () => {
    const n = MAX_TEMPLATE_BYTES;
    it.each([
      ['"{{" repeated', '{{'.repeat(n / 2), 'task.yaml:1:1: unclosed "{{": no "}}" before the end of the template'],
      ['"{" repeated', '{'.repeat(n), 'task.yaml:1:1: unclosed "{{": no "}}" before the end of the template'],
      ['an endless name', `{{ ${'a'.repeat(n - 3)}`, 'task.yaml:1:1: unclosed "{{": no "}}" before the end of the template'],
      ['an endless literal', `{{ "${'a'.repeat(n - 4)}`, 'task.yaml:1:4: unclosed string literal: no closing " before the end of the template'],
      ['"{{ a" on every line', '{{ a\n'.repeat(n / 5), 'task.yaml:1:1: unclosed "{{": no "}}" before the end of the line'],
      ['an unknown name of 500,000 parts', `{{ ${'a.'.repeat((n - 8) / 2)}a }}`, `task.yaml:1:4: unknown variable "${'a.'.repeat(40)}…": no "a" among the variables; known: empty, host, models, vars`],
      ['a name of 500,000 parts past a value', `{{ host.${'a.'.repeat((n - 14) / 2)}a }}`, `task.yaml:1:9: unknown variable "host.${'a.'.repeat(37)}a…": "host" is a value (a string), not a group, so it has no "a"`],
      ['an invalid expression of 1 MiB', `{{ a ${'+'.repeat(n - 9)} }}`, `task.yaml:1:6: invalid expression "a ${'+'.repeat(78)}…": expected "}}", found "+"`],
    ])('%s', (_label, source, message) => {
      expect(Buffer.byteLength(source)).toBeLessThanOrEqual(MAX_TEMPLATE_BYTES);
      const { result, ms } = timed(() => errorOf(() => render(source)));
      expect(result.message).toBe(message);
      expect(ms).toBeLessThan(QUICK_MS);
    });

    it('copies 1 MiB of "}}" and single braces as text', () => {
      const source = '}} { } '.repeat(Math.floor(MAX_TEMPLATE_BYTES / 7));
      const { result, ms } = timed(() => render(source));
      expect(result).toBe(source);
      expect(ms).toBeLessThan(QUICK_MS);
    });
  });
});

type TemplateValueForTest = string | { [name: string]: TemplateValueForTest };
