import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { projectRoot } from '../../infra/project-root';

/**
 * With SLUICE_RECORD_HISTORIES set (npm run record-histories), saves a finished run's history to
 * test/histories/<name>.json, where the replay test keeps checking it against future code.
 */
export async function recordHistory(client: Client, workflowId: string, name: string): Promise<void> {
  if (!process.env.SLUICE_RECORD_HISTORIES) return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const file = path.join(projectRoot(), 'test', 'histories', `${name}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ workflowId, history: JSON.parse(historyToJSON(history)) }, null, 2)}\n`);
}
