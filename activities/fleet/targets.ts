import type { Pool } from 'pg';
import { RegistryError, UnknownModelError } from '../registry/errors';
import { FACELIST_MODEL } from '../registry/facelist-names';
import type { Manifest, ManifestFile } from '../registry/manifest';

/** SentinelCam's runtime packages for the Coral EdgeTPU, published as a model of their own. */
export const CORAL_PACKAGES_MODEL = 'coral_packages';

export interface FleetNode {
  readonly host: string;
  readonly role: 'datasink' | 'outpost' | 'sentinel';
  readonly accelerator: 'none' | 'coral';
}

/** One model version a node should hold. */
export interface NodeTarget {
  readonly model: string;
  readonly version: string;
  /** The host's pin, rather than the model's current version. */
  readonly pinned: boolean;
  readonly files: readonly ManifestFile[];
}

export interface HostTargets {
  readonly host: string;
  readonly role: FleetNode['role'];
  readonly targets: NodeTarget[];
}

/**
 * What every edge node should hold (SentinelCam's deploy-models playbook, made explicit): for each
 * outpost and sentinel, the models of its role (a role without a list takes every model), each
 * at the host's pinned version or else the current one; coral_packages only where the node has a
 * Coral accelerator. Datasinks take facelists (deployFacelist), not models. `hosts` narrows it
 * like Ansible's --limit; `models` (tags) is only checked here, the plan narrows to it. Naming a
 * host or model that does not exist is an error.
 */
export async function resolveTargets(pool: Pool, fleet: readonly FleetNode[], filter: { hosts?: readonly string[]; models?: readonly string[] } = {}): Promise<HostTargets[]> {
  const { rows: models } = await pool.query<{ model: string; current_version: string | null }>('SELECT model, current_version FROM registry_models ORDER BY model');
  const known = models.map((row) => row.model);
  for (const model of filter.models ?? []) if (!known.includes(model)) throw new UnknownModelError(model, known, `Known models: ${known.join(', ') || 'none'}.`);
  for (const host of filter.hosts ?? []) {
    if (!fleet.some((node) => node.host === host)) throw new RegistryError(`Host ${host} is not in the fleet inventory.`, `Hosts in config (fleet:): ${fleet.map((node) => node.host).join(', ') || 'none'}.`);
  }
  const { rows: roleRows } = await pool.query<{ role: string; models: string[] }>('SELECT role, models FROM registry_role_models');
  const roleModels = new Map(roleRows.map((row) => [row.role, row.models]));
  const { rows: pins } = await pool.query<{ host: string; model: string; version: string }>('SELECT host, model, version FROM registry_overrides');
  const { rows: versions } = await pool.query<{ model: string; version: string; manifest: Manifest }>("SELECT model, version, manifest FROM registry_versions WHERE state = 'published'");
  const manifestOf = (model: string, version: string) => versions.find((row) => row.model === model && row.version === version)?.manifest;

  const result: HostTargets[] = [];
  for (const node of fleet) {
    if (node.role === 'datasink' || (filter.hosts && !filter.hosts.includes(node.host))) continue;
    const wanted = models.filter(({ model }) => {
      if (model === FACELIST_MODEL) return false;
      if (model === CORAL_PACKAGES_MODEL) return node.accelerator === 'coral';
      const list = roleModels.get(node.role);
      return list === undefined || list.includes(model);
    });
    const targets: NodeTarget[] = [];
    // Every model the node holds, even in a deployment narrowed by `models`: its task configs name them all.
    for (const { model, current_version: current } of wanted) {
      const pin = pins.find((row) => row.host === node.host && row.model === model);
      const version = pin?.version ?? current;
      if (!version) continue;
      const manifest = manifestOf(model, version);
      if (!manifest) continue;
      targets.push({ model, version, pinned: pin !== undefined, files: manifest.files });
    }
    result.push({ host: node.host, role: node.role, targets });
  }
  return result;
}
