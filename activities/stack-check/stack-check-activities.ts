import type { Pool } from 'pg';
import type { ObjectStore } from '../storage/object-store';

/**
 * The I/O half of `stackCheck`: each step is its own activity so the Web UI shows exactly which
 * part of the stack (Postgres or object storage) failed and with what error.
 */
export function createStackCheckActivities(deps: { pool: Pool; store: ObjectStore }) {
  const { pool, store } = deps;
  return {
    async writeCheckRow(token: string, payload: string): Promise<void> {
      await pool.query('INSERT INTO sluice_stack_check (token, payload) VALUES ($1, $2) ON CONFLICT (token) DO UPDATE SET payload = EXCLUDED.payload', [token, payload]);
    },
    async readCheckRow(token: string): Promise<string | null> {
      const { rows } = await pool.query<{ payload: string }>('SELECT payload FROM sluice_stack_check WHERE token = $1', [token]);
      return rows[0]?.payload ?? null;
    },
    async deleteCheckRow(token: string): Promise<number> {
      const { rowCount } = await pool.query('DELETE FROM sluice_stack_check WHERE token = $1', [token]);
      return rowCount ?? 0;
    },
    async writeCheckObject(key: string, payload: string): Promise<void> {
      await store.put(key, payload, { contentType: 'text/plain' });
    },
    async readCheckObject(key: string): Promise<string> {
      return (await store.get(key)).toString('utf8');
    },
    async deleteCheckObject(key: string): Promise<boolean> {
      await store.delete(key);
      return (await store.head(key)) === undefined;
    },
  };
}

export type StackCheckActivities = ReturnType<typeof createStackCheckActivities>;
