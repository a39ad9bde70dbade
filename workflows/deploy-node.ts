import { installedAfter, type FileChange, type NodePlan } from '../activities/fleet/deployment-plan';
import type { RolloutSettings } from '../activities/fleet/fleet-activities';
import type { NodeOutcome } from '../activities/fleet/fleet-nodes';
import type { FileToStage } from '../activities/host/node-staging';
import { failureMessage, isOffline, nodeSteps } from './plan-deployment';
import { registry, registryFilesOn } from './registry-proxy';

/** Where one node's deployment is; the `deployProgress` query shows it per node. */
export type NodePhase = 'waiting' | 'staging' | 'activating' | 'restarting' | 'checking health' | 'finishing' | 'rolling back' | NodeDeployment['status'];

export interface NodeDeployment {
  readonly host: string;
  /** skipped: not reached, because the rollout stopped; pending: offline, not a failure. */
  readonly status: NodeOutcome['status'];
  readonly bytesMoved: number;
  readonly detail: string;
  /** A failed node was put back on its previous files and configs. */
  readonly rolledBack?: boolean;
  readonly restarted?: string[];
  /** What it holds afterwards, when that is known. */
  readonly installed?: { model: string; version: string }[];
}

/**
 * One node's change as a transaction: stage every file (verified, resumable), put files and
 * configs in place keeping what they replace, restart the services that use them, check their
 * health; only then remove what no target needs. If any step fails the node is put back on its
 * previous files and configs, and services that were restarted are restarted on those again.
 */
export async function deployNode(plan: NodePlan, keys: ReadonlyMap<string, string>, deployment: string, rollout: RolloutSettings, setPhase: (phase: NodePhase) => void): Promise<NodeDeployment> {
  const node = nodeSteps(plan.host, rollout);
  const fresh = [...plan.add, ...plan.change];
  const files: FileToStage[] = fresh.map((file) => ({ sha256: file.sha256, size: file.size, key: keys.get(fileId(file))! }));
  let staged = false;
  let restartedServices = false;
  let bytesMoved = 0;
  try {
    setPhase('staging');
    bytesMoved = (await node.nodeStageFiles({ deployment, files })).bytesMoved;
    staged = true;
    setPhase('activating');
    await node.nodeActivate({ deployment, files: fresh.map(({ model, version, path, sha256 }) => ({ model, version, path, sha256 })), models: plan.configModels });
    if (plan.restart.length > 0) {
      setPhase('restarting');
      restartedServices = true;
      await node.nodeRestartServices({ services: plan.restart });
      setPhase('checking health');
      await node.nodeCheckHealth({ services: plan.restart });
    }
    setPhase('finishing');
    const { removed } = await node.nodeFinish({ deployment, remove: plan.remove });
    const configs = plan.configs.filter((config) => config.status !== 'unchanged').length;
    const restarts = plan.restart.length > 0 ? `, restarted ${plan.restart.join(', ')}` : '';
    return { host: plan.host, status: 'deployed', bytesMoved, detail: `${fresh.length} files placed, ${removed} removed, ${configs} configs written${restarts}`, restarted: plan.restart, installed: installedAfter(plan) };
  } catch (err) {
    // A node that never took its first step is offline and unchanged; one that went away later is rolled back below.
    if (isOffline(err) && !staged) {
      return { host: plan.host, status: 'pending', bytesMoved: 0, detail: 'offline: its worker did not take the deployment' };
    }
    setPhase('rolling back');
    return { host: plan.host, status: 'failed', bytesMoved, rolledBack: true, detail: `${failureMessage(err)} ${await rollBack(node, deployment, restartedServices ? plan.restart : [])}` };
  }
}

/** Puts the node back, then restarts on the previous files whatever was restarted on the new ones (or failed to restart). */
async function rollBack(node: ReturnType<typeof nodeSteps>, deployment: string, restart: string[]): Promise<string> {
  let restoredFiles: string;
  try {
    const { restored, removed } = await node.nodeRollback({ deployment });
    restoredFiles = `Rolled back: ${restored} files restored, ${removed} new files removed`;
  } catch (err) {
    return `ROLLBACK FAILED, the node needs a look: ${failureMessage(err)}`;
  }
  if (restart.length === 0) return `${restoredFiles}.`;
  try {
    await node.nodeRestartServices({ services: restart });
    return `${restoredFiles}; ${restart.join(', ')} restarted on the previous files.`;
  } catch (err) {
    return `${restoredFiles}; restarting on the previous files failed too: ${failureMessage(err)}`;
  }
}

export const fileId = (file: { model: string; version: string; path: string }) => `${file.model}/${file.version}/${file.path}`;

/** Object-storage keys of every file to move, asked once of wherever the registry keeps its files. */
export async function sourceKeys(files: readonly FileChange[]): Promise<Map<string, string>> {
  const unique = [...new Map(files.map((file) => [fileId(file), file])).values()];
  if (unique.length === 0) return new Map();
  const keys = await registryFilesOn(await registry.registryFilesQueue()).registryShareFiles({
    files: unique.map((file) => ({ model: file.model, version: file.version, file: { path: file.path, size: file.size, sha256: file.sha256 } })),
  });
  return new Map(unique.map((file, i) => [fileId(file), keys[i]!]));
}
