import { executeChild, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { FACELIST_MODEL } from '../activities/registry/facelist-names';
import type { PromotionRecord } from '../activities/registry/registry-db';
import { deployFacelist, type DeployFacelistResult } from './deploy-facelist';
import { REGISTRY_FILES_WHERE_THEY_ARE, registry, registryFilesOn } from './registry-proxy';
import { SLUICE_KIND, SLUICE_MODEL } from './search-attributes';

export interface PromoteModelInput {
  readonly model: string;
  readonly version: string;
  readonly reason: string;
  /** Who asked; the CLI fills in user@host. */
  readonly actor?: string;
  /** Promote only if the model is still at this revision (compare-and-swap); default: as read at the start. */
  readonly expectedRevision?: number;
}

export interface RollbackModelInput {
  readonly model: string;
  /** "previous", or a version (YYYY-MM-DD). */
  readonly to: string;
  readonly reason?: string;
  readonly actor?: string;
}

/**
 * Makes a published version current: the version must exist and its files must still match its
 * manifest; then current and previous change in one guarded update, the promotion is logged, and
 * a deployment of the model is recorded as due. Of two promotions of one model at once, one wins
 * and the other fails with a PromotionConflictError, changing nothing.
 */
export async function promoteModel(input: PromoteModelInput): Promise<PromotionOutcome> {
  return changeCurrent('promote', input.model, input.version, input.reason, input.actor, input.expectedRevision);
}

/**
 * Puts a model back on its previous version, or on a named one, exactly like a promotion (checked,
 * logged, deployment due). Startable from the temporal CLI:
 *   temporal workflow start --type rollbackModel --task-queue sluice --input '{"model":"face_recognition","to":"previous"}'
 */
export async function rollbackModel(input: RollbackModelInput): Promise<PromotionOutcome> {
  return changeCurrent('rollback', input.model, input.to, input.reason ?? `rollback to ${input.to}`, input.actor);
}

/** The logged promotion; for the facelist, also where it was deployed. */
export type PromotionOutcome = PromotionRecord & { readonly facelist?: DeployFacelistResult };

async function changeCurrent(action: 'promote' | 'rollback', model: string, to: string, reason: string, actor: string | undefined, expectedRevision?: number): Promise<PromotionOutcome> {
  upsertSearchAttributes([
    { key: SLUICE_KIND, value: `model-${action}` },
    { key: SLUICE_MODEL, value: model },
  ]);
  const state = await registry.resolveTarget({ model, to });
  if (patched(REGISTRY_FILES_WHERE_THEY_ARE)) await registryFilesOn(await registry.registryFilesQueue()).registryVerifyFiles({ model, version: state.target });
  else await registry.verifyVersion({ model, version: state.target });
  const { workflowId } = workflowInfo();
  const record = await registry.swapCurrent({
    model,
    to: state.target,
    expectedRevision: expectedRevision ?? state.revision,
    action,
    // Started without an actor (e.g. from the temporal CLI): the workflow id is the trace.
    actor: actor ?? 'unnamed (started without an actor)',
    reason,
    workflowId,
  });
  // Models are deployed by fleet deployments (recorded as due); the facelist goes to the datasinks now.
  if (model === FACELIST_MODEL && patched('deploy-facelist-on-promotion')) {
    const facelist = await executeChild(deployFacelist, { workflowId: `${workflowId}/deploy-facelist`, args: [{ version: record.to }] });
    return { ...record, facelist };
  }
  return record;
}
