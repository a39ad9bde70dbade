import type { Settings } from '../../infra/config/load-config';
import type { ScheduleConfig } from '../../infra/config/schema';

/** The schedule of one ingest source: `ingest-gfs`, `ingest-mrms`… */
export function ingestScheduleName(source: string): string {
  return `ingest-${source}`;
}

export const PURGE_SCHEDULE = 'purge-weather';
export const REGISTRY_CLEANUP_SCHEDULE = 'registry-cleanup';
export const EVENTS_UPKEEP_SCHEDULE = 'events-upkeep';
export const EVENTS_ROLLUPS_SCHEDULE = 'events-rollups';
export const EVENTS_ARCHIVE_SCHEDULE = 'events-archive';

/**
 * Every schedule sluice keeps on the server: those declared under `schedules:`; with
 * `ingest.enabled`, one per enabled source (every poll interval; a run still going when the next
 * is due makes that one skip, as the seed's CronJobs should have) plus the retention purge; and
 * the registry's weekly cleanup unless `registry.cleanup.enabled` is false. A name declared under
 * `schedules:` wins, so any of these can be tuned by hand.
 */
export function desiredSchedules(settings: Settings): Record<string, ScheduleConfig> {
  const derived: Record<string, ScheduleConfig> = {};
  if (settings.ingest.enabled) {
    for (const { source, enabled } of settings.ingestSources) {
      if (!enabled) continue;
      const every = `${source.schedule.pollIntervalSeconds}s`;
      derived[ingestScheduleName(source.id)] = {
        workflow: 'ingestCycle',
        input: { source: source.id },
        every,
        timezone: 'UTC',
        overlap: 'skip',
        // A missed poll (server down) is made up once it is back, but not a day of them.
        catchupWindow: every,
        paused: false,
        description: `ingest ${source.description} from s3://${source.bucket}`,
      };
    }
    derived[PURGE_SCHEDULE] = {
      workflow: 'purgeWeather',
      input: {},
      every: settings.purge.every,
      timezone: 'UTC',
      overlap: 'skip',
      catchupWindow: settings.purge.every,
      paused: false,
      description: 'delete weather data past each source\'s retention, keeping the newest complete cycles',
    };
  }
  const { cleanup } = settings.registry;
  if (cleanup.enabled) {
    derived[REGISTRY_CLEANUP_SCHEDULE] = {
      workflow: 'registryCleanup',
      input: {},
      cron: cleanup.cron,
      timezone: cleanup.timezone,
      overlap: 'skip',
      catchupWindow: cleanup.catchupWindow,
      paused: false,
      description: `remove model versions that are not current, previous, pinned or among the ${settings.registry.keepRecent} newest`,
    };
  }
  if (settings.events.enabled) Object.assign(derived, eventSchedules(settings));
  return { ...derived, ...settings.schedules };
}

/** A site's data plane: partitions ahead and retention, and the rollups, each on its own interval. */
function eventSchedules({ events }: Settings): Record<string, ScheduleConfig> {
  const every = (interval: string, workflow: string, description: string): ScheduleConfig => ({
    workflow,
    input: undefined,
    every: interval,
    timezone: 'UTC',
    overlap: 'skip',
    catchupWindow: interval,
    paused: false,
    description,
  });
  return {
    [EVENTS_UPKEEP_SCHEDULE]: every(events.upkeepEvery, 'eventsUpkeep', `create event partitions ${events.partitionsAhead} days ahead; drop days past ${events.retention}${events.archive.enabled ? ' once archived' : ''}`),
    [EVENTS_ROLLUPS_SCHEDULE]: every(events.rollupEvery, 'eventRollups', 'refresh the event rollups of the hours ingests touched'),
    ...(events.archive.enabled
      ? { [EVENTS_ARCHIVE_SCHEDULE]: every(events.archive.every, 'archiveEvents', `archive days older than ${events.archive.hotWindow} to Parquet, verify each by reading it back, then drop them`) }
      : {}),
  };
}
