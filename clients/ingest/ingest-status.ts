import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { ConfiguredSource } from '../../activities/ingest/configured-sources';
import { ingestScheduleName } from '../schedules/desired-schedules';

export interface SourceStatus {
  readonly source: string;
  readonly description: string;
  /** Listed and enabled in config; scheduled when ingest.enabled too. */
  readonly enabled: boolean;
  readonly schedule: { readonly paused: boolean; readonly nextRun: string | null; readonly lastRun: string | null } | null;
  readonly lastIngest: string | null;
  readonly filesIngested: number;
  readonly fields: number;
  readonly bytes: number;
  readonly quarantined: { key: string; reason: string; at: string }[];
  /** The newest cycles, newest first. */
  readonly cycles: { cycle: string; expected: number; present: number; complete: boolean }[];
}

const CYCLES_SHOWN = 4;
const QUARANTINE_SHOWN = 20;

/** What `sluice ingest status` shows per source: the catalog's view and the schedule's. */
export async function ingestStatus(pool: Pool, client: Client | undefined, sources: readonly ConfiguredSource[]): Promise<SourceStatus[]> {
  const statuses: SourceStatus[] = [];
  for (const { source, enabled } of sources) {
    const files = await pool.query<{ files: string; last: Date | null }>(
      "SELECT count(*) AS files, max(updated_at) AS last FROM ingest_state WHERE source = $1 AND status = 'ingested'",
      [source.id],
    );
    const fields = await pool.query<{ fields: string; bytes: string }>('SELECT count(*) AS fields, coalesce(sum(size), 0) AS bytes FROM weather_fields WHERE source = $1', [source.id]);
    const quarantined = await pool.query<{ source_key: string; detail: string; updated_at: Date }>(
      "SELECT source_key, detail, updated_at FROM ingest_state WHERE source = $1 AND status = 'quarantined' ORDER BY updated_at DESC LIMIT $2",
      [source.id, QUARANTINE_SHOWN],
    );
    const cycles = await pool.query<{ cycle: Date; expected: number; present: number; complete: boolean }>(
      'SELECT cycle, expected, present, complete FROM weather_cycles WHERE source = $1 ORDER BY cycle DESC LIMIT $2',
      [source.id, CYCLES_SHOWN],
    );
    statuses.push({
      source: source.id,
      description: source.description,
      enabled,
      schedule: client ? await scheduleOf(client, ingestScheduleName(source.id)) : null,
      lastIngest: files.rows[0]!.last?.toISOString() ?? null,
      filesIngested: Number(files.rows[0]!.files),
      fields: Number(fields.rows[0]!.fields),
      bytes: Number(fields.rows[0]!.bytes),
      quarantined: quarantined.rows.map((row) => ({ key: row.source_key, reason: row.detail, at: row.updated_at.toISOString() })),
      cycles: cycles.rows.map((row) => ({ cycle: row.cycle.toISOString(), expected: row.expected, present: row.present, complete: row.complete })),
    });
  }
  return statuses;
}

async function scheduleOf(client: Client, name: string): Promise<SourceStatus['schedule']> {
  try {
    const description = await client.schedule.getHandle(name).describe();
    return {
      paused: description.state.paused,
      nextRun: description.info.nextActionTimes[0]?.toISOString() ?? null,
      lastRun: description.info.recentActions.at(-1)?.takenAt.toISOString() ?? null,
    };
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return null;
    throw err;
  }
}

export function formatIngestStatus(statuses: readonly SourceStatus[]): string {
  const lines: string[] = [];
  for (const s of statuses) {
    const schedule = s.schedule ? `${s.schedule.paused ? 'PAUSED' : 'scheduled'}, next ${s.schedule.nextRun ?? '-'}` : 'not scheduled';
    lines.push(`${s.source}  (${s.description})  ${s.enabled ? 'enabled' : 'disabled'}, ${schedule}`);
    lines.push(`  last ingest ${s.lastIngest ?? 'never'}; ${s.filesIngested} files, ${s.fields} fields, ${formatBytes(s.bytes)} stored; ${s.quarantined.length} quarantined`);
    for (const c of s.cycles) lines.push(`  cycle ${c.cycle}  ${c.present}/${c.expected}  ${c.complete ? 'complete' : 'incomplete'}`);
    for (const q of s.quarantined) lines.push(`  QUARANTINED ${q.key}: ${q.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
