import type { EventBody } from '../../activities/events/event-body';
import type { IncomingEvent, IngestOutcome } from '../../activities/events/event-store';
import { IngestCoalescer } from '../../clients/events-api/ingest-coalescer';

/** Only the key matters to the coalescer. */
const incoming = (key: string): IncomingEvent => ({ event: { idempotency_key: key } as EventBody, digest: key });

/** A store whose transactions finish when the test says, and that records what each held. */
function manualStore() {
  const calls: { keys: string[]; finish(outcomes?: IngestOutcome[]): void; fail(err: Error): void }[] = [];
  const store = (events: IncomingEvent[]) =>
    new Promise<IngestOutcome[]>((resolve, reject) => {
      const keys = events.map(({ event }) => event.idempotency_key);
      calls.push({
        keys,
        finish: (outcomes = keys.map((key) => ({ status: 'created', eventId: `id-${key}` }))) => resolve(outcomes),
        fail: reject,
      });
    });
  return { store, calls };
}

/** Lets the coalescer's promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('IngestCoalescer', () => {
  it('stores an event that arrives at rest at once, alone, and those that arrive meanwhile together in the next transaction', async () => {
    const { store, calls } = manualStore();
    const coalescer = new IngestCoalescer(store);
    const first = coalescer.submit(incoming('a'));
    expect(calls.map((call) => call.keys)).toEqual([['a']]);
    const later = ['b', 'c', 'd'].map((key) => coalescer.submit(incoming(key)));
    expect(calls).toHaveLength(1);

    calls[0]!.finish();
    await expect(first).resolves.toEqual({ status: 'created', eventId: 'id-a' });
    await settle();
    expect(calls.map((call) => call.keys)).toEqual([['a'], ['b', 'c', 'd']]);
    calls[1]!.finish();
    await expect(Promise.all(later)).resolves.toEqual(['b', 'c', 'd'].map((key) => ({ status: 'created', eventId: `id-${key}` })));
  });

  it('starts the next transaction before it answers the requests of the one that finished', async () => {
    const { store, calls } = manualStore();
    const coalescer = new IngestCoalescer(store);
    const first = coalescer.submit(incoming('a'));
    void coalescer.submit(incoming('b'));
    const transactionsWhenAnswered = first.then(() => calls.length);
    calls[0]!.finish();
    await expect(transactionsWhenAnswered).resolves.toBe(2);
    expect(calls.map((call) => call.keys)).toEqual([['a'], ['b']]);
  });

  it('gives each event its own outcome: a conflict of one does not fail the others', async () => {
    const { store, calls } = manualStore();
    const coalescer = new IngestCoalescer(store);
    const blocker = coalescer.submit(incoming('x'));
    const [ok, conflict] = [coalescer.submit(incoming('ok')), coalescer.submit(incoming('taken'))];
    calls[0]!.finish();
    await blocker;
    await settle();
    calls[1]!.finish([
      { status: 'created', eventId: '7' },
      { status: 'conflict', eventId: '3', storedAt: '2026-03-01T10:00:00.000000Z' },
    ]);
    await expect(ok).resolves.toEqual({ status: 'created', eventId: '7' });
    await expect(conflict).resolves.toEqual({ status: 'conflict', eventId: '3', storedAt: '2026-03-01T10:00:00.000000Z' });
  });

  it('never puts two events with one key in one transaction: the later goes in the next, in order', async () => {
    const { store, calls } = manualStore();
    const coalescer = new IngestCoalescer(store);
    void coalescer.submit(incoming('x'));
    const posts = ['k', 'm', 'k', 'k', 'n'].map((key) => coalescer.submit(incoming(key)));
    for (let i = 0; i < 4; i++) {
      calls[i]!.finish();
      await settle();
    }
    expect(calls.map((call) => call.keys)).toEqual([['x'], ['k', 'm', 'n'], ['k'], ['k']]);
    await expect(Promise.all(posts)).resolves.toHaveLength(5);
  });

  it('fails only the events of a transaction that failed, and goes on with the next', async () => {
    const { store, calls } = manualStore();
    const coalescer = new IngestCoalescer(store);
    const doomed = coalescer.submit(incoming('a'));
    const next = coalescer.submit(incoming('b'));
    calls[0]!.fail(new Error('connection lost'));
    await expect(doomed).rejects.toThrow('connection lost');
    await settle();
    expect(calls.map((call) => call.keys)).toEqual([['a'], ['b']]);
    calls[1]!.finish();
    await expect(next).resolves.toEqual({ status: 'created', eventId: 'id-b' });
  });

  it('caps a transaction at maxBatch events and runs at most maxInFlight at once', async () => {
    const { store, calls } = manualStore();
    const coalescer = new IngestCoalescer(store, 3, 2);
    const posts = Array.from({ length: 9 }, (_, i) => coalescer.submit(incoming(`e${i}`)));
    // Two transactions start at once, each with the one event that was waiting when it did.
    expect(calls.map((call) => call.keys)).toEqual([['e0'], ['e1']]);
    calls[0]!.finish();
    await settle();
    expect(calls.map((call) => call.keys)).toEqual([['e0'], ['e1'], ['e2', 'e3', 'e4']]);
    calls[1]!.finish();
    await settle();
    expect(calls.map((call) => call.keys)).toEqual([['e0'], ['e1'], ['e2', 'e3', 'e4'], ['e5', 'e6', 'e7']]);
    calls[2]!.finish();
    calls[3]!.finish();
    await settle();
    expect(calls.map((call) => call.keys).slice(4)).toEqual([['e8']]);
    calls[4]!.finish();
    await expect(Promise.all(posts)).resolves.toHaveLength(9);
  });
});
