import { createHash } from 'node:crypto';
import { ObjectNotFoundError, type ObjectStore } from '../storage/object-store';
import { ManifestMismatchError, RegistryError } from './errors';
import { MANIFEST_FILE, versionPrefix, type Manifest, type ManifestFile } from './manifest';

/**
 * The registry's files in object storage. A version's files are copied in from the upload area
 * with their digests checked on the way, then the manifest is written, then every file is read
 * back against it: a version is only ever registered once its bytes are proven.
 */
export class RegistryFiles {
  constructor(
    private readonly store: ObjectStore,
    private readonly prefix: string,
  ) {}

  /** Copies staged files into the version, checking each against what the client declared. */
  async install(model: string, version: string, staging: string, files: readonly ManifestFile[], heartbeat: () => void): Promise<void> {
    const target = versionPrefix(this.prefix, model, version);
    for (const file of files) {
      const body = await this.store.getStream(`${staging}${file.path}`).catch((err: unknown) => {
        if (err instanceof ObjectNotFoundError) throw new RegistryError(`The upload has no file ${file.path}.`, 'Publish again; the upload may have been interrupted.');
        throw err;
      });
      const put = await this.store.put(`${target}${file.path}`, body);
      if (put.size !== file.size || put.sha256 !== file.sha256) {
        throw new ManifestMismatchError(model, version, [`${file.path} arrived as ${put.size} bytes, sha256 ${put.sha256.slice(0, 12)}…, but was sent as ${file.size} bytes, sha256 ${file.sha256.slice(0, 12)}…`]);
      }
      heartbeat();
    }
  }

  async writeManifest(manifest: Manifest): Promise<void> {
    await this.store.put(`${versionPrefix(this.prefix, manifest.model, manifest.version)}${MANIFEST_FILE}`, `${JSON.stringify(manifest, null, 2)}\n`, { contentType: 'application/json' });
  }

  /** Re-reads every file of the version and compares size and sha256 with the manifest stored beside them. */
  async verify(model: string, version: string, heartbeat: () => void): Promise<Manifest> {
    const prefix = versionPrefix(this.prefix, model, version);
    let manifest: Manifest;
    try {
      manifest = JSON.parse((await this.store.get(`${prefix}${MANIFEST_FILE}`)).toString('utf8')) as Manifest;
    } catch (err) {
      if (err instanceof ObjectNotFoundError) throw new ManifestMismatchError(model, version, [`${MANIFEST_FILE} is missing`]);
      if (err instanceof SyntaxError) throw new ManifestMismatchError(model, version, [`${MANIFEST_FILE} is not valid JSON`]);
      throw err;
    }
    const problems: string[] = [];
    for (const file of manifest.files) {
      const found = await digestOf(this.store, `${prefix}${file.path}`);
      if (!found) problems.push(`${file.path} is missing`);
      else if (found.size !== file.size) problems.push(`${file.path} is ${found.size} bytes, not ${file.size}`);
      else if (found.sha256 !== file.sha256) problems.push(`${file.path} has sha256 ${found.sha256.slice(0, 12)}…, not ${file.sha256.slice(0, 12)}…`);
      heartbeat();
    }
    if (problems.length > 0) throw new ManifestMismatchError(model, version, problems);
    return manifest;
  }

  async discard(prefix: string): Promise<number> {
    const keys: string[] = [];
    for await (const object of this.store.list(prefix)) keys.push(object.key);
    if (keys.length > 0) await this.store.deleteMany(keys);
    return keys.length;
  }
}

async function digestOf(store: ObjectStore, key: string): Promise<{ size: number; sha256: string } | undefined> {
  let body: NodeJS.ReadableStream;
  try {
    body = await store.getStream(key);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return undefined;
    throw err;
  }
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { size, sha256: hash.digest('hex') };
}
