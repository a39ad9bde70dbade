import type { Pool } from 'pg';
import { inTransaction } from '../../infra/db/transaction';
import { RegistryError } from './errors';
import { checkVersion } from './names';
import { modelState, requireVersion } from './registry-db';

export interface Override {
  readonly host: string;
  readonly model: string;
  readonly version: string;
  readonly setBy: string;
  readonly setAt: string;
}

/**
 * Pins a host to a version other than current (SentinelCam's model_version_overrides), checked as
 * the seed never did: the host must be in the fleet inventory, the model and version must exist.
 */
export async function pinVersion(pool: Pool, request: { host: string; model: string; version: string; actor: string; fleetHosts: readonly string[] }): Promise<void> {
  if (!request.fleetHosts.includes(request.host)) {
    throw new RegistryError(`Host ${request.host} is not in the fleet inventory.`, `Hosts in config (fleet:): ${request.fleetHosts.length > 0 ? request.fleetHosts.join(', ') : 'none'}.`);
  }
  checkVersion(request.version);
  await inTransaction(pool, async (client) => {
    // Under the model's row lock, so the cleanup cannot be deleting the version being pinned.
    await modelState(client, request.model);
    await client.query('SELECT 1 FROM registry_models WHERE model = $1 FOR UPDATE', [request.model]);
    await requireVersion(client, request.model, request.version);
    await client.query(
      `INSERT INTO registry_overrides (host, model, version, set_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (host, model) DO UPDATE SET version = EXCLUDED.version, set_by = EXCLUDED.set_by, set_at = now()`,
      [request.host, request.model, request.version, request.actor],
    );
  });
}

/** Returns whether there was a pin to remove. */
export async function unpinVersion(pool: Pool, host: string, model: string): Promise<boolean> {
  const { rowCount } = await pool.query('DELETE FROM registry_overrides WHERE host = $1 AND model = $2', [host, model]);
  return (rowCount ?? 0) > 0;
}

export async function listOverrides(pool: Pool): Promise<Override[]> {
  const { rows } = await pool.query<{ host: string; model: string; version: string; set_by: string; set_at: Date }>('SELECT host, model, version, set_by, set_at FROM registry_overrides ORDER BY host, model');
  return rows.map((row) => ({ host: row.host, model: row.model, version: row.version, setBy: row.set_by, setAt: row.set_at.toISOString() }));
}
