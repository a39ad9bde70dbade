import type { Octets } from './octets';

/** Section 1, the identification section: who made the data and for which reference time. */
export interface Identification {
  /** Originating centre (common code table C-11): 7 is NCEP, 98 ECMWF. */
  readonly centre: number;
  readonly subCentre: number;
  readonly masterTablesVersion: number;
  readonly localTablesVersion: number;
  /** Code table 1.2: 0 analysis, 1 start of forecast, 2 verifying time of forecast… */
  readonly significanceOfReferenceTime: number;
  /** The reference (usually the model run's) time, UTC. */
  readonly referenceTime: Date;
  /** Code table 1.3: 0 operational, 1 test, 2 research… */
  readonly productionStatus: number;
  /** Code table 1.4: 0 analysis, 1 forecast, 2 both… */
  readonly typeOfData: number;
}

export function readIdentification(octets: Octets): Identification {
  octets.require(21, 'the identification template (21 octets)');
  return {
    centre: octets.uint(6, 2),
    subCentre: octets.uint(8, 2),
    masterTablesVersion: octets.uint(10, 1),
    localTablesVersion: octets.uint(11, 1),
    significanceOfReferenceTime: octets.uint(12, 1),
    referenceTime: readDateTime(octets, 13),
    productionStatus: octets.uint(20, 1),
    typeOfData: octets.uint(21, 1),
  };
}

/**
 * The 7-octet date-time GRIB2 uses in sections 1 and 4 (year in 2 octets, then month, day, hour,
 * minute, second). Refuses impossible dates: `Date.UTC` would silently roll 30 February over to
 * 2 March, giving a plausible but wrong time.
 */
export function readDateTime(octets: Octets, octet: number): Date {
  const parts = {
    year: octets.uint(octet, 2),
    month: octets.uint(octet + 2, 1),
    day: octets.uint(octet + 3, 1),
    hour: octets.uint(octet + 4, 1),
    minute: octets.uint(octet + 5, 1),
    second: octets.uint(octet + 6, 1),
  };
  const date = new Date(Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second));
  const roundTrips =
    date.getUTCFullYear() === parts.year &&
    date.getUTCMonth() === parts.month - 1 &&
    date.getUTCDate() === parts.day &&
    date.getUTCHours() === parts.hour &&
    date.getUTCMinutes() === parts.minute &&
    date.getUTCSeconds() === parts.second;
  if (!roundTrips) {
    const shown = `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
    octets.fail(`octets ${octet}–${octet + 6} hold an impossible date-time: ${shown}`);
  }
  return date;
}
