import { UserError } from '../../infra/errors/user-error';

/** The archive read back from storage is not what was exported: final for this run, and nothing is dropped. */
export class ArchiveVerificationError extends UserError {
  override name = 'ArchiveVerificationError';
  constructor(key: string, problems: readonly string[]) {
    super(
      `The archive ${key} does not match its source: ${problems.join('; ')}.`,
      'The partition was not dropped. The next archival run writes this part again from the partition; if it fails again, look at the object store (something rewrote or damaged the object).',
    );
  }
}
