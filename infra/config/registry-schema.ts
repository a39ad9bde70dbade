import { z } from 'zod';

/**
 * The `registry:` section. Model versions are files under <prefix><model>/<YYYY-MM-DD>/ in the
 * object storage of `storage:`; their state (current, previous, pins, the promotion log) is in
 * Postgres.
 */
export const registrySchema = z.strictObject({
  prefix: z
    .string()
    .regex(/^([A-Za-z0-9._-]+\/)+$/, 'expected a key prefix of path segments ending in "/", e.g. "model_registry/"')
    .default('model_registry/'),
});

export type RegistryConfig = z.infer<typeof registrySchema>;
