/**
 * Deployment benchmark, on the same real stack the tests use (Temporal dev server, embedded
 * Postgres), started here by the test harness's global setup; the registry's files are in the
 * local object store (storage kind "local", under the settings' state directory):
 *
 *   1. One model version of 200 MiB (two files of random bytes, 150 MiB + 50 MiB) deployed to three
 *      edge nodes (sentinels, each a node worker in this process with its own root), timed end to
 *      end as one deployModels run; against `rsync --checksum -r` of the same directory to three
 *      fresh local directories, one after the other and all three at once.
 *   2. The same again with nothing changed: deployModels (every node reports its inventory; a file
 *      unchanged since it was placed, by size, mtime, ctime and inode, is not hashed again) against
 *      rsync --checksum run again on the directories it already filled (which reads every byte).
 *
 * The model is published and promoted before the node workers start (the promotion's own
 * deployment finds them offline within deploy.offlineTimeout, 1s here, and leaves them pending),
 * so the timed run is the one that moves the bytes. The deployed files' sha256 are checked on every
 * node, and the bytes moved must be exactly 3 × 200 MiB, then 0, or the benchmark fails.
 *
 * Run with `npm run bench` (test/bench/run.sh). Each figure is from one run.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import type { Settings } from '../../infra/config/load-config';
import { deployModels, type DeployModelsResult } from '../../workflows/deploy-models';
import { promoteModel } from '../../workflows/promote-model';
import { CONTROL_QUEUE } from '../../workflows/task-queues';
import globalSetup from '../harness/global-setup';
import globalTeardown from '../harness/global-teardown';
import { publishDirectory } from '../harness/registry-fixtures';
import { testSettings } from '../harness/test-settings';
import { testStack } from '../harness/test-stack-info';
import { startTestWorkers, testClient } from '../harness/test-workers';

const MiB = 1024 * 1024;
const MODEL = 'bench_model';
const VERSION = '2026-01-15';
const FILES = { 'weights.bin': 150 * MiB, 'extra/embeddings.bin': 50 * MiB };
const MODEL_BYTES = Object.values(FILES).reduce((sum, size) => sum + size, 0);
const HOSTS = ['bench-node1', 'bench-node2', 'bench-node3'];
const RSYNC = '/usr/bin/rsync';

async function main(): Promise<void> {
  await globalSetup();
  try {
    await deployBench();
  } finally {
    await globalTeardown();
  }
}

interface Timed {
  readonly ms: number;
  readonly bytes: number;
}

async function deployBench(): Promise<void> {
  const settings = testSettings({
    config: {
      log: { level: 'error' },
      fleet: HOSTS.map((host) => ({ host, role: 'sentinel' })),
      deploy: { offlineTimeout: '1s' },
    },
  });
  const work = fs.mkdtempSync(path.join(testStack().workDir, 'deploy-bench-'));
  const source = path.join(work, 'model');
  const digests = await writeModel(source);

  const workers = await startTestWorkers(settings, [{ role: 'control' }, { role: 'cloud' }]);
  const client = await testClient(settings);
  const nodes: Awaited<ReturnType<typeof startTestWorkers>>[] = [];
  try {
    let started = performance.now();
    await publishDirectory(settings, client, { model: MODEL, version: VERSION, dir: source });
    const publishMs = performance.now() - started;
    started = performance.now();
    const promotion = await client.workflow.execute(promoteModel, { taskQueue: CONTROL_QUEUE, workflowId: `bench-promote-${Date.now()}`, args: [{ model: MODEL, version: VERSION, reason: 'bench' }] });
    const promoteMs = performance.now() - started;
    const pending = promotion.deployment?.nodes.filter((node) => node.status === 'pending').length ?? 0;
    if (pending !== HOSTS.length) throw new Error(`the promotion's deployment should have found all ${HOSTS.length} nodes offline, found ${pending}`);
    console.log(`model: ${Object.keys(FILES).length} files, ${MODEL_BYTES} bytes; publish (upload to the local object store + publishModel) ${publishMs.toFixed(0)} ms, promote ${promoteMs.toFixed(0)} ms (nodes offline then)`);

    nodes.push(await startTestWorkers(settings, HOSTS.map((host) => ({ role: 'node' as const, host, root: rootOf(settings, host) }))));

    const first = await runDeploy(client, 'bench-deploy');
    checkFirst(first.result);
    for (const host of HOSTS) await checkDeployed(rootOf(settings, host), digests, host);
    const seq = await rsyncAll(source, dirs(work, 'seq'), 'sequential');
    const par = await rsyncAll(source, dirs(work, 'par'), 'parallel');
    const fsynced = await rsyncAll(source, dirs(work, 'fsync'), 'sequential', ['--fsync']);
    for (const timed of [seq, par, fsynced]) if (timed.bytes !== HOSTS.length * MODEL_BYTES) throw new Error(`rsync copied ${timed.bytes} bytes, expected ${HOSTS.length * MODEL_BYTES}`);

    const again = await runDeploy(client, 'bench-deploy-again');
    checkAgain(again.result);
    for (const host of HOSTS) await checkDeployed(rootOf(settings, host), digests, host);
    const seqAgain = await rsyncAll(source, dirs(work, 'seq'), 'sequential');
    const parAgain = await rsyncAll(source, dirs(work, 'par'), 'parallel');
    for (const timed of [seqAgain, parAgain]) if (timed.bytes !== 0) throw new Error(`rsync re-run copied ${timed.bytes} bytes, expected 0`);

    printTable(first, again, { seq, par, fsynced, seqAgain, parAgain });
    console.log('');
    console.log('where deployModels spent its time (from the workflow histories; run = activity started → closed, queued = scheduled → started):');
    console.log('');
    await printActivities(client, [
      ['first', first.workflowId],
      ['again', again.workflowId],
    ]);
    console.log('');
    const mibps = (timed: Timed) => (timed.bytes / MiB / (timed.ms / 1000)).toFixed(1);
    console.log(
      `summary: deployModels moved ${HOSTS.length} × ${MODEL_BYTES / MiB} MiB to ${HOSTS.length} nodes in ${first.ms.toFixed(0)} ms (${mibps(first)} MiB/s), ` +
        `${ratio(first.ms, seq.ms)} the time of rsync --checksum in turn and ${ratio(first.ms, par.ms)} of rsync 3 at once; ` +
        `with nothing changed ${again.ms.toFixed(0)} ms and 0 bytes, ${ratio(again.ms, seqAgain.ms)} / ${ratio(again.ms, parAgain.ms)} of rsync's re-run; sha256 verified on every node.`,
    );
  } finally {
    for (const running of nodes) await running.shutdown();
    await workers.shutdown();
    await client.connection.close();
  }
}

const rootOf = (settings: Settings, host: string) => settings.fleet.find((entry) => entry.host === host)!.root;
/** Three destinations for rsync under one parent (rsync creates only the last level). */
function dirs(work: string, set: string): string[] {
  fs.mkdirSync(path.join(work, `rsync-${set}`), { recursive: true });
  return HOSTS.map((host) => path.join(work, `rsync-${set}`, host));
}
const ratio = (ms: number, against: number) => `${(ms / against).toFixed(2)}×`;

/** The model directory: every file random bytes, written in 8 MiB chunks; returns each file's sha256. */
async function writeModel(dir: string): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  for (const [name, size] of Object.entries(FILES)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const hash = createHash('sha256');
    await pipeline(async function* () {
      for (let written = 0; written < size; ) {
        const chunk = randomBytes(Math.min(8 * MiB, size - written));
        hash.update(chunk);
        written += chunk.length;
        yield chunk;
      }
    }, fs.createWriteStream(file));
    digests.set(name, hash.digest('hex'));
  }
  return digests;
}

async function runDeploy(client: Client, id: string): Promise<Timed & { result: DeployModelsResult; workflowId: string }> {
  const workflowId = `${id}-${Date.now()}`;
  const started = performance.now();
  // The config's 1s offline timeout was for the promotion; node workers busy hashing must not count as offline here.
  const result = await client.workflow.execute(deployModels, { taskQueue: CONTROL_QUEUE, workflowId, args: [{ offlineTimeout: '1m' }] });
  const ms = performance.now() - started;
  return { result, workflowId, ms, bytes: result.nodes.reduce((sum, node) => sum + node.bytesMoved, 0) };
}

function checkFirst(result: DeployModelsResult): void {
  const bad = result.nodes.filter((node) => node.status !== 'deployed' || node.bytesMoved !== MODEL_BYTES);
  const moved = result.nodes.reduce((sum, node) => sum + node.bytesMoved, 0);
  if (result.stopped || bad.length > 0 || result.nodes.length !== HOSTS.length || moved !== HOSTS.length * MODEL_BYTES) {
    throw new Error(`the first deployment should move ${HOSTS.length} × ${MODEL_BYTES} bytes, it moved ${moved}: ${JSON.stringify(result.nodes)}${result.stopped ? `; stopped: ${result.stopped}` : ''}`);
  }
}

function checkAgain(result: DeployModelsResult): void {
  const bad = result.nodes.filter((node) => node.status !== 'unchanged' || node.bytesMoved !== 0);
  if (result.stopped || bad.length > 0 || result.nodes.length !== HOSTS.length) throw new Error(`the second deployment should move nothing: ${JSON.stringify(result.nodes)}`);
}

/** Every file of the model, on the node, as the source has it (<root>/models/<model>/<version>/<path>). */
async function checkDeployed(root: string, digests: ReadonlyMap<string, string>, host: string): Promise<void> {
  for (const [name, sha256] of digests) {
    const file = path.join(root, 'models', MODEL, VERSION, ...name.split('/'));
    const found = await sha256Of(file);
    if (found !== sha256) throw new Error(`${host}: ${file} has sha256 ${found}, the source ${sha256}`);
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: MiB })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** rsync --checksum -r source/ to each directory, one after the other or all at once; bytes are rsync's "Literal data". */
async function rsyncAll(source: string, dests: string[], mode: 'sequential' | 'parallel', extra: string[] = []): Promise<Timed> {
  const started = performance.now();
  let bytes = 0;
  if (mode === 'sequential') for (const dest of dests) bytes += await rsync(source, dest, extra);
  else bytes = (await Promise.all(dests.map((dest) => rsync(source, dest, extra)))).reduce((sum, n) => sum + n, 0);
  return { ms: performance.now() - started, bytes };
}

function rsync(source: string, dest: string, extra: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(RSYNC, ['--checksum', '-r', '--stats', ...extra, `${source}/`, `${dest}/`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const literal = /Literal data: ([\d,]+) bytes/.exec(out);
      if (code !== 0 || !literal) reject(new Error(`rsync to ${dest} exited with ${code}: ${err || out}`));
      else resolve(Number(literal[1]!.replace(/,/g, '')));
    });
  });
}

function printTable(first: Timed, again: Timed, rsyncs: { seq: Timed; par: Timed; fsynced: Timed; seqAgain: Timed; parAgain: Timed }): void {
  const row = (what: string, timed: Timed, sluice?: Timed) =>
    `| ${what} | ${timed.ms.toFixed(0)} | ${timed.bytes} | ${timed.bytes > 0 ? (timed.bytes / MiB / (timed.ms / 1000)).toFixed(1) : '–'} | ${sluice ? ratio(sluice.ms, timed.ms) : '–'} |`;
  console.log(`${HOSTS.length} nodes × ${MODEL_BYTES / MiB} MiB (${Object.keys(FILES).length} files), everything on one disk of this machine:`);
  console.log('');
  console.log('| what | wall ms | bytes moved | MiB/s | sluice / this |');
  console.log('|---|---:|---:|---:|---:|');
  console.log(row('sluice deployModels (canary, then a batch of 2)', first));
  console.log(row('rsync --checksum -r, 3 dirs in turn', rsyncs.seq, first));
  console.log(row('rsync --checksum -r, 3 dirs at once', rsyncs.par, first));
  console.log(row('rsync --checksum -r --fsync, 3 dirs in turn (sluice fsyncs too)', rsyncs.fsynced, first));
  console.log(row('sluice deployModels again, nothing changed (digests remembered)', again));
  console.log(row('rsync --checksum -r again, in turn', rsyncs.seqAgain, again));
  console.log(row('rsync --checksum -r again, at once', rsyncs.parAgain, again));
}

/** Each activity of each run: where it ran, how long it waited for a worker and how long it ran. */
async function printActivities(client: Client, runs: [string, string][]): Promise<void> {
  console.log('| run | activity | queue | queued ms | run ms |');
  console.log('|---|---|---|---:|---:|');
  for (const [name, workflowId] of runs) {
    const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const scheduled = new Map<number, { type: string; queue: string; at: number }>();
    const startedAt = new Map<number, number>();
    let begin: number | undefined;
    let end: number | undefined;
    for (const event of events) {
      const at = tsToMs(event.eventTime);
      const id = Number(event.eventId);
      begin ??= at;
      end = at;
      const attributes = event.activityTaskScheduledEventAttributes;
      if (attributes) scheduled.set(id, { type: attributes.activityType?.name ?? '?', queue: attributes.taskQueue?.name ?? '?', at });
      if (event.activityTaskStartedEventAttributes) startedAt.set(Number(event.activityTaskStartedEventAttributes.scheduledEventId), at);
      const closed = event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes;
      if (closed) {
        const from = scheduled.get(Number(closed.scheduledEventId))!;
        const start = startedAt.get(Number(closed.scheduledEventId)) ?? from.at;
        console.log(`| ${name} | ${from.type} | ${from.queue} | ${(start - from.at).toFixed(0)} | ${(at - start).toFixed(0)} |`);
      }
    }
    console.log(`| ${name} | (whole workflow, first to last event) | | | ${((end ?? 0) - (begin ?? 0)).toFixed(0)} |`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
