import { UserError } from '../../infra/errors/user-error';

/**
 * Registry errors are all things a person must fix (a name, a version, a damaged upload); as
 * UserErrors they fail their activity at once, before anything in the registry has changed.
 */
export class RegistryError extends UserError {
  override name = 'RegistryError';
}

export class UnknownModelError extends RegistryError {
  override name = 'UnknownModelError';
  constructor(model: string, known: readonly string[], hint?: string) {
    super(`Unknown model "${model}".`, hint ?? `Known models: ${known.length > 0 ? known.join(', ') : 'none yet'}. Publish with --create to add a new one.`);
  }
}

export class UnknownVersionError extends RegistryError {
  override name = 'UnknownVersionError';
  constructor(model: string, version: string, known: readonly string[]) {
    super(`Model ${model} has no version ${version}.`, `Published versions: ${known.length > 0 ? known.join(', ') : 'none'} (sluice model versions ${model}).`);
  }
}

/** The files do not match the manifest written when the version was published. */
export class ManifestMismatchError extends RegistryError {
  override name = 'ManifestMismatchError';
  constructor(model: string, version: string, problems: readonly string[]) {
    const shown = problems.slice(0, 10).join('; ') + (problems.length > 10 ? `; and ${problems.length - 10} more` : '');
    super(`${model} ${version} does not match its manifest: ${shown}`, 'The stored files are damaged or were changed; publish the version again under a new date.');
  }
}

/** Another promotion or rollback of the same model changed it first. */
export class PromotionConflictError extends RegistryError {
  override name = 'PromotionConflictError';
  constructor(model: string, current: string | null, by: string | undefined) {
    super(
      `Model ${model} was changed by another promotion while this one ran (it is now at ${current ?? 'no version'}${by ? `, by ${by}` : ''}); nothing was changed by this one.`,
      'Check `sluice model history` and promote again if this version is still wanted.',
    );
  }
}
