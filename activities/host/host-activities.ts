import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../infra/errors/user-error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface HostReport {
  host: string;
  hostname: string;
  root: string;
  freeBytes: number;
}

/**
 * Activities every host worker (datasink or edge node) answers on its own queue. `probeHost`
 * proves the worker is polling and that its root directory is writable, by writing, reading back
 * and removing a file there.
 */
export function createHostActivities(deps: { host: string; root: string }) {
  return {
    async probeHost(token: string): Promise<HostReport> {
      // The token names a file under root: anything but a UUID could point outside it.
      if (!UUID.test(token)) throw new UserError(`probeHost: token ${JSON.stringify(token).slice(0, 80)} is not a UUID.`, 'Start probes through the stackCheck workflow.');
      await fs.mkdir(deps.root, { recursive: true });
      const probe = path.join(deps.root, `.sluice-probe-${token}`);
      try {
        await fs.writeFile(probe, token);
        const back = await fs.readFile(probe, 'utf8');
        if (back !== token) throw new Error(`read back "${back}" from ${probe}, expected "${token}"`);
      } finally {
        await fs.rm(probe, { force: true });
      }
      const stats = await fs.statfs(deps.root);
      return { host: deps.host, hostname: os.hostname(), root: deps.root, freeBytes: stats.bavail * stats.bsize };
    },
  };
}

export type HostActivities = ReturnType<typeof createHostActivities>;
