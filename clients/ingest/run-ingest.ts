import type { Client } from '@temporalio/client';
import { ingestCycle, ingestProgressQuery, type IngestCycleResult, type IngestProgress } from '../../workflows/ingest-cycle';
import { CONTROL_QUEUE } from '../../workflows/task-queues';

const POLL_MS = 1000;

/**
 * Starts one ingestCycle per source (the same workflow the Schedules start, so a manual run is as
 * visible and durable as a scheduled one) and reports each one's progress until all finish.
 */
export async function runIngestCycles(client: Client, sources: readonly string[], onProgress: (progress: IngestProgress[]) => void): Promise<IngestCycleResult[]> {
  const stamp = new Date().toISOString();
  const handles = await Promise.all(
    sources.map((source) => client.workflow.start(ingestCycle, { taskQueue: CONTROL_QUEUE, workflowId: `ingest-${source}-manual-${stamp}`, args: [{ source }] })),
  );
  const latest = new Map<string, IngestProgress>(sources.map((source) => [source, { source, phase: 'planning', planned: 0, done: 0, ingested: 0, quarantined: 0, failed: 0 }]));
  let finished = false;
  const results = Promise.all(handles.map((handle) => handle.result())).finally(() => {
    finished = true;
  });
  while (!finished) {
    await Promise.race([results.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, POLL_MS))]);
    if (finished) break;
    await Promise.all(
      handles.map(async (handle, i) => {
        // Before its first workflow task a run cannot answer queries; keep the last answer.
        const progress = await handle.query(ingestProgressQuery).catch(() => undefined);
        if (progress) latest.set(sources[i]!, progress);
      }),
    );
    onProgress([...latest.values()]);
  }
  return results;
}

export function formatProgress(progress: readonly IngestProgress[]): string {
  return progress
    .map((p) => `${p.source}: ${p.phase}${p.planned > 0 ? ` ${p.done}/${p.planned} files` : ''}${p.quarantined ? `, ${p.quarantined} quarantined` : ''}${p.failed ? `, ${p.failed} failed` : ''}`)
    .join('  |  ');
}

export function formatCycleResult(result: IngestCycleResult): string {
  const lines = [
    `${result.source}: ${result.ingested} files ingested (${result.fields} fields, ${result.bytesFetched} bytes fetched), ${result.unchanged} unchanged, ${result.notYetPublished} not yet published, ${result.skipped} skipped`,
  ];
  for (const cycle of result.cycles) lines.push(`  cycle ${cycle.cycle}: ${cycle.present}/${cycle.expected} ${cycle.complete ? 'complete' : 'incomplete'}`);
  for (const q of result.quarantined) lines.push(`  QUARANTINED ${q.key}: ${q.reason}`);
  for (const f of result.failed) lines.push(`  FAILED ${f.key}: ${f.reason} (retried next run)`);
  return `${lines.join('\n')}\n`;
}
