import type { Pool } from 'pg';
import { inTransaction } from '../../infra/db/transaction';
import type { RegistryFileStore } from './registry-file-store';

export type KeepReason = 'current' | 'previous' | 'pinned' | 'recent';

export interface CleanupPlan {
  readonly keepRecent: number;
  readonly models: {
    readonly model: string;
    readonly keep: { version: string; reasons: KeepReason[] }[];
    readonly remove: { version: string; bytes: number }[];
  }[];
  readonly totals: { readonly versions: number; readonly bytes: number };
}

/**
 * What the weekly cleanup would remove: per model every version that is not current, previous,
 * pinned by a host, or among the `keepRecent` newest. Versions already being deleted (a cleanup
 * that failed part-way) are always removed again.
 */
export async function planRegistryCleanup(pool: Pool, keepRecent: number): Promise<CleanupPlan> {
  const { rows: models } = await pool.query<{ model: string; current_version: string | null; previous_version: string | null }>('SELECT model, current_version, previous_version FROM registry_models ORDER BY model');
  const { rows: pins } = await pool.query<{ model: string; version: string }>('SELECT model, version FROM registry_overrides');
  const { rows: versions } = await pool.query<{ model: string; version: string; bytes: string; state: string }>('SELECT model, version, bytes, state FROM registry_versions ORDER BY model, version DESC');
  const plan: CleanupPlan['models'][number][] = [];
  for (const { model, current_version: current, previous_version: previous } of models) {
    const own = versions.filter((row) => row.model === model);
    const recent = new Set(own.filter((row) => row.state === 'published').slice(0, keepRecent).map((row) => row.version));
    const pinned = new Set(pins.filter((pin) => pin.model === model).map((pin) => pin.version));
    const entry: CleanupPlan['models'][number] = { model, keep: [], remove: [] };
    for (const row of own) {
      const reasons: KeepReason[] = [];
      if (row.version === current) reasons.push('current');
      if (row.version === previous) reasons.push('previous');
      if (pinned.has(row.version)) reasons.push('pinned');
      if (recent.has(row.version)) reasons.push('recent');
      if (reasons.length > 0 && row.state === 'published') entry.keep.push({ version: row.version, reasons });
      else entry.remove.push({ version: row.version, bytes: Number(row.bytes) });
    }
    plan.push(entry);
  }
  const removed = plan.flatMap((entry) => entry.remove);
  return { keepRecent, models: plan, totals: { versions: removed.length, bytes: removed.reduce((sum, v) => sum + v.bytes, 0) } };
}

export interface VersionRemoval {
  readonly model: string;
  readonly version: string;
  /** false: it became current, previous or pinned since the plan, and was left alone. */
  readonly removed: boolean;
  readonly bytes: number;
  readonly failed: { key: string; error: string }[];
}

/**
 * Marks a version "deleting" under the model's row lock, and only if nothing protects it now
 * (current, previous, pinned), so no promotion or pin can take it while its files go. Returns its
 * size, or undefined when it was left alone.
 */
export async function markVersionDeleting(pool: Pool, model: string, version: string): Promise<number | undefined> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ current_version: string | null; previous_version: string | null }>('SELECT current_version, previous_version FROM registry_models WHERE model = $1 FOR UPDATE', [model]);
    const pinned = await client.query('SELECT 1 FROM registry_overrides WHERE model = $1 AND version = $2', [model, version]);
    const state = rows[0];
    if (!state || state.current_version === version || state.previous_version === version || (pinned.rowCount ?? 0) > 0) return undefined;
    const { rows: updated } = await client.query<{ bytes: string }>("UPDATE registry_versions SET state = 'deleting' WHERE model = $1 AND version = $2 RETURNING bytes", [model, version]);
    return updated[0] ? Number(updated[0].bytes) : undefined;
  });
}

/**
 * Removes one version: marked first (markVersionDeleting), then its files, then, only if every
 * file is gone, its row. A version with files left stays listed, marked, and the next cleanup
 * tries again.
 */
export async function removeVersion(deps: { pool: Pool; files: RegistryFileStore }, model: string, version: string): Promise<VersionRemoval> {
  const bytes = await markVersionDeleting(deps.pool, model, version);
  if (bytes === undefined) return { model, version, removed: false, bytes: 0, failed: [] };
  const { failed } = await deps.files.remove(model, version);
  if (failed.length > 0) return { model, version, removed: false, bytes: 0, failed };
  await deps.pool.query('DELETE FROM registry_versions WHERE model = $1 AND version = $2', [model, version]);
  return { model, version, removed: true, bytes, failed: [] };
}
