import { UserError } from '../../../infra/errors/user-error';

/** Where in a GRIB file a problem was found; every field narrows it down further. */
export interface GribLocation {
  /** The file path, or a label such as "<buffer>" for in-memory input. */
  readonly file: string;
  /** 0-based index of the message in the file. */
  readonly messageIndex?: number;
  /** Byte offset in the file: of the message, or of the section when `section` is set. */
  readonly offset?: number;
  /** GRIB section number 0–8. */
  readonly section?: number;
}

function describeLocation(where: GribLocation): string {
  const parts = [where.file];
  if (where.messageIndex !== undefined) parts.push(`message ${where.messageIndex + 1}`);
  if (where.section !== undefined) parts.push(`section ${where.section}`);
  if (where.offset !== undefined) parts.push(`at byte ${where.offset}`);
  return parts.join(', ');
}

/**
 * The bytes are not a valid GRIB2 file: truncated, corrupt, or inconsistent. It is bad input,
 * not a transient failure, so it extends UserError: an activity fails at once, without retries.
 */
export class GribFormatError extends UserError {
  override name = 'GribFormatError';

  constructor(
    readonly location: GribLocation,
    /** What is wrong, without the location (it is prefixed). */
    readonly problem: string,
    hint = 'The file is not valid GRIB2: download it again, or check what produced it.',
  ) {
    super(`${describeLocation(location)}: ${problem}`, hint);
  }
}

/** Valid GRIB, but uses a template or feature this reader does not decode. */
export class GribUnsupportedError extends GribFormatError {
  override name = 'GribUnsupportedError';

  constructor(
    location: GribLocation,
    problem: string,
    hint = 'This reader supports grid templates 3.0 and 3.30, product templates 4.0 and 4.8, and data templates 5.0, 5.2, 5.3, 5.40 and 5.41.',
  ) {
    super(location, problem, hint);
  }
}

/** A GRIB edition 1 (or other non-2) message: a different format altogether. */
export class GribEditionError extends GribFormatError {
  override name = 'GribEditionError';

  constructor(location: GribLocation, readonly edition: number) {
    super(
      location,
      `GRIB edition ${edition} is not supported; only GRIB edition 2 is`,
      edition === 1 ? 'Convert it to GRIB2 first, e.g. with ecCodes: grib_set -s edition=2 in.grib1 out.grib2.' : 'Check that the file really is GRIB.',
    );
  }
}
