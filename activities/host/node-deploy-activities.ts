import { Context } from '@temporalio/activity';
import type { NodeSetup } from '../../infra/config/node-setup';
import { modelsForConfigs, type NodeReport } from '../fleet/deployment-plan';
import type { ObjectStore } from '../storage/object-store';
import { activate, finish, pruneStaleDeployments, rollBack, stagingDir, type ModelFileToInstall } from './node-activation';
import { configChanges, renderConfigs, type DeployedModel, type NodeIdentity } from './node-configs';
import { explainWriteError } from './node-errors';
import { checkHealth, restartServices } from './node-services';
import { stageFiles, type FileToStage } from './node-staging';
import { readInventory } from './model-inventory';

export interface NodeService {
  readonly name: string;
  /** Models whose change restarts it; undefined: any model. */
  readonly models?: readonly string[];
}

/** What a node reports of itself (the planner's NodeReport), and who it is. */
export type NodeInventory = NodeReport & { readonly host: string };

/**
 * The activities of a deployment on an edge node's own queue (`sluice-node-<host>`), one per step
 * so the workflow can put the node back when a later one fails: report, stage, activate, restart,
 * check health, then finish or roll back. Services and templates come from the node's own config.
 */
export function createNodeDeployActivities(deps: { node: NodeIdentity; setup: NodeSetup; store: ObjectStore }) {
  const { node, setup } = deps;
  return {
    async nodeInventory(request: { targets?: DeployedModel[]; managed?: string[] } = {}): Promise<NodeInventory> {
      const context = Context.current();
      const files = await readInventory(node.root, () => context.heartbeat());
      const configModels = modelsForConfigs(request.targets ?? [], files, new Set(request.managed ?? []));
      const configs = request.targets ? await configChanges(await renderConfigs(node, setup, configModels)) : [];
      const services = Object.entries(setup.services).map(([name, service]) => ({ name, ...(service.models ? { models: service.models } : {}) }));
      return { host: node.host, files, configs, configModels, services };
    },

    async nodeStageFiles(request: { deployment: string; files: FileToStage[] }): Promise<{ bytesMoved: number; alreadyStaged: number }> {
      const context = Context.current();
      await pruneStaleDeployments(node.root);
      const dir = stagingDir(node.root, request.deployment);
      try {
        return await stageFiles(deps.store, dir, request.files, (progress) => context.heartbeat({ host: node.host, ...progress }));
      } catch (err) {
        throw explainWriteError(err, dir);
      }
    },

    async nodeActivate(request: { deployment: string; files: ModelFileToInstall[]; models: DeployedModel[] }): Promise<{ files: number; configs: number }> {
      return activate(node.root, request.deployment, request.files, await renderConfigs(node, setup, request.models));
    },

    async nodeRestartServices(request: { services: string[] }): Promise<{ restarted: string[] }> {
      const context = Context.current();
      return { restarted: await restartServices(node, setup, request.services, () => context.heartbeat()) };
    },

    async nodeCheckHealth(request: { services: string[] }): Promise<{ checked: string[] }> {
      const context = Context.current();
      return checkHealth(node, setup, request.services, () => context.heartbeat());
    },

    async nodeRollback(request: { deployment: string }): Promise<{ restored: number; removed: number }> {
      return rollBack(node.root, request.deployment);
    },

    async nodeFinish(request: { deployment: string; remove: { model: string; version: string; path: string }[] }): Promise<{ removed: number }> {
      return finish(node.root, request.deployment, request.remove);
    },
  };
}

export type NodeDeployActivities = ReturnType<typeof createNodeDeployActivities>;
