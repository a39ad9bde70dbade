import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { locateGoTool, type GoTool } from '../../infra/stack/go-tool';
import { UserError } from '../../infra/errors/user-error';
import { createLogger } from '../../infra/log/logger';

const log = createLogger({ level: 'silent', pretty: false });
const TOOL: GoTool = { name: 'faketool', module: 'example.invalid/faketool', version: 'v0.0.1', pathSetting: 'FAKETOOL_PATH' };

function dir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-tools-'));
}

function executable(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 });
  return file;
}

describe('locateGoTool', () => {
  it('uses an explicit path as is', async () => {
    const binary = executable(path.join(dir(), 'faketool'));
    await expect(locateGoTool(TOOL, { explicitPath: binary, toolsDir: dir(), log, env: { PATH: '' } })).resolves.toBe(binary);
  });

  it('rejects an explicit path that is missing or not executable, naming the setting', async () => {
    const notExecutable = path.join(dir(), 'faketool');
    fs.writeFileSync(notExecutable, 'x', { mode: 0o644 });
    for (const explicitPath of ['/nonexistent/faketool', notExecutable]) {
      const err = await locateGoTool(TOOL, { explicitPath, toolsDir: dir(), log, env: { PATH: '' } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).message).toContain(`${explicitPath} does not exist or is not executable`);
      expect((err as UserError).hint).toContain('FAKETOOL_PATH');
    }
  });

  it('prefers one on PATH, then one built earlier into the tools directory', async () => {
    const binDir = dir();
    const onPath = executable(path.join(binDir, 'faketool'));
    const toolsDir = dir();
    const built = executable(path.join(toolsDir, 'faketool@v0.0.1', 'faketool'));
    await expect(locateGoTool(TOOL, { toolsDir, log, env: { PATH: `/nonexistent:${binDir}` } })).resolves.toBe(onPath);
    await expect(locateGoTool(TOOL, { toolsDir, log, env: { PATH: '/nonexistent' } })).resolves.toBe(built);
  });

  it('does not reuse a build of another version', async () => {
    const toolsDir = dir();
    executable(path.join(toolsDir, 'faketool@v0.0.0', 'faketool'));
    const err = await locateGoTool(TOOL, { toolsDir, log, env: { PATH: '/nonexistent' } }).catch((e: unknown) => e);
    expect((err as UserError).message).toContain('Go is not installed');
  });

  it('says to install Go, or name a binary, when it has to build and cannot', async () => {
    const err = await locateGoTool(TOOL, { toolsDir: dir(), log, env: { PATH: '/nonexistent' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe('faketool was not found on PATH and Go is not installed to build it.');
    expect((err as UserError).hint).toMatch(/Install Go 1\.21 or newer .* or set FAKETOOL_PATH/);
  });

  it('reports a failed go install with go\'s own words and leaves no half-built directory', async () => {
    const toolsDir = dir();
    const fakeGoDir = dir();
    fs.writeFileSync(path.join(fakeGoDir, 'go'), '#!/bin/sh\nif [ "$1" = version ]; then echo "go version go1.26.0 linux/amd64"; exit 0; fi\necho "go: module example.invalid/faketool: not found" >&2\nexit 1\n', { mode: 0o755 });
    const err = await locateGoTool(TOOL, { toolsDir, log, env: { PATH: fakeGoDir } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toContain('go: module example.invalid/faketool: not found');
    expect((err as UserError).hint).toContain('GOPROXY');
    expect(fs.readdirSync(toolsDir)).toEqual([]);
  });

  it('refuses a Go that is too old', async () => {
    const fakeGoDir = dir();
    fs.writeFileSync(path.join(fakeGoDir, 'go'), '#!/bin/sh\necho "go version go1.19.2 linux/amd64"\n', { mode: 0o755 });
    const err = await locateGoTool(TOOL, { toolsDir: dir(), log, env: { PATH: fakeGoDir } }).catch((e: unknown) => e);
    expect((err as UserError).message).toContain('Go 1.19 (');
    expect((err as UserError).message).toContain('is too old');
  });
});
