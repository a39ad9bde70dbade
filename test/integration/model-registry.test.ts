import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { importRegistry, exportRegistry } from '../../activities/registry/registry-import';
import { ObjectRegistryFiles } from '../../activities/registry/object-registry-files';
import { removeVersion } from '../../activities/registry/registry-cleanup';
import { pinVersion } from '../../activities/registry/registry-overrides';
import { formatRegistryYaml, parseRegistryYaml } from '../../activities/registry/registry-yaml';
import { LocalObjectStore } from '../../activities/storage/local-object-store';
import type { ObjectStore } from '../../activities/storage/object-store';
import type { Settings } from '../../infra/config/load-config';
import { promoteModel, rollbackModel } from '../../workflows/promote-model';
import { publishModel } from '../../workflows/publish-model';
import { registryCleanup } from '../../workflows/registry-cleanup';
import { CONTROL_QUEUE } from '../../workflows/task-queues';
import { recordHistory } from '../harness/record-history';
import { testStack } from '../harness/test-stack-info';
import { causeMessages } from '../harness/failure-messages';
import { useIsolatedTest } from '../harness/isolated-test';
import { dirWith, publishDirectory } from '../harness/registry-fixtures';

const run = promisify(execFile);

/** A model directory as SentinelCam's face_recognition holds it, with contents unique to `seed`. */
function modelDir(seed: string): string {
  return dirWith({ 'facemodel.pickle': `pickle ${seed}`, 'baselines.hdf5': Buffer.alloc(70_000, seed.charCodeAt(0)), 'extra/notes.txt': `trained ${seed}` });
}

describe('model registry: publish, promote, rollback (real Temporal, Postgres, object storage)', () => {
  const t = useIsolatedTest();
  let settings: Settings;
  let client: Client;
  let pool: Pool;

  beforeEach(async () => {
    settings = t.settings({ fleet: [{ host: 'sentinel1', role: 'sentinel' }, { host: 'outpost1', role: 'outpost' }], registry: { keepRecent: 2 }, deploy: { offlineTimeout: '1s' } });
    pool = t.pool();
    await t.startWorkers(settings, [{ role: 'control' }, { role: 'cloud' }]);
    client = await t.client(settings);
  });

  /** The workflow ids of the last publish and promotion, for recording histories. */
  let lastPublishId = '';
  let lastPromoteId = '';

  async function publish(model: string, version: string, dir: string, createModel = true) {
    const { workflowId, result } = await publishDirectory(settings, client, { model, version, dir, createModel, actor: 'tester@test' });
    lastPublishId = workflowId;
    return result;
  }

  const promote = (model: string, version: string, extra: { expectedRevision?: number } = {}) => {
    lastPromoteId = `promote-${model}-${version}-${Math.random()}`;
    return client.workflow.execute(promoteModel, { taskQueue: CONTROL_QUEUE, workflowId: lastPromoteId, args: [{ model, version, reason: `test promotes ${version}`, actor: 'tester@test', ...extra }] });
  };

  const state = async (model: string) => (await pool.query('SELECT current_version, previous_version, revision FROM registry_models WHERE model = $1', [model])).rows[0];
  const log = async (model: string) => (await pool.query('SELECT action, from_version, to_version, actor, reason FROM registry_promotions WHERE model = $1 ORDER BY id', [model])).rows;

  it('publishes verified versions, promotes, rolls back to previous and to a named version, logging each change', async () => {
    const first = await publish('face_recognition', '2025-02-25', modelDir('a'));
    expect(first).toEqual({ model: 'face_recognition', version: '2025-02-25', files: 3, bytes: 'pickle a'.length + 70_000 + 'trained a'.length });
    await publish('face_recognition', '2025-11-20', modelDir('b'));
    await publish('face_recognition', '2026-02-02', modelDir('c'));
    await recordHistory(client, lastPublishId, 'publish-model');
    // The files and a manifest are under model_registry/<model>/<version>/; the upload area is gone.
    const versionDir = path.join(settings.paths.objectsDir, 'model_registry/face_recognition/2026-02-02');
    expect(fs.readdirSync(versionDir).sort()).toEqual(['baselines.hdf5', 'extra', 'facemodel.pickle', 'manifest.json']);
    const manifest = JSON.parse(fs.readFileSync(path.join(versionDir, 'manifest.json'), 'utf8'));
    expect(manifest.files.map((f: { path: string }) => f.path)).toEqual(['baselines.hdf5', 'extra/notes.txt', 'facemodel.pickle']);
    const staging = path.join(settings.paths.objectsDir, 'model_registry/_staging');
    expect(fs.existsSync(staging) ? fs.readdirSync(staging, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()) : []).toEqual([]);

    await promote('face_recognition', '2025-02-25');
    const second = await promote('face_recognition', '2026-02-02');
    expect(second).toMatchObject({ action: 'promote', from: '2025-02-25', to: '2026-02-02', actor: 'tester@test' });
    await recordHistory(client, lastPromoteId, 'promote-model');
    expect(await state('face_recognition')).toMatchObject({ current_version: '2026-02-02', previous_version: '2025-02-25' });

    const back = await client.workflow.execute(rollbackModel, { taskQueue: CONTROL_QUEUE, workflowId: `rollback-${Date.now()}`, args: [{ model: 'face_recognition', to: 'previous', actor: 'tester@test' }] });
    expect(back).toMatchObject({ action: 'rollback', from: '2026-02-02', to: '2025-02-25' });
    expect(await state('face_recognition')).toMatchObject({ current_version: '2025-02-25', previous_version: '2026-02-02' });

    const namedId = `rollback-named-${Date.now()}`;
    await client.workflow.execute(rollbackModel, { taskQueue: CONTROL_QUEUE, workflowId: namedId, args: [{ model: 'face_recognition', to: '2025-11-20', reason: 'the 2025-02-25 model misses faces', actor: 'tester@test' }] });
    expect(await state('face_recognition')).toMatchObject({ current_version: '2025-11-20', previous_version: '2025-02-25' });

    expect(await log('face_recognition')).toEqual([
      { action: 'promote', from_version: null, to_version: '2025-02-25', actor: 'tester@test', reason: 'test promotes 2025-02-25' },
      { action: 'promote', from_version: '2025-02-25', to_version: '2026-02-02', actor: 'tester@test', reason: 'test promotes 2026-02-02' },
      { action: 'rollback', from_version: '2026-02-02', to_version: '2025-02-25', actor: 'tester@test', reason: 'rollback to previous' },
      { action: 'rollback', from_version: '2025-02-25', to_version: '2025-11-20', actor: 'tester@test', reason: 'the 2025-02-25 model misses faces' },
    ]);
    // The log is append-only.
    await expect(pool.query("UPDATE registry_promotions SET reason = 'rewritten'")).rejects.toThrow(/append-only/);
    await expect(pool.query('DELETE FROM registry_promotions')).rejects.toThrow(/append-only/);
    await recordHistory(client, namedId, 'rollback-model');
  });

  it('rolls back through the real temporal CLI', async () => {
    await publish('mobilenet_ssd', '2020-12-06', modelDir('m'));
    await publish('mobilenet_ssd', '2025-06-01', modelDir('n'));
    await promote('mobilenet_ssd', '2020-12-06');
    await promote('mobilenet_ssd', '2025-06-01');
    const { stdout } = await run(testStack().temporalCliPath, [
      'workflow', 'execute', '--type', 'rollbackModel', '--task-queue', 'sluice', '--workflow-id', `cli-rollback-${Date.now()}`,
      '--input', '{"model":"mobilenet_ssd","to":"previous"}',
      '--address', settings.temporal.address, '--namespace', settings.temporal.namespace, '--output', 'json',
    ]);
    expect(JSON.parse(stdout).status).toBe('COMPLETED');
    expect(await state('mobilenet_ssd')).toMatchObject({ current_version: '2020-12-06', previous_version: '2025-06-01' });
    expect((await log('mobilenet_ssd')).at(-1)).toMatchObject({ action: 'rollback', actor: 'unnamed (started without an actor)' });
  });

  it('lets exactly one of two concurrent promotions of a model win; the other changes nothing', async () => {
    for (const [version, seed] of [['2026-01-01', 'x'], ['2026-01-02', 'y'], ['2026-01-03', 'z']] as const) await publish('face_detection', version, modelDir(seed));
    await promote('face_detection', '2026-01-01');
    const { revision } = await state('face_detection');
    // Both read the same revision, as two operators promoting at the same moment would.
    const outcomes = await Promise.allSettled([promote('face_detection', '2026-01-02', { expectedRevision: revision }), promote('face_detection', '2026-01-03', { expectedRevision: revision })]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(WorkflowFailedError);
    expect(causeMessages(lost[0]!.reason)).toMatch(/face_detection was changed by another promotion while this one ran .*nothing was changed by this one/);
    const winner = (won[0] as PromiseFulfilledResult<{ to: string }>).value.to;
    expect(await state('face_detection')).toMatchObject({ current_version: winner, previous_version: '2026-01-01', revision: revision + 1 });
    expect((await log('face_detection')).map((row) => row.to_version)).toEqual(['2026-01-01', winner]);
  });

  it('refuses bad requests with a clear error and leaves the registry unchanged', async () => {
    await publish('haarcascades', '2020-03-25', modelDir('h'));
    await promote('haarcascades', '2020-03-25');
    const before = { state: await state('haarcascades'), log: await log('haarcascades') };

    const failure = async (promise: Promise<unknown>) => causeMessages(await promise.then(() => undefined, (err: unknown) => err));
    expect(await failure(promote('no_such_model', '2020-03-25'))).toMatch(/Unknown model "no_such_model".*Known models: haarcascades/);
    expect(await failure(promote('haarcascades', '2021-01-01'))).toMatch(/haarcascades has no version 2021-01-01.*Published versions: 2020-03-25/);
    expect(await failure(promote('haarcascades', '2025-02-30'))).toMatch(/Invalid version "2025-02-30"/);
    expect(await failure(publish('haarcascades', '2020-03-25', modelDir('again')))).toMatch(/already has a version 2020-03-25; published versions never change/);
    expect(await failure(publish('brand_new', '2026-01-01', modelDir('n'), false))).toMatch(/Unknown model "brand_new".*--create/);
    // A file list naming a path outside the version is refused before anything is copied.
    const evil = client.workflow.execute(publishModel, {
      taskQueue: CONTROL_QUEUE,
      workflowId: `publish-evil-${Date.now()}`,
      args: [{ model: 'haarcascades', version: '2026-01-01', uploadId: 'none', files: [{ path: '../../etc/passwd', size: 1, sha256: 'a'.repeat(64) }], actor: 'x' }],
    });
    expect(await failure(evil)).toMatch(/File name "\.\.\/\.\.\/etc\/passwd" cannot be stored/);
    expect(await failure(client.workflow.execute(rollbackModel, { taskQueue: CONTROL_QUEUE, workflowId: `rb-${Date.now()}`, args: [{ model: 'haarcascades', to: 'previous' }] }))).toMatch(/no previous version to roll back to/);

    // A stored file changed after publishing: promotion is refused.
    await publish('haarcascades', '2026-01-01', modelDir('i'));
    const stored = path.join(settings.paths.objectsDir, 'model_registry/haarcascades/2026-01-01/facemodel.pickle');
    fs.writeFileSync(stored, 'PICKLE I');
    expect(await failure(promote('haarcascades', '2026-01-01'))).toMatch(/haarcascades 2026-01-01 does not match its manifest: facemodel\.pickle has sha256 [0-9a-f]{12}…, not [0-9a-f]{12}…/);
    fs.writeFileSync(stored, 'a longer, tampered file');
    expect(await failure(promote('haarcascades', '2026-01-01'))).toMatch(/facemodel\.pickle is 23 bytes, not 8/);
    fs.rmSync(path.join(settings.paths.objectsDir, 'model_registry/haarcascades/2026-01-01/baselines.hdf5'));
    expect(await failure(promote('haarcascades', '2026-01-01'))).toMatch(/baselines\.hdf5 is missing/);

    await expect(pinVersion(pool, { host: 'nosuchhost', model: 'haarcascades', version: '2020-03-25', actor: 'x', fleetHosts: settings.fleet.map((h) => h.host) })).rejects.toThrow(
      /Host nosuchhost is not in the fleet inventory/,
    );
    await expect(pinVersion(pool, { host: 'sentinel1', model: 'haarcascades', version: '2019-01-01', actor: 'x', fleetHosts: ['sentinel1'] })).rejects.toThrow(/has no version 2019-01-01/);
    expect({ state: await state('haarcascades'), log: await log('haarcascades') }).toEqual(before);
    expect((await pool.query('SELECT count(*)::int AS n FROM registry_overrides')).rows[0].n).toBe(0);
  });

  it('imports a model_registry.yaml whose versions are published, and exports it back unchanged in meaning', async () => {
    const text = fs.readFileSync(path.join(__dirname, '../fixtures/registry/model_registry.yaml'), 'utf8');
    const document = parseRegistryYaml(text);
    await expect(importRegistry(pool, document, 'tester', 'import-test')).rejects.toThrow(/names versions the registry does not hold: mobilenet_ssd 2020-12-06, .*face_recognition 2025-02-25/);
    expect((await pool.query('SELECT count(*)::int AS n FROM registry_models')).rows[0].n).toBe(0);

    for (const entry of document.models) {
      for (const version of [entry.current, entry.previous]) if (version) await publish(entry.model, version, modelDir(`${entry.model}${version}`));
    }
    const result = await importRegistry(pool, document, 'tester', 'import-test');
    expect(result.changed.sort()).toEqual(['face_detection_blazeface', 'face_recognition', 'mobilenet_ssd', 'mobilenet_ssd_edgetpu']);
    const exported = await exportRegistry(pool);
    const byName = (d: typeof document) => [...d.models].sort((a, b) => a.model.localeCompare(b.model));
    expect(byName(exported)).toEqual(byName(document));
    expect(exported.coralPackages).toEqual(document.coralPackages);
    expect(parseRegistryYaml(formatRegistryYaml(exported))).toEqual(exported);
    expect((await log('face_recognition')).at(-1)).toMatchObject({ action: 'import', to_version: '2026-02-02', actor: 'tester' });
    // Importing the same file again changes nothing.
    expect(await importRegistry(pool, document, 'tester', 'import-test-2')).toMatchObject({ changed: [], created: [] });
  });

  it('cleans up exactly the versions nothing keeps: not current, previous, pinned or among the newest', async () => {
    const versions = Array.from({ length: 9 }, (_, i) => `2025-01-0${i + 1}`);
    for (const version of versions) await publish('mobilenet_ssd', version, modelDir(version.slice(-1)));
    await promote('mobilenet_ssd', '2025-01-03');
    await promote('mobilenet_ssd', '2025-01-08');
    await pinVersion(pool, { host: 'sentinel1', model: 'mobilenet_ssd', version: '2025-01-01', actor: 'x', fleetHosts: ['sentinel1'] });

    const planId = `cleanup-plan-${Date.now()}`;
    const planned = await client.workflow.execute(registryCleanup, { taskQueue: CONTROL_QUEUE, workflowId: planId, args: [{ dryRun: true }] });
    const mobilenet = planned.plan.models.find((m) => m.model === 'mobilenet_ssd')!;
    expect(mobilenet.keep).toEqual([
      { version: '2025-01-09', reasons: ['recent'] },
      { version: '2025-01-08', reasons: ['current', 'recent'] },
      { version: '2025-01-03', reasons: ['previous'] },
      { version: '2025-01-01', reasons: ['pinned'] },
    ]);
    expect(mobilenet.remove.map((v) => v.version)).toEqual(['2025-01-07', '2025-01-06', '2025-01-05', '2025-01-04', '2025-01-02']);
    expect(planned.removed).toEqual([]);
    expect(fs.existsSync(path.join(settings.paths.objectsDir, 'model_registry/mobilenet_ssd/2025-01-07'))).toBe(true);

    const id = `cleanup-${Date.now()}`;
    const result = await client.workflow.execute(registryCleanup, { taskQueue: CONTROL_QUEUE, workflowId: id, args: [{}] });
    expect(result.removed.map((v) => v.version)).toEqual(['2025-01-07', '2025-01-06', '2025-01-05', '2025-01-04', '2025-01-02']);
    expect(result.bytesFreed).toBe(5 * ('pickle x'.length + 70_000 + 'trained x'.length));
    expect(result.failed).toEqual([]);
    const left = await pool.query("SELECT version FROM registry_versions WHERE model = 'mobilenet_ssd' ORDER BY version");
    expect(left.rows.map((row) => row.version)).toEqual(['2025-01-01', '2025-01-03', '2025-01-08', '2025-01-09']);
    expect(fs.readdirSync(path.join(settings.paths.objectsDir, 'model_registry/mobilenet_ssd')).sort()).toEqual(['2025-01-01', '2025-01-03', '2025-01-08', '2025-01-09']);
    await recordHistory(client, id, 'registry-cleanup');
  });

  it('keeps a version whose files fail to delete listed, unpromotable, and removes it on the next run', async () => {
    for (const version of ['2024-01-01', '2024-03-01', '2024-04-01']) await publish('openface_torch', version, modelDir(version.slice(5, 6)));
    await promote('openface_torch', '2024-04-01');
    const local = new LocalObjectStore(settings.paths.objectsDir);
    const failing: ObjectStore = Object.assign(Object.create(local) as ObjectStore, {
      deleteMany: async (keys: string[]) => {
        const result = await local.deleteMany(keys.filter((key) => !key.endsWith('baselines.hdf5')));
        return { ...result, failed: keys.filter((key) => key.endsWith('baselines.hdf5')).map((key) => ({ key, error: 'simulated: permission denied' })) };
      },
    });
    try {
      const first = await removeVersion({ pool, files: new ObjectRegistryFiles(failing, settings.registry.prefix) }, 'openface_torch', '2024-01-01');
      expect(first).toMatchObject({ removed: false, failed: [{ key: 'model_registry/openface_torch/2024-01-01/baselines.hdf5', error: 'simulated: permission denied' }] });
      const row = await pool.query("SELECT state FROM registry_versions WHERE model = 'openface_torch' AND version = '2024-01-01'");
      expect(row.rows).toEqual([{ state: 'deleting' }]);
      // Half-deleted, it can no longer be promoted.
      const refused = await promote('openface_torch', '2024-01-01').then(() => 'promoted', (err: unknown) => causeMessages(err));
      expect(refused).toMatch(/openface_torch has no version 2024-01-01/);
      // The current version is never removed, whatever a caller asks.
      expect(await removeVersion({ pool, files: new ObjectRegistryFiles(local, settings.registry.prefix) }, 'openface_torch', '2024-04-01')).toMatchObject({ removed: false, failed: [] });
    } finally {
      local.close();
    }
    const next = await client.workflow.execute(registryCleanup, { taskQueue: CONTROL_QUEUE, workflowId: `cleanup-retry-${Date.now()}`, args: [{}] });
    expect(next.plan.models.find((m) => m.model === 'openface_torch')!.remove.map((v) => v.version)).toEqual(['2024-01-01']);
    expect(next.removed).toEqual([{ model: 'openface_torch', version: '2024-01-01' }]);
    expect(fs.existsSync(path.join(settings.paths.objectsDir, 'model_registry/openface_torch/2024-01-01'))).toBe(false);
  });
});
