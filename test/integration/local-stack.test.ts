import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Client } from 'pg';
import { migrate, MIGRATIONS_TABLE } from '../../infra/db/migrate';
import { UserError } from '../../infra/errors/user-error';
import { startEmbeddedPostgres } from '../../infra/stack/embedded-postgres';
import { startTemporalDevServer } from '../../infra/stack/temporal-dev-server';
import { findFreePort } from '../../infra/stack/wait-for';
import { testStack } from '../harness/test-stack-info';
import { testLog } from '../harness/test-workers';

/** Inside the run's work directory, which the global teardown removes. */
function workDir(): string {
  const dir = fs.mkdtempSync(path.join(testStack().workDir, 'stack-'));
  fs.chmodSync(dir, 0o755);
  return dir;
}

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('the local stack starts idempotently', () => {
  it('reuses a Temporal server already answering on the port instead of starting a second', async () => {
    const [host, port] = testStack().temporalAddress.split(':');
    const server = await startTemporalDevServer({
      cliPath: testStack().temporalCliPath,
      port: Number(port),
      uiPort: Number(port) + 1,
      namespaces: ['default'],
      logFile: path.join(workDir(), 'temporal.log'),
      log: testLog,
      env: process.env,
    });
    expect(server.address).toBe(`${host}:${port}`);
    expect(server.process).toBeUndefined();
    await server.stop(); // a no-op: sluice stops only what it started
  });

  it('refuses a port held by something that is not Temporal, and stops dialling it', async () => {
    let dials = 0;
    const open = new Set<net.Socket>();
    const squatter = net.createServer((socket) => {
      dials += 1;
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
      // Read, or the probe's closing of the connection would go unnoticed and the socket stay open.
      socket.resume();
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    });
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as net.AddressInfo).port;
    try {
      const err = await startTemporalDevServer({ cliPath: testStack().temporalCliPath, port, uiPort: port + 1, namespaces: ['default'], logFile: path.join(workDir(), 't.log'), log: testLog, env: process.env }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).message).toContain(`Port ${port} is in use by something that is not a Temporal server`);
      expect((err as UserError).hint).toContain('temporal.devServer.port');
      // A probe's connection left open redials with backoff (1 s, then 1.6 s, …): after a dial that
      // was under way when the probe gave up has had time to land, none may come.
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      await pause(500);
      const dialsAfterProbe = dials;
      await pause(3_000);
      expect(dials).toBe(dialsAfterProbe);
      // ...and every connection it made, it closed.
      expect(open.size).toBe(0);
    } finally {
      squatter.close();
      for (const socket of open) socket.destroy();
    }
  });

  it('initialises embedded Postgres once, keeps data across restarts, and reuses a running one', async () => {
    const dir = workDir();
    const port = await findFreePort();
    const options = { dataDir: path.join(dir, 'postgres'), port, database: 'sluice_reuse', logFile: path.join(dir, 'postgres.log'), log: testLog, env: process.env };

    const first = await startEmbeddedPostgres(options);
    let restarted: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
    try {
      expect(first.process).toBeDefined();
      expect(fs.statSync(path.join(dir, 'postgres.password')).mode & 0o777).toBe(0o600);
      await query(first.url, 'CREATE TABLE kept (v text)');
      await query(first.url, 'INSERT INTO kept VALUES ($1)', ['survives']);

      const again = await startEmbeddedPostgres(options);
      expect(again.process).toBeUndefined();
      expect(again.url).toBe(first.url);

      await first.stop();
      restarted = await startEmbeddedPostgres(options);
      expect(restarted.process).toBeDefined();
      expect(await query(restarted.url, 'SELECT v FROM kept')).toEqual([{ v: 'survives' }]);
      // Loopback only, with a password: a wrong one is refused.
      await expect(query(restarted.url.replace(/:[^:@/]+@/, ':wrong@'), 'SELECT 1')).rejects.toThrow(/password authentication failed/);
    } finally {
      await first.stop();
      await restarted?.stop();
    }
  });
});

describe('migrations', () => {
  async function freshDatabase(): Promise<string> {
    const name = `sluice_migrate_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
    await query(testStack().databaseUrl, `CREATE DATABASE ${name}`);
    const url = new URL(testStack().databaseUrl);
    url.pathname = `/${name}`;
    return url.toString();
  }

  it('apply every file on a fresh database, then nothing the second time', async () => {
    const url = await freshDatabase();
    const files = fs.readdirSync(path.join(__dirname, '..', '..', 'infra', 'migrations')).map((file) => file.replace(/\.sql$/, '')).sort();
    expect(await migrate(url, testLog)).toEqual(files);
    expect(await migrate(url, testLog)).toEqual([]);
    const applied = await query<{ name: string }>(url, `SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY run_on, id`);
    expect(applied.map((row) => row.name)).toEqual(files);
    expect(await query(url, "SELECT to_regclass('sluice_stack_check') AS t")).toEqual([{ t: 'sluice_stack_check' }]);
  });

  it('are safe when several workers start at once', async () => {
    const url = await freshDatabase();
    const results = await Promise.all([migrate(url, testLog), migrate(url, testLog), migrate(url, testLog)]);
    expect(results.flat().length).toBe(fs.readdirSync(path.join(__dirname, '..', '..', 'infra', 'migrations')).length);
  });
});
