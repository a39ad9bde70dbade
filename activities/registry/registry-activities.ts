import { Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import { CLOUD_QUEUE, datasinkQueue } from '../../workflows/task-queues';
import type { ObjectStore } from '../storage/object-store';
import { RegistryError } from './errors';
import { FACELIST_FILE, FACELIST_MODEL } from './facelist';
import { checkManifestFiles, stagingPrefix, type Manifest, type ManifestFile } from './manifest';
import { checkModelName, checkVersion } from './names';
import { deletePrefix, ObjectRegistryFiles } from './object-registry-files';
import { markVersionDeleting, planRegistryCleanup, removeVersion, type CleanupPlan, type VersionRemoval } from './registry-cleanup';
import { ensureModel, insertVersion, modelState, requireVersion, revertPromotion, swapCurrent, versionExists, versionExistsAlready, type ModelState, type PromotionRecord, type SwapRequest } from './registry-db';
import { createRegistryFileActivities } from './registry-file-activities';

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

/** A facelist version's CSV in object storage, with what it must hash to. */
export interface FacelistSource {
  readonly version: string;
  readonly key: string;
  readonly size: number;
  readonly sha256: string;
}

/** Where the registry's files are: object storage, or the disk of one datasink. */
export type RegistryLocation = { store: 'object' } | { store: 'datasink'; host: string };

/**
 * The registry's state and log in Postgres, on the cloud queue. Every check that can refuse a
 * request runs before anything is written. File work runs where the files are (see
 * registry-file-activities); with object storage that is here too.
 */
export function createRegistryActivities(deps: { pool: Pool; store: ObjectStore; prefix: string; keepRecent: number; datasinks: readonly string[]; location: RegistryLocation }) {
  const objectFiles = new ObjectRegistryFiles(deps.store, deps.prefix);
  const heartbeat = () => Context.current().heartbeat();
  const workflowIdOf = () => Context.current().info.workflowExecution?.workflowId ?? 'unknown';
  // The file activities for object storage; the first versions of the workflows called these names.
  const legacyFiles = createRegistryFileActivities({ files: objectFiles, store: deps.store, prefix: deps.prefix });

  return {
    // Registered here whatever the location: with the files on a datasink, nothing routes them here.
    ...legacyFiles,

    /** The task queue of the worker that holds the registry's files. */
    async registryFilesQueue(): Promise<string> {
      return deps.location.store === 'object' ? CLOUD_QUEUE : datasinkQueue(deps.location.host);
    },

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

    /** Registers a version whose files were installed and verified against this manifest. */
    async registerVersion(input: { manifest: Manifest; createModel?: boolean }): Promise<{ files: number; bytes: number }> {
      await ensureModel(deps.pool, input.manifest.model, input.createModel ?? false);
      await insertVersion(deps.pool, input.manifest, workflowIdOf());
      return { files: input.manifest.files.length, bytes: input.manifest.files.reduce((sum, file) => sum + file.size, 0) };
    },

    /** The first publishModel: install in object storage and register, in one activity. */
    async installVersion(input: PublishRequest): Promise<{ files: number; bytes: number }> {
      const manifest = await legacyFiles.registryInstallFiles(input);
      await ensureModel(deps.pool, input.model, input.createModel ?? false);
      await insertVersion(deps.pool, manifest, workflowIdOf());
      return { files: manifest.files.length, bytes: manifest.files.reduce((sum, file) => sum + file.size, 0) };
    },

    async discardUpload(input: { uploadId: string }): Promise<number> {
      return (await deletePrefix(deps.store, stagingPrefix(deps.prefix, input.uploadId))).deleted;
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

    /** The first promote/rollback workflows verified here; object storage only. */
    async verifyVersion(input: { model: string; version: string }): Promise<{ files: number }> {
      return { files: (await objectFiles.verify(input.model, input.version, heartbeat)).files.length };
    },

    async swapCurrent(input: SwapRequest): Promise<PromotionRecord> {
      return swapCurrent(deps.pool, input);
    },

    async revertPromotion(input: Parameters<typeof revertPromotion>[1]): Promise<PromotionRecord | undefined> {
      return revertPromotion(deps.pool, input);
    },

    async planRegistryCleanup(): Promise<CleanupPlan> {
      return planRegistryCleanup(deps.pool, deps.keepRecent);
    },

    /** Marks a version "deleting" unless something protects it now; false when it was left alone. */
    async markVersionDeleting(input: { model: string; version: string }): Promise<{ marked: boolean; bytes: number }> {
      const bytes = await markVersionDeleting(deps.pool, input.model, input.version);
      return { marked: bytes !== undefined, bytes: bytes ?? 0 };
    },

    /** Drops the row of a version whose files are gone. */
    async forgetVersion(input: { model: string; version: string }): Promise<void> {
      await deps.pool.query("DELETE FROM registry_versions WHERE model = $1 AND version = $2 AND state = 'deleting'", [input.model, input.version]);
    },

    /** The first registryCleanup removed versions here in one step; object storage only. */
    async removeVersion(input: { model: string; version: string }): Promise<VersionRemoval> {
      return removeVersion({ pool: deps.pool, files: objectFiles }, input.model, input.version);
    },

    async datasinkHosts(): Promise<string[]> {
      return [...deps.datasinks];
    },

    /** A facelist version (current by default) and its CSV's entry in the manifest. */
    async facelistVersion(input: { version?: string }): Promise<{ version: string; file: ManifestFile }> {
      const version = input.version ? checkVersion(input.version) : (await modelState(deps.pool, FACELIST_MODEL)).current;
      if (!version) throw new RegistryError('No facelist version is current.', 'Publish one (sluice model publish facelist DIR --create) and promote it.');
      await requireVersion(deps.pool, FACELIST_MODEL, version);
      const { rows } = await deps.pool.query<{ manifest: Manifest }>('SELECT manifest FROM registry_versions WHERE model = $1 AND version = $2', [FACELIST_MODEL, version]);
      const file = rows[0]?.manifest.files.find((entry) => entry.path === FACELIST_FILE);
      if (!file) throw new RegistryError(`Facelist ${version} has no ${FACELIST_FILE}.`, 'Publish it again as a directory holding facelist.csv.');
      return { version, file };
    },
  };
}

export type RegistryActivities = ReturnType<typeof createRegistryActivities>;
