import { InvalidObjectKeyError, validateObjectKey } from '../storage/object-key';
import { ManifestMismatchError, RegistryError } from './errors';

/** One file of a version, as published. `path` is relative to the version directory. */
export interface ManifestFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

/** Written beside the files at publish time, and checked before a version is promoted or deployed. */
export interface Manifest {
  readonly model: string;
  readonly version: string;
  readonly files: readonly ManifestFile[];
  readonly publishedAt: string;
  readonly publishedBy: string;
}

export const MANIFEST_FILE = 'manifest.json';
const SHA256 = /^[0-9a-f]{64}$/;
const MAX_FILES = 10_000;

/**
 * A file's path inside a version: relative, "/"-separated, no "." or ".." segment, not the
 * manifest's own name. Checked before any byte moves, so a hostile name cannot escape the version.
 */
export function checkManifestPath(path: string): string {
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) throw new RegistryError(`File name ${JSON.stringify(path)} is absolute.`, 'Files of a version are named relative to its directory.');
  try {
    validateObjectKey(path);
  } catch (err) {
    if (err instanceof InvalidObjectKeyError) throw new RegistryError(`File name ${JSON.stringify(path)} cannot be stored: ${err.problem}.`, 'Rename the file: relative path segments, no "..", no backslashes or control characters.');
    throw err;
  }
  if (path === MANIFEST_FILE) throw new RegistryError(`A file may not be named ${MANIFEST_FILE}: sluice writes the manifest itself.`, 'Rename that file.');
  return path;
}

/** Checks a list of files as a client declared it: valid paths, no duplicates, sizes and digests well-formed. */
export function checkManifestFiles(files: readonly ManifestFile[]): void {
  if (files.length === 0) throw new RegistryError('A version needs at least one file.', 'Publish a directory that holds the model files.');
  if (files.length > MAX_FILES) throw new RegistryError(`A version of ${files.length} files is more than the ${MAX_FILES} allowed.`, 'Pack the files (e.g. a .tar) and publish that.');
  const seen = new Set<string>();
  for (const file of files) {
    checkManifestPath(file.path);
    if (seen.has(file.path)) throw new RegistryError(`File ${file.path} is listed twice.`, 'Each file of a version appears once.');
    seen.add(file.path);
    if (!Number.isSafeInteger(file.size) || file.size < 0) throw new RegistryError(`File ${file.path} has size ${file.size}.`, 'Sizes are whole numbers of bytes.');
    if (!SHA256.test(file.sha256)) throw new RegistryError(`File ${file.path} has no valid sha256.`, 'Digests are 64 lower-case hex characters.');
  }
}

/** Where a version's files live: <prefix><model>/<version>/ */
export function versionPrefix(prefix: string, model: string, version: string): string {
  return `${prefix}${model}/${version}/`;
}

/** Uploads wait here until publishModel installs them; "_" keeps it apart from every model name. */
export function stagingPrefix(prefix: string, uploadId: string): string {
  return `${prefix}_staging/${uploadId}/`;
}

/**
 * Reads each file of the manifest back (through `digestOf`, where the files are) and throws a
 * ManifestMismatchError listing every one that is missing, of another size, or of another sha256.
 */
export async function checkAgainstManifest(
  manifest: Manifest,
  digestOf: (path: string) => Promise<{ size: number; sha256: string } | undefined>,
  heartbeat: () => void,
): Promise<Manifest> {
  const problems: string[] = [];
  for (const file of manifest.files) {
    const found = await digestOf(file.path);
    if (!found) problems.push(`${file.path} is missing`);
    else if (found.size !== file.size) problems.push(`${file.path} is ${found.size} bytes, not ${file.size}`);
    else if (found.sha256 !== file.sha256) problems.push(`${file.path} has sha256 ${found.sha256.slice(0, 12)}…, not ${file.sha256.slice(0, 12)}…`);
    heartbeat();
  }
  if (problems.length > 0) throw new ManifestMismatchError(manifest.model, manifest.version, problems);
  return manifest;
}
