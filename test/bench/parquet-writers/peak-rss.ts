/**
 * Peak resident memory while something runs: a worker thread samples process.memoryUsage.rss()
 * (the whole process's RSS) every 50 ms and keeps the maximum in shared memory. A thread, not a
 * timer, because the writers that run in WebAssembly or native code block the main thread's event
 * loop for the whole write, and a timer there would never fire.
 */
import { Worker } from 'node:worker_threads';

const SAMPLER = `
const { workerData } = require('node:worker_threads');
const peak = new BigInt64Array(workerData.buffer);
setInterval(() => {
  const rss = BigInt(process.memoryUsage.rss());
  for (let seen = Atomics.load(peak, 0); rss > seen; seen = Atomics.load(peak, 0)) {
    if (Atomics.compareExchange(peak, 0, seen, rss) === seen) break;
  }
}, workerData.intervalMs);
`;

export class PeakRss {
  private constructor(
    private readonly peak: BigInt64Array,
    private readonly worker: Worker,
  ) {}

  static async start(intervalMs = 50): Promise<PeakRss> {
    const buffer = new SharedArrayBuffer(8);
    const worker = new Worker(SAMPLER, { eval: true, workerData: { buffer, intervalMs } });
    await new Promise<void>((resolve, reject) => worker.once('online', resolve).once('error', reject));
    await new Promise((resolve) => setTimeout(resolve, 2 * intervalMs)); // the worker's own memory in the baseline
    return new PeakRss(new BigInt64Array(buffer), worker);
  }

  /** Starts a new measurement; answers the baseline RSS in bytes. */
  reset(): number {
    const rss = process.memoryUsage.rss();
    Atomics.store(this.peak, 0, BigInt(rss));
    return rss;
  }

  /** Stops sampling; answers the highest RSS seen since reset(), in bytes. */
  async stop(): Promise<number> {
    const last = process.memoryUsage.rss();
    await this.worker.terminate();
    return Math.max(last, Number(Atomics.load(this.peak, 0)));
  }
}
