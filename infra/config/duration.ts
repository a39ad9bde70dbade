import { z } from 'zod';

/**
 * Durations in config are written the way Temporal writes them ("90s", "15m", "1h", "7d"), so one
 * string can be handed to the SDK unchanged. Parsed strictly: "15 minutes" or "1.5h" is an error,
 * not a silent zero.
 */
const DURATION = /^(\d+)(ms|s|m|h|d)$/;

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return Number.isSafeInteger(ms) ? ms : undefined;
}

export const DURATION_EXPECTED = 'a duration such as "500ms", "30s", "15m", "1h" or "7d"';

/** For durations the config schema already validated. */
export function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`invalid duration "${text}" passed validation`);
  return ms;
}

/** A config field holding a duration. */
export const durationSchema = z.string().refine((text) => parseDuration(text) !== undefined, { message: `expected ${DURATION_EXPECTED}` });
