import { Writable } from 'node:stream';
import { createLogger, redactUrl } from '../../infra/log/logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, log: createLogger({ level: 'info', pretty: false }, stream) };
}

describe('logger', () => {
  it('redacts secrets wherever config and clients put them', () => {
    const { lines, log } = capture();
    log.info({ s3: { secretAccessKey: 'AKIA-secret-1' }, storage: { s3: { secretAccessKey: 'secret-2' } }, temporal: { apiKey: 'key-3' }, postgres: { password: 'pw-4', url: 'postgres://u:pw-6@h/d' }, databaseUrl: 'postgres://u:pw-5@h/d' }, 'settings');
    log.info({ settings: { storage: { s3: { secretAccessKey: 'secret-7' } }, postgres: { url: 'postgres://u:pw-8@h/d' } } }, 'nested');
    const text = lines.join('');
    for (const secret of ['AKIA-secret-1', 'secret-2', 'key-3', 'pw-4', 'pw-5', 'pw-6', 'secret-7', 'pw-8']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });

  it('masks the password of a URL shown in a message', () => {
    expect(redactUrl('postgres://sluice:s3cr3t@127.0.0.1:5488/sluice')).toBe('postgres://sluice:redacted@127.0.0.1:5488/sluice');
    expect(redactUrl('not a url')).toBe('[unparseable url]');
  });
});
