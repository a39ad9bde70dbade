import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { callSite, type SiteFetch } from '../../../clients/central-api/site-call';

/**
 * callSite against real sockets: each way a site can fail has to come back as a classified result
 * within the timeout, never as a hang or a thrown error.
 */

const TIMEOUT_MS = 400;
// Scheduling noise on a shared 2-core machine; the bound is still far below any hang.
const MARGIN_MS = 600;

const servers: Server[] = [];
const sockets = new Set<Socket>();
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(handler: (response: ServerResponse) => void): Promise<string> {
  const server = createServer((_request, response) => handler(response));
  server.on('connection', (socket) => sockets.add(socket));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/x`;
}

async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/v1/x`;
}

const options = { fetch: globalThis.fetch as SiteFetch, timeoutMs: TIMEOUT_MS, maxBytes: 1000 };

async function timed(url: string, overrides: Partial<typeof options> = {}) {
  const started = Date.now();
  const result = await callSite(url, { ...options, ...overrides });
  return { result, elapsed: Date.now() - started };
}

describe('callSite', () => {
  it('returns the status and body of an answer', async () => {
    const url = await serve((response) => response.writeHead(503, { 'content-type': 'application/json' }).end('{"a":1}'));
    const { result } = await timed(url);
    expect(result).toMatchObject({ ok: true, httpStatus: 503, text: '{"a":1}' });
  });

  it('reports a closed port as down, at once', async () => {
    const { result, elapsed } = await timed(await closedPort());
    expect(result).toMatchObject({ ok: false, kind: 'down', error: 'cannot connect (ECONNREFUSED)', advice: expect.stringMatching(/^is the site's event API running/) });
    expect(elapsed).toBeLessThan(TIMEOUT_MS);
  });

  it('gives up on a site that never sends headers, and one that trickles its body, at the timeout', async () => {
    const silent = await serve(() => undefined);
    const trickling = await serve((response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"rows": [');
      const timer = setInterval(() => response.write(' '), 50);
      response.on('close', () => clearInterval(timer));
    });
    for (const url of [silent, trickling]) {
      const { result, elapsed } = await timed(url);
      expect(result).toMatchObject({ ok: false, kind: 'timeout', error: 'no complete answer within 400 ms', advice: expect.stringMatching(/raise central.timeout/) });
      expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
      expect(elapsed).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    }
  });

  it('does not wait past the timeout even for a fetch that ignores its abort signal', async () => {
    const never: SiteFetch = () => new Promise<Response>(() => undefined);
    const { result, elapsed } = await timed('http://site.invalid/v1/x', { fetch: never });
    expect(result).toMatchObject({ ok: false, kind: 'timeout' });
    expect(elapsed).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
  });

  it('refuses a body larger than the limit, declared or streamed', async () => {
    const declared = await serve((response) => response.writeHead(200, { 'content-length': '5000' }).end('x'.repeat(5000)));
    const streamed = await serve((response) => {
      response.writeHead(200);
      response.write('x'.repeat(800));
      response.end('x'.repeat(800));
    });
    for (const url of [declared, streamed]) {
      const { result } = await timed(url);
      expect(result).toMatchObject({ ok: false, kind: 'error', error: expect.stringMatching(/answer is too large: .*limit is 1000$/), advice: expect.stringMatching(/shorter range/) });
    }
  });

  it('reports a connection closed before an answer as an error, not as down', async () => {
    const url = await serve((response) => response.socket?.destroy());
    const { result } = await timed(url);
    expect(result).toMatchObject({ ok: false, kind: 'error', error: expect.stringMatching(/^the exchange failed/) });
  });
});
