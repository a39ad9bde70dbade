import YAML from 'yaml';
import { RegistryError } from './errors';
import { checkModelName, checkVersion } from './names';

/**
 * SentinelCam's model_registry.yaml, as data:
 *
 *   sentinelcam_models:
 *     face_recognition:
 *       current_version: "2026-02-02"
 *       previous_version: "2025-02-25"
 *     face_detection_blazeface:
 *       current_version: "2026-01-02"
 *       previous_version: null
 *       variants: { short_range: "face_detection_short_range.tflite" }
 *   coral_packages: { tf_version: "2.17.1", libedgetpu: { version: …, deb_package: … }, … }
 *
 * Parsed strictly (an unknown key is an error that names it: the seed's overrides were never
 * validated), formatted back in the same shape, so import then export keeps every meaning.
 */
export interface RegistryDocument {
  readonly models: readonly RegistryDocumentModel[];
  /** Kept as given: package names, versions and file names of the Coral EdgeTPU runtime. */
  readonly coralPackages: Record<string, unknown> | undefined;
}

export interface RegistryDocumentModel {
  readonly model: string;
  readonly current: string | null;
  readonly previous: string | null;
  readonly variants: Record<string, string>;
}

const MODEL_KEYS = new Set(['current_version', 'previous_version', 'variants']);
const MAX_DOCUMENT_BYTES = 1024 * 1024;

export function parseRegistryYaml(text: string, source = 'model_registry.yaml'): RegistryDocument {
  const fail = (problem: string): never => {
    throw new RegistryError(`${source}: ${problem}`, 'Expected SentinelCam\'s format: sentinelcam_models: { <model>: { current_version, previous_version, variants? } }, coral_packages: {…}.');
  };
  if (Buffer.byteLength(text) > MAX_DOCUMENT_BYTES) fail(`is larger than ${MAX_DOCUMENT_BYTES} bytes`);
  const document = YAML.parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) fail(`is not valid YAML: ${document.errors[0]!.message}`);
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 50 });
  } catch (err) {
    fail(`is not valid YAML: ${(err as Error).message}`);
  }
  if (!isMapping(data)) return fail('does not hold a mapping at the top level');
  for (const key of Object.keys(data)) if (key !== 'sentinelcam_models' && key !== 'coral_packages') fail(`unknown top-level key "${key}"`);
  const models = data.sentinelcam_models;
  if (!isMapping(models)) return fail('has no sentinelcam_models mapping');

  const parsed = Object.entries(models).map(([model, entry]): RegistryDocumentModel => {
    const where = `sentinelcam_models.${model}`;
    wrap(where, () => checkModelName(model), fail);
    if (!isMapping(entry)) return fail(`${where} is not a mapping`);
    for (const key of Object.keys(entry)) if (!MODEL_KEYS.has(key)) fail(`${where}: unknown key "${key}" (expected current_version, previous_version, variants)`);
    const version = (key: 'current_version' | 'previous_version'): string | null => {
      const value = entry[key];
      if (value === null || value === undefined) return null;
      const text = value instanceof Date ? value.toISOString().slice(0, 10) : value;
      if (typeof text !== 'string') return fail(`${where}.${key} is ${JSON.stringify(value)}, not a YYYY-MM-DD string or null`);
      return wrap(`${where}.${key}`, () => checkVersion(text), fail);
    };
    const current = version('current_version');
    const previous = version('previous_version');
    if (current === null && previous !== null) fail(`${where} has a previous_version but no current_version`);
    if (current !== null && current === previous) fail(`${where}: current_version and previous_version are both ${current}`);
    return { model, current, previous, variants: variantsOf(entry.variants, where, fail) };
  });

  const coral = data.coral_packages;
  if (coral !== undefined && coral !== null && !isMapping(coral)) fail('coral_packages is not a mapping');
  return { models: parsed, coralPackages: coral ? (coral as Record<string, unknown>) : undefined };
}

export function formatRegistryYaml(document: RegistryDocument): string {
  const models: Record<string, unknown> = {};
  for (const entry of document.models) {
    models[entry.model] = {
      current_version: entry.current,
      previous_version: entry.previous,
      ...(Object.keys(entry.variants).length > 0 ? { variants: entry.variants } : {}),
    };
  }
  const body = { sentinelcam_models: models, ...(document.coralPackages ? { coral_packages: document.coralPackages } : {}) };
  // Versions stay quoted, as SentinelCam writes them, so no YAML 1.1 reader takes them for dates.
  return `---\n# Model registry exported by sluice (sluice model export); import with sluice model import.\n${YAML.stringify(body, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', nullStr: 'null' })}`;
}

function variantsOf(value: unknown, where: string, fail: (problem: string) => never): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isMapping(value)) return fail(`${where}.variants is not a mapping of variant name to file name`);
  const variants: Record<string, string> = {};
  for (const [name, file] of Object.entries(value)) {
    if (typeof file !== 'string' || file.length === 0 || file.includes('/') || file.includes('\\') || file === '..' || file === '.') {
      fail(`${where}.variants.${name} must be a plain file name, not ${JSON.stringify(file)}`);
    }
    variants[name] = file as string;
  }
  return variants;
}

function wrap<T>(where: string, check: () => T, fail: (problem: string) => never): T {
  try {
    return check();
  } catch (err) {
    return fail(`${where}: ${(err as Error).message}`);
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
