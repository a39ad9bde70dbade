import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ObjectNotFoundError, type ObjectStore } from '../storage/object-store';
import { fileDigest, isErrno, toReadable, writeFileAtomically } from '../storage/stream-helpers';
import { ManifestMismatchError, RegistryError } from './errors';
import { checkAgainstManifest, checkManifestPath, MANIFEST_FILE, type Manifest, type ManifestFile } from './manifest';
import { checkModelName, checkVersion } from './names';
import type { InstallRequest, RegistryFileStore } from './registry-file-store';

/**
 * The registry on a datasink's own disk, as SentinelCam keeps it: <root>/<model>/<version>/.
 * Runs on that datasink's worker. Uploads arrive through object storage (the client cannot reach
 * the datasink's disk), each file written atomically and checked against its digest; files other
 * hosts need (a facelist) are shared back through object storage.
 */
export class DiskRegistryFiles implements RegistryFileStore {
  readonly description: string;

  constructor(
    /** The registry directory, e.g. /home/ops/sentinelcam/model_registry. */
    private readonly root: string,
    private readonly store: ObjectStore,
    /** The registry's object-storage prefix, for shared copies. */
    private readonly prefix: string,
    host: string,
  ) {
    this.description = `${root} on ${host}`;
  }

  async install(request: InstallRequest, heartbeat: () => void): Promise<Manifest> {
    const { model, version, staging, files } = request;
    const dir = this.versionDir(model, version);
    for (const file of files) {
      const body = await this.store.getStream(`${staging}${file.path}`).catch((err: unknown) => {
        if (err instanceof ObjectNotFoundError) throw new RegistryError(`The upload has no file ${file.path}.`, 'Publish again; the upload may have been interrupted.');
        throw err;
      });
      const written = await writeFileAtomically(toReadable(body), this.fileIn(dir, file.path));
      if (written.size !== file.size || written.sha256 !== file.sha256) {
        throw new ManifestMismatchError(model, version, [`${file.path} arrived as ${written.size} bytes, sha256 ${written.sha256.slice(0, 12)}…, but was sent as ${file.size} bytes, sha256 ${file.sha256.slice(0, 12)}…`]);
      }
      heartbeat();
    }
    const manifest: Manifest = { model, version, files, publishedAt: new Date().toISOString(), publishedBy: request.actor };
    await writeFileAtomically(Readable.from([`${JSON.stringify(manifest, null, 2)}\n`]), path.join(dir, MANIFEST_FILE));
    return this.verify(model, version, heartbeat);
  }

  async verify(model: string, version: string, heartbeat: () => void): Promise<Manifest> {
    const dir = this.versionDir(model, version);
    let manifest: Manifest;
    try {
      manifest = JSON.parse(await fs.readFile(path.join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw new ManifestMismatchError(model, version, [`${MANIFEST_FILE} is missing`]);
      if (err instanceof SyntaxError) throw new ManifestMismatchError(model, version, [`${MANIFEST_FILE} is not valid JSON`]);
      throw err;
    }
    return checkAgainstManifest(manifest, (file) => fileDigest(this.fileIn(dir, file)), heartbeat);
  }

  async remove(model: string, version: string): Promise<{ failed: { key: string; error: string }[] }> {
    const dir = this.versionDir(model, version);
    try {
      await fs.rm(dir, { recursive: true, force: true });
      return { failed: [] };
    } catch (err) {
      return { failed: [{ key: dir, error: (err as Error).message }] };
    }
  }

  /** Copies the file to <prefix>_shared/<model>/<version>/<path> in object storage (once). */
  async shareFile(model: string, version: string, file: ManifestFile): Promise<string> {
    const key = `${this.prefix}_shared/${model}/${version}/${file.path}`;
    const existing = await this.store.head(key);
    if (existing?.size === file.size) return key;
    const put = await this.store.putFile(key, this.fileIn(this.versionDir(model, version), file.path));
    if (put.sha256 !== file.sha256) throw new ManifestMismatchError(model, version, [`${file.path} changed on disk while it was shared`]);
    return key;
  }

  private versionDir(model: string, version: string): string {
    return path.join(this.root, checkModelName(model), checkVersion(version));
  }

  /** The file's path, refusing any name that would leave the version directory. */
  private fileIn(dir: string, relative: string): string {
    const target = path.resolve(dir, ...checkManifestPath(relative).split('/'));
    if (!target.startsWith(`${dir}${path.sep}`)) throw new RegistryError(`File name ${JSON.stringify(relative)} leaves the version directory.`, 'Rename the file.');
    return target;
  }
}
