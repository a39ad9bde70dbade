import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { activate, deploymentDir, finish, pruneStaleDeployments, rollBack, stagingDir } from '../../activities/host/node-activation';
import type { RenderedConfig } from '../../activities/host/node-configs';
import { readInventory } from '../../activities/host/model-inventory';
import { stageFiles, stagedPath } from '../../activities/host/node-staging';
import { LocalObjectStore } from '../../activities/storage/local-object-store';
import type { ObjectStore } from '../../activities/storage/object-store';

/** The node side of a deployment on a real disk and a real (local) object store, step by step. */
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

describe('a node deployment transaction: stage, activate, roll back, finish', () => {
  let root: string;
  let other: string;
  let store: LocalObjectStore;
  const deployment = 'run-1';

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-node-'));
    // A config destination outside the root, like /etc/sentinel/tasks.
    other = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-etc-'));
    store = new LocalObjectStore(fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-objects-')));
  });
  afterEach(() => {
    store.close();
    for (const dir of [root, other]) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Every file a service could read: sluice's own state under .sluice/ left out. */
  const listAll = (dir: string): string[] =>
    fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
      .filter((name) => !name.startsWith('.sluice/'))
      .sort();
  const config = (dest: string, content: string): RenderedConfig => ({ dest, path: path.resolve(root, dest), content, sha256: sha256(content), services: [] });

  it('resumes a download from the bytes already on disk, hashing them again', async () => {
    const body = randomBytes(300_000);
    await store.put('m/weights.bin', body);
    const dir = stagingDir(root, deployment);
    fs.mkdirSync(dir, { recursive: true });
    const file = { key: 'm/weights.bin', size: body.length, sha256: sha256(body) };
    fs.writeFileSync(`${stagedPath(dir, file.sha256)}.part`, body.subarray(0, 123_456));
    const seen: number[] = [];
    const staged = await stageFiles(store, dir, [file, file], (progress) => seen.push(progress.bytesDone));
    expect(staged).toEqual({ bytesMoved: body.length - 123_456, alreadyStaged: 0 });
    expect(sha256(fs.readFileSync(stagedPath(dir, file.sha256)))).toBe(file.sha256);
    expect(seen.at(-1)).toBe(body.length);
    // Staged files are not fetched twice.
    expect(await stageFiles(store, dir, [file], () => undefined)).toEqual({ bytesMoved: 0, alreadyStaged: 1 });
  });

  it('starts over when a leftover partial file is not a prefix of the object, and never stages a file that does not verify', async () => {
    const body = randomBytes(50_000);
    await store.put('m/a.bin', body);
    const dir = stagingDir(root, deployment);
    fs.mkdirSync(dir, { recursive: true });
    const file = { key: 'm/a.bin', size: body.length, sha256: sha256(body) };
    fs.writeFileSync(`${stagedPath(dir, file.sha256)}.part`, randomBytes(10_000));
    await expect(stageFiles(store, dir, [file], () => undefined)).rejects.toThrow(/^m\/a\.bin arrived as 50000 bytes, sha256 [0-9a-f]{12}…, expected 50000 bytes, [0-9a-f]{12}…$/);
    expect(fs.readdirSync(dir)).toEqual([]);
    // The next attempt starts from nothing and succeeds.
    expect(await stageFiles(store, dir, [file], () => undefined)).toEqual({ bytesMoved: 50_000, alreadyStaged: 0 });

    // A store that corrupts what it sends: the error says so and nothing is staged.
    const corrupting: ObjectStore = Object.assign(Object.create(store) as ObjectStore, { getStream: async () => Readable.from([Buffer.alloc(50_000)]) });
    const other = { ...file, sha256: sha256('something else') };
    await expect(stageFiles(corrupting, dir, [other], () => undefined)).rejects.toThrow(/arrived as 50000 bytes/);
    expect(fs.existsSync(stagedPath(dir, other.sha256))).toBe(false);
    expect(fs.readdirSync(dir).filter((name) => name.endsWith('.part'))).toEqual([]);
  });

  it('puts files and configs in place keeping what they replace, may run again, and rolls back exactly', async () => {
    const modelDir = path.join(root, 'models', 'face', '2026-01-01');
    fs.mkdirSync(modelDir, { recursive: true });
    fs.writeFileSync(path.join(modelDir, 'changed.bin'), 'old content');
    fs.mkdirSync(path.join(root, 'tasks'));
    fs.writeFileSync(path.join(root, 'tasks', 'face.yaml'), 'version: 2025\n');
    const before = Object.fromEntries(listAll(root).map((name) => [name, fs.readFileSync(path.join(root, name), 'utf8')]));

    const newModel = Buffer.from('new weights');
    const changed = Buffer.from('new content');
    const dir = stagingDir(root, deployment);
    fs.mkdirSync(dir, { recursive: true });
    for (const bytes of [newModel, changed]) fs.writeFileSync(stagedPath(dir, sha256(bytes)), bytes);
    const files = [
      { model: 'face', version: '2026-02-02', path: 'sub/weights.bin', sha256: sha256(newModel) },
      { model: 'face', version: '2026-01-01', path: 'changed.bin', sha256: sha256(changed) },
    ];
    const configs = [config('tasks/face.yaml', 'version: 2026\n'), config(path.join(other, 'fresh.yaml'), 'new file\n')];

    expect(await activate(root, deployment, files, configs)).toEqual({ files: 2, configs: 2 });
    // Again, as after a crash and a retry: the same result, nothing backed up twice.
    expect(await activate(root, deployment, files, configs)).toEqual({ files: 2, configs: 2 });
    expect(fs.readFileSync(path.join(root, 'models/face/2026-02-02/sub/weights.bin'), 'utf8')).toBe('new weights');
    expect(fs.readFileSync(path.join(modelDir, 'changed.bin'), 'utf8')).toBe('new content');
    expect(fs.readFileSync(path.join(root, 'tasks/face.yaml'), 'utf8')).toBe('version: 2026\n');
    expect(fs.readFileSync(path.join(other, 'fresh.yaml'), 'utf8')).toBe('new file\n');
    // No temporary file anywhere a service reads.
    expect(listAll(root).filter((name) => name.includes('.part'))).toEqual([]);
    // The staged copies are gone once everything is in place; the journal and kept copies stay until finish or rollback.
    expect(fs.existsSync(dir)).toBe(false);
    // Another set of files under the same deployment id is refused, not mixed in.
    await expect(activate(root, deployment, files.slice(1), configs)).rejects.toThrow(/was activated with other files before; roll it back first/);

    expect(await rollBack(root, deployment)).toEqual({ restored: 2, removed: 2 });
    expect(Object.fromEntries(listAll(root).map((name) => [name, fs.readFileSync(path.join(root, name), 'utf8')]))).toEqual(before);
    expect(fs.readdirSync(other)).toEqual([]);
    expect(fs.existsSync(path.join(root, 'models/face/2026-02-02'))).toBe(false);
    expect(fs.existsSync(deploymentDir(root, deployment))).toBe(false);
    // Rolling back again, or a deployment that never activated, changes nothing.
    expect(await rollBack(root, deployment)).toEqual({ restored: 0, removed: 0 });
  });

  it('finishes by removing only what it was told no target needs, and its own journal', async () => {
    const dir = stagingDir(root, deployment);
    fs.mkdirSync(dir, { recursive: true });
    const bytes = Buffer.from('v2');
    fs.writeFileSync(stagedPath(dir, sha256(bytes)), bytes);
    fs.mkdirSync(path.join(root, 'models/face/2026-01-01'), { recursive: true });
    fs.writeFileSync(path.join(root, 'models/face/2026-01-01/w.bin'), 'v1');
    fs.mkdirSync(path.join(root, 'models/other/2020-01-01'), { recursive: true });
    fs.writeFileSync(path.join(root, 'models/other/2020-01-01/o.bin'), 'kept');
    await activate(root, deployment, [{ model: 'face', version: '2026-02-02', path: 'w.bin', sha256: sha256(bytes) }], []);
    expect(await finish(root, deployment, [{ model: 'face', version: '2026-01-01', path: 'w.bin' }])).toEqual({ removed: 1 });
    expect(listAll(root)).toEqual(['models/face/2026-02-02/w.bin', 'models/other/2020-01-01/o.bin']);
    // The placed file's digest is remembered with its final stamp: the next inventory trusts it without reading.
    const placed = path.join(root, 'models/face/2026-02-02/w.bin');
    const remembered = JSON.parse(fs.readFileSync(path.join(root, '.sluice/digests.json'), 'utf8'))[placed];
    expect(remembered).toEqual({ size: '2', mtimeNs: String(fs.statSync(placed, { bigint: true }).mtimeNs), ctimeNs: String(fs.statSync(placed, { bigint: true }).ctimeNs), ino: String(fs.statSync(placed, { bigint: true }).ino), sha256: sha256(bytes) });
    // A rollback after finishing has nothing left to undo.
    expect(await rollBack(root, deployment)).toEqual({ restored: 0, removed: 0 });
    expect(fs.readFileSync(path.join(root, 'models/face/2026-02-02/w.bin'), 'utf8')).toBe('v2');
  });

  it('reads a model file again only when it changed, even when its size and mtime were put back', async () => {
    const file = path.join(root, 'models/face/2026-01-01/w.bin');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'aaaa');
    expect(await readInventory(root, () => undefined)).toEqual([{ model: 'face', version: '2026-01-01', path: 'w.bin', size: 4, sha256: sha256('aaaa') }]);

    // While the file's stamp (size, mtime, ctime, inode) is unchanged the remembered digest is used:
    // shown by planting a wrong one, which the inventory then reports.
    const cacheFile = path.join(root, '.sluice/digests.json');
    const cache = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as Record<string, { sha256: string }>;
    cache[file]!.sha256 = 'f'.repeat(64);
    fs.writeFileSync(cacheFile, JSON.stringify(cache));
    expect((await readInventory(root, () => undefined))[0]!.sha256).toBe('f'.repeat(64));

    // Same size, mtime set back: ctime still moved, so the file is read again.
    const { atime, mtime } = fs.statSync(file);
    fs.writeFileSync(file, 'bbbb');
    fs.utimesSync(file, atime, mtime);
    expect((await readInventory(root, () => undefined))[0]!.sha256).toBe(sha256('bbbb'));

    // A removed file is forgotten; a damaged cache is an empty one.
    fs.rmSync(file);
    expect(await readInventory(root, () => undefined)).toEqual([]);
    expect(JSON.parse(fs.readFileSync(cacheFile, 'utf8'))).toEqual({});
    fs.writeFileSync(cacheFile, '{not json');
    fs.writeFileSync(path.join(root, 'models/face/2026-01-01/x.bin'), 'cc');
    expect((await readInventory(root, () => undefined))[0]!.sha256).toBe(sha256('cc'));
  });

  it('prunes deployment directories left by terminated runs once a week old, unless they hold a journal to roll back', async () => {
    const old = Date.now() / 1000 - 8 * 86_400;
    for (const [name, journal, age] of [['abandoned', false, old], ['needs-rollback', true, old], ['recent', false, Date.now() / 1000]] as const) {
      const dir = deploymentDir(root, name);
      fs.mkdirSync(path.join(dir, 'staging'), { recursive: true });
      if (journal) fs.writeFileSync(path.join(dir, 'journal.json'), '{"entries":[]}');
      fs.utimesSync(dir, age, age);
    }
    expect(await pruneStaleDeployments(root)).toEqual(['abandoned']);
    expect(fs.readdirSync(path.join(root, '.sluice/deployments')).sort()).toEqual(['needs-rollback', 'recent']);
  });

  it('refuses deployment ids and file names that would leave the root', async () => {
    expect(() => deploymentDir(root, '../escape')).toThrow(/is not a deployment id/);
    await expect(activate(root, deployment, [{ model: 'face', version: '2026-02-02', path: '../../../etc/passwd', sha256: sha256('x') }], [])).rejects.toThrow();
    expect(() => stagedPath(root, '../x')).toThrow(/is not a sha256 digest/);
  });
});
