import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { pinVersion } from '../../activities/registry/registry-overrides';
import type { Settings } from '../../infra/config/load-config';
import { planDeployment } from '../../workflows/plan-deployment';
import { promoteModel } from '../../workflows/promote-model';
import { CONTROL_QUEUE } from '../../workflows/task-queues';
import { causeMessages } from '../harness/failure-messages';
import { useIsolatedTest } from '../harness/isolated-test';
import { dirWith, publishDirectory } from '../harness/registry-fixtures';
import { cleanEnv, runCli } from '../harness/run-cli';

describe('deployment plan (real Temporal, Postgres, storage, three node workers and one offline)', () => {
  const t = useIsolatedTest();
  let settings: Settings;
  let client: Client;

  async function publishAndPromote(model: string, version: string, files: Record<string, string>, promote = true): Promise<void> {
    await publishDirectory(settings, client, { model, version, dir: dirWith(files) });
    if (promote) await client.workflow.execute(promoteModel, { taskQueue: CONTROL_QUEUE, workflowId: `pro-${model}-${version}-${Date.now()}`, args: [{ model, version, reason: 'test' }] });
  }

  it('plans per node from pins, role lists and accelerators, against what each node reports holding', async () => {
    settings = t.settings({
      fleet: [
        { host: 'sentinel1', role: 'sentinel', accelerator: 'coral' },
        { host: 'sentinel2', role: 'sentinel' },
        { host: 'outpost1', role: 'outpost' },
        { host: 'outpost-off', role: 'outpost' },
        { host: 'data1', role: 'datasink' },
      ],
      deploy: { offlineTimeout: '2s' },
    });
    const root = (host: string) => settings.fleet.find((entry) => entry.host === host)!.root;
    await t.startWorkers(settings, [{ role: 'control' }, { role: 'cloud' }]);
    client = await t.client(settings);

    await publishAndPromote('mobilenet_ssd', '2020-12-06', { 'MobileNetSSD_deploy.prototxt': 'proto', 'MobileNetSSD_deploy.caffemodel': 'weights' });
    await publishAndPromote('face_recognition', '2025-02-25', { 'facemodel.pickle': 'old model' });
    await publishAndPromote('face_recognition', '2026-02-02', { 'facemodel.pickle': 'new model' });
    await publishAndPromote('coral_packages', '2025-12-19', { 'pycoral-2.0.3-cp311-cp311-linux_aarch64.whl': 'wheel' });
    await pinVersion(t.pool(), { host: 'sentinel2', model: 'face_recognition', version: '2025-02-25', actor: 't', fleetHosts: ['sentinel2'] });
    // The node workers start only now: the promotions' own deployments found the nodes offline.
    await t.startWorkers(settings, ['sentinel1', 'sentinel2', 'outpost1'].map((host) => ({ role: 'node' as const, host, root: root(host) })));

    // sentinel1 already holds mobilenet (one file stale), and a face_recognition version nothing needs any more.
    const mobilenet = path.join(root('sentinel1'), 'models', 'mobilenet_ssd', '2020-12-06');
    fs.mkdirSync(mobilenet, { recursive: true });
    fs.writeFileSync(path.join(mobilenet, 'MobileNetSSD_deploy.prototxt'), 'proto');
    fs.writeFileSync(path.join(mobilenet, 'MobileNetSSD_deploy.caffemodel'), 'stale weights');
    const old = path.join(root('sentinel1'), 'models', 'face_recognition', '2025-02-25');
    fs.mkdirSync(old, { recursive: true });
    fs.writeFileSync(path.join(old, 'facemodel.pickle'), 'old model');
    fs.writeFileSync(path.join(old, '.facemodel.pickle.1234.part'), 'interrupted');

    const plans = await client.workflow.execute(planDeployment, { taskQueue: CONTROL_QUEUE, workflowId: `plan-${Date.now()}`, args: [{ offlineTimeout: '2s' }] });
    const byHost = Object.fromEntries(plans.map((plan) => [plan.host, plan]));
    expect(Object.keys(byHost).sort()).toEqual(['outpost-off', 'outpost1', 'sentinel1', 'sentinel2']);

    expect(byHost.sentinel1).toMatchObject({
      status: 'planned',
      targets: [
        { model: 'coral_packages', version: '2025-12-19', pinned: false },
        { model: 'face_recognition', version: '2026-02-02', pinned: false },
        { model: 'mobilenet_ssd', version: '2020-12-06', pinned: false },
      ],
      add: [
        { model: 'coral_packages', version: '2025-12-19', path: 'pycoral-2.0.3-cp311-cp311-linux_aarch64.whl', size: 5 },
        { model: 'face_recognition', version: '2026-02-02', path: 'facemodel.pickle', size: 9 },
      ],
      change: [{ model: 'mobilenet_ssd', version: '2020-12-06', path: 'MobileNetSSD_deploy.caffemodel', size: 7 }],
      remove: [{ model: 'face_recognition', version: '2025-02-25', path: 'facemodel.pickle' }],
      unchanged: 1,
      bytes: 5 + 9 + 7,
    });
    // Pinned to the old face model; no Coral, so no packages.
    expect(byHost.sentinel2!.targets).toEqual([
      { model: 'face_recognition', version: '2025-02-25', pinned: true },
      { model: 'mobilenet_ssd', version: '2020-12-06', pinned: false },
    ]);
    // Outposts receive only their role's models.
    expect(byHost.outpost1).toMatchObject({ targets: [{ model: 'mobilenet_ssd', version: '2020-12-06', pinned: false }], remove: [] });
    expect(byHost['outpost-off']).toMatchObject({ status: 'pending', add: [] });

    // Narrowed like --limit and tags; unknown names are refused.
    const narrow = await client.workflow.execute(planDeployment, { taskQueue: CONTROL_QUEUE, workflowId: `plan-narrow-${Date.now()}`, args: [{ hosts: ['sentinel1'], models: ['mobilenet_ssd'] }] });
    expect(narrow).toEqual([expect.objectContaining({ host: 'sentinel1', add: [], change: [expect.objectContaining({ path: 'MobileNetSSD_deploy.caffemodel' })], remove: [] })]);
    const unknownHost = await client.workflow.execute(planDeployment, { taskQueue: CONTROL_QUEUE, workflowId: `plan-bad-${Date.now()}`, args: [{ hosts: ['ghost'] }] }).then(() => 'planned', causeMessages);
    expect(unknownHost).toMatch(/Host ghost is not in the fleet inventory/);

    // Nothing was changed on any node by planning.
    expect(fs.readFileSync(path.join(mobilenet, 'MobileNetSSD_deploy.caffemodel'), 'utf8')).toBe('stale weights');
    expect(fs.existsSync(path.join(root('sentinel2'), 'models'))).toBe(false);

    const cli = await runCli(['--config', settings.file!, 'deploy', 'plan', '--hosts', 'sentinel1,sentinel2'], cleanEnv());
    expect(cli.stdout).toMatch(/^sentinel1: 2 to add, 1 to change, 1 to remove, 1 unchanged; 21 B to move; targets: coral_packages 2025-12-19, face_recognition 2026-02-02, mobilenet_ssd 2020-12-06\n/);
    expect(cli.stdout).toMatch(/^ {2}- face_recognition\/2025-02-25\/facemodel\.pickle$/m);
    expect(cli.stdout).toMatch(/^sentinel2: 3 to add, 0 to change, 0 to remove, 0 unchanged; .*face_recognition 2025-02-25 \(pinned\)/m);

    // And run: the canary, then the rest; then the plan shows nothing left to do.
    const run = await runCli(['--config', settings.file!, 'deploy', 'run', '--hosts', 'sentinel1,outpost1'], cleanEnv());
    expect(run.stdout).toMatch(/^sentinel1: DEPLOYED {2}21 B moved {2}3 files placed, 1 removed, 0 configs written\noutpost1: DEPLOYED /);
    expect(run.code).toBe(0);
    // Per-node progress on stderr while it ran (a plain line, as stderr is not a terminal here).
    expect(run.stderr).toMatch(/^deploying \(workflow deploy-\S+; sluice deploy status or the Web UI follow it too\)…\n(planning|rolling out|done)/);
    const after = await client.workflow.execute(planDeployment, { taskQueue: CONTROL_QUEUE, workflowId: `plan-after-${Date.now()}`, args: [{ hosts: ['sentinel1', 'outpost1'] }] });
    expect(after.map((plan) => [plan.host, plan.add.length + plan.change.length + plan.remove.length, plan.bytes])).toEqual([
      ['sentinel1', 0, 0],
      ['outpost1', 0, 0],
    ]);
  });
});
