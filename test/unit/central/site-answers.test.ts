import { healthzAnswer, readSiteAnswer, SiteAnswerError, statsAnswer } from '../../../clients/central-api/site-answers';

const stats = { site_id: 'site-a', grain: 'hour', from: '2025-03-01T00:00:00Z', to: '2025-03-02T00:00:00Z', rows: [] as unknown[] };
const row = { bucket: '2025-03-01T10:00:00.000000Z', app_id: 'etch', entity_type: 'job', status: 'failed', events: 2, finished: 2, durations: 0, duration_sum: 0, duration_max: null };

function refusal(httpStatus: number, text: string, accepted?: number[]): string {
  try {
    readSiteAnswer({ httpStatus, text }, statsAnswer, 'site-a', accepted);
  } catch (err) {
    expect(err).toBeInstanceOf(SiteAnswerError);
    return (err as Error).message;
  }
  throw new Error(`expected HTTP ${httpStatus} ${text} to be refused`);
}

describe('readSiteAnswer', () => {
  it('accepts the expected shape from the expected site', () => {
    expect(readSiteAnswer({ httpStatus: 200, text: JSON.stringify({ ...stats, rows: [row] }) }, statsAnswer, 'site-a').rows).toEqual([row]);
    // /v1/healthz answers 503 with its usual body when the database is down: that is an answer.
    const down = { site_id: 'site-a', status: 'unavailable', database: 'unreachable: ECONNREFUSED' };
    expect(readSiteAnswer({ httpStatus: 503, text: JSON.stringify(down) }, healthzAnswer, 'site-a', [200, 503])).toEqual(down);
  });

  it('says what a broken site answered', () => {
    expect(refusal(500, '{"error":"internal_error","message":"The server failed to answer; it has logged why."}')).toBe('answered HTTP 500: The server failed to answer; it has logged why.');
    expect(refusal(502, '<html>\n<body>Bad Gateway</body></html>')).toBe('answered HTTP 502: <html> <body>Bad Gateway</body></html>');
    expect(refusal(200, '<html>hello</html>')).toBe('answered HTTP 200 with a body that is not JSON: <html>hello</html>');
    expect(refusal(200, '')).toBe('answered HTTP 200 with a body that is not JSON: (empty)');
    expect(refusal(200, JSON.stringify({ ...stats, rows: [{ ...row, events: -1 }] }))).toMatch(/^answered with an unexpected shape \(rows\.0\.events: .*\); is it a sluice event API/);
    expect(refusal(200, JSON.stringify({ ...stats, rows: [{ ...row, bucket: 'yesterday' }] }))).toMatch(/rows\.0\.bucket: expected an ISO timestamp/);
    expect(refusal(200, JSON.stringify({ ...stats, rows: undefined }))).toMatch(/\(rows: /);
    // 1e309 parses as Infinity: not a count.
    expect(refusal(200, JSON.stringify({ ...stats, rows: [row] }).replace('"events":2', '"events":1e309'))).toMatch(/rows\.0\.events/);
    expect(refusal(200, JSON.stringify({ ...stats, site_id: 'site-b' }))).toBe('says it is site "site-b", but central.sites lists this url as "site-a"; fix the id or the url in central.sites');
  });
});
