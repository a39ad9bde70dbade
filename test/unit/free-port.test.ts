import fs from 'node:fs';
import net from 'node:net';
import { findFreePort } from '../../infra/stack/wait-for';

/** The TCP states of the sockets bound to 127.0.0.1:port, from Linux's /proc/net/tcp ('06' is TIME_WAIT, '0A' LISTEN). */
function statesOnPort(port: number): string[] {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return fs
    .readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1] === local)
    .map((fields) => fields[3]!);
}

/**
 * The states on the port once TIME_WAIT shows among them, or after a second. One read of
 * /proc/net/tcp can miss a socket: the kernel lists it in pages, and a socket that turns into
 * its TIME_WAIT entry between two pages is on neither (seen once in CI, on a machine busy with
 * hundreds of sockets, as no state at all).
 */
async function statesOnceTimeWait(port: number): Promise<string[]> {
  const deadline = Date.now() + 1000;
  let states = statesOnPort(port);
  while (!states.includes('06') && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    states = statesOnPort(port);
  }
  return states;
}

/** Linux's TcpExt counters that a lost TIME_WAIT would move (a full bucket table, an abort), to tell a failure's cause. */
function timeWaitCounters(): Record<string, number> {
  const [names, values] = fs
    .readFileSync('/proc/net/netstat', 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('TcpExt:'))
    .map((line) => line.split(/\s+/).slice(1));
  const counters: Record<string, number> = {};
  names!.forEach((name, i) => {
    if (/TimeWait|^TW|Abort/.test(name)) counters[name] = Number(values![i]);
  });
  return counters;
}

const onLinux = fs.existsSync('/proc/net/tcp') ? it : it.skip;

describe('findFreePort', () => {
  onLinux('holds the port back in TIME_WAIT, so that no bind to port 0 is given it before its server binds it', async () => {
    const before = timeWaitCounters();
    const port = await findFreePort();
    const states = await statesOnceTimeWait(port);
    // The counters that moved meanwhile come along, so that a failure says why the kernel dropped the socket.
    const after = timeWaitCounters();
    const moved = Object.fromEntries(Object.entries(after).filter(([name, value]) => value !== before[name]));
    expect({ states, moved }).toEqual({ states: expect.arrayContaining(['06']), moved });
    expect(states).not.toContain('0A'); // nothing listens there any more
  });

  it('answers a port that a server can bind by number at once', async () => {
    const port = await findFreePort();
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    try {
      expect((server.address() as net.AddressInfo).port).toBe(port);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('answers a different port each time', async () => {
    const ports = [];
    for (let i = 0; i < 20; i++) ports.push(await findFreePort());
    expect(new Set(ports).size).toBe(20);
  });
});
