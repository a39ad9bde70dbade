import { ApplicationFailure, executeChild, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { FACELIST_MODEL } from '../activities/registry/facelist-names';
import type { PromotionRecord } from '../activities/registry/registry-db';
import { deployFacelist, type DeployFacelistResult } from './deploy-facelist';
import { deployModels, type DeployModelsResult } from './deploy-models';
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
 * the model is deployed to the edge nodes (deployModels), waited for. If that deployment stops (its
 * canary failed), the promotion is reverted and logged, and this workflow fails saying so. Of two
 * promotions of one model at once, one wins and the other fails with a PromotionConflictError.
 */
export async function promoteModel(input: PromoteModelInput): Promise<PromotionOutcome> {
  return changeCurrent('promote', input.model, input.version, input.reason, input.actor, input.expectedRevision);
}

/**
 * Puts a model back on its previous version, or on a named one, exactly like a promotion (checked,
 * logged, deployed and waited for). Startable from the temporal CLI:
 *   temporal workflow start --type rollbackModel --task-queue sluice --input '{"model":"face_recognition","to":"previous"}'
 */
export async function rollbackModel(input: RollbackModelInput): Promise<PromotionOutcome> {
  return changeCurrent('rollback', input.model, input.to, input.reason ?? `rollback to ${input.to}`, input.actor);
}

/** The logged promotion, and where it was deployed: the facelist to the datasinks, a model to the edge nodes. */
export type PromotionOutcome = PromotionRecord & { readonly facelist?: DeployFacelistResult; readonly deployment?: DeployModelsResult };

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
  // The facelist goes to the datasinks; a model to the edge nodes that should hold it.
  if (model === FACELIST_MODEL && patched('deploy-facelist-on-promotion')) {
    const facelist = await executeChild(deployFacelist, { workflowId: `${workflowId}/deploy-facelist`, args: [{ version: record.to }] });
    return { ...record, facelist };
  }
  if (model !== FACELIST_MODEL && patched('deploy-on-promotion')) {
    const deployment = await executeChild(deployModels, { workflowId: `${workflowId}/deploy`, args: [{ models: [model] }] });
    if (deployment.stopped) {
      // A version its canary could not take is not left current: back to where the model was.
      const revert = await registry.revertPromotion({ promotion: record, previousBefore: state.previous, revisionAfter: (expectedRevision ?? state.revision) + 1, reason: `deployment of ${record.to} stopped: ${deployment.stopped}`, workflowId });
      throw ApplicationFailure.nonRetryable(
        `The deployment of ${model} ${record.to} stopped (${deployment.stopped}); ${revert ? `the promotion was reverted to ${revert.to}` : 'there was no earlier version to revert to'}.`,
        'DeploymentFailed',
        { deployment, revert },
      );
    }
    return { ...record, deployment };
  }
  return record;
}
