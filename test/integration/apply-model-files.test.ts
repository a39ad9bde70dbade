import fs from 'node:fs';
import path from 'node:path';
import { applyModelFiles, type FileToFetch } from '../../activities/host/apply-model-files';
import { LocalObjectStore } from '../../activities/storage/local-object-store';
import type { ObjectStore } from '../../activities/storage/object-store';
import { sha256Of } from '../../activities/storage/stream-helpers';
import { testStack } from '../harness/test-stack-info';

/** Real files and a real local object store; the node side of a deployment without Temporal around it. */
describe('applyModelFiles (a node brought to a plan)', () => {
  const work = () => fs.mkdtempSync(path.join(testStack().workDir, 'apply-'));

  async function setUp(contents: Record<string, string>) {
    const storeDir = work();
    const store = new LocalObjectStore(storeDir);
    const fetch: FileToFetch[] = [];
    for (const [name, body] of Object.entries(contents)) {
      const key = `model_registry/mobilenet_ssd/2020-12-06/${name}`;
      await store.put(key, body);
      fetch.push({ model: 'mobilenet_ssd', version: '2020-12-06', path: name, size: Buffer.byteLength(body), sha256: sha256Of(Buffer.from(body)), key });
    }
    return { store, fetch, root: work() };
  }

  it('fetches, verifies and places files atomically; a second run moves nothing; removes what is no longer needed', async () => {
    const { store, fetch, root } = await setUp({ 'MobileNetSSD_deploy.prototxt': 'proto', 'sub/MobileNetSSD_deploy.caffemodel': 'weights' });
    const old = path.join(root, 'models', 'mobilenet_ssd', '2019-01-01');
    fs.mkdirSync(path.join(old, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(old, 'sub', 'x.bin'), 'old');
    try {
      const first = await applyModelFiles({ root, store }, { fetch, remove: [{ model: 'mobilenet_ssd', version: '2019-01-01', path: 'sub/x.bin' }] }, () => {});
      expect(first).toEqual({ fetched: 2, bytesMoved: 12, alreadyInPlace: 0, removed: 1 });
      expect(fs.readFileSync(path.join(root, 'models/mobilenet_ssd/2020-12-06/sub/MobileNetSSD_deploy.caffemodel'), 'utf8')).toBe('weights');
      // The emptied version directory went with its last file; no temporary files are left.
      expect(fs.readdirSync(path.join(root, 'models', 'mobilenet_ssd'))).toEqual(['2020-12-06']);
      expect(fs.readdirSync(path.join(root, 'models/mobilenet_ssd/2020-12-06'), { recursive: true }).filter((name) => String(name).includes('.part'))).toEqual([]);

      const again = await applyModelFiles({ root, store }, { fetch, remove: [{ model: 'mobilenet_ssd', version: '2019-01-01', path: 'sub/x.bin' }] }, () => {});
      expect(again).toEqual({ fetched: 0, bytesMoved: 0, alreadyInPlace: 2, removed: 0 });
    } finally {
      store.close();
    }
  });

  it('refuses a transfer whose digest is wrong and leaves no file where a service reads it', async () => {
    const { store, fetch, root } = await setUp({ 'model.bin': 'the real weights' });
    const corrupting: ObjectStore = Object.assign(Object.create(store) as ObjectStore, { getStream: async () => (await import('node:stream')).Readable.from([Buffer.from('the real weightz')]) });
    try {
      await expect(applyModelFiles({ root, store: corrupting }, { fetch, remove: [] }, () => {})).rejects.toThrow(/model\.bin arrived as 16 bytes, sha256 [0-9a-f]{12}…, expected 16 bytes/);
      // Neither the file, its temporary copy, nor a directory made for it is left behind.
      expect(fs.readdirSync(path.join(root, 'models'))).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('refuses names that would leave the models directory', async () => {
    const { store, root } = await setUp({});
    try {
      const evil = { model: 'mobilenet_ssd', version: '2020-12-06', path: '../../../etc/passwd', size: 1, sha256: 'a'.repeat(64), key: 'x' };
      await expect(applyModelFiles({ root, store }, { fetch: [evil], remove: [] }, () => {})).rejects.toThrow(/cannot be stored/);
      await expect(applyModelFiles({ root, store }, { fetch: [], remove: [{ model: '../x', version: '2020-12-06', path: 'a' }] }, () => {})).rejects.toThrow(/Invalid model name/);
      await expect(applyModelFiles({ root, store }, { fetch: [], remove: [{ model: 'm', version: 'latest', path: 'a' }] }, () => {})).rejects.toThrow(/Invalid version/);
    } finally {
      store.close();
    }
  });
});
