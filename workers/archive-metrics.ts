import type { Pool } from 'pg';
import { Gauge, type Registry } from 'prom-client';
import { archiveBacklog, type TableBacklog } from '../activities/archive/archive-backlog';
import type { PartitionedTable } from '../activities/events/day-partitions';
import type { Logger } from '../infra/log/logger';

/**
 * The archival backlog (archive-backlog.ts) as gauges of the cloud worker's /metrics, read from
 * Postgres when Prometheus scrapes. Alert on sluice_archive_oldest_waiting_seconds above a few
 * archive.every periods: archival is failing or not running, and the days pile up in Postgres.
 * If Postgres does not answer, the gauges are left out of that scrape (the rest of /metrics is
 * still served) and a warning says why.
 */
export function registerArchiveMetrics(registry: Registry, pool: Pool, hotWindowMs: number, log: Logger): void {
  // A scrape collects the three gauges at once: they share the reading in flight.
  let reading: Promise<Record<PartitionedTable, TableBacklog> | undefined> | undefined;
  const backlog = () => {
    reading ??= archiveBacklog(pool, { now: Date.now(), hotWindowMs })
      .catch((err: unknown) => {
        log.warn({ err }, 'cannot read the archival backlog from Postgres; its gauges are left out of this scrape');
        return undefined;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
  const gauge = (name: string, help: string, value: (table: TableBacklog) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['table'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const [table, figures] of Object.entries((await backlog()) ?? {})) this.set({ table }, value(figures));
      },
    });
  gauge('sluice_archive_waiting_partitions', 'Day partitions past events.archive.hotWindow still in Postgres: the next archival run takes them', (table) => table.waiting);
  gauge('sluice_archive_oldest_waiting_seconds', 'Seconds since the oldest waiting partition left the hot window (0: none waits)', (table) => table.oldestWaitingSeconds);
  gauge('sluice_archive_parts_with_problem', 'Archive parts not dropped whose last verification or drop did not go through (sluice archive list says why)', (table) => table.withProblem);
}
