import type { Pool } from 'pg';

/**
 * Marks every hour the rollups hold as changed, so that the next refresh recomputes each one from
 * the raw events plus what was sealed for it. A refresh recomputes only the hours ingests marked,
 * so without this a refresh after a drop recomputes nothing, and rollups compared with those from
 * before the drop would prove nothing about what the drop sealed.
 */
export async function markEveryRollupHourChanged(pool: Pool): Promise<void> {
  await pool.query(`INSERT INTO event_rollup_dirty (hour) SELECT DISTINCT bucket FROM event_rollups WHERE grain = 'hour'`);
}
