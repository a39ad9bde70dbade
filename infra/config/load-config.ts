import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { UserError, messageOf } from '../errors/user-error';
import { envOverrides, setPath } from './env-overrides';
import { formatIssues } from './format-issues';
import { resolveIngestSources, type ConfiguredSource } from '../../activities/ingest/configured-sources';
import { mergeNodeSetup, nodeSetupProblems, type NodeSetup } from './node-setup';
import { configSchema, type FleetHost, type SluiceConfig } from './schema';

export const DEFAULT_CONFIG_FILE = 'sluice.yaml';
/** Larger than any real config; stops a wrong path (a log, a dump) from being parsed at length. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/** Config with every path made absolute and every derived location spelled out. */
export interface Settings extends Omit<SluiceConfig, 'fleet'> {
  /** Each host with its root made absolute and its role's services, templates and vars merged in. */
  fleet: Array<Omit<FleetHost, keyof NodeSetup> & NodeSetup & { root: string }>;
  /** Every ingest source: the seed's defaults with config laid over them, checked. */
  ingestSources: ConfiguredSource[];
  /** The file the config came from; undefined when built from defaults and environment only. */
  file: string | undefined;
  paths: {
    stateDir: string;
    toolsDir: string;
    objectsDir: string;
    logsDir: string;
    temporalDb: string;
    postgresData: string;
    /** Where ingest stages whole-file downloads. */
    ingestWorkDir: string;
  };
}

export interface LoadOptions {
  /** An explicit --config path: it must exist. Otherwise SLUICE_CONFIG, then ./sluice.yaml if present. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Workflow types that schedules may name; when given, unknown ones are a config error. */
  workflowTypes?: readonly string[];
}

export function loadConfig(options: LoadOptions = {}): Settings {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = locateFile(options.file ?? env.SLUICE_CONFIG, cwd);
  const raw = file ? readYaml(file) : {};

  const envSources = new Map<string, string>();
  for (const override of envOverrides(env)) {
    setPath(raw, override.path, override.value);
    envSources.set(override.path.join('.'), override.variable);
  }

  const parsed = configSchema.safeParse(raw, { reportInput: true });
  const problems = [
    ...(parsed.success ? [] : formatIssues(parsed.error.issues, envSources)),
    ...unknownWorkflows(raw.schedules, options.workflowTypes),
    ...(parsed.success ? registryHostProblems(parsed.data) : []),
    ...(parsed.success ? nodeSetupProblems(parsed.data.fleet, parsed.data.fleetRoles) : []),
  ];
  if (!parsed.success || problems.length > 0) {
    throw new UserError(
      `Invalid configuration${file ? ` in ${file}` : ''}:\n  ${problems.join('\n  ')}`,
      `Fix the fields above; infra/sluice.example.yaml documents every field.${options.workflowTypes ? ` Known workflows: ${options.workflowTypes.join(', ')}.` : ''}`,
    );
  }
  return resolvePaths(parsed.data, file, file ? path.dirname(file) : cwd);
}

/** Checked on the raw input, so these problems are listed together with the schema's. */
function unknownWorkflows(schedules: unknown, known: readonly string[] | undefined): string[] {
  if (!known || typeof schedules !== 'object' || schedules === null) return [];
  return Object.entries(schedules).flatMap(([name, schedule]) => {
    const workflow = (schedule as { workflow?: unknown } | null)?.workflow;
    return typeof workflow === 'string' && !known.includes(workflow) ? [`schedules.${name}.workflow: unknown workflow "${workflow}"`] : [];
  });
}

/** A registry kept on a datasink's disk needs that datasink in the fleet. */
function registryHostProblems(config: SluiceConfig): string[] {
  const { store, datasink } = config.registry;
  if (store !== 'datasink') return datasink ? ['registry.datasink: set, but registry.store is not "datasink"'] : [];
  if (!datasink) return ['registry.datasink: registry.store is "datasink"; name the fleet datasink that holds the registry'];
  const host = config.fleet.find((entry) => entry.host === datasink);
  if (!host) return [`registry.datasink: "${datasink}" is not in fleet:; add it as a datasink`];
  if (host.role !== 'datasink') return [`registry.datasink: "${datasink}" is a ${host.role}, not a datasink`];
  return [];
}

function locateFile(explicit: string | undefined, cwd: string): string | undefined {
  if (explicit) {
    const file = path.resolve(cwd, explicit);
    if (!fs.existsSync(file)) {
      throw new UserError(`Config file ${file} does not exist.`, 'Check the --config path or SLUICE_CONFIG, or copy infra/sluice.example.yaml there.');
    }
    return file;
  }
  const fallback = path.resolve(cwd, DEFAULT_CONFIG_FILE);
  return fs.existsSync(fallback) ? fallback : undefined;
}

function readYaml(file: string): Record<string, unknown> {
  const stat = fs.statSync(file);
  if (!stat.isFile()) throw new UserError(`Config path ${file} is not a file.`, 'Point --config at a YAML file.');
  if (stat.size > MAX_CONFIG_BYTES) {
    throw new UserError(`Config file ${file} is ${stat.size} bytes; a sluice config is at most ${MAX_CONFIG_BYTES}.`, 'Check that --config points at the config file and not at some other file.');
  }
  const document = YAML.parseDocument(fs.readFileSync(file, 'utf8'), { uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    throw new UserError(`Config file ${file} is not valid YAML: ${first.message}`, 'Fix the YAML syntax at the line shown.');
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 50 });
  } catch (err) {
    // The yaml library refuses alias bombs (a few lines that expand to millions of nodes) here.
    throw new UserError(`Config file ${file} is not valid YAML: ${messageOf(err)}`, 'Use YAML anchors and aliases sparingly, or not at all.');
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError(`Config file ${file} must hold a YAML mapping (key: value lines) at the top level.`, 'Start from infra/sluice.example.yaml.');
  }
  return value as Record<string, unknown>;
}

function resolvePaths(config: SluiceConfig, file: string | undefined, baseDir: string): Settings {
  const stateDir = path.resolve(baseDir, config.stateDir);
  const objectsDir = path.resolve(baseDir, config.storage.local.root ?? path.join(stateDir, 'objects'));
  return {
    ...config,
    ingestSources: resolveIngestSources(config.ingest),
    stateDir,
    storage: { ...config.storage, local: { root: objectsDir } },
    fleet: config.fleet.map((host) => ({
      ...host,
      ...mergeNodeSetup(host, config.fleetRoles, baseDir),
      root: path.resolve(baseDir, host.root ?? path.join(stateDir, 'hosts', host.host)),
    })),
    file,
    paths: {
      stateDir,
      toolsDir: path.resolve(baseDir, config.toolsDir ?? path.join(stateDir, 'tools')),
      objectsDir,
      logsDir: path.join(stateDir, 'logs'),
      temporalDb: path.join(stateDir, 'temporal.db'),
      postgresData: path.join(stateDir, 'postgres'),
      ingestWorkDir: path.resolve(baseDir, config.ingest.workDir ?? path.join(stateDir, 'ingest-tmp')),
    },
  };
}
