import { installedAfter, isNoop, modelsForConfigs, planNode, type InstalledFile, type NodeReport } from '../../activities/fleet/deployment-plan';
import type { ConfigChange } from '../../activities/host/node-configs';
import type { NodeTarget } from '../../activities/fleet/targets';

const sha = (c: string) => c.repeat(64);
const target: NodeTarget = { model: 'm', version: '2026-01-01', pinned: false, files: [{ path: 'a.bin', size: 3, sha256: sha('a') }, { path: 'sub/b.bin', size: 4, sha256: sha('b') }] };
const installed = (model: string, version: string, path: string, sha256: string, size = 3): InstalledFile => ({ model, version, path, size, sha256 });
const report = (files: InstalledFile[], extra: Partial<NodeReport> = {}): NodeReport => ({ files, configs: [], configModels: [], services: [], ...extra });
const config = (dest: string, status: ConfigChange['status'], services: string[]): ConfigChange => ({ dest, path: `/r/${dest}`, status, sha256: sha('c'), diff: status === 'unchanged' ? '' : 'diff', services });

describe('planNode', () => {
  it('adds what is missing, changes what differs, keeps what matches', () => {
    const plan = planNode('n1', [target], report([installed('m', '2026-01-01', 'a.bin', sha('a')), installed('m', '2026-01-01', 'sub/b.bin', sha('x'), 4)]), new Set(['m']));
    expect(plan).toMatchObject({ add: [], change: [{ path: 'sub/b.bin', size: 4 }], remove: [], unchanged: 1, bytes: 4 });
  });

  it('treats a file of the right digest but another size as changed', () => {
    expect(planNode('n1', [target], report([installed('m', '2026-01-01', 'a.bin', sha('a'), 99)]), new Set(['m'])).change.map((c) => c.path)).toEqual(['a.bin']);
  });

  it('removes files no target needs, only of managed models', () => {
    const plan = planNode('n1', [target], report([installed('m', '2025-01-01', 'a.bin', sha('a')), installed('other', '2025-01-01', 'x', sha('x')), installed('m', '2026-01-01', 'extra.txt', sha('e'))]), new Set(['m']));
    expect(plan.remove).toEqual([
      { model: 'm', version: '2025-01-01', path: 'a.bin' },
      { model: 'm', version: '2026-01-01', path: 'extra.txt' },
    ]);
    expect(plan.add.map((a) => a.path)).toEqual(['a.bin', 'sub/b.bin']);
    expect(plan.bytes).toBe(7);
  });

  it('plans nothing for a node with no targets and no managed files', () => {
    expect(planNode('n1', [], report([installed('other', '2025-01-01', 'x', sha('x'))]), new Set(['m']))).toMatchObject({ add: [], change: [], remove: [], unchanged: 0, bytes: 0 });
  });

  it('leaves models outside the deployment alone, but still lists every target', () => {
    const plan = planNode('n1', [target, { ...target, model: 'other' }], report([]), new Set(['m']));
    expect(plan.add.map((a) => a.model)).toEqual(['m', 'm']);
    expect(plan.targets.map((t) => t.model)).toEqual(['m', 'other']);
  });

  it('restarts the services of changed models and of changed configs, and nothing when nothing changed', () => {
    const services = [{ name: 'detector', models: ['m'] }, { name: 'recognizer', models: ['other'] }, { name: 'everything' }, { name: 'by-config', models: ['other'] }];
    const changed = planNode('n1', [target], report([], { services, configs: [config('tasks/a.yaml', 'change', ['by-config']), config('tasks/b.yaml', 'unchanged', ['recognizer'])] }), new Set(['m']));
    expect(changed.restart).toEqual(['detector', 'everything', 'by-config']);
    expect(isNoop(changed)).toBe(false);

    const same = planNode('n1', [target], report([installed('m', '2026-01-01', 'a.bin', sha('a')), installed('m', '2026-01-01', 'sub/b.bin', sha('b'), 4)], { services, configs: [config('tasks/b.yaml', 'unchanged', ['recognizer'])] }), new Set(['m']));
    expect(same.restart).toEqual([]);
    expect(isNoop(same)).toBe(true);

    const configOnly = planNode('n1', [target], report([installed('m', '2026-01-01', 'a.bin', sha('a')), installed('m', '2026-01-01', 'sub/b.bin', sha('b'), 4)], { services, configs: [config('tasks/new.yaml', 'create', ['recognizer'])] }), new Set(['m']));
    expect(configOnly.restart).toEqual(['recognizer']);
    expect(isNoop(configOnly)).toBe(false);
  });

  it('knows what the node holds before and after', () => {
    const plan = planNode('n1', [target], report([installed('m', '2025-01-01', 'a.bin', sha('a')), installed('keep', '2024-01-01', 'k', sha('k'))]), new Set(['m']));
    expect(plan.installed).toEqual([{ model: 'm', version: '2025-01-01' }, { model: 'keep', version: '2024-01-01' }]);
    expect(installedAfter(plan)).toEqual([{ model: 'keep', version: '2024-01-01' }, { model: 'm', version: '2026-01-01' }]);
  });
});

describe('modelsForConfigs', () => {
  const targets = [{ model: 'm', version: '2026-02-02' }, { model: 'other', version: '2026-03-03' }, { model: 'fresh', version: '2026-04-04' }];
  it('renders managed models at their target and the others at what the node holds', () => {
    const files = [installed('other', '2025-01-01', 'x', sha('x')), installed('other', '2025-06-01', 'x', sha('x'))];
    expect(modelsForConfigs(targets, files, new Set(['m']))).toEqual([
      { model: 'm', version: '2026-02-02' },
      { model: 'other', version: '2025-06-01' },
      { model: 'fresh', version: '2026-04-04' },
    ]);
  });

  it('keeps an unmanaged target the node already holds', () => {
    expect(modelsForConfigs(targets, [installed('other', '2026-03-03', 'x', sha('x')), installed('other', '2027-01-01', 'x', sha('x'))], new Set())[1]).toEqual({ model: 'other', version: '2026-03-03' });
  });
});
