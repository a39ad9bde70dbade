import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHostActivities } from '../../activities/host/host-activities';
import { UserError } from '../../infra/errors/user-error';

describe('probeHost', () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-host-'));
  const root = path.join(parent, 'root');
  const { probeHost } = createHostActivities({ host: 'sink-1', root });

  it('writes, reads back and removes a probe file in the root, and reports free space', async () => {
    const report = await probeHost('0b5e7f4c-2f1a-4d52-9a3e-1c2b3d4e5f60');
    expect(report).toMatchObject({ host: 'sink-1', root, hostname: os.hostname() });
    expect(report.freeBytes).toBeGreaterThan(0);
    expect(fs.readdirSync(root)).toEqual([]);
  });

  it.each(['../escape', '../../etc/x', '/abs', '', 'a'.repeat(10_000), '0b5e7f4c-2f1a-4d52-9a3e-1c2b3d4e5f60/../../x'])(
    'refuses a token that is not a UUID (%#) before touching the disk',
    async (token) => {
      await expect(probeHost(token)).rejects.toBeInstanceOf(UserError);
      expect(fs.readdirSync(parent).sort()).toEqual(['root']);
    },
  );
});
