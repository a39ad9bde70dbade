import { Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import type { ObjectStore } from '../storage/object-store';
import { RegistryError } from './errors';
import { checkFacelistCsv, FACELIST_FILE, FACELIST_MODEL } from './facelist';
import { checkManifestFiles, stagingPrefix, versionPrefix, type ManifestFile } from './manifest';
import { checkModelName, checkVersion } from './names';
import { ensureModel, insertVersion, modelState, requireVersion, swapCurrent, versionExists, versionExistsAlready, type ModelState, type PromotionRecord, type SwapRequest } from './registry-db';
import { planRegistryCleanup, removeVersion, type CleanupPlan, type VersionRemoval } from './registry-cleanup';
import { RegistryFiles } from './registry-files';

/** A facelist version's CSV in object storage, with what it must hash to. */
export interface FacelistSource {
  readonly version: string;
  readonly key: string;
  readonly size: number;
  readonly sha256: string;
}

export interface PublishRequest {
  readonly model: string;
  readonly version: string;
  /** Where the client uploaded the files (see stagingPrefix). */
  readonly uploadId: string;
  /** As the client computed them while uploading. */
  readonly files: readonly ManifestFile[];
  /** Add the model if the registry does not know it yet. */
  readonly createModel?: boolean;
  readonly actor: string;
}

/**
 * The registry's I/O, on the cloud queue: Postgres holds its state and log, object storage its
 * files. Every check that can refuse a request runs before anything is written.
 */
export function createRegistryActivities(deps: { pool: Pool; store: ObjectStore; prefix: string; keepRecent: number; datasinks: readonly string[] }) {
  const files = new RegistryFiles(deps.store, deps.prefix);
  const heartbeat = () => Context.current().heartbeat();

  return {
    async checkPublishable(input: Pick<PublishRequest, 'model' | 'version' | 'files' | 'createModel'>): Promise<void> {
      checkModelName(input.model);
      checkVersion(input.version);
      checkManifestFiles(input.files);
      if (input.model === FACELIST_MODEL && (input.files.length !== 1 || input.files[0]!.path !== FACELIST_FILE)) {
        throw new RegistryError(`A facelist version is one file named ${FACELIST_FILE}, not ${input.files.map((f) => f.path).join(', ')}.`, `Publish a directory holding only ${FACELIST_FILE}.`);
      }
      if (!input.createModel) await modelState(deps.pool, input.model);
      if (await versionExistsAlready(deps.pool, input.model, input.version)) throw versionExists(input.model, input.version);
    },

    /** Copies the upload into place, writes the manifest, reads every file back against it, registers the version. */
    async installVersion(input: PublishRequest): Promise<{ files: number; bytes: number }> {
      const workflowId = Context.current().info.workflowExecution?.workflowId ?? 'unknown';
      if (input.model === FACELIST_MODEL) {
        // Checked where it was uploaded, so a bad facelist never lands in the registry.
        await checkFacelistCsv(await deps.store.getStream(`${stagingPrefix(deps.prefix, input.uploadId)}${FACELIST_FILE}`), `${FACELIST_FILE} of ${input.version}`);
      }
      await files.install(input.model, input.version, stagingPrefix(deps.prefix, input.uploadId), input.files, heartbeat);
      await files.writeManifest({ model: input.model, version: input.version, files: input.files, publishedAt: new Date().toISOString(), publishedBy: input.actor });
      const manifest = await files.verify(input.model, input.version, heartbeat);
      await ensureModel(deps.pool, input.model, input.createModel ?? false);
      await insertVersion(deps.pool, manifest, workflowId);
      return { files: manifest.files.length, bytes: manifest.files.reduce((sum, file) => sum + file.size, 0) };
    },

    async discardUpload(input: { uploadId: string }): Promise<number> {
      return files.discard(stagingPrefix(deps.prefix, input.uploadId));
    },

    /** The model's state, with `version` checked to exist; "previous" resolves to the previous version. */
    async resolveTarget(input: { model: string; to: string }): Promise<ModelState & { target: string }> {
      const state = await modelState(deps.pool, input.model);
      const target = input.to === 'previous' ? state.previous : checkVersion(input.to);
      if (!target) throw new RegistryError(`Model ${input.model} has no previous version to roll back to.`, 'Name a version instead: sluice model versions shows them.');
      await requireVersion(deps.pool, input.model, target);
      if (target === state.current) throw new RegistryError(`Model ${input.model} is already at ${target}.`, 'Nothing to do.');
      return { ...state, target };
    },

    async verifyVersion(input: { model: string; version: string }): Promise<{ files: number }> {
      const manifest = await files.verify(input.model, input.version, heartbeat);
      return { files: manifest.files.length };
    },

    /** The datasinks of the fleet inventory, which receive facelists. */
    async datasinkHosts(): Promise<string[]> {
      return [...deps.datasinks];
    },

    /** Where a facelist version's CSV is, for datasinks to fetch; the current one by default. */
    async facelistSource(input: { version?: string }): Promise<FacelistSource> {
      const version = input.version ? checkVersion(input.version) : (await modelState(deps.pool, FACELIST_MODEL)).current;
      if (!version) throw new RegistryError('No facelist version is current.', 'Publish one (sluice model publish facelist DIR --create) and promote it.');
      await requireVersion(deps.pool, FACELIST_MODEL, version);
      const manifest = await files.verify(FACELIST_MODEL, version, heartbeat);
      const file = manifest.files.find((entry) => entry.path === FACELIST_FILE);
      if (!file) throw new RegistryError(`Facelist ${version} has no ${FACELIST_FILE}.`, 'Publish it again as a directory holding facelist.csv.');
      return { version, key: `${versionPrefix(deps.prefix, FACELIST_MODEL, version)}${FACELIST_FILE}`, size: file.size, sha256: file.sha256 };
    },

    async swapCurrent(input: SwapRequest): Promise<PromotionRecord> {
      return swapCurrent(deps.pool, input);
    },

    async planRegistryCleanup(): Promise<CleanupPlan> {
      return planRegistryCleanup(deps.pool, deps.keepRecent);
    },

    async removeVersion(input: { model: string; version: string }): Promise<VersionRemoval> {
      return removeVersion(deps, input.model, input.version);
    },
  };
}

export type RegistryActivities = ReturnType<typeof createRegistryActivities>;
