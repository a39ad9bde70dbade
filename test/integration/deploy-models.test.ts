import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { pinVersion } from '../../activities/registry/registry-overrides';
import type { Settings } from '../../infra/config/load-config';
import { deployModels } from '../../workflows/deploy-models';
import { promoteModel } from '../../workflows/promote-model';
import { CONTROL_QUEUE } from '../../workflows/task-queues';
import { causeMessages } from '../harness/failure-messages';
import { useIsolatedTest } from '../harness/isolated-test';
import { dirWith, publishDirectory } from '../harness/registry-fixtures';
import { recordHistory } from '../harness/record-history';

describe('deployModels (real Temporal, Postgres, storage; three node workers and one offline)', () => {
  const t = useIsolatedTest();
  let settings: Settings;
  let client: Client;
  const root = (host: string) => settings.fleet.find((entry) => entry.host === host)!.root;
  const read = (host: string, file: string) => fs.readFileSync(path.join(root(host), 'models', file), 'utf8');

  async function publishAndPromote(model: string, version: string, files: Record<string, string>): Promise<void> {
    await publishOnly(model, version, files);
    await client.workflow.execute(promoteModel, { taskQueue: CONTROL_QUEUE, workflowId: `pro-${model}-${version}-${Date.now()}`, args: [{ model, version, reason: 'test' }] });
  }

  async function publishOnly(model: string, version: string, files: Record<string, string>): Promise<void> {
    await publishDirectory(settings, client, { model, version, dir: dirWith(files) });
  }

  const deploy = (id: string) => client.workflow.execute(deployModels, { taskQueue: CONTROL_QUEUE, workflowId: `${id}-${Date.now()}`, args: [{ offlineTimeout: '2s' }] });

  beforeEach(async () => {
    settings = t.settings({
      fleet: [
        { host: 'sentinel1', role: 'sentinel' },
        { host: 'sentinel2', role: 'sentinel' },
        { host: 'outpost1', role: 'outpost' },
        { host: 'outpost-off', role: 'outpost' },
      ],
      deploy: { offlineTimeout: '2s' },
    });
    await t.startWorkers(settings, [{ role: 'control' }, { role: 'cloud' }]);
    client = await t.client(settings);
    await publishAndPromote('mobilenet_ssd', '2020-12-06', { 'MobileNetSSD_deploy.caffemodel': 'ssd weights' });
    await publishAndPromote('face_recognition', '2025-02-25', { 'facemodel.pickle': 'old faces' });
    await publishAndPromote('face_recognition', '2026-02-02', { 'facemodel.pickle': 'new faces' });
    await pinVersion(t.pool(), { host: 'sentinel2', model: 'face_recognition', version: '2025-02-25', actor: 't', fleetHosts: ['sentinel2'] });
    // The node workers start only now: the promotions above found every node offline (pending).
    await t.startWorkers(settings, ['sentinel1', 'sentinel2', 'outpost1'].map((host) => ({ role: 'node' as const, host, root: root(host) })));
  });

  it('deploys every node its targets, and a second deployment moves nothing', async () => {
    const id = `deploy-${Date.now()}`;
    const first = await client.workflow.execute(deployModels, { taskQueue: CONTROL_QUEUE, workflowId: id, args: [{ offlineTimeout: '2s' }] });
    expect(first.stopped).toBeUndefined();
    expect(first.nodes.map((n) => [n.host, n.status, n.bytesMoved])).toEqual([
      ['sentinel1', 'deployed', 'ssd weights'.length + 'new faces'.length],
      ['sentinel2', 'deployed', 'ssd weights'.length + 'old faces'.length],
      ['outpost1', 'deployed', 'ssd weights'.length],
      ['outpost-off', 'pending', 0],
    ]);
    expect(read('sentinel1', 'face_recognition/2026-02-02/facemodel.pickle')).toBe('new faces');
    // The pinned node keeps its version; the outpost receives only its role's model.
    expect(read('sentinel2', 'face_recognition/2025-02-25/facemodel.pickle')).toBe('old faces');
    expect(fs.readdirSync(path.join(root('outpost1'), 'models'))).toEqual(['mobilenet_ssd']);
    await recordHistory(client, id, 'deploy-models');

    const second = await deploy('deploy-again');
    expect(second.nodes.map((n) => [n.host, n.status, n.bytesMoved])).toEqual([
      ['sentinel1', 'unchanged', 0],
      ['sentinel2', 'unchanged', 0],
      ['outpost1', 'unchanged', 0],
      ['outpost-off', 'pending', 0],
    ]);
  });

  it('deploys on promotion; a failed canary stops the rollout, reverts the promotion and leaves nothing half-written', async () => {
    await deploy('deploy-base');
    const promoted = await client.workflow.execute(promoteModel, { taskQueue: CONTROL_QUEUE, workflowId: `promote-ok-${Date.now()}`, args: [{ model: 'mobilenet_ssd', version: '2020-12-06', reason: 'again' }] }).then(
      () => 'promoted',
      (err: unknown) => causeMessages(err),
    );
    expect(promoted).toMatch(/already at 2020-12-06/);

    await publishOnly('face_recognition', '2026-03-01', { 'facemodel.pickle': 'newest faces' });
    // sentinel1 cannot take it: a file stands where its face_recognition directory must go.
    fs.rmSync(path.join(root('sentinel1'), 'models', 'face_recognition'), { recursive: true });
    fs.writeFileSync(path.join(root('sentinel1'), 'models', 'face_recognition'), 'not a directory');
    const promoteId = `promote-fail-${Date.now()}`;
    const failure = await client.workflow.execute(promoteModel, { taskQueue: CONTROL_QUEUE, workflowId: promoteId, args: [{ model: 'face_recognition', version: '2026-03-01', reason: 'retrained', actor: 't' }] }).then(
      () => 'promoted',
      (err: unknown) => causeMessages(err),
    );
    expect(failure).toMatch(/The deployment of face_recognition 2026-03-01 stopped \(the canary sentinel1 failed: .*\); the promotion was reverted to 2026-02-02\./);
    const state = await t.pool().query("SELECT current_version, previous_version FROM registry_models WHERE model = 'face_recognition'");
    expect(state.rows).toEqual([{ current_version: '2026-02-02', previous_version: '2025-02-25' }]);
    const log = await t.pool().query("SELECT action, from_version, to_version, actor FROM registry_promotions WHERE model = 'face_recognition' ORDER BY id DESC LIMIT 2");
    expect(log.rows).toEqual([
      { action: 'revert', from_version: '2026-03-01', to_version: '2026-02-02', actor: 'sluice' },
      { action: 'promote', from_version: '2026-02-02', to_version: '2026-03-01', actor: 't' },
    ]);
    // The canary kept what it had; the other nodes were not touched.
    expect(fs.readFileSync(path.join(root('sentinel1'), 'models', 'face_recognition'), 'utf8')).toBe('not a directory');
    expect(fs.readdirSync(path.join(root('sentinel1'), 'models')).sort()).toEqual(['face_recognition', 'mobilenet_ssd']);
    expect(fs.readdirSync(path.join(root('sentinel2'), 'models', 'face_recognition'))).toEqual(['2025-02-25']);
    await recordHistory(client, promoteId, 'promote-model-reverted');
  });
});
