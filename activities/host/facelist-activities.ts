import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FacelistSource } from '../registry/registry-activities';
import { checkVersion } from '../registry/names';
import type { ObjectStore } from '../storage/object-store';
import { fileDigest, fsyncDirectory, toReadable, writeAndSync } from '../storage/stream-helpers';

export interface FacelistInstall {
  readonly host: string;
  readonly file: string;
  /** False when the file was already there with the right digest. */
  readonly downloaded: boolean;
}

/**
 * On a datasink: puts a facelist version at <root>/faces/facelist_<version>.csv and points
 * facelist_current.csv at it, as SentinelCam's playbook laid them out. The file is written to a
 * temporary name, checked against the registry's sha256, fsynced and renamed; the link is replaced
 * by a rename too. Datapump never sees a half-written list or a missing link.
 */
export function createFacelistActivities(deps: { host: string; root: string; store: ObjectStore }) {
  return {
    async installFacelist(source: FacelistSource): Promise<FacelistInstall> {
      const version = checkVersion(source.version);
      const dir = path.join(deps.root, 'faces');
      await fs.mkdir(dir, { recursive: true });
      const name = `facelist_${version}.csv`;
      const target = path.join(dir, name);
      const downloaded = (await fileDigest(target))?.sha256 !== source.sha256;
      if (downloaded) {
        const temp = path.join(dir, `.${name}.${randomBytes(6).toString('hex')}.part`);
        const written = await writeAndSync(toReadable(await deps.store.getStream(source.key)), temp);
        if (written.sha256 !== source.sha256 || written.size !== source.size) {
          await fs.rm(temp, { force: true });
          // Not a UserError: a transfer that went wrong is worth another attempt.
          throw new Error(`facelist ${version} arrived as ${written.size} bytes with sha256 ${written.sha256.slice(0, 12)}…, expected ${source.size} bytes, ${source.sha256.slice(0, 12)}…`);
        }
        await fs.rename(temp, target);
      }
      const link = path.join(dir, 'facelist_current.csv');
      const tempLink = path.join(dir, `.facelist_current.${randomBytes(6).toString('hex')}.link`);
      await fs.symlink(name, tempLink);
      await fs.rename(tempLink, link);
      await fsyncDirectory(dir);
      return { host: deps.host, file: target, downloaded };
    },
  };
}

export type FacelistActivities = ReturnType<typeof createFacelistActivities>;
