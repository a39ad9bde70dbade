import { z } from 'zod';
import { durationSchema } from './duration';
import { hostName } from './host-name';

/**
 * The `registry:` section. Model versions are files under <prefix><model>/<YYYY-MM-DD>/, in the
 * object storage of `storage:` (store: object) or under the root of one datasink, reached through
 * that datasink's worker (store: datasink, as SentinelCam keeps it). Their state (current,
 * previous, pins, the promotion log) is in Postgres either way.
 */
export const registrySchema = z.strictObject({
  store: z.enum(['object', 'datasink']).default('object'),
  /** With store: datasink, the fleet datasink whose disk holds the registry. */
  datasink: hostName.optional(),
  prefix: z
    .string()
    .regex(/^([A-Za-z0-9._-]+\/)+$/, 'expected a key prefix of path segments ending in "/", e.g. "model_registry/"')
    .default('model_registry/'),
  /** Besides current, previous and pinned versions, the cleanup keeps this many newest ones per model. */
  keepRecent: z.number().int().min(0).max(1000).default(5),
  /** The weekly cleanup's Schedule (registry-cleanup): SentinelCam's timer ran Sundays at 03:00. */
  cleanup: z
    .strictObject({
      enabled: z.boolean().default(true),
      cron: z.string().min(1).default('0 3 * * 0'),
      timezone: z.string().min(1).default('UTC'),
      catchupWindow: durationSchema.default('1d'),
    })
    .prefault({}),
});

export type RegistryConfig = z.infer<typeof registrySchema>;
