import type { Pool } from 'pg';
import { inTransaction } from '../../infra/db/transaction';
import { RegistryError } from './errors';
import { listModels } from './registry-db';
import type { RegistryDocument } from './registry-yaml';

export interface ImportResult {
  readonly created: string[];
  readonly changed: string[];
  readonly unchanged: string[];
}

/**
 * Makes the registry's state what a model_registry.yaml says, in one transaction. Every version it
 * names must be published already (their files are what gets deployed); if any is not, all are
 * listed and nothing changes. A changed current_version is logged as an "import" promotion.
 */
export async function importRegistry(pool: Pool, document: RegistryDocument, actor: string, workflowId: string): Promise<ImportResult> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ model: string; version: string }>('SELECT model, version FROM registry_versions');
    const published = new Set(rows.map((row) => `${row.model}@${row.version}`));
    const missing = document.models.flatMap((entry) => [entry.current, entry.previous].filter((v): v is string => v !== null && !published.has(`${entry.model}@${v}`)).map((v) => `${entry.model} ${v}`));
    if (missing.length > 0) {
      throw new RegistryError(`The file names versions the registry does not hold: ${missing.join(', ')}.`, 'Publish them first (sluice model publish <model> <dir> --version <date> --create); nothing was imported.');
    }
    const existing = new Map((await listModels(client)).map((state) => [state.model, state]));
    const result: ImportResult = { created: [], changed: [], unchanged: [] };
    for (const entry of document.models) {
      const before = existing.get(entry.model);
      const same = before && before.current === entry.current && before.previous === entry.previous && sameMapping(before.variants, entry.variants);
      if (same) {
        result.unchanged.push(entry.model);
        continue;
      }
      await client.query(
        `INSERT INTO registry_models (model, current_version, previous_version, variants) VALUES ($1, $2, $3, $4)
         ON CONFLICT (model) DO UPDATE SET current_version = EXCLUDED.current_version, previous_version = EXCLUDED.previous_version,
           variants = EXCLUDED.variants, revision = registry_models.revision + 1, updated_at = now()`,
        [entry.model, entry.current, entry.previous, JSON.stringify(entry.variants)],
      );
      if (entry.current !== null && entry.current !== (before?.current ?? null)) {
        await client.query(
          "INSERT INTO registry_promotions (model, action, from_version, to_version, actor, reason, workflow_id) VALUES ($1, 'import', $2, $3, $4, 'imported from model_registry.yaml', $5)",
          [entry.model, before?.current ?? null, entry.current, actor, workflowId],
        );
      }
      (before ? result.changed : result.created).push(entry.model);
    }
    if (document.coralPackages) {
      await client.query("INSERT INTO registry_settings (key, value) VALUES ('coral_packages', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", [JSON.stringify(document.coralPackages)]);
    }
    return result;
  });
}

/** The registry's state in SentinelCam's model_registry.yaml shape. */
export async function exportRegistry(pool: Pool): Promise<RegistryDocument> {
  const models = await listModels(pool);
  const { rows } = await pool.query<{ value: Record<string, unknown> }>("SELECT value FROM registry_settings WHERE key = 'coral_packages'");
  return {
    models: models.map((state) => ({ model: state.model, current: state.current, previous: state.previous, variants: state.variants })),
    coralPackages: rows[0]?.value,
  };
}

/** Postgres' jsonb does not keep key order; order carries no meaning here. */
function sameMapping(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
