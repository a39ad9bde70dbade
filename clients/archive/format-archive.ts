import type { ArchivePart } from '../../activities/archive/archive-manifest';
import type { ArchivePlan } from '../../activities/archive/plan-archive';
import type { PartitionProgress } from '../../workflows/archive-events';
import { formatBytes } from '../ingest/ingest-status';

/** `sluice archive plan`. */
export function formatPlan(plan: ArchivePlan, hotWindow: string): string {
  const lines = [`${counted(plan.partitions.length, 'partition')} to archive (days before ${plan.cutoffDay}: older than the hot window of ${hotWindow} as of ${plan.now})`];
  for (const p of plan.partitions) {
    const rows = `~${counted(Math.max(0, p.approxRows), 'row')}`;
    lines.push(`  ${p.day}  ${p.table.padEnd(7)}  part-${String(p.part).padStart(4, '0')}  ${rows}${p.resumes ? `  (resumes a part ${p.resumes})` : ''}`);
  }
  if (plan.hot.length > 0) lines.push(`Kept, within the hot window: ${[...new Set(plan.hot.map((p) => p.day))].join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** `sluice archive list`. */
export function formatManifest(parts: readonly ArchivePart[]): string {
  if (parts.length === 0) return 'No archived parts.\n';
  const lines = ['day         table    part  state     rows        bytes       key'];
  for (const p of parts) {
    lines.push(
      `${p.day}  ${p.table.padEnd(7)}  ${String(p.part).padStart(4, '0')}  ${p.state.padEnd(8)}  ${String(p.figures?.rows ?? '–').padStart(10)}  ${(p.bytes === null ? '–' : formatBytes(p.bytes)).padStart(10)}  ${p.key ?? '(empty: no object)'}`,
    );
    if (p.problem) lines.push(`      problem: ${p.problem}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A running partition's step in `sluice archive run`: what its activity last said it was doing
 * (heartbeat details, with the rows exported so far), else the step its workflow is at.
 */
export function archiveStepText(workflowStep: string | undefined, heartbeat: unknown, approxRows: number): string | undefined {
  const beat = typeof heartbeat === 'object' && heartbeat !== null ? (heartbeat as { step?: unknown; rows?: unknown }) : {};
  switch (beat.step) {
    case 'export':
      // No row yet: Postgres is still sorting them.
      if (typeof beat.rows !== 'number' || beat.rows === 0) return 'exporting';
      return `exporting: ${counted(beat.rows, 'row')}${approxRows > 0 ? ` of ~${approxRows.toLocaleString('en')}` : ''}`;
    case 'write':
      return 'writing Parquet';
    case 'upload':
      return 'uploading';
    case 'download':
      return 'downloading to verify';
    case 'verify':
      return 'reading back to verify';
    case 'drop':
      return 'dropping';
    default:
      return workflowStep;
  }
}

/** One partition's line in `sluice archive run`, printed when its status or step changes. */
export function formatPartition(p: PartitionProgress, step?: string): string {
  const name = `${p.day} ${p.table.padEnd(7)} part-${String(p.part).padStart(4, '0')}`;
  switch (p.status) {
    case 'pending':
      return `${name}  waiting`;
    case 'running':
      return `${name}  ${step ?? 'running'}…`;
    case 'archived':
      return `${name}  archived ${counted(p.rows ?? 0, 'row')}, ${formatBytes(p.bytes ?? 0)} → ${p.key}; verified, partition dropped`;
    case 'empty':
      return `${name}  empty: recorded and dropped`;
    case 'changed':
      return `${name}  KEPT: changed after export (${p.detail}); the next run archives it again`;
    case 'busy':
      return `${name}  skipped: ${p.detail}`;
    case 'failed':
      return `${name}  FAILED, not dropped: ${p.detail}`;
  }
}

/** "1 row", "2 rows", "1,000 rows". */
const counted = (n: number, noun: string) => `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`;
