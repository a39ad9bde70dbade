import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { FACELIST_COLUMNS } from '../../activities/registry/facelist';
import type { Settings } from '../../infra/config/load-config';
import { deployFacelist } from '../../workflows/deploy-facelist';
import { promoteModel } from '../../workflows/promote-model';
import { CONTROL_QUEUE } from '../../workflows/task-queues';
import { causeMessages } from '../harness/failure-messages';
import { useIsolatedTest } from '../harness/isolated-test';
import { dirWith, publishDirectory } from '../harness/registry-fixtures';

const ROW = '2024-05-01,0f3c9a7e2b8d4c61a5e7f9d0b1c2a3e4,2024-05-01 12:00:01.123456,3,0,1,Jane,0.9871,0.412345,0.101234,10,20,110,140,40,60,80,60,40,0,1.5,123.45';

function facelistDir(rows: string[], extraFile = false): string {
  return dirWith({ 'facelist.csv': `${FACELIST_COLUMNS.join(',')}\n${rows.join('\n')}\n`, ...(extraFile ? { 'facedata.hdf5': 'x' } : {}) });
}

describe('facelists: validated on publish, deployed to every datasink on promotion (real Temporal, Postgres, storage, datasink workers)', () => {
  const t = useIsolatedTest();

  async function setUp(hosts: string[], running: string[]): Promise<{ settings: Settings; client: Client }> {
    const settings = t.settings({ fleet: hosts.map((host) => ({ host, role: 'datasink' })) });
    const roots = new Map(settings.fleet.map((host) => [host.host, host.root]));
    await t.startWorkers(settings, [{ role: 'control' }, { role: 'cloud' }, ...running.map((host) => ({ role: 'datasink' as const, host, root: roots.get(host)! }))]);
    return { settings, client: await t.client(settings) };
  }

  async function publish(settings: Settings, client: Client, version: string, dir: string) {
    return (await publishDirectory(settings, client, { model: 'facelist', version, dir })).result;
  }

  const promote = (client: Client, version: string) =>
    client.workflow.execute(promoteModel, { taskQueue: CONTROL_QUEUE, workflowId: `promote-facelist-${version}-${Date.now()}`, args: [{ model: 'facelist', version, reason: 'new faces', actor: 'tester' }] });

  it('refuses a bad facelist before it reaches the registry, and deploys a good one with facelist_current.csv on promotion', async () => {
    const { settings, client } = await setUp(['sink-a', 'sink-b'], ['sink-a', 'sink-b']);
    const bad = await publish(settings, client, '2026-02-03', facelistDir([ROW.replace('2024-05-01,0f', '2025-02-30,0f')])).then(() => 'published', (err: unknown) => causeMessages(err));
    expect(bad).toMatch(/facelist\.csv of 2026-02-03 is not a valid facelist: line 2: date "2025-02-30" is not a real YYYY-MM-DD date/);
    const two = await publish(settings, client, '2026-02-04', facelistDir([ROW], true)).then(() => 'published', (err: unknown) => causeMessages(err));
    expect(two).toMatch(/A facelist version is one file named facelist\.csv, not facedata\.hdf5, facelist\.csv/);
    expect((await t.pool().query("SELECT version FROM registry_versions WHERE model = 'facelist'")).rows).toEqual([]);
    expect(fs.existsSync(path.join(settings.paths.objectsDir, 'model_registry/facelist/2026-02-03'))).toBe(false);

    const goodDir = facelistDir([ROW, ROW.replace('Jane', 'Joe')]);
    await publish(settings, client, '2026-02-02', goodDir);
    const promoted = await promote(client, '2026-02-02');
    expect(promoted.facelist).toEqual({
      version: '2026-02-02',
      hosts: [
        { host: 'sink-a', status: 'installed', detail: expect.stringMatching(/^wrote .*faces\/facelist_2026-02-02\.csv$/) },
        { host: 'sink-b', status: 'installed', detail: expect.stringMatching(/^wrote /) },
      ],
    });
    for (const host of settings.fleet) {
      const faces = path.join(host.root, 'faces');
      expect(fs.readFileSync(path.join(faces, 'facelist_2026-02-02.csv'))).toEqual(fs.readFileSync(path.join(goodDir, 'facelist.csv')));
      expect(fs.readlinkSync(path.join(faces, 'facelist_current.csv'))).toBe('facelist_2026-02-02.csv');
      expect(fs.readdirSync(faces).filter((name) => name.startsWith('.'))).toEqual([]);
    }

    await publish(settings, client, '2026-03-01', facelistDir([ROW.replace('Jane', 'Ann')]));
    await promote(client, '2026-03-01');
    const faces = path.join(settings.fleet[0]!.root, 'faces');
    expect(fs.readlinkSync(path.join(faces, 'facelist_current.csv'))).toBe('facelist_2026-03-01.csv');
    expect(fs.readFileSync(path.join(faces, 'facelist_current.csv'), 'utf8')).toContain(',Ann,');
    // The previous version stays on disk for a quick rollback.
    expect(fs.readdirSync(faces).sort()).toEqual(['facelist_2026-02-02.csv', 'facelist_2026-03-01.csv', 'facelist_current.csv']);
  });

  it('reports an offline datasink as pending and installs on the others', async () => {
    const { settings, client } = await setUp(['sink-a', 'sink-offline'], ['sink-a']);
    await publish(settings, client, '2026-02-02', facelistDir([ROW]));
    const result = await client.workflow.execute(deployFacelist, { taskQueue: CONTROL_QUEUE, workflowId: `deploy-facelist-${Date.now()}`, args: [{ version: '2026-02-02', offlineTimeout: '2s' }] });
    expect(result.hosts).toEqual([
      { host: 'sink-a', status: 'installed', detail: expect.stringMatching(/^wrote /) },
      { host: 'sink-offline', status: 'pending', detail: 'no worker on sluice-datasink-sink-offline took the task within 2s' },
    ]);
    // Run again: the file is in place and is not downloaded a second time.
    const again = await client.workflow.execute(deployFacelist, { taskQueue: CONTROL_QUEUE, workflowId: `deploy-facelist-again-${Date.now()}`, args: [{ version: '2026-02-02', offlineTimeout: '2s' }] });
    expect(again.hosts[0]).toMatchObject({ host: 'sink-a', status: 'installed', detail: expect.stringMatching(/was already in place$/) });
  });
});
