import net from 'node:net';
import { cleanEnv, runCli, startCli } from '../harness/run-cli';
import { useIsolatedTest } from '../harness/isolated-test';

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();
const event = (key: string, status: string, at: string) => ({
  idempotency_key: key,
  site_id: 'site-1',
  app: { app_id: 'etch' },
  entity: { type: 'job', id: `job-${key}` },
  event: { kind: status === 'running' ? 'started' : 'finished', at, status, metrics: status === 'running' ? {} : { duration_s: 4.5 } },
});

describe('sluice events serve | tail (built CLI, real Postgres)', () => {
  const t = useIsolatedTest();

  it('serves the API, shows the latest events oldest first, and follows new ones until Ctrl-C', async () => {
    const settings = t.settings({ events: { site: 'site-1', api: { port: 0 } } });
    const server = await startCli(['--config', settings.file!, 'events', 'serve'], cleanEnv(), /event API of site site-1 on http:\/\/\S+\n/);
    try {
      const url = /on (http:\/\/\S+)\n/.exec(server.output())![1]!;
      const post = (body: unknown) => fetch(`${url}/v1/events/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post({ events: [event('a', 'running', minutesAgo(3)), event('b', 'succeeded', minutesAgo(2)), event('c', 'failed', minutesAgo(1))] })).status).toBe(201);

      const tail = await runCli(['--config', settings.file!, 'events', 'tail', '--url', url, '-n', '2'], cleanEnv());
      expect(tail).toMatchObject({ code: 0, stderr: '' });
      expect(tail.stdout.trim().split('\n').map((line) => line.split(/\s{2,}/).slice(1, 4))).toEqual([
        ['succeeded', 'job job-b', 'finished'],
        ['failed', 'job job-c', 'finished'],
      ]);
      expect(tail.stdout).toMatch(/duration_s=4\.5 {2}key=b/);
      const failedOnly = await runCli(['--config', settings.file!, 'events', 'tail', '--url', url, '--status', 'failed', '--json'], cleanEnv());
      expect(failedOnly.stdout.trim().split('\n').map((line) => JSON.parse(line).idempotency_key)).toEqual(['c']);

      const follower = await startCli(['--config', settings.file!, 'events', 'tail', '--url', url, '-n', '1', '--follow', '--interval', '0.2'], cleanEnv(), /key=c\n/);
      expect((await post({ events: [event('d', 'running', new Date().toISOString())] })).status).toBe(201);
      await new Promise<void>((resolve) => {
        const check = () => /key=d\n/.test(follower.output()) && resolve();
        follower.child.stdout!.on('data', check);
        check();
      });
      follower.child.kill('SIGINT');
      expect(await follower.exited).toBe(0);
      expect(follower.output().match(/key=\w/g)).toEqual(['key=c', 'key=d']);

      const closedPort = await new Promise<number>((resolve) => {
        const probe = net.createServer().listen(0, '127.0.0.1', () => {
          const { port } = probe.address() as net.AddressInfo;
          probe.close(() => resolve(port));
        });
      });
      const down = await runCli(['--config', settings.file!, 'events', 'tail', '--url', `http://127.0.0.1:${closedPort}`], cleanEnv());
      expect(down.code).toBe(1);
      expect(down.stderr).toMatch(new RegExp(`The event API at http://127\\.0\\.0\\.1:${closedPort} did not answer: .*ECONNREFUSED.*\\n {2}Is it running`));
      const badLimit = await runCli(['--config', settings.file!, 'events', 'tail', '-n', 'lots'], cleanEnv());
      expect(badLimit.stderr).toMatch(/--limit lots is not a whole number from 0 to 1000/);
    } finally {
      // As systemd stops it (infra/systemd/sluice-events.service).
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
  });
});
