import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { testStack } from './test-stack-info';

/** The same server and credentials, another database. */
export function databaseUrlFor(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * A fresh, migrated database of its own, copied from the run's template: for tests of tables all
 * sources share, which would otherwise see (and purge) rows of tests running beside them. The
 * global teardown stops the server and removes its data, these databases included.
 */
export async function isolatedDatabaseUrl(): Promise<string> {
  const stack = testStack();
  const name = `sluice_t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: stack.databaseUrl });
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${stack.templateDatabase}`);
        break;
      } catch (err) {
        // Two copies of one template at the same instant can collide; the next try succeeds.
        if (attempt >= 5 || !/being accessed by other users/.test(String(err))) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  } finally {
    await admin.end();
  }
  return databaseUrlFor(stack.databaseUrl, name);
}
