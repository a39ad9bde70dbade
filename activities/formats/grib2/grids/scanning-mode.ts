/**
 * Flag table 3.4: in which order the grid points are stored. Bits are numbered from the most
 * significant (bit 1 = 0x80), as the WMO table numbers them.
 */
export interface ScanningMode {
  /** The raw flag octet. */
  readonly flags: number;
  /** Bit 1: the first row runs from east to west instead of west to east. */
  readonly iNegative: boolean;
  /** Bit 2: rows go from south to north (+j) instead of north to south. */
  readonly jPositive: boolean;
  /** Bit 3: points adjacent along j (columns) are consecutive, instead of along i (rows). */
  readonly jConsecutive: boolean;
  /** Bit 4: every other row runs the opposite way ("boustrophedonic"). */
  readonly alternatingRows: boolean;
}

export function scanningModeOf(flags: number): ScanningMode {
  return {
    flags,
    iNegative: (flags & 0x80) !== 0,
    jPositive: (flags & 0x40) !== 0,
    jConsecutive: (flags & 0x20) !== 0,
    alternatingRows: (flags & 0x10) !== 0,
  };
}
