import { Writable } from 'node:stream';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import { lazyChildLogger } from '../../infra/log/lazy-child-logger';
import { createLogger } from '../../infra/log/logger';

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, next) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      next();
    },
  });
  const log = createLogger({ level: 'info', pretty: false }, destination);
  return { log, lines, children: jest.spyOn(log, 'child') };
}

/**
 * Serves on loopback (light-my-request's inject does not load under jest here) and answers GET
 * url's status. What starting the server logged and the children it made are forgotten.
 */
async function serve({ log, lines, children }: ReturnType<typeof capturedLogger>) {
  const server = app(log);
  const base = await server.listen({ host: '127.0.0.1', port: 0 });
  lines.length = 0;
  children.mockClear();
  return { get: async (url: string) => (await fetch(`${base}${url}`)).status, close: () => server.close() };
}

function app(log: FastifyBaseLogger) {
  const server = Fastify({ loggerInstance: log, logController: new LogController({ disableRequestLogging: true }), childLoggerFactory: lazyChildLogger });
  server.get('/quiet', async () => ({ ok: true }));
  server.get('/talks', async (request) => {
    request.log.warn({ password: 'hunter2', attempt: 2 }, 'slow upstream');
    return { ok: true };
  });
  server.get('/fails', async () => {
    throw new Error('boom');
  });
  // As the event API's error handler does with an unexpected error.
  server.setErrorHandler(async (err, request, reply) => {
    request.log.error({ err }, 'unexpected error');
    return reply.code(500).send({ error: 'internal' });
  });
  return server;
}

describe('lazyChildLogger', () => {
  it('makes no child logger for requests that log nothing', async () => {
    const logger = capturedLogger();
    const { lines, children } = logger;
    const server = await serve(logger);
    for (let i = 0; i < 50; i++) expect(await server.get('/quiet')).toBe(200);
    expect(children).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
    await server.close();
  });

  it("logs a request's lines with its request id, redacted as the parent redacts", async () => {
    const logger = capturedLogger();
    const { lines, children } = logger;
    const server = await serve(logger);
    await server.get('/quiet');
    expect(await server.get('/talks')).toBe(200);
    expect(children).toHaveBeenCalledTimes(1);
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'slow upstream', reqId: 'req-2', password: '[redacted]', attempt: 2 })]);
    await server.close();
  });

  it("logs a failed request's error with its request id", async () => {
    const logger = capturedLogger();
    const server = await serve(logger);
    const { lines } = logger;
    expect(await server.get('/fails')).toBe(500);
    expect(lines).toEqual([expect.objectContaining({ level: 50, msg: 'unexpected error', reqId: 'req-1', err: expect.objectContaining({ message: 'boom' }) })]);
    await server.close();
  });

  it("reads the parent's level without making the child, and sets its own", () => {
    const { log, children } = capturedLogger();
    const lazy = lazyChildLogger(log, { reqId: 'r' }, {});
    expect(lazy.level).toBe('info');
    expect(children).not.toHaveBeenCalled();
    lazy.level = 'error';
    expect(lazy.level).toBe('error');
    expect(log.level).toBe('info');
    expect(children).toHaveBeenCalledTimes(1);
  });
});
