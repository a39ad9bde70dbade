import { UserError } from '../../infra/errors/user-error';
import type { Logger } from '../../infra/log/logger';
import { LocalObjectStore } from './local-object-store';
import type { ObjectStore } from './object-store';
import { S3ObjectStore, type S3StoreSettings } from './s3-object-store';

export type ObjectStoreSettings = { kind: 'local'; local: { root: string } } | { kind: 's3'; s3: S3StoreSettings };

/** The one place that knows which backends exist; everything else sees only ObjectStore. */
export function createObjectStore(settings: ObjectStoreSettings, options: { log?: Logger } = {}): ObjectStore {
  switch (settings.kind) {
    case 'local':
      return new LocalObjectStore(settings.local.root);
    case 's3':
      return new S3ObjectStore(settings.s3, { log: options.log });
    default: {
      // Settings can come from an unchecked source (a workflow argument); fail loudly, not with undefined.
      const kind: never = settings;
      throw new UserError(`Unknown storage.kind ${JSON.stringify((kind as { kind: unknown }).kind)}`, 'Set storage.kind to "local" or "s3".');
    }
  }
}
