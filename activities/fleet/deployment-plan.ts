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
  /** pending: the node's worker did not answer (offline); nothing is known of its files. */
  readonly status: 'planned' | 'pending';
  readonly targets: { model: string; version: string; pinned: boolean }[];
  readonly add: FileChange[];
  readonly change: FileChange[];
  readonly remove: Omit<FileChange, 'size' | 'sha256'>[];
  readonly unchanged: number;
  /** What the deployment would move to this node. */
  readonly bytes: number;
}

/**
 * Files of a target that the node lacks are added, those with another sha256 changed; files of the
 * managed models that no target needs (an old version, a model this node should not have) are
 * removed. Models outside `managed` (a deployment narrowed to some models) are left alone.
 */
export function planNode(host: string, targets: readonly NodeTarget[], installed: readonly InstalledFile[], managed: ReadonlySet<string>): NodePlan {
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
    targets: targets.map(({ model, version, pinned }) => ({ model, version, pinned })),
    add,
    change,
    remove,
    unchanged,
    bytes: [...add, ...change].reduce((sum, file) => sum + file.size, 0),
  };
}
