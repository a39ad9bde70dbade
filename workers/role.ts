import { CLOUD_QUEUE, CONTROL_QUEUE, datasinkQueue, nodeQueue } from '../workflows/task-queues';

export const ROLES = ['control', 'cloud', 'datasink', 'node'] as const;
export type Role = (typeof ROLES)[number];

/** A worker to run: its role, and for host roles the host it stands for. */
export type RoleSpec =
  | { role: 'control' }
  | { role: 'cloud' }
  | { role: 'datasink' | 'node'; host: string; root: string };

export function taskQueueOf(spec: RoleSpec): string {
  switch (spec.role) {
    case 'control':
      return CONTROL_QUEUE;
    case 'cloud':
      return CLOUD_QUEUE;
    case 'datasink':
      return datasinkQueue(spec.host);
    case 'node':
      return nodeQueue(spec.host);
  }
}

export function describeRole(spec: RoleSpec): string {
  return spec.role === 'datasink' || spec.role === 'node' ? `${spec.role} ${spec.host}` : spec.role;
}
