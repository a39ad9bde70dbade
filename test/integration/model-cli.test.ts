import fs from 'node:fs';
import path from 'node:path';
import { parseRegistryYaml } from '../../activities/registry/registry-yaml';
import { useIsolatedTest } from '../harness/isolated-test';
import { cleanEnv, runCli } from '../harness/run-cli';
import { testStack } from '../harness/test-stack-info';

describe('sluice model … (the built CLI against a real stack)', () => {
  const t = useIsolatedTest();

  it('publishes, promotes, rolls back, pins and exports, and explains refusals in one line', async () => {
    // No node worker runs here: promotions' deployments find sentinel1 offline and move on after 1 s.
    const settings = t.settings({ fleet: [{ host: 'sentinel1', role: 'sentinel' }], deploy: { offlineTimeout: '1s' } });
    await t.startWorkers(settings, [{ role: 'control' }, { role: 'cloud' }]);
    const sluice = (...args: string[]) => runCli(['--config', settings.file!, 'model', ...args], cleanEnv());
    const dir = fs.mkdtempSync(path.join(testStack().workDir, 'cli-model-'));
    fs.writeFileSync(path.join(dir, 'openface_nn4.small2.v1.t7'), Buffer.alloc(4096, 7));

    const unknown = await sluice('publish', 'openface_torch', dir, '--version', '2020-03-25');
    expect(unknown.code).toBe(1);
    // Progress first (a line, since stderr is not a terminal here), then the refusal in one line.
    expect(unknown.stderr).toMatch(/^uploading openface_torch 2020-03-25: 1\/1 files, 4\.0 KiB of 4\.0 KiB\n/);
    expect(unknown.stderr).toMatch(/^sluice: Unknown model "openface_torch"\. Known models: none yet\. Publish with --create to add a new one\./m);
    expect(unknown.stderr).not.toMatch(/unexpected error|Workflow execution failed/);

    const published = await sluice('publish', 'openface_torch', dir, '--version', '2020-03-25', '--create');
    expect(published.stdout).toMatch(/published openface_torch 2020-03-25: 1 files, 4\.0 KiB, verified against its manifest/);
    fs.writeFileSync(path.join(dir, 'openface_nn4.small2.v1.t7'), Buffer.alloc(4096, 8));
    expect((await sluice('publish', 'openface_torch', dir, '--version', '2026-03-01')).code).toBe(0);

    expect((await sluice('promote', 'openface_torch', '2020-03-25', '--reason', 'first')).code).toBe(0);
    const promoted = await sluice('promote', 'openface_torch', '2026-03-01', '--reason', 'retrained');
    expect(promoted.stdout).toMatch(/openface_torch {2}promote 2020-03-25 → 2026-03-01 {2}by .+: retrained/);
    const rolled = await sluice('rollback', 'openface_torch');
    expect(rolled.stdout).toMatch(/rollback 2026-03-01 → 2020-03-25/);

    const list = JSON.parse((await sluice('list', '--json')).stdout);
    expect(list).toEqual([expect.objectContaining({ model: 'openface_torch', current: '2020-03-25', previous: '2026-03-01', versions: 2 })]);
    expect((await sluice('versions', 'openface_torch')).stdout).toMatch(/2026-03-01 .*\[PREVIOUS\]\n2020-03-25 .*\[CURRENT\]/);
    const history = JSON.parse((await sluice('history', 'openface_torch', '--json')).stdout);
    expect(history.map((h: { action: string; to: string }) => `${h.action} ${h.to}`)).toEqual(['rollback 2020-03-25', 'promote 2026-03-01', 'promote 2020-03-25']);

    const badPin = await sluice('pin', 'ghost', 'openface_torch', '2026-03-01');
    expect(badPin.code).toBe(1);
    expect(badPin.stderr).toMatch(/Host ghost is not in the fleet inventory\.\n {2}Hosts in config \(fleet:\): sentinel1\./);
    expect((await sluice('pin', 'sentinel1', 'openface_torch', '2026-03-01')).stdout).toMatch(/sentinel1 pinned to openface_torch 2026-03-01/);
    expect((await sluice('list')).stdout).toMatch(/pinned: sentinel1=2026-03-01/);
    expect((await sluice('unpin', 'sentinel1', 'openface_torch')).stdout).toMatch(/follows openface_torch's current version again/);

    const exported = await sluice('export');
    expect(parseRegistryYaml(exported.stdout).models).toEqual([{ model: 'openface_torch', current: '2020-03-25', previous: '2026-03-01', variants: {} }]);
    const file = path.join(dir, 'registry.yaml');
    fs.writeFileSync(file, exported.stdout.replace('current_version: "2020-03-25"', 'current_version: "2026-03-01"').replace('previous_version: "2026-03-01"', 'previous_version: "2020-03-25"'));
    expect((await sluice('import', file)).stdout).toMatch(/created 0, changed 1, unchanged 0/);
    expect(JSON.parse((await sluice('history', '--json', '--limit', '1')).stdout)[0]).toMatchObject({ action: 'import', to: '2026-03-01' });

    expect((await sluice('roles')).stdout).toBe('outpost: mobilenet_ssd\n');
    const badRole = await sluice('role', 'outpost', 'mobilenet_ssd,openface_torch');
    expect(badRole.stderr).toMatch(/^sluice: Unknown model "mobilenet_ssd"\.\n {2}Known models: openface_torch\./);
    expect((await sluice('role', 'sentinel', 'openface_torch')).stdout).toBe('sentinel: openface_torch\n');
    expect(JSON.parse((await sluice('roles', '--json')).stdout)).toEqual([
      { role: 'outpost', models: ['mobilenet_ssd'] },
      { role: 'sentinel', models: ['openface_torch'] },
    ]);
    expect((await sluice('role', 'toaster', 'openface_torch')).stderr).toMatch(/Unknown role "toaster"\.\n {2}Roles: outpost, sentinel, datasink\./);

    const cleanup = await sluice('cleanup', '--plan');
    expect(cleanup.stdout).toMatch(/^Would remove 0 versions, 0 B \(keeping current, previous, pinned and the 5 newest of each model\)\n {2}keep {4}openface_torch 2026-03-01 {2}\(current, recent\)\n {2}keep {4}openface_torch 2020-03-25 {2}\(previous, recent\)$/m);
    // One story told through ~25 CLI processes (about 1.5 s each to start on a 2-core machine): 40 s
    // alone, past the default 60 s when the machine is busy with other test files.
  }, 180_000);
});
