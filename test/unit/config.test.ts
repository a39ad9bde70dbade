import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../infra/config/load-config';
import { configSchema } from '../../infra/config/schema';
import { UserError } from '../../infra/errors/user-error';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-config-'));
}

function writeConfig(text: string): string {
  const file = path.join(tempDir(), 'sluice.yaml');
  fs.writeFileSync(file, text);
  return file;
}

function loadError(options: Parameters<typeof loadConfig>[0]): UserError {
  try {
    loadConfig(options);
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error('expected loadConfig to fail');
}

describe('loadConfig', () => {
  it('gives the embedded single-machine setup when there is no file', () => {
    const cwd = tempDir();
    const settings = loadConfig({ cwd, env: {} });
    expect(settings.file).toBeUndefined();
    expect(settings.temporal.address).toBe('embedded');
    expect(settings.temporal.devServer).toEqual({ port: 7233, uiPort: 8233 });
    expect(settings.postgres.url).toBeUndefined();
    expect(settings.storage.kind).toBe('local');
    expect(settings.paths.stateDir).toBe(path.join(cwd, '.sluice'));
    expect(settings.paths.objectsDir).toBe(path.join(cwd, '.sluice', 'objects'));
    expect(settings.paths.toolsDir).toBe(path.join(cwd, '.sluice', 'tools'));
    expect(settings.workers.cloud.maxConcurrentActivities).toBe(8);
    expect(settings.workers.control.shutdownGraceTime).toBe('30s');
    expect(settings.schedules).toEqual({});
  });

  it('reads ./sluice.yaml and resolves relative paths against the file', () => {
    const file = writeConfig('stateDir: state\nfleet:\n  - host: sink-1\n    role: datasink\n');
    const settings = loadConfig({ cwd: '/', env: { SLUICE_CONFIG: file } });
    const dir = path.dirname(file);
    expect(settings.file).toBe(file);
    expect(settings.paths.stateDir).toBe(path.join(dir, 'state'));
    expect(settings.fleet).toEqual([{ host: 'sink-1', role: 'datasink', accelerator: 'none', services: {}, templates: [], vars: {}, root: path.join(dir, 'state', 'hosts', 'sink-1') }]);
  });

  it('lays a host\'s services, templates and vars over its role\'s, by name and by destination', () => {
    const file = writeConfig(`
fleetRoles:
  sentinel:
    services:
      sentinel: { restart: "systemctl restart sentinel", healthCheck: "systemctl is-active sentinel" }
      camwatcher: { restart: "systemctl restart camwatcher", models: [mobilenet_ssd] }
    templates:
      - { source: templates/face.yaml.tmpl, dest: tasks/face.yaml, services: [sentinel] }
      - { source: templates/ssd.yaml.tmpl, dest: tasks/ssd.yaml, services: [camwatcher] }
    vars: { site: east, cameras: 2 }
fleet:
  - host: sentinel-a
    role: sentinel
    services:
      sentinel: { restart: "/opt/restart-sentinel", restartTimeout: 30s }
    templates:
      - { source: /etc/sluice/face-a.yaml.tmpl, dest: tasks/face.yaml, services: [sentinel] }
    vars: { cameras: 4 }
  - host: outpost-a
    role: outpost
`);
    const [sentinel, outpost] = loadConfig({ file, env: {} }).fleet;
    expect(sentinel!.services).toEqual({
      sentinel: { restart: '/opt/restart-sentinel', restartTimeout: '30s', healthTimeout: '1m', healthInterval: '2s' },
      camwatcher: { restart: 'systemctl restart camwatcher', restartTimeout: '2m', healthTimeout: '1m', healthInterval: '2s', models: ['mobilenet_ssd'] },
    });
    expect(sentinel!.templates).toEqual([
      { source: '/etc/sluice/face-a.yaml.tmpl', dest: 'tasks/face.yaml', services: ['sentinel'] },
      { source: path.join(path.dirname(file), 'templates', 'ssd.yaml.tmpl'), dest: 'tasks/ssd.yaml', services: ['camwatcher'] },
    ]);
    expect(sentinel!.vars).toEqual({ site: 'east', cameras: 4 });
    expect(outpost).toMatchObject({ services: {}, templates: [], vars: {} });
  });

  it('says when a template restarts a service its host does not define, and when a datasink is given services', () => {
    const file = writeConfig(`
fleet:
  - host: sentinel-a
    role: sentinel
    services: { sentinel: { restart: "true" } }
    templates: [{ source: t.tmpl, dest: t.yaml, services: [sentinel, imagenode] }]
`);
    expect(loadError({ file, env: {} }).message).toContain('fleet.0 (sentinel-a): template t.yaml restarts service "imagenode", which this host does not define; its services: sentinel');
    const datasink = writeConfig('fleet:\n  - host: sink\n    role: datasink\n    services: { datapump: { restart: "true" } }\n');
    expect(loadError({ file: datasink, env: {} }).message).toContain('fleet.0.services: services apply to outposts and sentinels; datasinks take facelists');
  });

  it('applies conventional and SLUICE_* environment overrides, SLUICE_* winning', () => {
    const file = writeConfig('temporal:\n  address: file-host:7233\n');
    const settings = loadConfig({
      file,
      env: {
        TEMPORAL_ADDRESS: 'conventional:7233',
        SLUICE_TEMPORAL__ADDRESS: 'explicit:7233',
        DATABASE_URL: 'postgres://u:p@db:5432/x',
        SLUICE_WORKERS__CLOUD__MAX_CONCURRENT_ACTIVITIES: '3',
        SLUICE_LOG__PRETTY: 'false',
        SLUICE_STATE_DIR: '/var/lib/sluice',
      },
    });
    expect(settings.temporal.address).toBe('explicit:7233');
    expect(settings.postgres.url).toBe('postgres://u:p@db:5432/x');
    expect(settings.workers.cloud.maxConcurrentActivities).toBe(3);
    expect(settings.log.pretty).toBe(false);
    expect(settings.paths.stateDir).toBe('/var/lib/sluice');
  });

  it('names an unknown key, where it is, and where to look', () => {
    const err = loadError({ file: writeConfig('temporal:\n  adress: x:1\n'), env: {} });
    expect(err.message).toContain('temporal: unknown key "adress"');
    expect(err.hint).toContain('sluice.example.yaml');
  });

  it('names a field of the wrong type and what was expected', () => {
    const err = loadError({ file: writeConfig('workers:\n  cloud:\n    maxConcurrentActivities: lots\n'), env: {} });
    expect(err.message).toContain('workers.cloud.maxConcurrentActivities: expected number, got the string "lots"');
  });

  it('says which environment variable carried a bad value', () => {
    const err = loadError({ cwd: tempDir(), env: { SLUICE_POSTGRES__POOL_SIZE: 'many' } });
    expect(err.message).toContain('postgres.poolSize');
    expect(err.message).toContain('from environment variable SLUICE_POSTGRES__POOL_SIZE');
    expect(err.message).not.toContain('single values only');
  });

  it('says a list or a section cannot come from the environment, and where to give it', () => {
    const err = loadError({ cwd: tempDir(), env: { SLUICE_CENTRAL__SITES: '[site-1, site-2]', SLUICE_STORAGE__S3: 'bucket=b' } });
    expect(err.message).toContain(
      'central.sites: expected array, got the string "[site-1, site-2]" (from environment variable SLUICE_CENTRAL__SITES; the environment sets single values only: unset SLUICE_CENTRAL__SITES and give central.sites in the config file)',
    );
    expect(err.message).toContain('storage.s3: expected object, got the string "bucket=b" (from environment variable SLUICE_STORAGE__S3; the environment sets single values only');
  });

  it.each([
    ['an enum value', 'storage:\n  kind: ftp\n', 'storage.kind: expected one of "local", "s3", got "ftp"'],
    ['a duration', 'workers:\n  node:\n    shutdownGraceTime: 5 minutes\n', 'workers.node.shutdownGraceTime: expected a duration'],
    ['a port', 'temporal:\n  devServer:\n    port: 70000\n', 'temporal.devServer.port'],
    ['s3 without its section', 'storage:\n  kind: s3\n', 'storage.s3: storage.kind is "s3" but storage.s3 is missing'],
    ['a host name', 'fleet:\n  - host: "Bad Host"\n    role: datasink\n', 'fleet.0.host: expected a host name'],
    ['a duplicate host', 'fleet:\n  - {host: a, role: datasink}\n  - {host: a, role: outpost}\n', 'fleet.1.host: host "a" is listed twice'],
    ['a schedule with both cron and every', 'schedules:\n  x:\n    workflow: stackCheck\n    cron: "* * * * *"\n    every: 1m\n', 'schedules.x: expected exactly one of "cron"'],
    ['a schedule with neither', 'schedules:\n  x:\n    workflow: stackCheck\n', 'schedules.x: expected exactly one of "cron"'],
    ['a schedule name', 'schedules:\n  Bad_Name:\n    workflow: stackCheck\n    every: 1m\n', 'expected a schedule name'],
  ])('rejects a bad %s', (_what, text, expected) => {
    expect(loadError({ file: writeConfig(text), env: {} }).message).toContain(expected);
  });

  it('lists every problem at once, not just the first', () => {
    const err = loadError({ file: writeConfig('stateDir: 5\nlog:\n  level: loud\nextra: 1\n'), env: {} });
    expect(err.message).toContain('stateDir');
    expect(err.message).toContain('log.level');
    expect(err.message).toContain('unknown key "extra"');
  });

  it('rejects a schedule naming a workflow that does not exist', () => {
    const err = loadError({ file: writeConfig('schedules:\n  x:\n    workflow: noSuchWorkflow\n    every: 1m\n'), env: {}, workflowTypes: ['stackCheck'] });
    expect(err.message).toContain('schedules.x.workflow: unknown workflow "noSuchWorkflow"');
    expect(err.hint).toContain('stackCheck');
  });

  it.each([
    ['broken YAML', 'temporal: [unclosed\n', 'is not valid YAML'],
    ['duplicate keys', 'stateDir: a\nstateDir: b\n', 'is not valid YAML'],
    ['a list at the top', '- a\n- b\n', 'must hold a YAML mapping'],
    ['a scalar at the top', 'just text\n', 'must hold a YAML mapping'],
  ])('rejects %s with a clear message', (_what, text, expected) => {
    expect(loadError({ file: writeConfig(text), env: {} }).message).toContain(expected);
  });

  it('treats an empty file as all defaults', () => {
    expect(loadConfig({ file: writeConfig(''), env: {} }).temporal.address).toBe('embedded');
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i += 1) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const err = loadError({ file: writeConfig(`${levels.join('\n')}\n`), env: {} });
    expect(err.message).toMatch(/alias|not valid YAML|Excessive/i);
  });

  it('refuses a huge file before parsing it', () => {
    const err = loadError({ file: writeConfig(`# ${'x'.repeat(2 * 1024 * 1024)}\n`), env: {} });
    expect(err.message).toMatch(/is \d+ bytes; a sluice config is at most/);
  });

  it('says when an explicit config file is missing or is a directory', () => {
    expect(loadError({ file: '/nonexistent/sluice.yaml', env: {} }).message).toContain('does not exist');
    expect(loadError({ file: tempDir(), env: {} }).message).toContain('is not a file');
  });

  it('never echoes a secret from the environment in an error', () => {
    const err = loadError({ cwd: tempDir(), env: { SLUICE_STORAGE__S3__SECRET_ACCESS_KEY: 'super-secret-value', SLUICE_STORAGE__KIND: 's3' } });
    expect(err.message).not.toContain('super-secret-value');
  });
});

describe('infra/sluice.example.yaml', () => {
  it('is a valid config that documents every top-level section', () => {
    const file = path.join(__dirname, '..', '..', 'infra', 'sluice.example.yaml');
    const settings = loadConfig({ file, env: {}, workflowTypes: ['stackCheck'] });
    expect(settings.schedules['stack-check']).toMatchObject({ workflow: 'stackCheck', every: '1h' });
    expect(settings.fleet.map((host) => host.host)).toEqual(['datasink1']);
    const text = fs.readFileSync(file, 'utf8');
    for (const section of Object.keys(configSchema.shape)) {
      expect(text).toMatch(new RegExp(`^#? ?${section}:`, 'm'));
    }
  });
});

describe('loadConfig with known workflow types', () => {
  it('lists an unknown workflow together with the schema problems', () => {
    const err = loadError({ file: writeConfig('extra: 1\nschedules:\n  x:\n    workflow: nope\n    every: 1m\n'), env: {}, workflowTypes: ['stackCheck'] });
    expect(err.message).toContain('unknown key "extra"');
    expect(err.message).toContain('schedules.x.workflow: unknown workflow "nope"');
  });

  it('ignores the test harness variables that share the SLUICE_ prefix', () => {
    expect(() => loadConfig({ cwd: tempDir(), env: { SLUICE_TEST_LOG_LEVEL: 'debug', SLUICE_RECORD_HISTORIES: '1', SLUICE_CONFIG: '' } })).not.toThrow();
  });
});
