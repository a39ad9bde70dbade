import type { ConfigChange, DeployedModel } from '../host/node-configs';
import type { NodeService } from '../host/node-deploy-activities';
import type { NodeTarget } from './targets';

/**
 * The difference between what a node holds and what it should hold, per file, like
 * `ansible --check --diff`. Pure, so the planning workflow computes it itself.
 */
export interface InstalledFile {
  readonly model: string;
  readonly version: string;
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

export interface FileChange {
  readonly model: string;
  readonly version: string;
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

export interface NodePlan {
  readonly host: string;
  /**
   * pending: the node's worker did not answer (offline); nothing is known of its files.
   * failed: the node answered but cannot be planned (a template error); `error` says why.
   */
  readonly status: 'planned' | 'pending' | 'failed';
  readonly error?: string;
  readonly targets: { model: string; version: string; pinned: boolean }[];
  /** The model versions the node holds now, from its report. */
  readonly installed: { model: string; version: string }[];
  readonly add: FileChange[];
  readonly change: FileChange[];
  readonly remove: Omit<FileChange, 'size' | 'sha256'>[];
  readonly unchanged: number;
  /** What the deployment would move to this node. */
  readonly bytes: number;
  /** Every task config of the node, rendered for its targets, against the file it holds. */
  readonly configs: ConfigChange[];
  /** The model versions the configs were rendered with (they are rendered again, the same way, when applied). */
  readonly configModels: DeployedModel[];
  /** Services restarted after the change: those using a changed model, or named by a changed config. */
  readonly restart: string[];
}

/** What the node reported of itself (nodeInventory). */
export interface NodeReport {
  readonly files: readonly InstalledFile[];
  /** The task configs rendered for the targets asked about, against the node's current files. */
  readonly configs: readonly ConfigChange[];
  /** The versions they were rendered with (modelsForConfigs). */
  readonly configModels: readonly DeployedModel[];
  readonly services: readonly NodeService[];
}

/** True when the plan changes nothing on the node. */
export function isNoop(plan: NodePlan): boolean {
  return plan.add.length + plan.change.length + plan.remove.length === 0 && plan.configs.every((config) => config.status === 'unchanged');
}

/** What the node holds once the plan is carried out: the targets of the models it touches, the rest as it was. */
export function installedAfter(plan: NodePlan): { model: string; version: string }[] {
  const touched = new Set([...plan.add, ...plan.change, ...plan.remove].map((file) => file.model));
  return [...plan.installed.filter((held) => !touched.has(held.model)), ...plan.targets.filter((target) => touched.has(target.model)).map(({ model, version }) => ({ model, version }))];
}

/**
 * The versions task configs are rendered with. A deployment narrowed to some models must not
 * point configs at versions of the other models that the node does not hold yet: for those, the
 * target if installed, else the newest version the node holds, else the target.
 */
export function modelsForConfigs(targets: readonly DeployedModel[], installed: readonly InstalledFile[], managed: ReadonlySet<string>): DeployedModel[] {
  return targets.map(({ model, version }) => {
    if (managed.has(model)) return { model, version };
    const held = [...new Set(installed.filter((file) => file.model === model).map((file) => file.version))].sort();
    return { model, version: held.includes(version) || held.length === 0 ? version : held[held.length - 1]! };
  });
}

/**
 * Files of a target that the node lacks are added, those with another sha256 changed; files of the
 * managed models that no target needs (an old version, a model this node should not have) are
 * removed. Models outside `managed` (a deployment narrowed to some models) are left alone.
 */
export function planNode(host: string, allTargets: readonly NodeTarget[], report: NodeReport, managed: ReadonlySet<string>): NodePlan {
  const { files: installed } = report;
  const targets = allTargets.filter((target) => managed.has(target.model));
  const key = (model: string, version: string, path: string) => `${model}\u0000${version}\u0000${path}`;
  const have = new Map(installed.map((file) => [key(file.model, file.version, file.path), file]));
  const needed = new Set<string>();
  const add: FileChange[] = [];
  const change: FileChange[] = [];
  let unchanged = 0;
  for (const target of targets) {
    for (const file of target.files) {
      const id = key(target.model, target.version, file.path);
      needed.add(id);
      const present = have.get(id);
      const entry = { model: target.model, version: target.version, path: file.path, size: file.size, sha256: file.sha256 };
      if (!present) add.push(entry);
      else if (present.sha256 !== file.sha256 || present.size !== file.size) change.push(entry);
      else unchanged += 1;
    }
  }
  const remove = installed
    .filter((file) => managed.has(file.model) && !needed.has(key(file.model, file.version, file.path)))
    .map(({ model, version, path }) => ({ model, version, path }));
  return {
    host,
    status: 'planned',
    targets: allTargets.map(({ model, version, pinned }) => ({ model, version, pinned })),
    installed: [...new Map(installed.map(({ model, version }) => [`${model}/${version}`, { model, version }])).values()],
    add,
    change,
    remove,
    unchanged,
    bytes: [...add, ...change].reduce((sum, file) => sum + file.size, 0),
    configs: [...report.configs],
    configModels: [...report.configModels],
    restart: servicesToRestart(report, [...add, ...change, ...remove].map((file) => file.model)),
  };
}

function servicesToRestart(report: NodeReport, changedModels: readonly string[]): string[] {
  const changed = new Set(changedModels);
  const byConfig = new Set(report.configs.filter((config) => config.status !== 'unchanged').flatMap((config) => config.services));
  return report.services
    .filter((service) => byConfig.has(service.name) || (service.models ? service.models.some((model) => changed.has(model)) : changed.size > 0))
    .map((service) => service.name);
}
