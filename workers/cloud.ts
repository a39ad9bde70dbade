import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { createArchiveActivities } from '../activities/archive/archive-activities';
import { createEventsActivities } from '../activities/events/events-activities';
import { createFleetActivities } from '../activities/fleet/fleet-activities';
import { createIngestActivities } from '../activities/ingest/ingest-activities';
import { createPurgeActivities } from '../activities/purge/purge-activities';
import { createRegistryActivities } from '../activities/registry/registry-activities';
import { createStackCheckActivities } from '../activities/stack-check/stack-check-activities';
import type { Settings } from '../infra/config/load-config';
import type { CloudServices } from './services';
import { baseWorkerOptions, type WorkerContext } from './worker-options';

/** Activities that need the catalog (Postgres), object storage or NOAA's buckets, on `sluice-cloud`. */
export function createCloudActivities(services: CloudServices, settings: Settings) {
  return {
    ...createStackCheckActivities(services),
    ...createIngestActivities({
      ...services,
      sources: settings.ingestSources,
      config: settings.ingest,
      workDir: settings.paths.ingestWorkDir,
    }),
    ...createFleetActivities({ pool: services.pool, fleet: settings.fleet, rollout: settings.deploy }),
    ...createEventsActivities({ pool: services.pool, config: settings.events }),
    ...createArchiveActivities({ pool: services.pool, store: services.store, events: settings.events, workDir: path.join(settings.paths.stateDir, 'archive-tmp') }),
    ...createPurgeActivities({ ...services, sources: settings.ingestSources, config: settings.purge }),
    ...createRegistryActivities({
      ...services,
      prefix: settings.registry.prefix,
      keepRecent: settings.registry.keepRecent,
      datasinks: settings.fleet.filter((host) => host.role === 'datasink').map((host) => host.host),
      location: settings.registry.store === 'datasink' ? { store: 'datasink', host: settings.registry.datasink! } : { store: 'object' },
    }),
  };
}

export function createCloudWorker(context: WorkerContext & { services: CloudServices; sluice: Settings }): Promise<Worker> {
  return Worker.create({
    ...baseWorkerOptions({ role: 'cloud' }, context),
    activities: createCloudActivities(context.services, context.sluice),
  });
}
