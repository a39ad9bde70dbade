import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { UserError } from '../errors/user-error';
import type { Logger } from '../log/logger';
import { serverEnv, startManagedProcess } from './managed-process';
import { findFreePort, waitFor } from './wait-for';

export interface VersityGwOptions {
  /** The versitygw executable. */
  binary: string;
  /** Holds the buckets, the metadata sidecar and the log; reused across restarts. */
  dataDir: string;
  /** Default: a free port. */
  port?: number;
  accessKey: string;
  secretKey: string;
  /** Created (if missing) once the gateway answers. */
  bucket?: string;
  region?: string;
  log: Logger;
  /** sluice's environment; the server gets only its basics (serverEnv) and its root credentials. */
  env: NodeJS.ProcessEnv;
}

export interface VersityGw {
  /** e.g. "http://127.0.0.1:41234"; use with forcePathStyle. */
  readonly endpoint: string;
  readonly logFile: string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * Runs versitygw's posix backend as a local S3 server: each directory under <dataDir>/buckets is a
 * bucket. Metadata (ETags, content types) goes to a sidecar directory instead of extended
 * attributes, so it works on filesystems without user xattrs (tmpfs, overlayfs in containers).
 */
export async function startVersityGw(options: VersityGwOptions): Promise<VersityGw> {
  const { log } = options;
  try {
    await fs.access(options.binary, fs.constants.X_OK);
  } catch (err) {
    throw new UserError(`versitygw was not found or is not executable at ${options.binary}`, 'Build it with `go install github.com/versity/versitygw/cmd/versitygw@v1.7.0` and pass its path.', { cause: err });
  }
  const bucketsDir = path.join(options.dataDir, 'buckets');
  const sidecarDir = path.join(options.dataDir, 'meta');
  const logFile = path.join(options.dataDir, 'versitygw.log');
  await fs.mkdir(bucketsDir, { recursive: true });
  await fs.mkdir(sidecarDir, { recursive: true });

  const port = options.port ?? (await findFreePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const region = options.region ?? 'us-east-1';
  const child = startManagedProcess({
    name: 'versitygw',
    command: options.binary,
    // Global flags go before the backend subcommand. --quiet drops the per-request access lines.
    args: ['--port', `127.0.0.1:${port}`, '--region', region, '--quiet', 'posix', '--sidecar', sidecarDir, bucketsDir],
    logFile,
    log,
    // Credentials through the environment, not argv, where any user could read them with ps.
    env: serverEnv(options.env, { ROOT_ACCESS_KEY: options.accessKey, ROOT_SECRET_KEY: options.secretKey }),
  });

  const stop = () => child.stop('SIGTERM', STOP_TIMEOUT_MS);
  try {
    await waitFor(async () => ((await answersHttp(port)) ? true : undefined), {
      timeoutMs: START_TIMEOUT_MS,
      what: `versitygw to answer on ${endpoint}`,
      failure: () => {
        const exited = child.exitError();
        return exited && new UserError(`versitygw stopped while starting: ${exited.message}\n${child.tail()}`, `See ${logFile}; a port in use or an unwritable ${options.dataDir} are the usual causes.`);
      },
    });
    if (options.bucket) await createBucket(endpoint, region, options);
  } catch (err) {
    await stop();
    if (err instanceof UserError) throw err;
    throw new UserError(`versitygw did not start: ${err instanceof Error ? err.message : String(err)}\n${child.tail()}`, `See ${logFile}.`, { cause: err });
  }
  log.info({ endpoint, versitygwPid: child.pid, dataDir: options.dataDir }, 'versitygw started');
  return {
    endpoint,
    logFile,
    async stop() {
      await stop();
      log.info({ endpoint }, 'versitygw stopped');
    },
  };
}

/** Any HTTP answer (an unsigned request gets 403) means the server is up. */
function answersHttp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/', timeout: 1_000, agent: false }, (response) => {
      response.resume();
      resolve(true);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(false));
  });
}

async function createBucket(endpoint: string, region: string, options: VersityGwOptions): Promise<void> {
  const client = new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId: options.accessKey, secretAccessKey: options.secretKey },
    maxAttempts: 3,
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: options.bucket }));
    options.log.debug({ bucket: options.bucket }, 'created bucket');
  } catch (err) {
    // A reused dataDir already has it.
    const name = (err as Error).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
  } finally {
    client.destroy();
  }
}
