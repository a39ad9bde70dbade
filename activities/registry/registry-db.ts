import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '../../infra/db/transaction';
import { PromotionConflictError, RegistryError, UnknownModelError, UnknownVersionError } from './errors';
import type { Manifest } from './manifest';

/** A model's registry state (SentinelCam's model_registry.yaml entry, plus a revision for safe updates). */
export interface ModelState {
  readonly model: string;
  readonly current: string | null;
  readonly previous: string | null;
  readonly variants: Record<string, string>;
  readonly revision: number;
}

export interface PromotionRecord {
  readonly id: number;
  readonly model: string;
  readonly action: 'promote' | 'rollback' | 'import' | 'revert';
  readonly from: string | null;
  readonly to: string;
  readonly actor: string;
  readonly reason: string;
  readonly workflowId: string;
  readonly at: string;
}

export interface VersionRow {
  readonly version: string;
  /** "deleting": the cleanup has begun removing it; it can no longer be promoted or pinned. */
  readonly state: 'published' | 'deleting';
  readonly files: number;
  readonly bytes: number;
  readonly publishedAt: string;
  readonly publishedBy: string;
}

/** The model's state, or UnknownModelError naming the models there are. */
export async function modelState(db: Pool | PoolClient, model: string): Promise<ModelState> {
  const { rows } = await db.query<{ model: string; current_version: string | null; previous_version: string | null; variants: Record<string, string>; revision: number }>(
    'SELECT model, current_version, previous_version, variants, revision FROM registry_models WHERE model = $1',
    [model],
  );
  const row = rows[0];
  if (!row) throw new UnknownModelError(model, await modelNames(db));
  return { model: row.model, current: row.current_version, previous: row.previous_version, variants: row.variants, revision: row.revision };
}

export async function modelNames(db: Pool | PoolClient): Promise<string[]> {
  const { rows } = await db.query<{ model: string }>('SELECT model FROM registry_models ORDER BY model');
  return rows.map((row) => row.model);
}

export async function listModels(db: Pool | PoolClient): Promise<ModelState[]> {
  const { rows } = await db.query<{ model: string; current_version: string | null; previous_version: string | null; variants: Record<string, string>; revision: number }>(
    'SELECT model, current_version, previous_version, variants, revision FROM registry_models ORDER BY model',
  );
  return rows.map((row) => ({ model: row.model, current: row.current_version, previous: row.previous_version, variants: row.variants, revision: row.revision }));
}

export async function listVersions(db: Pool | PoolClient, model: string): Promise<VersionRow[]> {
  await modelState(db, model);
  const { rows } = await db.query<{ version: string; state: VersionRow['state']; files: number; bytes: string; published_at: Date; published_by: string }>(
    'SELECT version, state, files, bytes, published_at, published_by FROM registry_versions WHERE model = $1 ORDER BY version DESC',
    [model],
  );
  return rows.map((row) => ({ version: row.version, state: row.state, files: row.files, bytes: Number(row.bytes), publishedAt: row.published_at.toISOString(), publishedBy: row.published_by }));
}

/** Refuses a version the registry does not hold (or is deleting), listing those it does. */
export async function requireVersion(db: Pool | PoolClient, model: string, version: string): Promise<void> {
  const versions = (await listVersions(db, model)).filter((row) => row.state === 'published').map((row) => row.version);
  if (!versions.includes(version)) throw new UnknownVersionError(model, version, versions);
}

/** A model that does not exist yet, if `create`; otherwise an unknown model is an error. */
export async function ensureModel(db: Pool | PoolClient, model: string, create: boolean): Promise<void> {
  if (create) {
    await db.query('INSERT INTO registry_models (model) VALUES ($1) ON CONFLICT (model) DO NOTHING', [model]);
    return;
  }
  await modelState(db, model);
}

/** Registers a verified version; a version published twice is refused, whoever published it. */
export async function insertVersion(pool: Pool, manifest: Manifest, workflowId: string): Promise<void> {
  const bytes = manifest.files.reduce((sum, file) => sum + file.size, 0);
  const { rowCount } = await pool.query(
    `INSERT INTO registry_versions (model, version, files, bytes, manifest, published_by, workflow_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (model, version) DO NOTHING`,
    [manifest.model, manifest.version, manifest.files.length, bytes, JSON.stringify(manifest), manifest.publishedBy, workflowId],
  );
  if (rowCount === 0) {
    const { rows } = await pool.query<{ workflow_id: string }>('SELECT workflow_id FROM registry_versions WHERE model = $1 AND version = $2', [manifest.model, manifest.version]);
    // The same workflow retrying after its insert committed is not a conflict.
    if (rows[0]?.workflow_id !== workflowId) throw versionExists(manifest.model, manifest.version);
  }
}

export async function versionExistsAlready(db: Pool | PoolClient, model: string, version: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM registry_versions WHERE model = $1 AND version = $2', [model, version]);
  return (rowCount ?? 0) > 0;
}

export function versionExists(model: string, version: string): RegistryError {
  return new RegistryError(`Model ${model} already has a version ${version}; published versions never change.`, 'Publish under another date (--version YYYY-MM-DD).');
}

export interface SwapRequest {
  readonly model: string;
  readonly to: string;
  /** The revision the caller read; the swap only happens if no one changed the model since. */
  readonly expectedRevision: number;
  readonly action: 'promote' | 'rollback';
  readonly actor: string;
  readonly reason: string;
  readonly workflowId: string;
}

/**
 * Makes `to` current and the old current previous, logs the promotion and records that a
 * deployment is due, all in one transaction, and only if the model is still at the revision the
 * caller read: of two concurrent promotions exactly one changes anything.
 */
export async function swapCurrent(pool: Pool, request: SwapRequest): Promise<PromotionRecord> {
  return inTransaction(pool, async (client) => {
    // A retry of a swap that committed but whose answer was lost finds its own log entry.
    const done = await client.query<PromotionRow>(`${PROMOTION_COLUMNS} WHERE workflow_id = $1 AND model = $2 AND to_version = $3`, [request.workflowId, request.model, request.to]);
    if (done.rows[0]) return promotionOf(done.rows[0]);

    // The model's row lock orders this swap against the cleanup marking versions for deletion.
    await client.query('SELECT 1 FROM registry_models WHERE model = $1 FOR UPDATE', [request.model]);
    const state = await modelState(client, request.model);
    await requireVersion(client, request.model, request.to);
    const updated = await client.query(
      `UPDATE registry_models SET current_version = $2, previous_version = current_version, revision = revision + 1, updated_at = now()
       WHERE model = $1 AND revision = $3`,
      [request.model, request.to, request.expectedRevision],
    );
    if (updated.rowCount === 0) {
      const last = await client.query<{ actor: string; workflow_id: string }>('SELECT actor, workflow_id FROM registry_promotions WHERE model = $1 ORDER BY id DESC LIMIT 1', [request.model]);
      throw new PromotionConflictError(request.model, state.current, last.rows[0] ? `${last.rows[0].actor} (workflow ${last.rows[0].workflow_id})` : undefined);
    }
    const logged = await client.query<PromotionRow>(
      `INSERT INTO registry_promotions (model, action, from_version, to_version, actor, reason, workflow_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
       RETURNING id, model, action, from_version, to_version, actor, reason, workflow_id, at`,
      [request.model, request.action, state.current, request.to, request.actor, request.reason, request.workflowId],
    );
    return promotionOf(logged.rows[0]!);
  });
}

interface PromotionRow {
  id: string;
  model: string;
  action: PromotionRecord['action'];
  from_version: string | null;
  to_version: string;
  actor: string;
  reason: string;
  workflow_id: string;
  at: Date;
}

const PROMOTION_COLUMNS = 'SELECT id, model, action, from_version, to_version, actor, reason, workflow_id, at FROM registry_promotions';

function promotionOf(row: PromotionRow): PromotionRecord {
  return { id: Number(row.id), model: row.model, action: row.action, from: row.from_version, to: row.to_version, actor: row.actor, reason: row.reason, workflowId: row.workflow_id, at: row.at.toISOString() };
}

/**
 * Undoes a promotion whose deployment failed: current and previous go back to what they were
 * before it, if nothing else changed the model since (its revision is the one the promotion left),
 * and the revert is logged.
 */
export async function revertPromotion(pool: Pool, request: { promotion: PromotionRecord; previousBefore: string | null; revisionAfter: number; reason: string; workflowId: string }): Promise<PromotionRecord | undefined> {
  const { promotion } = request;
  if (promotion.from === null) return undefined;
  return inTransaction(pool, async (client) => {
    const done = await client.query<PromotionRow>(`${PROMOTION_COLUMNS} WHERE workflow_id = $1 AND model = $2 AND action = 'revert'`, [request.workflowId, promotion.model]);
    if (done.rows[0]) return promotionOf(done.rows[0]);
    const updated = await client.query(
      `UPDATE registry_models SET current_version = $2, previous_version = $3, revision = revision + 1, updated_at = now()
       WHERE model = $1 AND revision = $4 AND current_version = $5`,
      [promotion.model, promotion.from, request.previousBefore, request.revisionAfter, promotion.to],
    );
    if (updated.rowCount === 0) {
      const state = await modelState(client, promotion.model);
      throw new PromotionConflictError(promotion.model, state.current, 'another promotion, so the failed one was not reverted');
    }
    const logged = await client.query<PromotionRow>(
      `INSERT INTO registry_promotions (model, action, from_version, to_version, actor, reason, workflow_id) VALUES ($1, 'revert', $2, $3, 'sluice', $4, $5)
       RETURNING id, model, action, from_version, to_version, actor, reason, workflow_id, at`,
      [promotion.model, promotion.to, promotion.from, request.reason, request.workflowId],
    );
    return promotionOf(logged.rows[0]!);
  });
}

/** The promotion log, newest first. */
export async function promotionHistory(db: Pool | PoolClient, model?: string, limit = 100): Promise<PromotionRecord[]> {
  const { rows } = model
    ? await db.query<PromotionRow>(`${PROMOTION_COLUMNS} WHERE model = $1 ORDER BY id DESC LIMIT $2`, [model, limit])
    : await db.query<PromotionRow>(`${PROMOTION_COLUMNS} ORDER BY id DESC LIMIT $1`, [limit]);
  return rows.map(promotionOf);
}
