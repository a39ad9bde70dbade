import type { Client } from '@temporalio/client';
import type { ScheduleConfig } from '../infra/config/schema';
import type { Logger } from '../infra/log/logger';
import { ensureSearchAttributes } from '../infra/temporal/search-attributes';
import { reconcileSchedules } from './schedules/reconcile';

/**
 * The namespace-level setup done on every start by `sluice up` and control workers: register the
 * search attributes sluice sets, then make the server's schedules match config.
 */
export async function prepareNamespace(client: Client, schedules: Record<string, ScheduleConfig>, log: Logger): Promise<void> {
  const added = await ensureSearchAttributes(client.connection, client.options.namespace);
  if (added.length > 0) log.info({ searchAttributes: added }, 'registered search attributes');
  await reconcileSchedules(client, schedules, log);
}
