import { defineQuery, patched, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { CleanupPlan, VersionRemoval } from '../activities/registry/registry-cleanup';
import { REGISTRY_FILES_WHERE_THEY_ARE, registry, registryFilesOn } from './registry-proxy';
import { SLUICE_KIND } from './search-attributes';

export interface RegistryCleanupInput {
  /** Only plan: report what would go, delete nothing (`sluice model cleanup --plan`). */
  readonly dryRun?: boolean;
}

export interface RegistryCleanupResult {
  readonly plan: CleanupPlan;
  readonly removed: { model: string; version: string }[];
  readonly bytesFreed: number;
  /** Left alone: promoted or pinned since the plan was made. */
  readonly keptSincePlan: { model: string; version: string }[];
  /** Files that could not be deleted; the version stays listed and the next cleanup retries. */
  readonly failed: { model: string; version: string; key: string; error: string }[];
}

export const registryCleanupPlanQuery = defineQuery<CleanupPlan | undefined>('plan');

/**
 * The weekly cleanup of old model versions (SentinelCam's timer, which aborted after its first
 * deletion and pointed at a path that did not exist): plan first, then remove each version that is
 * neither current, previous, pinned nor among the newest, one at a time, each re-checked under the
 * model's lock. One version failing does not stop the others.
 */
export async function registryCleanup(input: RegistryCleanupInput = {}): Promise<RegistryCleanupResult> {
  upsertSearchAttributes([{ key: SLUICE_KIND, value: 'registry-cleanup' }]);
  let planned: CleanupPlan | undefined;
  setHandler(registryCleanupPlanQuery, () => planned);
  const plan = await registry.planRegistryCleanup();
  planned = plan;
  const removed: RegistryCleanupResult['removed'] = [];
  const keptSincePlan: RegistryCleanupResult['keptSincePlan'] = [];
  const failed: RegistryCleanupResult['failed'] = [];
  let bytesFreed = 0;
  if (!input.dryRun) {
    const filesQueue = patched(REGISTRY_FILES_WHERE_THEY_ARE) ? await registry.registryFilesQueue() : undefined;
    for (const { model, remove } of plan.models) {
      for (const { version } of remove) {
        const outcome = filesQueue ? await removeVersion(filesQueue, model, version) : await registry.removeVersion({ model, version });
        if (outcome.removed) {
          removed.push({ model, version });
          bytesFreed += outcome.bytes;
        } else if (outcome.failed.length > 0) {
          failed.push(...outcome.failed.map((failure) => ({ model, version, ...failure })));
        } else {
          keptSincePlan.push({ model, version });
        }
      }
    }
  }
  return { plan, removed, bytesFreed, keptSincePlan, failed };
}

/**
 * Marked first (no promotion or pin can take it from then on), then its files where they are,
 * then its row, only once every file is gone.
 */
async function removeVersion(filesQueue: string, model: string, version: string): Promise<VersionRemoval> {
  const { marked, bytes } = await registry.markVersionDeleting({ model, version });
  if (!marked) return { model, version, removed: false, bytes: 0, failed: [] };
  const { failed } = await registryFilesOn(filesQueue).registryRemoveFiles({ model, version });
  if (failed.length > 0) return { model, version, removed: false, bytes: 0, failed };
  await registry.forgetVersion({ model, version });
  return { model, version, removed: true, bytes, failed: [] };
}
