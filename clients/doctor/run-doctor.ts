import fs from 'node:fs';
import type { Client } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { ObjectStore } from '../../activities/storage/object-store';
import type { Settings } from '../../infra/config/load-config';
import { checkDatabase, createPool } from '../../infra/db/pool';
import { MIGRATIONS_TABLE, migrationsDir } from '../../infra/db/migrate';
import { isUserError, messageOf } from '../../infra/errors/user-error';
import type { Logger } from '../../infra/log/logger';
import { connectClient, temporalTarget } from '../../infra/temporal/connect';
import { missingSearchAttributes } from '../../infra/temporal/search-attributes';
import { taskQueueOf } from '../../workers/role';
import { objectStoreFor } from '../../workers/services';
import { SLUICE_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { stackCheck, type StackCheckReport } from '../../workflows/stack-check';
import { CLOUD_QUEUE, CONTROL_QUEUE, datasinkQueue, nodeQueue } from '../../workflows/task-queues';
import { allRoleSpecs, fleetCheckInput } from '../cli/fleet-roles';
import { databaseUrlOf, temporalAddressOf } from '../service-addresses';
import { checkCentralSites } from './check-central-sites';
import { checkEventsApi } from './check-events-api';
import type { Finding } from './finding';

const TaskQueueType = temporal.api.enums.v1.TaskQueueType;

/**
 * Checks each part of the stack on its own (so one failure does not hide the others), then, when
 * Temporal and the workers are there, runs the `stackCheck` workflow end to end.
 */
export async function runDoctor(settings: Settings, log: Logger, report: (finding: Finding) => void): Promise<boolean> {
  let healthy = true;
  const record = (finding: Finding) => {
    healthy &&= finding.ok;
    report(finding);
  };
  record({ name: 'config', ok: true, detail: settings.file ?? 'no sluice.yaml: built-in defaults and environment' });

  const client = await checkTemporal(settings, record);
  record(await checkPostgres(settings, log));
  record(await checkObjectStorage(settings, log));
  if (settings.events.enabled) record(await checkEventsApi(settings.events));
  for (const finding of await checkCentralSites(settings.central)) record(finding);
  if (!client) return false;
  try {
    const polled = await checkWorkers(client, settings, record);
    if (polled.has(CONTROL_QUEUE) && polled.has(CLOUD_QUEUE)) record(await runStackCheck(client, settings, polled));
  } finally {
    await client.connection.close();
  }
  return healthy;
}

async function checkTemporal(settings: Settings, record: (finding: Finding) => void): Promise<Client | undefined> {
  const address = temporalAddressOf(settings);
  const { namespace } = settings.temporal;
  let client: Client;
  try {
    client = await connectClient(temporalTarget(settings, address));
  } catch (err) {
    record({ name: 'Temporal', ok: false, detail: messageOf(err), hint: hintOf(err) });
    return undefined;
  }
  try {
    await client.workflowService.describeNamespace({ namespace });
    record({ name: 'Temporal', ok: true, detail: `${address}, namespace ${namespace}` });
    const missing = (await missingSearchAttributes(client.connection, namespace)).map((key) => key.name);
    record(
      missing.length === 0
        ? { name: 'search attributes', ok: true, detail: SLUICE_SEARCH_ATTRIBUTES.map((key) => key.name).join(', ') }
        : { name: 'search attributes', ok: false, detail: `missing ${missing.join(', ')}`, hint: 'Start a control worker (sluice worker --role control) or sluice up; they register them.' },
    );
    return client;
  } catch (err) {
    record({ name: 'Temporal', ok: false, detail: messageOf(err), hint: `Is there a namespace "${namespace}" (temporal operator namespace list), and may this client read it?` });
    await client.connection.close();
    return undefined;
  }
}

async function checkPostgres(settings: Settings, log: Logger): Promise<Finding> {
  let url: string;
  try {
    url = databaseUrlOf(settings);
  } catch (err) {
    return { name: 'Postgres', ok: false, detail: messageOf(err), hint: hintOf(err) };
  }
  const pool = createPool(url, 1, log);
  try {
    await checkDatabase(pool, url);
    const files = fs.readdirSync(migrationsDir()).filter((file) => file.endsWith('.sql')).map((file) => file.replace(/\.sql$/, ''));
    const { rows } = await pool.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE}`).catch(() => ({ rows: [] as { name: string }[] }));
    const pending = files.filter((name) => !rows.some((row) => row.name === name));
    if (pending.length > 0) {
      return { name: 'Postgres', ok: false, detail: `reachable, but migrations not applied: ${pending.join(', ')}`, hint: 'Start sluice up or a cloud worker; they migrate the schema on start.' };
    }
    return { name: 'Postgres', ok: true, detail: `reachable, schema at ${files[files.length - 1] ?? 'no migrations'}` };
  } catch (err) {
    return { name: 'Postgres', ok: false, detail: messageOf(err), hint: hintOf(err) };
  } finally {
    await pool.end();
  }
}

async function checkObjectStorage(settings: Settings, log: Logger): Promise<Finding> {
  let store: ObjectStore | undefined;
  try {
    store = objectStoreFor(settings, log);
    await store.check();
    return { name: 'object storage', ok: true, detail: store.description };
  } catch (err) {
    return { name: 'object storage', ok: false, detail: messageOf(err), hint: hintOf(err) };
  } finally {
    store?.close();
  }
}

/** Reports, per queue sluice's config implies, whether a worker polls it; returns those polled. */
async function checkWorkers(client: Client, settings: Settings, record: (finding: Finding) => void): Promise<Set<string>> {
  const polled = new Set<string>();
  for (const spec of allRoleSpecs(settings)) {
    const queue = taskQueueOf(spec);
    const type = spec.role === 'control' ? TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW : TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY;
    const { pollers } = await client.workflowService.describeTaskQueue({ namespace: settings.temporal.namespace, taskQueue: { name: queue }, taskQueueType: type });
    if (pollers?.length) {
      polled.add(queue);
      record({ name: `workers on ${queue}`, ok: true, detail: `${pollers.length} polling (${pollers.map((poller) => poller.identity).join(', ')})` });
    } else {
      const start = `sluice worker --role ${spec.role}${'host' in spec ? ` --host ${spec.host}` : ''}`;
      record({ name: `workers on ${queue}`, ok: false, detail: 'no worker is polling', hint: `Run sluice up, or ${start} on the host that owns it.` });
    }
  }
  return polled;
}

/** Hosts whose queue nobody polls were reported already; the workflow probes the others. */
async function runStackCheck(client: Client, settings: Settings, polled: Set<string>): Promise<Finding> {
  const workflowId = `stack-check-${new Date().toISOString()}`;
  const fleet = fleetCheckInput(settings);
  const input = {
    datasinks: fleet.datasinks.filter((host) => polled.has(datasinkQueue(host))),
    nodes: fleet.nodes.filter((host) => polled.has(nodeQueue(host))),
  };
  try {
    const result = await client.workflow.execute(stackCheck, {
      taskQueue: CONTROL_QUEUE,
      workflowId,
      args: [input],
      // Pollers stay listed for a while after a worker stops, so "polled" can be stale: bound the wait.
      workflowExecutionTimeout: '1m',
    });
    return { name: 'stackCheck workflow', ok: true, detail: `${workflowId}: ${summarise(result)}` };
  } catch (err) {
    const details = err instanceof WorkflowFailedError ? (err.cause as { details?: unknown[] } | undefined)?.details?.[0] : undefined;
    const report = details as StackCheckReport | undefined;
    return {
      name: 'stackCheck workflow',
      ok: false,
      detail: `${workflowId}: ${report?.checks ? summarise(report) : messageOf(err instanceof Error && err.cause ? err.cause : err)}`,
      hint: 'Open the run in the Web UI to see which activity failed and why.',
    };
  }
}

function summarise(report: StackCheckReport): string {
  return report.checks.map((check) => `${check.ok ? 'ok' : 'FAILED'} ${check.name}${check.ok ? '' : ` (${check.detail})`}`).join('; ');
}

function hintOf(err: unknown): string | undefined {
  return isUserError(err) ? err.hint : undefined;
}
