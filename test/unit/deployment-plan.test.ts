import { planNode, type InstalledFile } from '../../activities/fleet/deployment-plan';
import type { NodeTarget } from '../../activities/fleet/targets';

const sha = (c: string) => c.repeat(64);
const target: NodeTarget = { model: 'm', version: '2026-01-01', pinned: false, files: [{ path: 'a.bin', size: 3, sha256: sha('a') }, { path: 'sub/b.bin', size: 4, sha256: sha('b') }] };
const installed = (model: string, version: string, path: string, sha256: string, size = 3): InstalledFile => ({ model, version, path, size, sha256 });

describe('planNode', () => {
  it('adds what is missing, changes what differs, keeps what matches', () => {
    const plan = planNode('n1', [target], [installed('m', '2026-01-01', 'a.bin', sha('a')), installed('m', '2026-01-01', 'sub/b.bin', sha('x'), 4)], new Set(['m']));
    expect(plan).toMatchObject({ add: [], change: [{ path: 'sub/b.bin', size: 4 }], remove: [], unchanged: 1, bytes: 4 });
  });

  it('treats a file of the right digest but another size as changed', () => {
    expect(planNode('n1', [target], [installed('m', '2026-01-01', 'a.bin', sha('a'), 99)], new Set(['m'])).change.map((c) => c.path)).toEqual(['a.bin']);
  });

  it('removes files no target needs, only of managed models', () => {
    const plan = planNode('n1', [target], [installed('m', '2025-01-01', 'a.bin', sha('a')), installed('other', '2025-01-01', 'x', sha('x')), installed('m', '2026-01-01', 'extra.txt', sha('e'))], new Set(['m']));
    expect(plan.remove).toEqual([
      { model: 'm', version: '2025-01-01', path: 'a.bin' },
      { model: 'm', version: '2026-01-01', path: 'extra.txt' },
    ]);
    expect(plan.add.map((a) => a.path)).toEqual(['a.bin', 'sub/b.bin']);
    expect(plan.bytes).toBe(7);
  });

  it('plans nothing for a node with no targets and no managed files', () => {
    expect(planNode('n1', [], [installed('other', '2025-01-01', 'x', sha('x'))], new Set(['m']))).toMatchObject({ add: [], change: [], remove: [], unchanged: 0, bytes: 0 });
  });
});
