import type { Pool } from 'pg';
import type { NodePlan } from './deployment-plan';

/** How a deployment ended on one node, as `fleet_nodes` keeps it. */
export interface NodeOutcome {
  readonly host: string;
  readonly status: 'deployed' | 'unchanged' | 'pending' | 'failed' | 'skipped';
  readonly detail: string;
}

export interface FleetNodeRow {
  readonly host: string;
  readonly installed: { model: string; version: string }[];
  readonly reportedAt: Date | null;
  readonly lastDeployment: string | null;
  readonly lastStatus: NodeOutcome['status'] | null;
  readonly lastDetail: string | null;
  readonly lastDeployedAt: Date | null;
}

/** What the nodes that answered hold now; an offline node keeps its last report. */
export async function recordReports(pool: Pool, plans: readonly NodePlan[]): Promise<void> {
  const answered = plans.filter((plan) => plan.status !== 'pending');
  if (answered.length === 0) return;
  await pool.query(
    `INSERT INTO fleet_nodes (host, installed, reported_at)
     SELECT host, installed, now() FROM jsonb_to_recordset($1::jsonb) AS r(host text, installed jsonb)
     ON CONFLICT (host) DO UPDATE SET installed = EXCLUDED.installed, reported_at = EXCLUDED.reported_at`,
    [JSON.stringify(answered.map((plan) => ({ host: plan.host, installed: plan.installed })))],
  );
}

/** Each node's outcome, and, where given, what it holds after it. */
export async function recordDeployments(pool: Pool, workflowId: string, outcomes: readonly (NodeOutcome & { installed?: { model: string; version: string }[] })[]): Promise<void> {
  if (outcomes.length === 0) return;
  await pool.query(
    `INSERT INTO fleet_nodes AS f (host, installed, reported_at, last_deployment, last_status, last_detail, last_deployed_at)
     SELECT host, COALESCE(installed, '[]'::jsonb), CASE WHEN installed IS NULL THEN NULL ELSE now() END, $2, status, detail, now()
       FROM jsonb_to_recordset($1::jsonb) AS r(host text, status text, detail text, installed jsonb)
     ON CONFLICT (host) DO UPDATE SET
       installed = CASE WHEN EXCLUDED.reported_at IS NULL THEN f.installed ELSE EXCLUDED.installed END,
       reported_at = COALESCE(EXCLUDED.reported_at, f.reported_at),
       last_deployment = EXCLUDED.last_deployment, last_status = EXCLUDED.last_status,
       last_detail = EXCLUDED.last_detail, last_deployed_at = EXCLUDED.last_deployed_at`,
    [JSON.stringify(outcomes), workflowId],
  );
}

export async function listFleetNodes(pool: Pool): Promise<FleetNodeRow[]> {
  const { rows } = await pool.query<{ host: string; installed: FleetNodeRow['installed']; reported_at: Date | null; last_deployment: string | null; last_status: FleetNodeRow['lastStatus']; last_detail: string | null; last_deployed_at: Date | null }>(
    'SELECT host, installed, reported_at, last_deployment, last_status, last_detail, last_deployed_at FROM fleet_nodes ORDER BY host',
  );
  return rows.map((row) => ({ host: row.host, installed: row.installed, reportedAt: row.reported_at, lastDeployment: row.last_deployment, lastStatus: row.last_status, lastDetail: row.last_detail, lastDeployedAt: row.last_deployed_at }));
}
