import { CancellationScope, patched, upsertSearchAttributes } from '@temporalio/workflow';
import type { PublishRequest } from '../activities/registry/registry-activities';
import { REGISTRY_FILES_WHERE_THEY_ARE, registry, registryFilesOn } from './registry-proxy';
import { SLUICE_KIND, SLUICE_MODEL } from './search-attributes';

/**
 * Publishes an uploaded directory as a new model version (`sluice model publish` uploads it and
 * starts this): checks the name, version and file list, copies the files into place checking each
 * digest, writes the manifest, reads everything back against it, and only then registers the
 * version. The upload area is cleared whatever happens.
 */
export async function publishModel(input: PublishRequest): Promise<{ model: string; version: string; files: number; bytes: number }> {
  upsertSearchAttributes([
    { key: SLUICE_KIND, value: 'model-publish' },
    { key: SLUICE_MODEL, value: input.model },
  ]);
  try {
    await registry.checkPublishable(input);
    if (patched(REGISTRY_FILES_WHERE_THEY_ARE)) {
      const files = registryFilesOn(await registry.registryFilesQueue());
      const manifest = await files.registryInstallFiles(input);
      const registered = await registry.registerVersion({ manifest, createModel: input.createModel });
      return { model: input.model, version: input.version, ...registered };
    }
    const installed = await registry.installVersion(input);
    return { model: input.model, version: input.version, ...installed };
  } finally {
    await CancellationScope.nonCancellable(() => registry.discardUpload({ uploadId: input.uploadId }));
  }
}
