import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Pool } from 'pg';
import { checkCentralSites } from '../../clients/doctor/check-central-sites';
import { checkEventsApi } from '../../clients/doctor/check-events-api';
import { buildEventsApi } from '../../clients/events-api/events-api';
import { centralSchema, eventsSchema } from '../../infra/config/events-schema';
import { createLogger } from '../../infra/log/logger';
import { findFreePort } from '../../infra/stack/wait-for';
import { useIsolatedTest } from '../harness/isolated-test';

const log = createLogger({ level: 'fatal', pretty: false });
const eventsAt = (port: number, extra: Record<string, unknown> = {}) => eventsSchema.parse({ enabled: true, site: 'site-doc', api: { port }, ...extra });
const portOf = (server: net.Server) => (server.address() as AddressInfo).port;

describe("sluice doctor's checks of event APIs: this site's, and central.sites' (real servers on loopback)", () => {
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

  it('checks every site of central.sites at once, each within central.timeout, and says what is wrong with each', async () => {
    const good = await serveApi(t.pool(), 'site-a');
    const misnamed = await serveApi(t.pool(), 'site-c');
    const unreachable = new Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', connectionTimeoutMillis: 500 });
    closers.push(() => unreachable.end());
    const noDatabase = await serveApi(unreachable, 'site-d');
    const silent = await listen(net.createServer((socket) => closers.push(async () => socket.destroy())));
    const nothing = await findFreePort();
    // Answers only once two sites' checks wait on it at the same time: asked one after another, both would time out.
    const pending: http.ServerResponse[] = [];
    const rendezvous = await listen(
      http.createServer((request, response) => {
        response.setHeader('x-site', /^\/(site-g\d)\//.exec(request.url ?? '')?.[1] ?? '');
        pending.push(response);
        if (pending.length === 2) for (const waiting of pending) waiting.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', site_id: waiting.getHeader('x-site'), database: 'ok' }));
      }),
    );
    const central = centralSchema.parse({
      timeout: '300ms',
      sites: [
        { id: 'site-a', url: `http://127.0.0.1:${good}` },
        { id: 'site-b', url: `http://127.0.0.1:${nothing}` },
        { id: 'site-x', url: `http://127.0.0.1:${misnamed}/` },
        { id: 'site-d', url: `http://127.0.0.1:${noDatabase}` },
        { id: 'site-e', url: `http://127.0.0.1:${silent}` },
        // Behind a proxy, a site's url may carry a path; this API is at the root, so /api/... is not found.
        { id: 'site-f', url: `http://127.0.0.1:${good}/api` },
        { id: 'site-g1', url: `http://127.0.0.1:${rendezvous}/site-g1` },
        { id: 'site-g2', url: `http://127.0.0.1:${rendezvous}/site-g2/` },
      ],
    });
    const findings = await checkCentralSites(central);
    expect(findings).toEqual([
      { name: 'central site site-a', ok: true, detail: expect.stringMatching(new RegExp(`^http://127.0.0.1:${good}/, database ok \\(\\d+ ms\\)$`)) },
      { name: 'central site site-b', ok: false, detail: `http://127.0.0.1:${nothing}/v1/healthz: cannot connect (ECONNREFUSED)`, hint: "Is the site's event API running there (sluice events serve), and is central.sites' url right?" },
      { name: 'central site site-x', ok: false, detail: `http://127.0.0.1:${misnamed}/v1/healthz says it is site "site-c", but central.sites lists this url as "site-x"; fix the id or the url in central.sites` },
      { name: 'central site site-d', ok: false, detail: expect.stringMatching(/answers, but its database does not: unreachable: /), hint: expect.stringMatching(/Check Postgres/) },
      { name: 'central site site-e', ok: false, detail: `http://127.0.0.1:${silent}/v1/healthz: no complete answer within 300 ms`, hint: expect.stringMatching(/^The site is overloaded or stuck/) },
      { name: 'central site site-f', ok: false, detail: expect.stringMatching(/\/api\/v1\/healthz answered HTTP 404: No route GET \/api\/v1\/healthz/) },
      { name: 'central site site-g1', ok: true, detail: expect.stringMatching(/\/site-g1, database ok/) },
      { name: 'central site site-g2', ok: true, detail: expect.stringMatching(/\/site-g2\/, database ok/) },
    ]);
    expect(await checkCentralSites(centralSchema.parse({}))).toEqual([]);
  });
});
