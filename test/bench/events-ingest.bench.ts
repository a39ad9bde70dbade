/**
 * Event ingest, against the fastest real alternatives on this machine, in the same run:
 * 1. Batch ingest: 200,000 events POSTed to the event API in batches of 1,000 (checked, idempotent,
 *    jobs and subjobs derived, rollup hours marked) against `psql \copy` of the same rows from CSV
 *    straight into the events table (no checks, no derived state): rows/s and the ratio, after
 *    10,000 untimed on each side, and the CPU time per row of each side's processes. Beside it, a
 *    psql script storing the same results in two sessions (sql-same-work.ts), checked to agree
 *    with the API: what that stored work alone costs, without the API's checks. Then again with
 *    3M events of history in 89 earlier daily partitions on the API's and \copy's sides, since an
 *    ingest's indexes and key lookup grow with them.
 * 2. Single events: POST /v1/event on loopback from 64 and then 256 connections, each event with a
 *    new key, against a bare Fastify route that parses the same JSON and answers 201: requests/s
 *    and the ratio at each level, and the CPU time per request of each server (and of the API's
 *    Postgres backends). Then again from 64 on top of the same history.
 * In both, the two sides take turns, a share of the work each time: this machine's speed drifts
 * by half within minutes, and one long run of each compared the machine's moods more than the
 * servers.
 * Postgres is the test harness's (embedded); each side gets its own fresh database. Servers run in
 * their own processes so the load generator does not share their thread.
 *
 *   node <build>/test/bench/events-ingest.bench.js
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { Pool } from 'pg';
import { addDays, dayOf, ensureDayPartitions } from '../../activities/events/day-partitions';
import { buildEventsApi } from '../../clients/events-api/events-api';
import { eventsSchema } from '../../infra/config/events-schema';
import { createPool } from '../../infra/db/pool';
import { createLogger } from '../../infra/log/logger';
import globalSetup from '../harness/global-setup';
import globalTeardown from '../harness/global-teardown';
import { isolatedDatabaseUrl } from '../harness/isolated-database';
import { testStack } from '../harness/test-stack-info';
import { backendPids, cpuDuring } from './process-cpu';
import { SAME_WORK, STAGING_TABLE } from './sql-same-work';

const BATCH_EVENTS = 200_000;
const BATCH_SIZE = 1000;
/** Turns each side takes at the batch ingest (see batchIngest). */
const BATCH_ROUNDS = 4;
/**
 * Posted and copied untimed before the turns, as the single events warm up too: the first turn
 * otherwise timed the API's compiling its code as well, and took 10-15 % longer than the later ones.
 */
const WARM_EVENTS = 10_000;
const SINGLE_ROUNDS = 3;
const SINGLE_ROUND_SECONDS = 5;
/**
 * Concurrent clients for the single-event POSTs. The API stores the events that arrive while a
 * transaction is in flight together in the next one, so its rate grows with the clients, and the
 * bare route's does not: both levels are reported.
 */
const CONNECTION_LEVELS = [64, 256];
/** The batch ingest runs again on top of this much history (about a 90-day retention of a small site). */
const HISTORY_DAYS = 89;
const HISTORY_EVENTS = 3_000_000;
const config = eventsSchema.parse({ site: 'site-1' });

function eventBody(i: number, run: string) {
  const at = new Date(Date.now() - 3_600_000 + (i % 3_600_000)).toISOString();
  return {
    idempotency_key: `${run}-${i}`,
    site_id: 'site-1',
    app: { app_id: `app-${i % 5}`, name: 'bench', version: '1.0.0' },
    entity: i % 4 === 0 ? { type: 'subjob', id: `s-${i}`, parent_id: `job-${i >> 4}` } : { type: 'job', id: `job-${i >> 4}` },
    event: { kind: 'progress', at, status: 'running', metrics: { duration_s: i % 97 }, metadata: { host: 'edge-1' } },
  };
}

async function main(): Promise<void> {
  const [mode, arg] = process.argv.slice(2);
  if (mode === 'serve-sluice') {
    // As the API's own server makes it (serve-events-api.ts): a pool whose lost idle connections are logged, not fatal.
    const log = createLogger({ level: 'error', pretty: false });
    return serve(buildEventsApi({ pool: createPool(arg!, 5, log), config, log }));
  }
  if (mode === 'serve-bare') {
    const bare = Fastify();
    bare.post('/v1/event', async (request, reply) => reply.code(201).send({ event_id: '1', idempotency_key: (request.body as { idempotency_key: string }).idempotency_key }));
    return serve(bare);
  }
  await globalSetup();
  try {
    await batchIngest(false);
    await batchIngest(true);
    await singleEvents();
  } finally {
    await globalTeardown();
  }
}

async function serve(app: { listen(options: { host: string; port: number }): Promise<string> }): Promise<void> {
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`${url}\n`);
}

/**
 * A fresh database with today's and yesterday's partitions, and optionally a history: HISTORY_DAYS
 * earlier days of stored events and their keys, as a site keeps them under its retention. The
 * history matters to the ingest: its idempotency lookup probes the key index of each month, and
 * its writes go to bigger indexes.
 */
async function databaseWithPartitions(history = false): Promise<string> {
  const url = await isolatedDatabaseUrl();
  const pool = new Pool({ connectionString: url });
  const today = dayOf(Date.now());
  const first = history ? -HISTORY_DAYS : -1;
  await ensureDayPartitions(pool, Array.from({ length: 1 - first }, (_, i) => addDays(today, first + i)));
  if (history) {
    await pool.query(
      `INSERT INTO events (idempotency_key, site_id, app_id, app_name, app_version, entity_type, entity_id, kind, at, status, metrics, metadata, body_digest)
       SELECT 'history-' || i, 'site-1', 'app-' || (i % 5), 'bench', '1.0.0', 'job', 'job-' || (i / 16), 'progress',
              $2::date - $3::int + (i::float8 / $1 * $3) * interval '1 day', 'running', '{"duration_s": 1}', '{"host": "edge-1"}', '\\x00'
         FROM generate_series(0, $1::int - 1) AS i`,
      [HISTORY_EVENTS, today, HISTORY_DAYS],
    );
    await pool.query('INSERT INTO event_keys (idempotency_key, event_id, at) SELECT idempotency_key, event_id, at FROM events');
    await pool.query('ANALYZE events, event_keys');
  }
  await pool.end();
  return url;
}

async function startServer(mode: string, arg = ''): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [__filename, mode, arg], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`${mode} server exited (${code})`)));
  });
  return { url, child };
}

async function batchIngest(history: boolean): Promise<void> {
  const run = `b${Date.now()}`;
  const events = WARM_EVENTS + BATCH_EVENTS;
  const all = Array.from({ length: events }, (_, i) => eventBody(i, run));
  const bodies = Array.from({ length: events / BATCH_SIZE }, (_, b) => Buffer.from(JSON.stringify({ events: all.slice(b * BATCH_SIZE, (b + 1) * BATCH_SIZE) })));
  // The same rows as CSV for psql's \copy.
  const quote = (value: string) => `"${value.replaceAll('"', '""')}"`;
  const lines = all.map((e) => {
    const entity = e.entity as { type: string; id: string; parent_id?: string };
    return [e.idempotency_key, e.site_id, e.app.app_id, e.app.name, e.app.version, entity.type, entity.id, entity.parent_id ?? '', e.event.kind, e.event.at, e.event.status, quote(JSON.stringify(e.event.metrics)), quote(JSON.stringify(e.event.metadata)), '\\x00'].join(',');
  });

  const sluiceDb = await databaseWithPartitions(history);
  const copyDb = await databaseWithPartitions(history);
  // The script doing the same work runs once, without the history: it reads the same indexes.
  const sameWorkDb = history ? undefined : await databaseWithPartitions();
  const server = await startServer('serve-sluice', sluiceDb);
  const psql = new PsqlSession(copyDb);
  // One session per core, each with half of every turn's rows: the fastest a script does this work.
  const sameWork = sameWorkDb ? [new PsqlSession(sameWorkDb, STAGING_TABLE), new PsqlSession(sameWorkDb, STAGING_TABLE)] : [];
  // Each side's processes, whose CPU time each turn adds up (see process-cpu.ts).
  const sluicePool = new Pool({ connectionString: sluiceDb, max: 1 });
  const copyPool = new Pool({ connectionString: copyDb, max: 1 });
  const sameWorkPool = sameWorkDb ? new Pool({ connectionString: sameWorkDb, max: 1 }) : undefined;
  // This process too: it posts the batches, and shares the two cores with the API and Postgres.
  const sluiceSide = { api: async () => [server.child.pid!], postgres: () => backendPids(sluicePool), poster: async () => [process.pid] };
  const copySide = { psql: async () => [psql.pid], postgres: () => backendPids(copyPool) };
  const sameWorkSide = { psql: async () => sameWork.map((session) => session.pid), postgres: async () => (sameWorkPool ? backendPids(sameWorkPool) : []) };
  // Both sessions at once, each with its half of the rows; the time until both are done, in ms.
  const runScript = async (rows: readonly string[]) => {
    const started = performance.now();
    const half = Math.ceil(rows.length / sameWork.length);
    await Promise.all(sameWork.map((session, k) => session.copy(rows.slice(k * half, (k + 1) * half), { into: 'staging', then: SAME_WORK })));
    return performance.now() - started;
  };
  const cpu = { api: 0, apiPostgres: 0, poster: 0, psql: 0, copyPostgres: 0, sameWorkPsql: 0, sameWorkPostgres: 0 };
  let sluiceMs = 0;
  let copyMs = 0;
  let sameWorkMs = 0;
  try {
    await postBatches(server.url, bodies.slice(0, WARM_EVENTS / BATCH_SIZE));
    await psql.copy(lines.slice(0, WARM_EVENTS));
    if (sameWorkDb) await runScript(lines.slice(0, WARM_EVENTS));
    // The sides take turns, a share of the rows each time, so that all see the machine alike.
    const share = BATCH_EVENTS / BATCH_ROUNDS;
    for (let round = 0; round < BATCH_ROUNDS; round++) {
      const first = WARM_EVENTS + round * share;
      const sluiceTurn = await cpuDuring(sluiceSide, async () => {
        sluiceMs += await postBatches(server.url, bodies.slice(first / BATCH_SIZE, (first + share) / BATCH_SIZE));
      });
      const copyTurn = await cpuDuring(copySide, async () => {
        copyMs += await psql.copy(lines.slice(first, first + share));
      });
      const sameWorkTurn = await cpuDuring(sameWorkSide, async () => {
        if (sameWorkDb) sameWorkMs += await runScript(lines.slice(first, first + share));
      });
      cpu.api += sluiceTurn.api;
      cpu.apiPostgres += sluiceTurn.postgres;
      cpu.poster += sluiceTurn.poster;
      cpu.psql += copyTurn.psql;
      cpu.copyPostgres += copyTurn.postgres;
      cpu.sameWorkPsql += sameWorkTurn.psql;
      cpu.sameWorkPostgres += sameWorkTurn.postgres;
    }
    const stored = (await sluicePool.query(`SELECT count(*)::int AS n FROM events WHERE idempotency_key LIKE '${run}-%'`)).rows[0].n;
    if (stored !== events) throw new Error(`the API stored ${stored} events, expected ${events}`);
    if (sameWorkPool) await sameWorkAgrees(sluicePool, sameWorkPool);
  } finally {
    server.child.kill();
    psql.close();
    for (const session of sameWork) session.close();
    await Promise.all([sluicePool.end(), copyPool.end(), sameWorkPool?.end()]);
  }

  const rate = (ms: number) => Math.round(BATCH_EVENTS / (ms / 1000));
  const perEvent = (ms: number) => `${((ms * 1000) / BATCH_EVENTS).toFixed(1)} µs`;
  process.stdout.write(
    `batch ingest of ${BATCH_EVENTS} events (${BATCH_SIZE} per POST, 2 at a time; ${BATCH_ROUNDS} turns each)${history ? `, on top of ${HISTORY_EVENTS} events in ${HISTORY_DAYS} earlier daily partitions` : ''}:\n` +
      `  sluice POST /v1/events/batch   ${Math.round(sluiceMs)} ms  ${rate(sluiceMs)} events/s\n` +
      `  psql \\copy into events        ${Math.round(copyMs)} ms  ${rate(copyMs)} rows/s\n` +
      `  ratio (sluice rate / \\copy rate): ${(copyMs / sluiceMs).toFixed(2)}x (aim >= 0.5x)\n` +
      `  CPU per row: sluice's API ${perEvent(cpu.api)} and its Postgres ${perEvent(cpu.apiPostgres)} (this process, posting: ${perEvent(cpu.poster)}); psql ${perEvent(cpu.psql)} and its Postgres ${perEvent(cpu.copyPostgres)}\n` +
      (sameWorkDb
        ? `  for comparison, the same stored work by a psql script in ${sameWork.length} sessions at once (\\copy to a staging table, then keys looked up, events, key rows, jobs, subjobs and dirty hours in one transaction; see sql-same-work.ts):\n` +
          `    ${Math.round(sameWorkMs)} ms  ${rate(sameWorkMs)} rows/s; sluice / script ${(sameWorkMs / sluiceMs).toFixed(2)}x; CPU per row: psql ${perEvent(cpu.sameWorkPsql)} and its Postgres ${perEvent(cpu.sameWorkPostgres)}\n`
        : ''),
  );
}

/** The script's jobs and subjobs must be the API's, or it did not do the same work. */
async function sameWorkAgrees(sluice: Pool, script: Pool): Promise<void> {
  const fingerprint = async (pool: Pool) =>
    (
      await pool.query(`SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM event_keys) AS keys,
              (SELECT md5(string_agg(concat_ws('|', job_id, day, status, metrics, first_at, last_at, events), ',' ORDER BY job_id, day)) FROM jobs) AS jobs,
              (SELECT md5(string_agg(concat_ws('|', job_id, subjob_id, day, status, metrics, first_at, last_at, events), ',' ORDER BY job_id, subjob_id, day)) FROM subjobs) AS subjobs,
              (SELECT count(DISTINCT hour) FROM event_rollup_dirty) AS hours`)
    ).rows[0];
  const [ours, theirs] = [await fingerprint(sluice), await fingerprint(script)];
  if (JSON.stringify(ours) !== JSON.stringify(theirs)) throw new Error(`the psql script's results differ from the API's: ${JSON.stringify(theirs)} against ${JSON.stringify(ours)}`);
}

/**
 * POSTs the bodies to the batch endpoint, two requests at a time (one per core) on kept-alive
 * connections; the time it took, in ms. node:http with bodies encoded beforehand, rather than
 * fetch: the load generator shares the machine with the server, and fetch spent 8 µs of CPU per
 * event against this one's 5.
 */
async function postBatches(url: string, bodies: readonly Buffer[]): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  const post = (body: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const request = http.request(`${url}/v1/events/batch`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => (response.statusCode === 201 ? resolve() : reject(new Error(`batch answered ${response.statusCode}: ${Buffer.concat(chunks).toString()}`))));
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end(body);
    });
  const started = performance.now();
  let next = 0;
  try {
    await Promise.all(
      [0, 1].map(async () => {
        while (next < bodies.length) await post(bodies[next++]!);
      }),
    );
  } finally {
    agent.destroy();
  }
  return performance.now() - started;
}

const COPY_INTO_EVENTS = 'events (idempotency_key, site_id, app_id, app_name, app_version, entity_type, entity_id, parent_id, kind, at, status, metrics, metadata, body_digest)';

/**
 * One psql session, kept open across the turns, so that each turn's \copy is timed without
 * starting psql and connecting again (which would pad the reference).
 */
class PsqlSession {
  private readonly psql: ChildProcess;
  readonly pid: number;
  private output = '';
  private waiting: (() => void) | undefined;

  /** `setup` runs first, once (SQL, such as a temporary table the session's turns use). */
  constructor(url: string, setup = '') {
    this.psql = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.pid = this.psql.pid!;
    if (setup) this.psql.stdin!.write(`${setup};\n`);
    this.psql.stdout!.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
      if (this.output.includes('copied\n')) {
        this.output = '';
        this.waiting?.();
      }
    });
  }

  /**
   * Loads the CSV lines into `into` (the events table by default), then runs `then` (SQL); the
   * time it all took, in ms (the file is written first, untimed).
   */
  async copy(lines: readonly string[], { into = COPY_INTO_EVENTS, then = '' } = {}): Promise<number> {
    const csv = path.join(testStack().workDir, `events-bench-${this.pid}.csv`);
    fs.writeFileSync(csv, `${lines.join('\n')}\n`);
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`psql exited (${code}) during \\copy`));
      this.psql.once('exit', exited);
      this.waiting = () => {
        this.psql.off('exit', exited);
        resolve();
      };
      this.psql.stdin!.write(
        `\\copy ${into} FROM '${csv}' WITH (FORMAT csv, NULL '')\n${then}\n\\echo copied\n`,
      );
    });
    const ms = performance.now() - started;
    fs.rmSync(csv);
    return ms;
  }

  close(): void {
    this.psql.stdin!.end();
  }
}

async function singleEvents(): Promise<void> {
  const bare = await startServer('serve-bare');
  try {
    // Untimed, so that the first round does not time its warming up (JIT, caches).
    await postSingles(bare.url, `bare-warm-${Date.now()}`, CONNECTION_LEVELS[0]!, 2);
    await singleEventsAgainst(bare, await databaseWithPartitions(), CONNECTION_LEVELS, '');
    // Each commit looks its keys up in every month's key partition: with few events per commit, that cost is shared by few.
    await singleEventsAgainst(bare, await databaseWithPartitions(true), CONNECTION_LEVELS.slice(0, 1), `, on top of ${HISTORY_EVENTS} events in ${HISTORY_DAYS} earlier daily partitions`);
  } finally {
    bare.child.kill();
  }
}

/** The API on `database` against the bare route at each level of connections, taking turns; requests/s and the CPU time per request of each server (and the API's Postgres). */
async function singleEventsAgainst(bare: { url: string; child: ChildProcess }, database: string, levels: readonly number[], setting: string): Promise<void> {
  const sluice = await startServer('serve-sluice', database);
  const sluicePool = new Pool({ connectionString: database, max: 1 });
  const sluiceSide = { api: async () => [sluice.child.pid!], postgres: () => backendPids(sluicePool) };
  const bareSide = { bare: async () => [bare.child.pid!] };
  try {
    await postSingles(sluice.url, `single-warm-${Date.now()}`, levels[0]!, 2);
    for (const connections of levels) {
      const rounds: { bare: number; sluice: number }[] = [];
      const cpu = { api: 0, postgres: 0, bare: 0 };
      const requests = { sluice: 0, bare: 0 };
      for (let round = 1; round <= SINGLE_ROUNDS; round++) {
        let bareTurn = { perSecond: 0, total: 0 };
        let sluiceTurn = { perSecond: 0, total: 0 };
        const bareCpu = await cpuDuring(bareSide, async () => {
          bareTurn = await postSingles(bare.url, `bare${connections}-${round}-${Date.now()}`, connections);
        });
        const sluiceCpu = await cpuDuring(sluiceSide, async () => {
          sluiceTurn = await postSingles(sluice.url, `single${connections}-${round}-${Date.now()}`, connections);
        });
        rounds.push({ bare: bareTurn.perSecond, sluice: sluiceTurn.perSecond });
        cpu.api += sluiceCpu.api;
        cpu.postgres += sluiceCpu.postgres;
        cpu.bare += bareCpu.bare;
        requests.sluice += sluiceTurn.total;
        requests.bare += bareTurn.total;
      }
      const ratios = rounds.map((round) => round.sluice / round.bare).sort((a, b) => a - b);
      const perRequest = (ms: number, count: number) => `${((ms * 1000) / count).toFixed(0)} µs`;
      process.stdout.write(
        `single events, POST /v1/event, ${connections} connections, ${SINGLE_ROUNDS} rounds of ${SINGLE_ROUND_SECONDS} s each, taking turns${setting}:\n` +
          rounds
            .map((round, index) => `  round ${index + 1}: bare Fastify route (parse, 201) ${Math.round(round.bare)} requests/s, sluice (checked, stored, committed) ${Math.round(round.sluice)} requests/s, ratio ${(round.sluice / round.bare).toFixed(2)}x\n`)
            .join('') +
          `  median ratio: ${ratios[Math.floor(ratios.length / 2)]!.toFixed(2)}x (aim >= 0.4x)\n` +
          `  CPU per request: sluice's API ${perRequest(cpu.api, requests.sluice)} and its Postgres ${perRequest(cpu.postgres, requests.sluice)}; the bare route ${perRequest(cpu.bare, requests.bare)}\n`,
      );
    }
  } finally {
    sluice.child.kill();
    await sluicePool.end();
  }
}

/** POSTs single events, each with a new key, from `connections` clients for `seconds`; requests/s, and how many were answered. */
async function postSingles(url: string, run: string, connections: number, seconds = SINGLE_ROUND_SECONDS): Promise<{ perSecond: number; total: number }> {
  let i = 0;
  const result = await autocannon({
    url: `${url}/v1/event`,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (request) => ({ ...request, body: JSON.stringify(eventBody(i++, run)) }) }],
  });
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) throw new Error(`${failed} of ${result.requests.total} requests to ${url} failed`);
  return { perSecond: result.requests.average, total: result.requests.total };
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
