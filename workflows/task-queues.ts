/**
 * Where work runs (DESIGN.md, "Task queues"). Workflows run on the control queue; activities are
 * routed to the queue of the host whose I/O they do.
 */
export const CONTROL_QUEUE = 'sluice';
export const CLOUD_QUEUE = 'sluice-cloud';

export function datasinkQueue(host: string): string {
  return `sluice-datasink-${host}`;
}

export function nodeQueue(host: string): string {
  return `sluice-node-${host}`;
}
