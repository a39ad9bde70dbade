import { Context } from '@temporalio/activity';
import type { ObjectStore } from '../storage/object-store';
import { checkFacelistCsv, FACELIST_FILE, FACELIST_MODEL } from './facelist';
import { stagingPrefix, type Manifest, type ManifestFile } from './manifest';
import type { RegistryFileStore } from './registry-file-store';

export interface InstallFilesRequest {
  readonly model: string;
  readonly version: string;
  readonly uploadId: string;
  readonly files: readonly ManifestFile[];
  readonly actor: string;
}

/**
 * The activities that touch a registry's files, registered where those files are: on the cloud
 * queue for object storage, on a datasink's queue for its own disk. Workflows ask the cloud worker
 * which queue that is (registryFilesQueue).
 */
export function createRegistryFileActivities(deps: { files: RegistryFileStore; store: ObjectStore; prefix: string }) {
  const heartbeat = () => Context.current().heartbeat();
  return {
    async registryInstallFiles(input: InstallFilesRequest): Promise<Manifest> {
      const staging = stagingPrefix(deps.prefix, input.uploadId);
      if (input.model === FACELIST_MODEL) {
        // Checked where it was uploaded, so a bad facelist never lands in the registry.
        await checkFacelistCsv(await deps.store.getStream(`${staging}${FACELIST_FILE}`), `${FACELIST_FILE} of ${input.version}`);
      }
      return deps.files.install({ model: input.model, version: input.version, staging, files: input.files, actor: input.actor }, heartbeat);
    },

    async registryVerifyFiles(input: { model: string; version: string }): Promise<{ files: number }> {
      return { files: (await deps.files.verify(input.model, input.version, heartbeat)).files.length };
    },

    async registryRemoveFiles(input: { model: string; version: string }): Promise<{ failed: { key: string; error: string }[] }> {
      return deps.files.remove(input.model, input.version);
    },

    async registryShareFile(input: { model: string; version: string; file: ManifestFile }): Promise<{ key: string }> {
      return { key: await deps.files.shareFile(input.model, input.version, input.file) };
    },

    /** shareFile for many files at once (a deployment's); keys in the same order. */
    async registryShareFiles(input: { files: { model: string; version: string; file: ManifestFile }[] }): Promise<string[]> {
      const keys: string[] = [];
      for (const entry of input.files) {
        keys.push(await deps.files.shareFile(entry.model, entry.version, entry.file));
        heartbeat();
      }
      return keys;
    },
  };
}

export type RegistryFileActivities = ReturnType<typeof createRegistryFileActivities>;
