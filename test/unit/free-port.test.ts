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

const onLinux = fs.existsSync('/proc/net/tcp') ? it : it.skip;

describe('findFreePort', () => {
  onLinux('holds the port back in TIME_WAIT, so that no bind to port 0 is given it before its server binds it', async () => {
    const port = await findFreePort();
    expect(statesOnPort(port)).toContain('06');
    expect(statesOnPort(port)).not.toContain('0A'); // nothing listens there any more
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
