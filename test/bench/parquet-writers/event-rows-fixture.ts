/**
 * One day of event rows for the Parquet writer benchmark, the same on every run (seeded): 20 sites,
 * 20 apps, 50,000 entities (a fifth of them jobs, the rest their subjobs), events spread over
 * 2026-01-15 UTC with microsecond times, metrics of 5 numbers and metadata of 3 short strings (a few
 * of them not ASCII), parent_id / business_key / sub_key NULL where a real event would leave them out.
 *
 * summarize() gives what an archive of these rows must read back as: the row count, min and max
 * `at` (µs), and an order-independent checksum: the sum over rows of the first 64 bits of the MD5
 * of a canonical text of the row (each column as N for NULL, else V<byte length>:<text>, with
 * BIGINT in decimal and timestamps as µs since the epoch). checksumSql() is the same in DuckDB SQL.
 */
import { createHash } from 'node:crypto';
import { EVENT_COLUMNS, type EntityType, type EventColumn, type EventRow } from '../../../activities/archive/event-rows';
import { seededRandom } from '../../harness/seeded-random';

const SITES = Array.from({ length: 20 }, (_, i) => `site-${String(i + 1).padStart(2, '0')}`);
const APP_NAMES = ['harvester', 'sorter', 'labeler', 'uploader', 'thermal-scan', 'counter', 'inspector', 'packer', 'weigher', 'mapper'];
const APPS = Array.from({ length: 20 }, (_, i) => ({ id: `app-${String(i + 1).padStart(2, '0')}`, name: APP_NAMES[i % APP_NAMES.length]!, version: `${1 + (i % 3)}.${i % 7}.${(i * 5) % 11}` }));
const ENTITIES = 50_000;
const JOBS = ENTITIES / 5;
const KINDS = ['started', 'progress', 'progress', 'progress', 'heartbeat', 'completed', 'failed'];
const STATUS_OF: Record<string, string> = { started: 'running', progress: 'running', heartbeat: 'running', completed: 'succeeded', failed: 'failed' };
const HOSTS = Array.from({ length: 40 }, (_, i) => `edge-${String(i + 1).padStart(2, '0')}`);
const REGIONS = ['eu-west', 'eu-north', 'us-east', 'ap-south', 'sa-east'];
const NOTES = ['ok', 'retry after timeout', 'belt 3', 'café line', 'zone Ω', 'Zürich dock', '東京 bay', 'night shift'];
const DAY_START_US = BigInt(Date.UTC(2026, 0, 15)) * 1000n;
const DAY_US = 86_400_000_000;

export function generateEventRows(count: number, seed = 0x5eed): EventRow[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const hex = (digits: number) => {
    let out = '';
    while (out.length < digits) out += Math.floor(random() * 0x100000000).toString(16).padStart(8, '0');
    return out.slice(0, digits);
  };
  const rows: EventRow[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const entity = Math.floor(random() * ENTITIES);
    const isJob = entity < JOBS;
    const entityType: EntityType = isJob ? 'job' : 'subjob';
    const job = isJob ? entity : entity % JOBS;
    const site = SITES[job % SITES.length]!;
    const app = APPS[(job * 7) % APPS.length]!;
    const kind = pick(KINDS);
    // Spread over the day in order, with jitter, so `at` is not the row order exactly.
    const atUs = DAY_START_US + BigInt(Math.min(DAY_US - 1, Math.floor(((i + random() * 50) / count) * DAY_US)));
    const metrics = {
      duration_ms: Math.round(random() * 1_000_000) / 100,
      items: Math.floor(random() * 5000),
      bytes: Math.floor(random() * 50_000_000),
      cpu: Math.round(random() * 1000) / 1000,
      retries: random() < 0.9 ? 0 : 1 + Math.floor(random() * 4),
    };
    const metadata = { host: pick(HOSTS), region: pick(REGIONS), note: pick(NOTES) };
    rows[i] = {
      event_id: 4_000_000_000n + BigInt(i),
      idempotency_key: `${site}:${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`,
      site_id: site,
      app_id: app.id,
      app_name: app.name,
      app_version: app.version,
      entity_type: entityType,
      entity_id: isJob ? `job-${String(entity).padStart(6, '0')}` : `sub-${String(entity).padStart(6, '0')}`,
      parent_id: isJob ? null : `job-${String(job).padStart(6, '0')}`,
      business_key: random() < 0.6 ? `order-${String(job * 13 + 100_000)}` : null,
      sub_key: isJob ? null : `step-${(entity % 9) + 1}`,
      kind,
      at: atUs,
      status: STATUS_OF[kind]!,
      metrics: JSON.stringify(metrics),
      metadata: JSON.stringify(metadata),
      received_at: atUs + BigInt(50_000 + Math.floor(random() * 5_000_000)),
    };
  }
  return rows;
}

export interface RowsSummary {
  readonly rows: number;
  readonly minAt: bigint;
  readonly maxAt: bigint;
  readonly checksum: bigint;
}

export function summarize(rows: readonly EventRow[]): RowsSummary {
  let minAt = rows[0]!.at;
  let maxAt = rows[0]!.at;
  let checksum = 0n;
  for (const row of rows) {
    if (row.at < minAt) minAt = row.at;
    if (row.at > maxAt) maxAt = row.at;
    let text = '';
    for (const column of EVENT_COLUMNS) {
      const value = row[column.name];
      if (value === null) text += 'N';
      else {
        const s = String(value); // bigint: decimal; timestamps are µs bigints already
        text += `V${Buffer.byteLength(s)}:${s}`;
      }
    }
    checksum += createHash('md5').update(text).digest().readBigUInt64BE(0);
  }
  return { rows: rows.length, minAt, maxAt, checksum };
}

/** The DuckDB SQL expression whose sum() over the rows is summarize()'s checksum. */
export function checksumSql(columns: readonly EventColumn[] = EVENT_COLUMNS): string {
  const parts = columns.map((column) => {
    const name = `"${column.name}"`;
    const text = column.type === 'VARCHAR' ? name : column.type === 'BIGINT' ? `${name}::VARCHAR` : `epoch_us(${name})::VARCHAR`;
    return `CASE WHEN ${name} IS NULL THEN 'N' ELSE 'V' || strlen(${text}) || ':' || ${text} END`;
  });
  return `('0x' || left(md5(concat(${parts.join(', ')})), 16))::UBIGINT::HUGEINT`;
}
