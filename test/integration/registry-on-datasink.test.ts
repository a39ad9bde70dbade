import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { FACELIST_COLUMNS } from '../../activities/registry/facelist';
import type { Settings } from '../../infra/config/load-config';
import { promoteModel } from '../../workflows/promote-model';
import { registryCleanup } from '../../workflows/registry-cleanup';
import { CONTROL_QUEUE } from '../../workflows/task-queues';
import { causeMessages } from '../harness/failure-messages';
import { useIsolatedTest } from '../harness/isolated-test';
import { dirWith, publishDirectory } from '../harness/registry-fixtures';
import { recordHistory } from '../harness/record-history';

describe('the registry on a datasink\'s own disk, through its queue (registry.store: datasink)', () => {
  const t = useIsolatedTest();
  let settings: Settings;
  let client: Client;
  let registryRoot: string;

  beforeEach(async () => {
    settings = t.settings({
      fleet: [
        { host: 'data1', role: 'datasink' },
        { host: 'data2', role: 'datasink' },
      ],
      registry: { store: 'datasink', datasink: 'data1', keepRecent: 1 },
    });
    const [data1, data2] = settings.fleet;
    registryRoot = path.join(data1!.root, 'model_registry');
    await t.startWorkers(settings, [
      { role: 'control' },
      { role: 'cloud' },
      { role: 'datasink', host: 'data1', root: data1!.root },
      { role: 'datasink', host: 'data2', root: data2!.root },
    ]);
    client = await t.client(settings);
  });

  async function publish(model: string, version: string, dir: string): Promise<string> {
    return (await publishDirectory(settings, client, { model, version, dir })).workflowId;
  }

  async function promote(model: string, version: string): Promise<{ workflowId: string; result: Awaited<ReturnType<typeof promoteModel>> }> {
    const workflowId = `promote-${model}-${version}-${Date.now()}`;
    const result = await client.workflow.execute(promoteModel, { taskQueue: CONTROL_QUEUE, workflowId, args: [{ model, version, reason: 'test', actor: 'tester' }] });
    return { workflowId, result };
  }

  it('keeps versions on the datasink\'s disk, verifies them there, and cleans them up there', async () => {
    const publishId = await publish('face_recognition', '2025-02-25', dirWith({ 'facemodel.pickle': 'a', 'baselines.hdf5': 'aa' }));
    await recordHistory(client, publishId, 'publish-model-on-datasink');
    await publish('face_recognition', '2026-02-02', dirWith({ 'facemodel.pickle': 'b', 'baselines.hdf5': 'bb' }));
    await publish('face_recognition', '2024-01-01', dirWith({ 'facemodel.pickle': 'old', 'baselines.hdf5': 'old' }));
    // The files are on data1's disk, in SentinelCam's layout; object storage only saw the uploads, now gone.
    expect(fs.readdirSync(path.join(registryRoot, 'face_recognition')).sort()).toEqual(['2024-01-01', '2025-02-25', '2026-02-02']);
    expect(fs.readdirSync(path.join(registryRoot, 'face_recognition', '2026-02-02')).sort()).toEqual(['baselines.hdf5', 'facemodel.pickle', 'manifest.json']);
    expect(fs.existsSync(path.join(settings.paths.objectsDir, 'model_registry', 'face_recognition'))).toBe(false);

    await promote('face_recognition', '2025-02-25');
    const { workflowId } = await promote('face_recognition', '2026-02-02');
    await recordHistory(client, workflowId, 'promote-model-on-datasink');

    // Verification reads data1's disk: a changed file there stops a promotion.
    await publish('face_recognition', '2026-03-01', dirWith({ 'facemodel.pickle': 'c', 'baselines.hdf5': 'cc' }));
    fs.writeFileSync(path.join(registryRoot, 'face_recognition', '2026-03-01', 'baselines.hdf5'), 'CC');
    const refused = await promote('face_recognition', '2026-03-01').then(() => 'promoted', (err: unknown) => causeMessages(err));
    expect(refused).toMatch(/face_recognition 2026-03-01 does not match its manifest: baselines\.hdf5 has sha256/);

    // keepRecent 1: 2026-03-01 (newest), 2026-02-02 (current), 2025-02-25 (previous) stay; 2024-01-01 goes.
    const cleanupId = `cleanup-disk-${Date.now()}`;
    const cleanup = await client.workflow.execute(registryCleanup, { taskQueue: CONTROL_QUEUE, workflowId: cleanupId, args: [{}] });
    expect(cleanup.removed).toEqual([{ model: 'face_recognition', version: '2024-01-01' }]);
    expect(cleanup.bytesFreed).toBe('old'.length * 2);
    expect(fs.readdirSync(path.join(registryRoot, 'face_recognition')).sort()).toEqual(['2025-02-25', '2026-02-02', '2026-03-01']);
    await recordHistory(client, cleanupId, 'registry-cleanup-on-datasink');
  });

  it('deploys a facelist kept on data1 to every datasink, shared through object storage', async () => {
    const csv = `${FACELIST_COLUMNS.join(',')}\n2024-05-01,0f3c9a7e2b8d4c61a5e7f9d0b1c2a3e4,2024-05-01 12:00:01,3,0,1,Jane,0.98,0.41,0.10,10,20,110,140,40,60,80,60,40,0,1.5,123.45\n`;
    await publish('facelist', '2026-02-02', dirWith({ 'facelist.csv': csv }));
    const { result, workflowId } = await promote('facelist', '2026-02-02');
    expect(result.facelist?.hosts.map((h) => [h.host, h.status])).toEqual([
      ['data1', 'installed'],
      ['data2', 'installed'],
    ]);
    for (const host of settings.fleet) expect(fs.readFileSync(path.join(host.root, 'faces', 'facelist_current.csv'), 'utf8')).toBe(csv);
    expect(fs.readFileSync(path.join(settings.paths.objectsDir, 'model_registry/_shared/facelist/2026-02-02/facelist.csv'), 'utf8')).toBe(csv);
    await recordHistory(client, workflowId, 'promote-facelist-on-datasink');
  });
});
