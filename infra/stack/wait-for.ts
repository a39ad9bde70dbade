import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  timeoutMs: number;
  /** What is being waited for, for the timeout message. */
  what: string;
  /** Checked before each try: an error ends the wait at once (e.g. the server process exited). */
  failure?: () => Error | undefined;
}

/** Polls `probe` with a growing interval until it returns a value other than undefined. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let interval = 50;
  let lastError: unknown;
  for (;;) {
    const failure = options.failure?.();
    if (failure) throw failure;
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${options.what}${reason}`);
    }
    await sleep(interval);
    interval = Math.min(interval * 2, 500);
  }
}

/** True when something accepts TCP connections on host:port. */
export function isPortOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, held back for the server about to bind it.
 *
 * Between this answer and that server's bind, a program asking the kernel for any free port could
 * be given the same one. The Temporal dev server picks its internal ports that way while Postgres
 * and versitygw start beside it on ports from here, and once one of its ports was taken by the time
 * it bound it ("bind: address already in use"), which failed the whole run.
 * So, as the Temporal CLI does for its own ports, a connection to the port is closed from the
 * listening side first, which leaves that end in TIME_WAIT (60 s on Linux): the kernel gives no
 * bind to port 0 a port in that state, while a server binding it by number with SO_REUSEADDR (Node,
 * Go and Postgres all set it) still can.
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((accepted) => accepted.destroy());
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      const client = net.connect({ host: '127.0.0.1', port });
      client.once('error', (err) => server.close(() => reject(err)));
      // The listening side closed first; the client's end closes in answer, without TIME_WAIT.
      client.once('close', () => server.close(() => resolve(port)));
      client.resume();
    });
  });
}
