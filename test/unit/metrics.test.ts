import { createRegistry, createWeatherMetrics, startMetricsServer } from '../../workers/metrics';
import { testLog } from '../harness/test-workers';

describe('cloud worker metrics', () => {
  it('serves the seed\'s counters in Prometheus text format on GET /metrics, and 404 elsewhere', async () => {
    const registry = createRegistry();
    const metrics = createWeatherMetrics(registry);
    metrics.fileIngested('gfs');
    metrics.fileIngested('gfs');
    metrics.ingestRun('gfs', 'success', 12.5);
    metrics.ingestRun('mrms', 'partial', 0.4);
    metrics.purged(3, 4096);
    const server = await startMetricsServer(registry, { host: '127.0.0.1', port: 0 }, testLog);
    try {
      const response = await fetch(server.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await response.text();
      expect(text).toMatch(/^files_ingested_total\{model="gfs"\} 2$/m);
      expect(text).toMatch(/^ingestion_runs_total\{model="gfs",status="success"\} 1$/m);
      expect(text).toMatch(/^ingestion_runs_total\{model="mrms",status="partial"\} 1$/m);
      expect(text).toMatch(/^ingestion_duration_seconds_sum\{model="gfs"\} 12.5$/m);
      expect(text).toMatch(/^purge_files_deleted_total 3$/m);
      expect(text).toMatch(/^purge_bytes_freed_total 4096$/m);
      expect(text).toMatch(/^sluice_process_cpu_seconds_total /m);
      expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
      expect((await fetch(server.url, { method: 'POST' })).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('refuses a port that is taken with a hint to change metrics.port', async () => {
    const first = await startMetricsServer(createRegistry(), { host: '127.0.0.1', port: 0 }, testLog);
    try {
      const port = Number(new URL(first.url).port);
      await expect(startMetricsServer(createRegistry(), { host: '127.0.0.1', port }, testLog)).rejects.toMatchObject({ hint: expect.stringMatching(/metrics\.port/) });
    } finally {
      await first.close();
    }
  });
});
