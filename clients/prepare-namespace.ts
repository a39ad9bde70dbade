import type { Client } from '@temporalio/client';
import type { ScheduleConfig } from '../infra/config/schema';
import type { Logger } from '../infra/log/logger';
import { explainNamespaceError } from '../infra/temporal/namespace-errors';
import { ensureSearchAttributes } from '../infra/temporal/search-attributes';
import { reconcileSchedules } from './schedules/reconcile';

/**
 * The namespace-level setup done on every start by `sluice up` and control workers: register the
 * search attributes sluice sets, then make the server's schedules match config.
 */
export async function prepareNamespace(client: Client, schedules: Record<string, ScheduleConfig>, log: Logger): Promise<void> {
  const { namespace } = client.options;
  try {
    const added = await ensureSearchAttributes(client.connection, namespace);
    if (added.length > 0) log.info({ searchAttributes: added }, 'registered search attributes');
  } catch (err) {
    throw explainNamespaceError(err, namespace, 'registering search attributes');
  }
  try {
    await reconcileSchedules(client, schedules, log);
  } catch (err) {
    throw explainNamespaceError(err, namespace, 'reconciling schedules');
  }
}
