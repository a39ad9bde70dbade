import { createGenericPlanPool } from '../../infra/db/pool';
import { createLogger } from '../../infra/log/logger';
import { useIsolatedTest } from '../harness/isolated-test';

const log = createLogger({ level: 'fatal', pretty: false });

describe('createGenericPlanPool (real Postgres)', () => {
  const t = useIsolatedTest();

  it('plans a prepared statement once per session, names its sessions, and leaves the pool it copies as it was', async () => {
    const pool = createGenericPlanPool(t.pool(), 'sluice test generic', log);
    try {
      const client = await pool.connect();
      try {
        const statement = { name: 'keys-of-array', text: 'SELECT count(*)::int AS n FROM unnest($1::text[]) AS k WHERE k > $2' };
        for (let run = 0; run < 8; run++) expect((await client.query(statement, [['a', 'b', 'c'], 'a'])).rows[0].n).toBe(2);
        const { rows } = await client.query(
          `SELECT generic_plans::int AS generic, custom_plans::int AS custom, current_setting('plan_cache_mode') AS mode, current_setting('application_name') AS name
             FROM pg_prepared_statements WHERE name = 'keys-of-array'`,
        );
        expect(rows).toEqual([{ generic: 8, custom: 0, mode: 'force_generic_plan', name: 'sluice test generic' }]);
      } finally {
        client.release();
      }
      const original = await t.pool().query("SELECT current_setting('plan_cache_mode') AS mode, current_setting('application_name') AS name");
      expect(original.rows).toEqual([{ mode: 'auto', name: '' }]);
      expect(pool.options.max).toBe(t.pool().options.max);
    } finally {
      await pool.end();
    }
  });
});
