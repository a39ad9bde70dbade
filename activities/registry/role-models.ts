import type { Pool } from 'pg';
import { inTransaction } from '../../infra/db/transaction';
import { RegistryError } from './errors';
import { modelState } from './registry-db';

/** Edge roles whose nodes receive only the models listed for them (SentinelCam's outpost_models). */
const ROLES = ['outpost', 'sentinel', 'datasink'] as const;

export interface RoleModels {
  readonly role: string;
  readonly models: string[];
}

export async function listRoleModels(pool: Pool): Promise<RoleModels[]> {
  const { rows } = await pool.query<{ role: string; models: string[] }>('SELECT role, models FROM registry_role_models ORDER BY role');
  return rows;
}

/** Sets which models a role's nodes receive; each must be a model the registry knows. */
export async function setRoleModels(pool: Pool, role: string, models: readonly string[]): Promise<void> {
  if (!(ROLES as readonly string[]).includes(role)) throw new RegistryError(`Unknown role "${role}".`, `Roles: ${ROLES.join(', ')}.`);
  const unique = [...new Set(models)];
  await inTransaction(pool, async (client) => {
    for (const model of unique) await modelState(client, model);
    await client.query('INSERT INTO registry_role_models (role, models) VALUES ($1, $2) ON CONFLICT (role) DO UPDATE SET models = EXCLUDED.models', [role, unique]);
  });
}
