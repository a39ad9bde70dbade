import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import YAML from 'yaml';
import { deployModels } from '../../workflows/deploy-models';
import { promoteModel } from '../../workflows/promote-model';
import { CONTROL_QUEUE } from '../../workflows/task-queues';
import { useIsolatedTest } from '../harness/isolated-test';
import { dirWith, publishDirectory } from '../harness/registry-fixtures';
import { cleanEnv, startCli } from '../harness/run-cli';
import { testStack } from '../harness/test-stack-info';

const MODEL_BYTES = 32 * 1024 * 1024;
/** The killed worker reaches the object store through this, so its download is slow enough to be caught half-way (an edge link). */
const LINK_BYTES_PER_SECOND = 6 * 1024 * 1024;

/** A TCP proxy that passes requests through and answers at a limited rate. */
async function slowLink(target: URL, bytesPerSecond: number): Promise<{ url: string; close: () => void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    const started = Date.now();
    let sent = 0;
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      client.write(chunk);
      const wait = started + (sent / bytesPerSecond) * 1000 - Date.now();
      if (wait > 0) {
        upstream.pause();
        setTimeout(() => upstream.resume(), wait);
      }
    });
    upstream.on('end', () => client.end());
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe('a node worker killed mid-transfer (real Temporal, Postgres, S3 server)', () => {
  const t = useIsolatedTest();

  it('resumes the download on the next worker, from where it stopped, and finishes the deployment', async () => {
    const stack = testStack();
    const settings = t.settings({
      storage: { kind: 's3', s3: { endpoint: stack.s3.endpoint, bucket: stack.s3.bucket, region: stack.s3.region, accessKeyId: stack.s3.accessKey, secretAccessKey: stack.s3.secretKey, prefix: `resume-${Date.now()}/` } },
      fleet: [{ host: 'sentinel1', role: 'sentinel' }],
      deploy: { offlineTimeout: '1s', heartbeatTimeout: '2s' },
    });
    const root = settings.fleet[0]!.root;
    await t.startWorkers(settings, [{ role: 'control' }, { role: 'cloud' }]);
    const client = await t.client(settings);
    const weights = randomBytes(MODEL_BYTES);
    await publishDirectory(settings, client, { model: 'face_recognition', version: '2026-02-02', dir: dirWith({ 'facemodel.pickle': weights }) });
    // No node is up yet: the promotion's own deployment ends with sentinel1 pending.
    await client.workflow.execute(promoteModel, { taskQueue: CONTROL_QUEUE, workflowId: `promote-resume-${Date.now()}`, args: [{ model: 'face_recognition', version: '2026-02-02', reason: 'test' }] });

    const link = await slowLink(new URL(stack.s3.endpoint), LINK_BYTES_PER_SECOND);
    const nodeConfig = path.join(path.dirname(settings.file!), 'node.yaml');
    const raw = YAML.parse(fs.readFileSync(settings.file!, 'utf8'));
    raw.storage.s3.endpoint = link.url;
    fs.writeFileSync(nodeConfig, YAML.stringify(raw));
    const doomed = await startCli(['--config', nodeConfig, '--log-level', 'info', 'worker', '--role', 'node', '--host', 'sentinel1', '--root', root], cleanEnv(), /node sentinel1 worker polling/);
    let partAtKill = 0;
    try {
      const handle = await client.workflow.start(deployModels, { taskQueue: CONTROL_QUEUE, workflowId: `deploy-resume-${Date.now()}`, args: [{ offlineTimeout: '30s' }] });
      const deployments = path.join(root, '.sluice', 'deployments');
      const deadline = Date.now() + 30_000;
      while (partAtKill < MODEL_BYTES / 4) {
        if (Date.now() > deadline) throw new Error(`no transfer seen on the node in 30 s; its worker said:\n${doomed.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        for (const run of fs.existsSync(deployments) ? fs.readdirSync(deployments) : []) {
          const staging = path.join(deployments, run, 'staging');
          for (const name of fs.existsSync(staging) ? fs.readdirSync(staging) : []) {
            if (name.endsWith('.part')) partAtKill = fs.statSync(path.join(staging, name)).size;
          }
        }
      }
      doomed.child.kill('SIGKILL');
      await doomed.exited;
      expect(partAtKill).toBeLessThan(MODEL_BYTES);
      expect(fs.existsSync(path.join(root, 'models', 'face_recognition'))).toBe(false);

      // Another worker for the same host (here in-process, with the store at full speed) takes over.
      await t.startWorkers(settings, [{ role: 'node', host: 'sentinel1', root }]);
      const result = await handle.result();
      expect(result.nodes).toEqual([expect.objectContaining({ host: 'sentinel1', status: 'deployed' })]);
      // Only the rest crossed the network again: the bytes on disk at the kill were kept and re-hashed.
      expect(result.nodes[0]!.bytesMoved).toBeLessThanOrEqual(MODEL_BYTES - partAtKill);
      expect(result.nodes[0]!.bytesMoved).toBeGreaterThan(0);
    } finally {
      doomed.child.kill('SIGKILL');
      link.close();
    }
    const placed = fs.readFileSync(path.join(root, 'models', 'face_recognition', '2026-02-02', 'facemodel.pickle'));
    expect(createHash('sha256').update(placed).digest('hex')).toBe(createHash('sha256').update(weights).digest('hex'));
    expect(fs.readdirSync(path.join(root, '.sluice', 'deployments'))).toEqual([]);
  });
});
