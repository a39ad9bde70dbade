import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Settings } from '../../infra/config/load-config';
import { deployModels } from '../../workflows/deploy-models';
import { planDeployment } from '../../workflows/plan-deployment';
import { promoteModel } from '../../workflows/promote-model';
import { CONTROL_QUEUE } from '../../workflows/task-queues';
import { useIsolatedTest } from '../harness/isolated-test';
import { dirWith, publishDirectory } from '../harness/registry-fixtures';
import { recordHistory } from '../harness/record-history';
import { cleanEnv, runCli } from '../harness/run-cli';

/**
 * Task configs, service restarts and health checks, on three sentinels and an outpost, each with
 * its own worker and root. Restart commands log what the service would read, so the test sees
 * which configs each restart found; the health check passes while <root>/healthy exists.
 */
const FACE_TEMPLATE = `# {{ host }} ({{ role }}) at {{ vars.site }}
model: {{ models.face_recognition.path }}/facemodel.pickle
version: {{ models.face_recognition.version }}
`;
const RESTART = 'test ! -f broken || { echo "Job for detector.service failed" >&2; exit 5; }; echo "$SLUICE_SERVICE $(sed -n 3p tasks/face.yaml)" >> restarts.log';
const HEALTH = 'test -f healthy || { echo "detector not answering on :8080" >&2; exit 1; }';

describe('deployments with task configs, restarts and health checks (real Temporal, Postgres, storage; four node workers)', () => {
  const t = useIsolatedTest();
  let settings: Settings;
  let client: Client;
  const hosts = ['sentinel1', 'sentinel2', 'sentinel3', 'outpost1'];
  const root = (host: string) => settings.fleet.find((entry) => entry.host === host)!.root;
  const file = (host: string, name: string) => path.join(root(host), name);
  const read = (host: string, name: string) => fs.readFileSync(file(host, name), 'utf8');
  const restarts = (host: string) => (fs.existsSync(file(host, 'restarts.log')) ? read(host, 'restarts.log').trim().split('\n') : []);
  let sentinel2Template: string;

  const deploy = (id: string, input: Parameters<typeof deployModels>[0] = {}) =>
    client.workflow.execute(deployModels, { taskQueue: CONTROL_QUEUE, workflowId: `${id}-${Date.now()}`, args: [{ offlineTimeout: '5s', ...input }] });
  const publish = (version: string, content: string) => publishDirectory(settings, client, { model: 'face_recognition', version, dir: dirWith({ 'facemodel.pickle': content }) });
  const promote = (model: string, version: string) => client.workflow.execute(promoteModel, { taskQueue: CONTROL_QUEUE, workflowId: `promote-${model}-${version}-${Date.now()}`, args: [{ model, version, reason: 'test' }] });

  beforeEach(async () => {
    const templates = dirWith({ 'face.yaml.tmpl': FACE_TEMPLATE, 'face-sentinel2.yaml.tmpl': FACE_TEMPLATE });
    sentinel2Template = path.join(templates, 'face-sentinel2.yaml.tmpl');
    const detector = { restart: RESTART, healthCheck: HEALTH, healthTimeout: '1s', healthInterval: '200ms', models: ['face_recognition'] };
    settings = t.settings({
      fleetRoles: {
        sentinel: {
          services: { detector },
          templates: [{ source: path.join(templates, 'face.yaml.tmpl'), dest: 'tasks/face.yaml', services: ['detector'] }],
          vars: { site: 'east gate' },
        },
        outpost: { services: { camwatcher: { restart: 'echo camwatcher >> restarts.log', models: ['mobilenet_ssd'] } } },
      },
      fleet: [
        { host: 'sentinel1', role: 'sentinel' },
        { host: 'sentinel2', role: 'sentinel', templates: [{ source: sentinel2Template, dest: 'tasks/face.yaml', services: ['detector'] }] },
        { host: 'sentinel3', role: 'sentinel' },
        { host: 'outpost1', role: 'outpost' },
      ],
      deploy: { offlineTimeout: '2s', maxFailPercent: 100 },
    });
    await t.startWorkers(settings, [{ role: 'control' }, { role: 'cloud' }]);
    client = await t.client(settings);
    await publishDirectory(settings, client, { model: 'mobilenet_ssd', version: '2020-12-06', dir: dirWith({ 'MobileNetSSD_deploy.caffemodel': 'ssd weights' }) });
    await promote('mobilenet_ssd', '2020-12-06');
    await publish('2025-02-25', 'old faces');
    await promote('face_recognition', '2025-02-25');
    for (const host of hosts) {
      fs.mkdirSync(root(host), { recursive: true });
      fs.writeFileSync(file(host, 'healthy'), '');
    }
    // The node workers start only now: the promotions above found every node offline (pending).
    await t.startWorkers(settings, hosts.map((host) => ({ role: 'node' as const, host, root: root(host) })));
  });

  it('renders task configs with model paths, restarts the services that use them, and a second deployment restarts nothing', async () => {
    const [plan1] = await client.workflow.execute(planDeployment, { taskQueue: CONTROL_QUEUE, workflowId: `plan-${Date.now()}`, args: [{ hosts: ['sentinel1'] }] });
    expect(plan1).toMatchObject({ host: 'sentinel1', status: 'planned', restart: ['detector'], configs: [{ dest: 'tasks/face.yaml', status: 'create', services: ['detector'] }] });
    expect(plan1!.configs[0]!.diff).toContain(`+model: ${root('sentinel1')}/models/face_recognition/2025-02-25/facemodel.pickle\n`);
    expect(fs.existsSync(file('sentinel1', 'tasks/face.yaml'))).toBe(false);
    const cliPlan = await runCli(['--config', settings.file!, 'deploy', 'plan', '--hosts', 'sentinel1'], cleanEnv());
    expect(cliPlan.stdout).toContain(`  + config ${root('sentinel1')}/tasks/face.yaml (restarts detector)\n      --- /dev/null\n`);
    expect(cliPlan.stdout).toContain('      +version: 2025-02-25\n');
    expect(cliPlan.stdout).toMatch(/\n {2}restart: detector\n$/);

    const first = await deploy('deploy-configs');
    expect(first.stopped).toBeUndefined();
    expect(first.nodes.map((n) => [n.host, n.status, n.restarted])).toEqual([
      ['sentinel1', 'deployed', ['detector']],
      ['sentinel2', 'deployed', ['detector']],
      ['sentinel3', 'deployed', ['detector']],
      ['outpost1', 'deployed', ['camwatcher']],
    ]);
    expect(read('sentinel1', 'tasks/face.yaml')).toBe(`# sentinel1 (sentinel) at east gate\nmodel: ${root('sentinel1')}/models/face_recognition/2025-02-25/facemodel.pickle\nversion: 2025-02-25\n`);
    expect(restarts('sentinel1')).toEqual(['detector version: 2025-02-25']);
    expect(restarts('outpost1')).toEqual(['camwatcher']);
    expect(fs.existsSync(file('outpost1', 'tasks'))).toBe(false);

    const again = await deploy('deploy-configs-again');
    expect(again.nodes.map((n) => [n.host, n.status, n.bytesMoved])).toEqual(hosts.map((host) => [host, 'unchanged', 0]));
    expect(restarts('sentinel1')).toEqual(['detector version: 2025-02-25']);

    // A promotion deploys, re-renders the configs, restarts, and removes the version no target needs.
    await publish('2026-02-02', 'new faces');
    await promote('face_recognition', '2026-02-02');
    for (const host of ['sentinel1', 'sentinel2', 'sentinel3']) {
      expect(read(host, 'tasks/face.yaml')).toContain('version: 2026-02-02\n');
      expect(restarts(host)).toEqual(['detector version: 2025-02-25', 'detector version: 2026-02-02']);
      expect(fs.readdirSync(file(host, 'models/face_recognition'))).toEqual(['2026-02-02']);
      expect(fs.readdirSync(file(host, '.sluice/deployments'))).toEqual([]);
    }
    expect(restarts('outpost1')).toEqual(['camwatcher']);

    // The promotion's deployment is the latest; the fleet view shows every node up to date and online.
    const status = await runCli(['--config', settings.file!, 'deploy', 'status'], cleanEnv());
    expect(status.stdout).toMatch(/^Deployment promote-face_recognition-2026-02-02-\d+\/deploy: completed, started \S+, closed \S+\nsentinel1: DEPLOYED {2}9 B moved {2}1 files placed, 1 removed, 1 configs written, restarted detector\n/);
    expect(status.stdout).toContain('outpost1: UNCHANGED');
    const fleetView = await runCli(['--config', settings.file!, 'fleet'], cleanEnv());
    expect(fleetView.stdout).toMatch(/^sentinel1 \(sentinel\): online\n {2}face_recognition: 2026-02-02 {2}up to date\n {2}mobilenet_ssd: 2020-12-06 {2}up to date\n {2}last deployment: deployed \d+s ago \(promote-face_recognition-2026-02-02-\d+\/deploy\)\n/);
    expect(fleetView.stdout).toMatch(/^outpost1 \(outpost\): online\n {2}mobilenet_ssd: 2020-12-06 {2}up to date\n {2}last deployment: unchanged/m);
  });

  it('puts a node whose health check or restart fails back on its previous files and configs, and restarts it there', async () => {
    await deploy('deploy-base');
    const before = Object.fromEntries(hosts.map((host) => [host, fs.existsSync(file(host, 'tasks/face.yaml')) ? read(host, 'tasks/face.yaml') : undefined]));
    await publish('2026-02-02', 'new faces');
    fs.rmSync(file('sentinel2', 'healthy'));
    fs.writeFileSync(file('sentinel3', 'broken'), '');

    // The promotion deploys: the canary sentinel1 takes it, and with maxFailPercent 100 the others are tried.
    const promoted = await promote('face_recognition', '2026-02-02');
    expect(promoted.deployment?.nodes.map((n) => [n.host, n.status])).toEqual([
      ['sentinel1', 'deployed'],
      ['sentinel2', 'failed'],
      ['sentinel3', 'failed'],
      ['outpost1', 'unchanged'],
    ]);
    const promotedTo = Object.fromEntries(promoted.deployment!.nodes.map((n) => [n.host, n]));
    expect(promotedTo.sentinel2).toMatchObject({ rolledBack: true });
    expect(promotedTo.sentinel2!.detail).toMatch(/^The health check of detector on sentinel2 still failed after \d+ attempts over 1s: "test -f healthy .*" exited with code 1 \(output: detector not answering on :8080\)\. See why .* Rolled back: 1 files restored, 1 new files removed; detector restarted on the previous files\.$/);
    expect(promotedTo.sentinel3).toMatchObject({ rolledBack: true });
    expect(promotedTo.sentinel3!.detail).toMatch(/^Restarting detector on sentinel3 failed: ".*" exited with code 5 \(output: Job for detector\.service failed\)\. Fix the service, or fleet services\.detector\.restart on sentinel3\. Rolled back: 1 files restored, 1 new files removed; restarting on the previous files failed too: Restarting detector on sentinel3 failed: .*$/);

    // Deploying again: sentinel2, now the first node with changes, is the canary; it fails again and stops the rollout.
    const id = `deploy-rollback-${Date.now()}`;
    const result = await client.workflow.execute(deployModels, { taskQueue: CONTROL_QUEUE, workflowId: id, args: [{ offlineTimeout: '5s' }] });
    expect(result.stopped).toMatch(/^the canary sentinel2 failed: The health check of detector on sentinel2 /);
    expect(result.nodes.map((n) => [n.host, n.status])).toEqual([
      ['sentinel1', 'unchanged'],
      ['sentinel2', 'failed'],
      ['sentinel3', 'skipped'],
      ['outpost1', 'unchanged'],
    ]);

    // Rolling (no canary), all failures allowed: both failing nodes are tried and put back again.
    const rolling = await deploy('deploy-rolling', { strategy: 'rolling', maxFailPercent: 100 });
    expect(rolling.stopped).toBeUndefined();
    expect(rolling.nodes.map((n) => [n.host, n.status, n.rolledBack ?? false])).toEqual([
      ['sentinel1', 'unchanged', false],
      ['sentinel2', 'failed', true],
      ['sentinel3', 'failed', true],
      ['outpost1', 'unchanged', false],
    ]);

    for (const host of ['sentinel2', 'sentinel3']) {
      // Exactly as before: the old config, only the old model version, no journal or staging left.
      expect(read(host, 'tasks/face.yaml')).toBe(before[host]);
      expect(fs.readdirSync(file(host, 'models/face_recognition'))).toEqual(['2025-02-25']);
      expect(read(host, 'models/face_recognition/2025-02-25/facemodel.pickle')).toBe('old faces');
      expect(fs.readdirSync(file(host, '.sluice/deployments'))).toEqual([]);
      expect(fs.readdirSync(file(host, 'tasks'))).toEqual(['face.yaml']);
    }
    // sentinel2 was restarted on the new config, failed its check, and was restarted on the old one (each time).
    expect(restarts('sentinel2').slice(-2)).toEqual(['detector version: 2026-02-02', 'detector version: 2025-02-25']);
    // sentinel3's restart failed on the new files and again on the old ones (it stays broken): its log has the first deployment only.
    expect(restarts('sentinel3')).toEqual(['detector version: 2025-02-25']);
    expect(read('sentinel1', 'tasks/face.yaml')).toContain('version: 2026-02-02\n');

    // What each node holds and how its last deployment ended, for `sluice fleet`.
    const fleet = await t.pool().query('SELECT host, installed, last_status FROM fleet_nodes ORDER BY host');
    expect(fleet.rows.find((row) => row.host === 'sentinel2')).toMatchObject({ last_status: 'failed', installed: expect.arrayContaining([{ model: 'face_recognition', version: '2025-02-25' }]) });
    expect(fleet.rows.find((row) => row.host === 'sentinel1')).toMatchObject({ last_status: 'unchanged', installed: expect.arrayContaining([{ model: 'face_recognition', version: '2026-02-02' }]) });
    await recordHistory(client, id, 'deploy-models-rollback');
  });

  it('fails alone a node whose template names an unknown variable or whose root cannot be written, and stops the rollout under the default rule', async () => {
    fs.writeFileSync(sentinel2Template, FACE_TEMPLATE.replace('models.face_recognition.path', 'models.face_recogniton.path'));
    const plans = await client.workflow.execute(planDeployment, { taskQueue: CONTROL_QUEUE, workflowId: `plan-bad-${Date.now()}`, args: [{}] });
    const sentinel2 = plans.find((plan) => plan.host === 'sentinel2')!;
    expect(sentinel2.status).toBe('failed');
    expect(sentinel2.error).toMatch(/^face-sentinel2\.yaml\.tmpl:2:\d+: unknown variable "models\.face_recogniton\.path".*face_recognition.*mobilenet_ssd/);
    expect(plans.filter((plan) => plan.status === 'planned').map((plan) => plan.host)).toEqual(['sentinel1', 'sentinel3', 'outpost1']);

    const stopped = await deploy('deploy-bad-template', { maxFailPercent: 0 });
    expect(stopped.stopped).toBe('1 of 4 nodes could not be planned, more than the 0% allowed');
    expect(stopped.nodes.map((n) => [n.host, n.status])).toEqual([
      ['sentinel1', 'skipped'],
      ['sentinel2', 'failed'],
      ['sentinel3', 'skipped'],
      ['outpost1', 'skipped'],
    ]);
    expect(fs.existsSync(file('sentinel1', 'models'))).toBe(false);

    // outpost1's root is a file: it fails with what to fix; the rest deploy (maxFailPercent 100).
    fs.rmSync(root('outpost1'), { recursive: true });
    fs.writeFileSync(root('outpost1'), 'not a directory');
    const partial = await deploy('deploy-partial');
    const outcome = Object.fromEntries(partial.nodes.map((n) => [n.host, n]));
    expect(outcome.outpost1!.status).toBe('failed');
    expect(outcome.outpost1!.detail).toMatch(new RegExp(`^Cannot write under ${root('outpost1')}/\\.sluice/deployments/[0-9a-f-]+/staging: a path component is a file, not a directory .*--root`));
    expect(outcome.sentinel1!.status).toBe('deployed');
    expect(outcome.sentinel3!.status).toBe('deployed');
    expect(fs.readFileSync(root('outpost1'), 'utf8')).toBe('not a directory');
  });
});
