import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { projectRoot } from '../../infra/project-root';

/**
 * With SLUICE_RECORD_HISTORIES set (npm run record-histories), saves a finished run's history as
 * test/histories/<name>@<sluice version>.json. An existing file is never overwritten: it stands
 * for runs an older version may still have in flight, which the replay test keeps checking
 * against today's code.
 */
export async function recordHistory(client: Client, workflowId: string, name: string): Promise<void> {
  if (!process.env.SLUICE_RECORD_HISTORIES) return;
  const { version } = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { version: string };
  const file = path.join(projectRoot(), 'test', 'histories', `${name}@${version}.json`);
  if (fs.existsSync(file)) return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  fs.writeFileSync(file, `${JSON.stringify({ workflowId, history: JSON.parse(historyToJSON(history)) }, null, 2)}\n`);
}
