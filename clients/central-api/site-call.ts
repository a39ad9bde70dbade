import { performance } from 'node:perf_hooks';

/**
 * One HTTP exchange with a site, bounded in time and size. The deadline covers everything from
 * connecting to the last byte of the body: a site that accepts the connection and never answers,
 * or that trickles its body a byte at a time, is cut off at the same instant as one that never
 * accepts. The deadline aborts the request (freeing the socket) and is also raced against the
 * exchange, so even a fetch that ignored its signal could not hold the answer back.
 */

export type SiteFetch = (url: string, init: { signal: AbortSignal; headers: Record<string, string> }) => Promise<Response>;

/** What went wrong, by what a person does about it: start the site, speed it up, or fix it. */
export type SiteFailureKind = 'down' | 'timeout' | 'error';

export type SiteExchange =
  | { readonly ok: true; readonly httpStatus: number; readonly text: string; readonly latencyMs: number }
  /** `error` says what happened; `advice`, when there is some, what the central API's operator can do about it. */
  | { readonly ok: false; readonly kind: SiteFailureKind; readonly error: string; readonly advice?: string; readonly latencyMs: number };

export interface SiteCallOptions {
  readonly fetch: SiteFetch;
  readonly timeoutMs: number;
  /** Bodies beyond this are refused: a broken site must not fill the central API's memory. */
  readonly maxBytes: number;
}

/** Errors of connecting that mean nothing is serving there (as opposed to a server that misbehaves). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EHOSTDOWN']);

class Deadline extends Error {}
class TooLarge extends Error {}

export async function callSite(url: string, { fetch, timeoutMs, maxBytes }: SiteCallOptions): Promise<SiteExchange> {
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const reason = new Deadline(`no complete answer within ${timeoutMs} ms`);
      controller.abort(reason);
      reject(reason);
    }, timeoutMs);
  });
  try {
    const { httpStatus, text } = await Promise.race([exchange(url, fetch, controller.signal, maxBytes), deadline]);
    return { ok: true, httpStatus, text, latencyMs: latencyMs() };
  } catch (err) {
    return { ok: false, ...classify(err, timeoutMs, maxBytes), latencyMs: latencyMs() };
  } finally {
    clearTimeout(timer);
    // Releases the connection when the body was not read to the end (an error path); a no-op otherwise.
    controller.abort();
  }
}

async function exchange(url: string, fetch: SiteFetch, signal: AbortSignal, maxBytes: number): Promise<{ httpStatus: number; text: string }> {
  const response = await fetch(url, { signal, headers: { accept: 'application/json' } });
  return { httpStatus: response.status, text: await readCapped(response, maxBytes) };
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new TooLarge(`declares a body of ${declared} bytes`);
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new TooLarge(`sent more than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function classify(err: unknown, timeoutMs: number, maxBytes: number): { kind: SiteFailureKind; error: string; advice?: string } {
  const name = errorField(err, 'name');
  if (err instanceof Deadline || name === 'AbortError' || name === 'TimeoutError') {
    return { kind: 'timeout', error: `no complete answer within ${timeoutMs} ms`, advice: 'the site is overloaded or stuck (raise central.timeout if it is just slow)' };
  }
  if (err instanceof TooLarge) return { kind: 'error', error: `the answer is too large: it ${err.message}, the limit is ${maxBytes}`, advice: 'ask for a shorter range or a coarser grain' };
  const code = causeCode(err);
  if (code && UNREACHABLE.has(code)) {
    return { kind: 'down', error: `cannot connect (${code})`, advice: "is the site's event API running there (sluice events serve), and is central.sites' url right?" };
  }
  const message = errorField(err, 'message') ?? String(err);
  const causeMessage = errorField(errorCause(err), 'message');
  return { kind: 'error', error: `the exchange failed${code ? ` (${code})` : ''}: ${message}${causeMessage ? `: ${causeMessage}` : ''}` };
}

/**
 * undici reports socket errors as TypeError('fetch failed') with the system error as its cause.
 * Read by field, not instanceof: Node's errors come from another realm under test runners' VMs.
 */
function causeCode(err: unknown): string | undefined {
  for (let current: unknown = err, depth = 0; current !== undefined && depth < 4; current = errorCause(current), depth++) {
    const code = errorField(current, 'code');
    if (code) return code;
    // Connecting to several addresses (localhost as ::1 and 127.0.0.1) fails as an AggregateError.
    const errors = typeof current === 'object' && current !== null ? (current as { errors?: unknown }).errors : undefined;
    if (Array.isArray(errors)) {
      const inner = errors.map((e: unknown) => errorField(e, 'code')).find((c) => c !== undefined);
      if (inner) return inner;
    }
  }
  return undefined;
}

function errorField(err: unknown, field: 'name' | 'message' | 'code'): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const value = (err as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}

function errorCause(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { cause?: unknown }).cause : undefined;
}
