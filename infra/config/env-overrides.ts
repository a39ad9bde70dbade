import YAML from 'yaml';

/**
 * Environment variables that override the config file. Conventional names come first (the ones
 * other tools already use); any field outside lists can also be set as SLUICE_<SECTION>__<FIELD>, e.g.
 * SLUICE_TEMPORAL__ADDRESS or SLUICE_STORAGE__S3__BUCKET, with snake case for camel case
 * (SLUICE_STATE_DIR -> stateDir). Values are read as YAML scalars, so "5" is a number and
 * "true" a boolean, and a field of the wrong type fails validation like in the file.
 */
export const CONVENTIONAL_ENV: Record<string, string[]> = {
  DATABASE_URL: ['postgres', 'url'],
  TEMPORAL_ADDRESS: ['temporal', 'address'],
  TEMPORAL_NAMESPACE: ['temporal', 'namespace'],
  TEMPORAL_API_KEY: ['temporal', 'apiKey'],
  TEMPORAL_CLI_PATH: ['temporal', 'devServer', 'cliPath'],
};

const PREFIX = 'SLUICE_';
/** Variables with the prefix that are not config fields: the config path, and the test harness's. */
const NOT_FIELDS = /^SLUICE_(CONFIG|TEST_[A-Z0-9_]*|RECORD_HISTORIES)$/;

export interface EnvOverride {
  variable: string;
  path: string[];
  value: unknown;
}

export function envOverrides(env: NodeJS.ProcessEnv): EnvOverride[] {
  const overrides: EnvOverride[] = [];
  for (const [variable, raw] of Object.entries(env)) {
    if (raw === undefined || raw === '') continue;
    let path: string[] | undefined = CONVENTIONAL_ENV[variable];
    if (!path && variable.startsWith(PREFIX) && !NOT_FIELDS.test(variable)) {
      path = variable.slice(PREFIX.length).split('__').map(snakeToCamel);
    }
    if (path) overrides.push({ variable, path, value: parseScalar(raw) });
  }
  // Conventional names first, so an explicit SLUICE_* variable wins over them.
  return overrides.sort((a, b) => Number(a.variable.startsWith(PREFIX)) - Number(b.variable.startsWith(PREFIX)));
}

function snakeToCamel(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_, char: string) => char.toUpperCase());
}

function parseScalar(raw: string): unknown {
  try {
    const value: unknown = YAML.parse(raw);
    // Only plain scalars are converted; anything else stays the literal string (a URL with ":" etc.).
    return typeof value === 'number' || typeof value === 'boolean' ? value : raw;
  } catch {
    return raw;
  }
}

/** Sets `value` at `path` inside `target`, creating objects on the way. */
export function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  path.slice(0, -1).forEach((key) => {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  });
  node[path[path.length - 1]!] = value;
}
