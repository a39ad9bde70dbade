import fs from 'node:fs';
import { CreateBucketCommand, DeleteBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { UserError } from '../../infra/errors/user-error';
import type { RunningWorkers } from '../../workers/start-workers';
import { SLUICE_KIND } from '../../workflows/search-attributes';
import { stackCheck, type StackCheckReport } from '../../workflows/stack-check';
import { CONTROL_QUEUE } from '../../workflows/task-queues';
import { recordHistory } from '../harness/record-history';
import { testSettings } from '../harness/test-settings';
import { startTestWorkers, testClient } from '../harness/test-workers';

describe('stackCheck workflow (real Temporal, Postgres, object storage, host workers)', () => {
  let workers: RunningWorkers | undefined;
  let client: Client | undefined;

  afterEach(async () => {
    await workers?.shutdown();
    await client?.connection.close();
    workers = undefined;
    client = undefined;
  });

  async function run(settings: ReturnType<typeof testSettings>, input: Parameters<typeof stackCheck>[0], workflowId: string) {
    client = await testClient(settings);
    return client.workflow.execute(stackCheck, { taskQueue: CONTROL_QUEUE, workflowId, args: [input] });
  }

  it('writes, reads back and deletes a row and a local object, and probes every host worker', async () => {
    const settings = testSettings({
      config: { fleet: [{ host: 'sink-a', role: 'datasink' }, { host: 'edge-b', role: 'outpost' }] },
    });
    const [sink, edge] = settings.fleet;
    workers = await startTestWorkers(settings, [
      { role: 'control' },
      { role: 'cloud' },
      { role: 'datasink', host: sink!.host, root: sink!.root },
      { role: 'node', host: edge!.host, root: edge!.root },
    ]);
    const workflowId = `stack-check-local-${Date.now()}`;
    const report = await run(settings, { datasinks: ['sink-a'], nodes: ['edge-b'] }, workflowId);

    expect(report.ok).toBe(true);
    expect(report.checks.map((check) => [check.name, check.ok])).toEqual([
      ['postgres', true],
      ['object storage', true],
      ['host sink-a (sluice-datasink-sink-a)', true],
      ['host edge-b (sluice-node-edge-b)', true],
    ]);
    expect(report.hosts.map((host) => host.root).sort()).toEqual([sink!.root, edge!.root].sort());
    // Nothing is left behind: no object, no probe file.
    expect(fs.readdirSync(settings.paths.objectsDir, { recursive: true }).filter((entry) => !String(entry).startsWith('.'))).toEqual(
      expect.not.arrayContaining([expect.stringMatching(/\.txt$/)]),
    );
    expect(fs.readdirSync(sink!.root)).toEqual([]);
    const described = await client!.workflow.getHandle(workflowId).describe();
    expect(described.typedSearchAttributes.get(SLUICE_KIND)).toBe('stack-check');
    await recordHistory(client!, workflowId, 'stack-check');
  });

  it('passes against S3 object storage', async () => {
    const settings = testSettings({ storage: 's3' });
    workers = await startTestWorkers(settings, [{ role: 'control' }, { role: 'cloud' }]);
    const report = await run(settings, {}, `stack-check-s3-${Date.now()}`);
    expect(report.checks.find((check) => check.name === 'object storage')).toMatchObject({ ok: true });
  });

  it('refuses to start a cloud worker whose bucket does not exist', async () => {
    const settings = testSettings({ storage: 's3' });
    const broken = { ...settings, storage: { ...settings.storage, s3: { ...settings.storage.s3!, bucket: 'no-such-bucket-here' } } };
    const err = await startTestWorkers(broken, [{ role: 'cloud' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toContain('no-such-bucket-here');
    expect((err as UserError).hint).toContain('storage.s3.bucket');
  });

  it('fails with a report naming the broken part when the bucket goes away while running', async () => {
    const settings = testSettings({ storage: 's3' });
    const bucket = `vanishing-${Date.now().toString(36)}`;
    const s3 = new S3Client({
      endpoint: settings.storage.s3!.endpoint,
      region: settings.storage.s3!.region,
      forcePathStyle: true,
      credentials: { accessKeyId: settings.storage.s3!.accessKeyId!, secretAccessKey: settings.storage.s3!.secretAccessKey! },
    });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const vanishing = { ...settings, storage: { ...settings.storage, s3: { ...settings.storage.s3!, bucket, prefix: '' } } };
    workers = await startTestWorkers(vanishing, [{ role: 'control' }, { role: 'cloud' }]);
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    s3.destroy();

    const workflowId = `stack-check-broken-${Date.now()}`;
    const failure = await run(vanishing, {}, workflowId).catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause as { type?: string; details?: unknown[] };
    expect(cause.type).toBe('StackCheckFailed');
    const report = cause.details?.[0] as StackCheckReport;
    expect(report.ok).toBe(false);
    expect(report.checks.find((check) => check.name === 'postgres')).toMatchObject({ ok: true });
    const storage = report.checks.find((check) => check.name === 'object storage');
    expect(storage?.ok).toBe(false);
    expect(storage?.detail).toContain(bucket);
    expect(storage?.detail).toContain('storage.s3.bucket');
    // A missing bucket is a UserError: final at the first attempt, not retried.
    const history = await client!.workflow.getHandle(workflowId).fetchHistory();
    const attempts = history.events!.flatMap((event) => (event.activityTaskStartedEventAttributes ? [event.activityTaskStartedEventAttributes.attempt] : []));
    expect(attempts.length).toBeGreaterThan(0);
    expect(new Set(attempts)).toEqual(new Set([1]));
    await recordHistory(client!, workflowId, 'stack-check-failed');
  });
});
