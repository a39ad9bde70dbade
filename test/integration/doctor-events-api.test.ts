import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Pool } from 'pg';
import { checkEventsApi } from '../../clients/doctor/check-events-api';
import { buildEventsApi } from '../../clients/events-api/events-api';
import { eventsSchema } from '../../infra/config/events-schema';
import { createLogger } from '../../infra/log/logger';
import { findFreePort } from '../../infra/stack/wait-for';
import { useIsolatedTest } from '../harness/isolated-test';

const log = createLogger({ level: 'fatal', pretty: false });
const eventsAt = (port: number, extra: Record<string, unknown> = {}) => eventsSchema.parse({ enabled: true, site: 'site-doc', api: { port }, ...extra });
const portOf = (server: net.Server) => (server.address() as AddressInfo).port;

describe("sluice doctor's check of the event API (real servers on loopback)", () => {
  const t = useIsolatedTest();
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function serveApi(pool: Pool, site = 'site-doc'): Promise<number> {
    const app: FastifyInstance = buildEventsApi({ pool, config: eventsSchema.parse({ site }), log });
    closers.push(() => app.close());
    await app.listen({ host: '127.0.0.1', port: 0 });
    return portOf(app.server);
  }

  async function listen(server: net.Server): Promise<number> {
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return portOf(server);
  }

  it('passes for this site with its database up, also when the API listens on every interface', async () => {
    const port = await serveApi(t.pool());
    expect(await checkEventsApi(eventsAt(port))).toEqual({ name: 'event API', ok: true, detail: `http://127.0.0.1:${port}, site site-doc, database ok` });
    expect(await checkEventsApi(eventsAt(port, { api: { host: '0.0.0.0', port } }))).toMatchObject({ ok: true, detail: `http://127.0.0.1:${port}, site site-doc, database ok` });
  });

  it('fails, saying what to do, when nothing listens, another site answers, or its database is down', async () => {
    const nothing = await findFreePort();
    expect(await checkEventsApi(eventsAt(nothing))).toEqual({
      name: 'event API',
      ok: false,
      detail: `http://127.0.0.1:${nothing}: cannot connect (ECONNREFUSED)`,
      hint: expect.stringMatching(/sluice up serves it; on a host of its own, run sluice events serve/),
    });

    const other = await serveApi(t.pool(), 'site-other');
    expect(await checkEventsApi(eventsAt(other))).toMatchObject({ ok: false, detail: `http://127.0.0.1:${other} serves site "site-other", but events.site here is "site-doc"` });

    const unreachable = new Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', connectionTimeoutMillis: 500 });
    closers.push(() => unreachable.end());
    const cut = await serveApi(unreachable);
    expect(await checkEventsApi(eventsAt(cut))).toMatchObject({ ok: false, detail: expect.stringMatching(/answers, but its database does not: unreachable: /), hint: expect.stringMatching(/Check Postgres/) });
  });

  it('fails when another program holds the port, or a server there never answers', async () => {
    const stranger = await listen(http.createServer((_request, response) => response.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>')));
    expect(await checkEventsApi(eventsAt(stranger))).toMatchObject({
      ok: false,
      detail: `http://127.0.0.1:${stranger}/v1/healthz answered HTTP 404, not as a sluice event API does`,
      hint: expect.stringMatching(/Another program holds events.api.port/),
    });

    // Accepts the connection, then says nothing.
    const silent = net.createServer((socket) => closers.push(async () => socket.destroy()));
    const port = await listen(silent);
    expect(await checkEventsApi(eventsAt(port), 300)).toMatchObject({ ok: false, detail: `http://127.0.0.1:${port}: no complete answer within 300 ms`, hint: expect.stringMatching(/does not answer/) });
  });
});
