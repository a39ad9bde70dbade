import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../errors/user-error';
import type { Logger } from '../log/logger';

const execFileAsync = promisify(execFile);

/** A program sluice gets with `go install` when it is not already on the machine. */
export interface GoTool {
  name: string;
  module: string;
  version: string;
  /** The config field or variable that names an existing binary, for messages. */
  pathSetting: string;
}

export const TEMPORAL_CLI: GoTool = {
  name: 'temporal',
  module: 'github.com/temporalio/cli/cmd/temporal',
  // The last tag that installs with `go install` (newer ones carry a `replace` directive).
  version: 'v1.5.1',
  pathSetting: 'TEMPORAL_CLI_PATH (or temporal.devServer.cliPath)',
};

export const VERSITYGW: GoTool = {
  name: 'versitygw',
  module: 'github.com/versity/versitygw/cmd/versitygw',
  version: 'v1.7.0',
  pathSetting: 'VERSITYGW_PATH',
};

export interface LocateOptions {
  /** A binary the user named; used as is. */
  explicitPath?: string;
  toolsDir: string;
  log: Logger;
  /** The environment to search PATH in and to build with. */
  env: NodeJS.ProcessEnv;
  /** Aborts a running build (Ctrl-C during a first start). */
  signal?: AbortSignal;
}

/**
 * Finds `tool`: the path the user gave, else one on PATH, else one built earlier into the tools
 * directory, else builds it there with `go install` (minutes the first time; Go's module and build
 * caches make later builds fast). Each version gets its own directory so upgrades never reuse an
 * old binary, and the build goes to a temporary directory first so a concurrent or interrupted
 * build never leaves half a binary behind.
 */
export async function locateGoTool(tool: GoTool, options: LocateOptions): Promise<string> {
  const { env } = options;
  if (options.explicitPath) {
    if (!isExecutable(options.explicitPath)) {
      throw new UserError(`${tool.name} binary ${options.explicitPath} does not exist or is not executable.`, `Fix ${tool.pathSetting}, or unset it to let sluice build ${tool.name}.`);
    }
    return options.explicitPath;
  }
  const onPath = findOnPath(tool.name, env.PATH ?? '');
  if (onPath) return onPath;

  const versionDir = path.join(options.toolsDir, `${tool.name}@${tool.version}`);
  const binary = path.join(versionDir, tool.name);
  if (isExecutable(binary)) return binary;

  await buildWithGo(tool, versionDir, options.log, env, options.signal);
  return binary;
}

async function buildWithGo(tool: GoTool, versionDir: string, log: Logger, env: NodeJS.ProcessEnv, signal: AbortSignal | undefined): Promise<void> {
  const go = findOnPath('go', env.PATH ?? '');
  if (!go) {
    throw new UserError(
      `${tool.name} was not found on PATH and Go is not installed to build it.`,
      `Install Go 1.21 or newer (https://go.dev/dl; Debian 12's golang-go is 1.19, too old) so sluice can build ${tool.name} ${tool.version}, or set ${tool.pathSetting} to an existing binary.`,
    );
  }
  await checkGoVersion(go);

  const staging = `${versionDir}.building-${process.pid}`;
  fs.mkdirSync(staging, { recursive: true });
  const target = `${tool.module}@${tool.version}`;
  log.info(`Building ${tool.name} ${tool.version} with go install; the first build downloads and compiles for several minutes, later ones reuse Go's cache.`);
  const started = Date.now();
  const heartbeat = setInterval(() => log.info(`still building ${tool.name} (${Math.round((Date.now() - started) / 1000)} s)`), 30_000);
  try {
    await run(go, ['install', target], { ...env, GOBIN: staging }, log, signal);
    fs.rmSync(versionDir, { recursive: true, force: true });
    fs.renameSync(staging, versionDir);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  } finally {
    clearInterval(heartbeat);
  }
  log.info(`built ${tool.name} ${tool.version} in ${Math.round((Date.now() - started) / 1000)} s: ${versionDir}`);
}

async function checkGoVersion(go: string): Promise<void> {
  const { stdout } = await execFileAsync(go, ['version']);
  const match = /go(\d+)\.(\d+)/.exec(stdout);
  const [major, minor] = [Number(match?.[1] ?? 0), Number(match?.[2] ?? 0)];
  // The tools need Go 1.25; Go 1.21 and later fetch that toolchain through the module proxy themselves.
  if (major < 1 || (major === 1 && minor < 21)) {
    throw new UserError(`Go ${major}.${minor} (${go}) is too old to build sluice's tools.`, 'Install Go 1.21 or newer (https://go.dev/dl).');
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, log: Logger, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    // Its own process group, so a Ctrl-C reaches sluice, which aborts the build through `signal`
    // by stopping the whole group (go and the compilers and linkers it runs).
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const abort = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    };
    signal?.addEventListener('abort', abort, { once: true });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-8000);
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) log.debug(line);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('exit', (code) => {
      signal?.removeEventListener('abort', abort);
      if (code === 0) return resolve();
      if (signal?.aborted) return reject(signal.reason);
      reject(new UserError(`${command} ${args.join(' ')} failed (exit ${code}):\n${output.trim().split('\n').slice(-15).join('\n')}`, 'Check that the Go module proxy is reachable (GOPROXY) and that the disk has space, then run again.'));
    });
  });
}

export function findOnPath(name: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
