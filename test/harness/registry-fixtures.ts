import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { objectStoreFor } from '../../workers/services';
import { testLog } from './test-workers';
import { uploadDirectory } from '../../clients/registry/upload-directory';
import type { Settings } from '../../infra/config/load-config';
import { publishModel } from '../../workflows/publish-model';
import { CONTROL_QUEUE } from '../../workflows/task-queues';
import { testStack } from './test-stack-info';

/** A fresh directory in the run's work area holding these files (name → content). */
export function dirWith(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(testStack().workDir, 'model-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

/**
 * Publishes a directory as `sluice model publish` does: uploads it to the configured object store,
 * then runs publishModel. Returns the workflow id (for recording histories) and its result.
 */
export async function publishDirectory(
  settings: Settings,
  client: Client,
  request: { model: string; version: string; dir: string; createModel?: boolean; actor?: string },
): Promise<{ workflowId: string; result: Awaited<ReturnType<typeof publishModel>> }> {
  const store = objectStoreFor(settings, testLog);
  try {
    const upload = await uploadDirectory(store, settings.registry.prefix, request.dir, () => {});
    const workflowId = `publish-${request.model}-${request.version}-${upload.uploadId}`;
    const result = await client.workflow.execute(publishModel, {
      taskQueue: CONTROL_QUEUE,
      workflowId,
      args: [{ model: request.model, version: request.version, uploadId: upload.uploadId, files: upload.files, createModel: request.createModel ?? true, actor: request.actor ?? 'tester' }],
    });
    return { workflowId, result };
  } finally {
    store.close();
  }
}
