import type { Settings } from '../../infra/config/load-config';
import type { RoleSpec } from '../../workers/role';

/** The workers `sluice up` runs: control, cloud, and one per host in the fleet inventory. */
export function allRoleSpecs(settings: Settings): RoleSpec[] {
  return [
    { role: 'control' },
    { role: 'cloud' },
    ...settings.fleet.map((entry): RoleSpec => ({ role: entry.role === 'datasink' ? 'datasink' : 'node', host: entry.host, root: entry.root })),
  ];
}

/** The stackCheck input that covers every host in the inventory. */
export function fleetCheckInput(settings: Settings): { datasinks: string[]; nodes: string[] } {
  return {
    datasinks: settings.fleet.filter((entry) => entry.role === 'datasink').map((entry) => entry.host),
    nodes: settings.fleet.filter((entry) => entry.role !== 'datasink').map((entry) => entry.host),
  };
}
