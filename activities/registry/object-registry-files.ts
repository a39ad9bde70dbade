import { createHash } from 'node:crypto';
import { ObjectNotFoundError, type ObjectStore } from '../storage/object-store';
import { ManifestMismatchError, RegistryError } from './errors';
import { checkAgainstManifest, MANIFEST_FILE, versionPrefix, type Manifest, type ManifestFile } from './manifest';
import type { InstallRequest, RegistryFileStore } from './registry-file-store';

/**
 * The registry's files in object storage, under <prefix><model>/<version>/. A version's files are
 * copied in from the upload area with their digests checked on the way, then the manifest is
 * written, then every file is read back against it.
 */
export class ObjectRegistryFiles implements RegistryFileStore {
  readonly description: string;

  constructor(
    private readonly store: ObjectStore,
    private readonly prefix: string,
  ) {
    this.description = `${prefix} in ${store.description}`;
  }

  async install(request: InstallRequest, heartbeat: () => void): Promise<Manifest> {
    const { model, version, staging, files } = request;
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
    const manifest: Manifest = { model, version, files, publishedAt: new Date().toISOString(), publishedBy: request.actor };
    await this.store.put(`${target}${MANIFEST_FILE}`, `${JSON.stringify(manifest, null, 2)}\n`, { contentType: 'application/json' });
    return this.verify(model, version, heartbeat);
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
    return checkAgainstManifest(manifest, (file) => digestOf(this.store, `${prefix}${file}`), heartbeat);
  }

  async remove(model: string, version: string): Promise<{ failed: { key: string; error: string }[] }> {
    return { failed: (await deletePrefix(this.store, versionPrefix(this.prefix, model, version))).failed };
  }

  async shareFile(model: string, version: string, file: ManifestFile): Promise<string> {
    return `${versionPrefix(this.prefix, model, version)}${file.path}`;
  }
}

/** Deletes every object under a prefix (an upload area, a version). */
export async function deletePrefix(store: ObjectStore, prefix: string): Promise<{ deleted: number; failed: { key: string; error: string }[] }> {
  const keys: string[] = [];
  for await (const object of store.list(prefix)) keys.push(object.key);
  if (keys.length === 0) return { deleted: 0, failed: [] };
  const outcome = await store.deleteMany(keys);
  return { deleted: outcome.deleted.length, failed: outcome.failed };
}

export async function digestOf(store: ObjectStore, key: string): Promise<{ size: number; sha256: string } | undefined> {
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
