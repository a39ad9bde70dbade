import fs from 'node:fs';
import path from 'node:path';
import { RegistryError } from '../../activities/registry/errors';
import { checkVersion } from '../../activities/registry/names';
import { formatRegistryYaml, parseRegistryYaml } from '../../activities/registry/registry-yaml';

const fixture = fs.readFileSync(path.join(__dirname, '../fixtures/registry/model_registry.yaml'), 'utf8');

function refused(text: string): string {
  try {
    parseRegistryYaml(text, 'test.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(RegistryError);
    return (err as Error).message;
  }
  throw new Error('expected the document to be refused');
}

describe('model_registry.yaml (SentinelCam\'s format)', () => {
  it('reads models, versions, variants and coral packages', () => {
    const document = parseRegistryYaml(fixture);
    expect(document.models).toEqual([
      { model: 'mobilenet_ssd', current: '2020-12-06', previous: null, variants: {} },
      { model: 'mobilenet_ssd_edgetpu', current: '2025-12-19', previous: null, variants: {} },
      { model: 'face_detection_blazeface', current: '2026-01-02', previous: null, variants: { short_range: 'face_detection_short_range.tflite' } },
      { model: 'face_recognition', current: '2026-02-02', previous: '2025-02-25', variants: {} },
    ]);
    expect(document.coralPackages).toMatchObject({ tf_version: '2.17.1', pycoral: { wheel: 'pycoral-2.0.3-cp311-cp311-linux_aarch64.whl' } });
  });

  it('round-trips: export of an import reads back the same', () => {
    const document = parseRegistryYaml(fixture);
    const text = formatRegistryYaml(document);
    expect(parseRegistryYaml(text)).toEqual(document);
    // Versions stay quoted strings, and null stays null, as SentinelCam's tools expect.
    expect(text).toContain('current_version: "2026-02-02"');
    expect(text).toContain('previous_version: null');
  });

  it('takes unquoted dates as the versions they spell', () => {
    expect(parseRegistryYaml('sentinelcam_models:\n  haarcascades:\n    current_version: 2020-03-25\n    previous_version: ~\n').models[0]).toMatchObject({ current: '2020-03-25', previous: null });
  });

  it.each([
    ['an unknown key in a model', 'sentinelcam_models:\n  m:\n    current_version: "2020-01-01"\n    curent_version: "2020-01-02"\n', /sentinelcam_models\.m: unknown key "curent_version"/],
    ['a date that does not exist', 'sentinelcam_models:\n  m:\n    current_version: "2025-02-30"\n', /sentinelcam_models\.m\.current_version: Invalid version "2025-02-30"/],
    ['a version that is not a date', 'sentinelcam_models:\n  m:\n    current_version: latest\n', /Invalid version "latest"/],
    ['a previous without a current', 'sentinelcam_models:\n  m:\n    current_version: null\n    previous_version: "2020-01-01"\n', /has a previous_version but no current_version/],
    ['a model name with a slash', 'sentinelcam_models:\n  "../etc":\n    current_version: "2020-01-01"\n', /Invalid model name/],
    ['a variant that is a path', 'sentinelcam_models:\n  m:\n    current_version: "2020-01-01"\n    variants: { a: "../../x.tflite" }\n', /variants\.a must be a plain file name/],
    ['an unknown top-level key', 'sentinelcam_models: {}\nmodel_version_overrides: {}\n', /unknown top-level key "model_version_overrides"/],
    ['no models at all', 'coral_packages: {}\n', /has no sentinelcam_models mapping/],
    ['a list at the top', '- a\n- b\n', /does not hold a mapping/],
    ['broken YAML', 'sentinelcam_models: {\n', /is not valid YAML/],
    ['duplicate keys', 'sentinelcam_models:\n  m:\n    current_version: "2020-01-01"\n  m:\n    current_version: "2020-01-02"\n', /not valid YAML/],
    ['an alias bomb', `a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\nsentinelcam_models: {}\n`, /not valid YAML/],
  ])('refuses %s with a message naming the place', (_name, text, message) => {
    expect(refused(text)).toMatch(message);
  });

  it('refuses a huge document before parsing it', () => {
    expect(refused(`sentinelcam_models:\n${'  # padding\n'.repeat(200_000)}`)).toMatch(/larger than/);
  });

  it('checks versions as real calendar dates', () => {
    expect(checkVersion('2024-02-29')).toBe('2024-02-29');
    for (const bad of ['2023-02-29', '2024-13-01', '2024-00-10', '2024-1-01', ' 2024-01-01', '2024-01-01T00:00:00Z']) expect(() => checkVersion(bad)).toThrow(RegistryError);
  });
});
