import { InvalidObjectKeyError, isValidObjectKey, validateKeyPrefix, validateObjectKey } from '../../activities/storage/object-key';
import { UserError } from '../../infra/errors/user-error';

/** A readable test title for keys that may be huge or hold control characters. */
function titled<T extends unknown[]>(cases: [string, ...T][]): [string, string, ...T][] {
  return cases.map(([key, ...rest]) => [key.length > 40 ? `${JSON.stringify(key.slice(0, 12))}… (${key.length} chars)` : JSON.stringify(key), key, ...rest]);
}

function problemOf(run: () => unknown): InvalidObjectKeyError {
  try {
    run();
  } catch (err) {
    if (err instanceof InvalidObjectKeyError) return err;
    throw err;
  }
  throw new Error('expected InvalidObjectKeyError, nothing was thrown');
}

describe('validateObjectKey', () => {
  it.each([
    'a',
    'a/b/c.txt',
    'datasets/2024-01-01/run 1.bin',
    'ünïcödé/文件/🚀.txt',
    '...',
    'a/.../b',
    '.hidden',
    'a/.b',
    'a..b',
    'x'.repeat(1024),
    'é'.repeat(512), // exactly 1024 bytes of UTF-8
    'ab:c',
    'a/b:c',
  ])('accepts %#: %j', (key) => {
    expect(validateObjectKey(key)).toBe(key);
    expect(isValidObjectKey(key)).toBe(true);
  });

  it.each(
    titled<[RegExp]>([
    ['', /is empty/],
    ['..', /"\.\." segment/],
    ['.', /"\." segment/],
    ['a/../b', /"\.\." segment/],
    ['a/./b', /"\." segment/],
    ['a/..', /"\.\." segment/],
    ['../escape', /"\.\." segment/],
    ['/abs', /absolute/],
    ['C:\\x', /Windows drive/],
    ['c:/x', /Windows drive/],
    ['\\\\server\\share', /absolute/],
    ['a\\b', /backslash/],
    ['a\u0000b', /control character U\+0000/],
    ['a\nb', /control character U\+000A/],
    ['tab\there', /control character U\+0009/],
    ['del\u007f', /control character U\+007F/],
    ['esc\u001b[31m', /control character U\+001B/],
    ['a//b', /empty segment/],
    ['a/b/', /ends with "\/"/],
    ['a:b', /Windows drive/], // drive-relative on Windows
    ['x'.repeat(2000), /2000 bytes.*1024/],
    ['é'.repeat(513), /1026 bytes/],
    ['lone\ud800surrogate', /surrogate/],
    ]),
  )('rejects %s', (_title, key, problem) => {
    const err = problemOf(() => validateObjectKey(key));
    expect(err).toBeInstanceOf(UserError);
    expect(err.problem).toMatch(problem);
    expect(err.key).toBe(key);
    expect(err.hint).toMatch(/^Expected /);
    expect(isValidObjectKey(key)).toBe(false);
  });

  it('rejects values that are not strings (keys can arrive from untyped workflow input)', () => {
    expect(problemOf(() => validateObjectKey(undefined as unknown as string)).problem).toMatch(/not a string/);
    expect(problemOf(() => validateObjectKey(42 as unknown as string)).problem).toMatch(/number/);
  });

  it('names the key and the problem in the message and shows control characters escaped', () => {
    const err = problemOf(() => validateObjectKey('evil\u0000/../x'));
    expect(err.message).toBe('Invalid object key "evil\\u0000/../x": contains the control character U+0000 at position 4');
    expect(err.message).not.toContain('\u0000');
  });

  it('escapes characters that could hide or disguise a hostile key in a terminal', () => {
    const err = problemOf(() => validateObjectKey('del\u007f\u202egnp.exe'));
    expect(err.message).toContain('"del\\u007F\\u202Egnp.exe"');
  });

  it('keeps the message short for a huge key', () => {
    const err = problemOf(() => validateObjectKey('k'.repeat(100_000)));
    expect(err.message.length).toBeLessThan(300);
    expect(err.message).toContain('100000 bytes');
  });
});

describe('validateKeyPrefix', () => {
  it.each(['', 'a', 'a/', 'a/b/', 'runs/2024-', 'ünï/', '.../'])('accepts %#: %j', (prefix) => {
    expect(validateKeyPrefix(prefix)).toBe(prefix);
  });

  it.each(
    titled<[RegExp]>([
    ['/', /absolute/],
    ['/a/', /absolute/],
    ['a//', /empty segment/],
    ['a//b/', /empty segment/],
    ['../', /"\.\." segment/],
    ['a/./', /"\." segment/],
    ['a\\', /backslash/],
    ['a\u0001', /control character/],
    ['p'.repeat(1025), /1025 bytes/],
    ]),
  )('rejects %s', (_title, prefix, problem) => {
    const err = problemOf(() => validateKeyPrefix(prefix));
    expect(err.problem).toMatch(problem);
    expect(err.message).toMatch(/^Invalid object prefix /);
  });
});
