import type { NativeConnection, Worker, WorkflowBundleOption } from '@temporalio/worker';
import type { Settings } from '../infra/config/load-config';
import type { Logger } from '../infra/log/logger';
import { connectWorkerConnection, type TemporalTarget } from '../infra/temporal/connect';
import { explainNamespaceError } from '../infra/temporal/namespace-errors';
import { createCloudWorker } from './cloud';
import { createControlWorker } from './control';
import { createDatasinkWorker } from './datasink';
import { createNodeWorker } from './node';
import { describeRole, taskQueueOf, type RoleSpec } from './role';
import { installRuntime } from './runtime';
import type { ObjectStore } from '../activities/storage/object-store';
import { objectStoreFor, openCloudServices, type CloudServices } from './services';

export interface StartWorkersOptions {
  specs: RoleSpec[];
  target: TemporalTarget;
  settings: Settings;
  /** Needed when a cloud worker is among the specs. */
  databaseUrl?: string;
  log: Logger;
  workflowBundle?: WorkflowBundleOption;
}

export interface RunningWorkers {
  /** Settles when every worker has stopped; rejects if one failed. */
  readonly done: Promise<void>;
  /** Asks every worker to stop polling and waits for running activities (up to their grace time). */
  shutdown(): Promise<void>;
  /** Where the cloud worker serves GET /metrics, if it runs here with metrics on. */
  readonly metricsUrl?: string;
}

/** Creates one worker per spec on one connection and runs them until `shutdown`. */
export async function startWorkers(options: StartWorkersOptions): Promise<RunningWorkers> {
  const { settings, log } = options;
  installRuntime(log);
  const cloudServices = options.specs.some((spec) => spec.role === 'cloud')
    ? await openCloudServices(settings, requireUrl(options.databaseUrl), log)
    : undefined;
  // Host workers fetch what they install (facelists, model files) from object storage; one client for all.
  const hostStore = options.specs.some((spec) => spec.role === 'datasink' || spec.role === 'node') ? objectStoreFor(settings, log) : undefined;
  let connection: NativeConnection | undefined;
  const workers: Array<{ spec: RoleSpec; worker: Worker }> = [];
  try {
    connection = await connectWorkerConnection(options.target);
    const context = { connection, namespace: options.target.namespace };
    for (const spec of options.specs) {
      workers.push({ spec, worker: await createWorker(spec, context, options, cloudServices, hostStore) });
    }
  } catch (err) {
    // A created worker holds the connection until it has run and stopped; only then can it close.
    await Promise.allSettled(
      workers.map(async ({ worker }) => {
        const running = worker.run();
        worker.shutdown();
        await running;
      }),
    );
    await cloudServices?.close();
    hostStore?.close();
    await connection?.close().catch(() => undefined);
    throw explainNamespaceError(err, options.target.namespace, 'starting workers');
  }
  const open = connection;

  const runs = workers.map(({ spec, worker }) => {
    log.info({ taskQueue: taskQueueOf(spec) }, `${describeRole(spec)} worker polling`);
    return worker.run();
  });
  const shutdown = async () => {
    for (const { worker } of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    await Promise.allSettled(runs);
  };
  // One worker failing (e.g. the server went away for good) stops the others, so the process exits.
  const done = Promise.all(runs.map((run) => run.catch(async (err) => { await shutdown(); throw err; })))
    .then(() => undefined)
    .finally(async () => {
      await cloudServices?.close();
      hostStore?.close();
      await open.close();
    });
  return { done, shutdown: async () => { await shutdown(); await done.catch(() => undefined); }, metricsUrl: cloudServices?.metricsUrl };
}

function createWorker(
  spec: RoleSpec,
  context: { connection: NativeConnection; namespace: string },
  options: StartWorkersOptions,
  cloud: CloudServices | undefined,
  hostStore: ObjectStore | undefined,
): Promise<Worker> {
  const workers = options.settings.workers;
  switch (spec.role) {
    case 'control':
      return createControlWorker({ ...context, settings: workers.control, workflowBundle: options.workflowBundle });
    case 'cloud':
      if (!cloud) throw new Error('cloud services were not opened');
      return createCloudWorker({ ...context, settings: workers.cloud, services: cloud, sluice: options.settings });
    case 'datasink':
      if (!hostStore) throw new Error('the host workers\' object store was not opened');
      return createDatasinkWorker({ ...context, settings: workers.datasink, host: spec.host, root: spec.root, store: hostStore, registryPrefix: options.settings.registry.prefix });
    case 'node':
      if (!hostStore) throw new Error('the host workers\' object store was not opened');
      return createNodeWorker({
        ...context,
        settings: workers.node,
        host: spec.host,
        root: spec.root,
        store: hostStore,
        inventory: options.settings.fleet.find((entry) => entry.host === spec.host),
      });
  }
}

function requireUrl(url: string | undefined): string {
  if (!url) throw new Error('a cloud worker needs a database URL');
  return url;
}
