import type { IngestConfig } from '../../infra/config/ingest-schema';
import { UserError } from '../../infra/errors/user-error';
import { expandKeyTemplate } from './key-template';
import { checkCycleSchedule } from './model-schedule';
import { DEFAULT_SOURCES, type AbiBand, type IngestSource, type ModelSource } from './sources';

/**
 * The sources config describes: each of the seed's defaults with the fields config gives laid
 * over it. Every source is returned (a CLI run may name one that is not scheduled); `enabled`
 * says which ones get a Schedule. Checked here, at load time, so a bad schedule is a config
 * error naming the field and not a failed workflow at 3 a.m.
 */
export interface ConfiguredSource {
  readonly source: IngestSource;
  readonly enabled: boolean;
}

export function resolveIngestSources(config: IngestConfig): ConfiguredSource[] {
  return DEFAULT_SOURCES.map((defaults) => {
    const overrides = config.sources[defaults.id as keyof IngestConfig['sources']];
    const source = overrides ? applyOverrides(defaults, overrides) : defaults;
    checkSource(source);
    return { source, enabled: overrides?.enabled ?? false };
  });
}

/** The source with this id, or a UserError listing the ids there are. */
export function findSource(sources: readonly ConfiguredSource[], id: string): IngestSource {
  const found = sources.find((entry) => entry.source.id === id);
  if (!found) throw new UserError(`Unknown ingest source "${id}".`, `Known sources: ${sources.map((entry) => entry.source.id).join(', ')}.`);
  return found.source;
}

type Overrides = NonNullable<IngestConfig['sources'][keyof IngestConfig['sources']]>;

function applyOverrides(defaults: IngestSource, o: Overrides): IngestSource {
  const base = {
    bucket: o.bucket ?? defaults.bucket,
    retentionHours: o.retentionHours ?? defaults.retentionHours,
  };
  const polling = {
    pollIntervalSeconds: o.pollIntervalSeconds ?? defaults.schedule.pollIntervalSeconds,
    lookbackHours: o.lookbackHours ?? defaults.schedule.lookbackHours,
  };
  if (defaults.kind === 'model') {
    const m = o as Extract<Overrides, { delayHours?: number }>;
    const schedule = {
      ...defaults.schedule,
      ...polling,
      cycles: m.cycles ?? defaults.schedule.cycles,
      forecastHours: m.forecastHours ?? defaults.schedule.forecastHours,
      delayHours: m.delayHours ?? defaults.schedule.delayHours,
    };
    // Shortened forecast hours drop the default extension unless config gives its own.
    const extended = m.extendedForecastHours ?? (m.forecastHours ? undefined : defaults.schedule.extendedForecastHours);
    return {
      ...defaults,
      ...base,
      keyTemplate: m.keyTemplate ?? defaults.keyTemplate,
      indexSuffix: m.indexSuffix ?? defaults.indexSuffix,
      parameters: m.parameters ?? defaults.parameters,
      schedule: extended ? { ...schedule, extendedForecastHours: extended } : withoutExtension(schedule),
    } satisfies ModelSource;
  }
  const observation = o as { delayMinutes?: number; prefixTemplate?: string; bands?: string[]; products?: { name: string; level: string }[] };
  const schedule = { ...polling, delayMinutes: observation.delayMinutes ?? defaults.schedule.delayMinutes };
  const prefixTemplate = observation.prefixTemplate ?? defaults.prefixTemplate;
  if (defaults.kind === 'goes') return { ...defaults, ...base, schedule, prefixTemplate, bands: (observation.bands as AbiBand[] | undefined) ?? defaults.bands };
  return { ...defaults, ...base, schedule, prefixTemplate, products: observation.products ?? defaults.products };
}

function withoutExtension<T extends { extendedForecastHours?: unknown }>(schedule: T): Omit<T, 'extendedForecastHours'> {
  const { extendedForecastHours: _dropped, ...rest } = schedule;
  return rest;
}

function checkSource(source: IngestSource): void {
  const where = `ingest.sources.${source.id}`;
  try {
    if (source.kind === 'model') {
      checkCycleSchedule(source);
      expandKeyTemplate(source.keyTemplate, { YYYYMMDD: '20240101', YYYY: '2024', MM: '01', DD: '01', HH: '00', FFF: '000', FF: '00' });
    } else {
      const tokens = { YYYYMMDD: '20240101', YYYY: '2024', MM: '01', DD: '01', DDD: '001', HH: '00', product: 'p', region: 'r', level: 'l' };
      expandKeyTemplate(source.prefixTemplate, tokens);
    }
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`Invalid configuration: ${where}: ${err.message}`, err.hint);
    throw err;
  }
  if (source.schedule.lookbackHours > source.retentionHours) {
    throw new UserError(
      `Invalid configuration: ${where}: lookbackHours ${source.schedule.lookbackHours} is longer than retentionHours ${source.retentionHours}`,
      'Files older than the retention would be purged as soon as they were ingested; shorten the look-back or keep files longer.',
    );
  }
}
