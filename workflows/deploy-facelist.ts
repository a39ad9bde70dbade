import { TimeoutType, type Duration } from '@temporalio/common';
import { ActivityFailure, proxyActivities, TimeoutFailure, upsertSearchAttributes } from '@temporalio/workflow';
import type { FacelistActivities, FacelistInstall } from '../activities/host/facelist-activities';
import { FACELIST_MODEL } from '../activities/registry/facelist-names';
import type { FacelistSource } from '../activities/registry/registry-activities';
import { registry, registryFilesOn } from './registry-proxy';
import { SLUICE_HOSTS, SLUICE_KIND, SLUICE_MODEL } from './search-attributes';
import { datasinkQueue } from './task-queues';

export interface DeployFacelistInput {
  /** Default: the current facelist version. */
  readonly version?: string;
  /** How long a datasink may be offline before it is reported as pending (a Temporal duration). */
  readonly offlineTimeout?: Duration;
}

export interface FacelistHostResult {
  readonly host: string;
  /** pending: the datasink's worker did not pick the task up within offlineTimeout. */
  readonly status: 'installed' | 'pending' | 'failed';
  readonly detail: string;
}

export interface DeployFacelistResult {
  readonly version: string;
  readonly hosts: FacelistHostResult[];
}

/**
 * Puts a facelist version on every datasink of the fleet (SentinelCam's `--tags faces`), each
 * through its own queue, all at once: facelist_<version>.csv, verified against the registry, and
 * facelist_current.csv pointing at it. An offline datasink is reported as pending, not as a failure
 * of the others.
 */
export async function deployFacelist(input: DeployFacelistInput = {}): Promise<DeployFacelistResult> {
  const source = await facelistSource(input.version);
  const hosts = await registry.datasinkHosts();
  upsertSearchAttributes([
    { key: SLUICE_KIND, value: 'facelist-deploy' },
    { key: SLUICE_MODEL, value: 'facelist' },
    { key: SLUICE_HOSTS, value: hosts },
  ]);
  const results = await Promise.all(
    hosts.map(async (host): Promise<FacelistHostResult> => {
      const datasink = proxyActivities<FacelistActivities>({
        taskQueue: datasinkQueue(host),
        scheduleToStartTimeout: input.offlineTimeout ?? '10m',
        startToCloseTimeout: '10m',
        retry: { maximumAttempts: 3, initialInterval: '2s', backoffCoefficient: 2 },
      });
      try {
        const installed: FacelistInstall = await datasink.installFacelist(source);
        return { host, status: 'installed', detail: installed.downloaded ? `wrote ${installed.file}` : `${installed.file} was already in place` };
      } catch (err) {
        if (err instanceof ActivityFailure && err.cause instanceof TimeoutFailure && err.cause.timeoutType === TimeoutType.SCHEDULE_TO_START) {
          return { host, status: 'pending', detail: `no worker on ${datasinkQueue(host)} took the task within ${String(input.offlineTimeout ?? '10m')}` };
        }
        return { host, status: 'failed', detail: err instanceof ActivityFailure && err.cause ? err.cause.message : String(err) };
      }
    }),
  );
  return { version: source.version, hosts: results };
}

/** The facelist's CSV, checked against its manifest where the registry keeps it and shared through object storage. */
async function facelistSource(requested: string | undefined): Promise<FacelistSource> {
  const { version, file } = await registry.facelistVersion({ version: requested });
  const files = registryFilesOn(await registry.registryFilesQueue());
  await files.registryVerifyFiles({ model: FACELIST_MODEL, version });
  const { key } = await files.registryShareFile({ model: FACELIST_MODEL, version, file });
  return { version, key, size: file.size, sha256: file.sha256 };
}
