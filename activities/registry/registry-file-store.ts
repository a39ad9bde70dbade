import type { Manifest, ManifestFile } from './manifest';

export interface InstallRequest {
  readonly model: string;
  readonly version: string;
  /** Object-storage prefix the client uploaded the files under (see stagingPrefix). */
  readonly staging: string;
  /** As the client declared them while uploading. */
  readonly files: readonly ManifestFile[];
  readonly actor: string;
}

/**
 * Where a registry's version directories live: object storage (ObjectRegistryFiles) or a
 * datasink's own disk (DiskRegistryFiles). Either way uploads arrive through object storage, and
 * a version only counts once every file has been read back against its manifest.
 */
export interface RegistryFileStore {
  /** For messages: "s3://bucket/model_registry/" or "/home/ops/sentinelcam/model_registry on data1". */
  readonly description: string;
  /** Copies the upload into <model>/<version>/, checking each digest, writes the manifest, verifies. */
  install(request: InstallRequest, heartbeat: () => void): Promise<Manifest>;
  /** Re-reads every file against the manifest stored beside them; ManifestMismatchError if any differs. */
  verify(model: string, version: string, heartbeat: () => void): Promise<Manifest>;
  /** Removes the version's files; what could not be removed is reported, not thrown. */
  remove(model: string, version: string): Promise<{ failed: { key: string; error: string }[] }>;
  /** An object-storage key other hosts can fetch the file from (datasinks fetching a facelist). */
  shareFile(model: string, version: string, file: ManifestFile): Promise<string>;
}
