/**
 * Decode time of the GRIB2 reader per data template, on a 1000 × 1000 field (one million points),
 * against ecCodes on the same files. Run from the repository root:
 *
 *   npm run bench     (test/bench/run.sh: installs ecCodes and g2c if missing, compiles, runs)
 *
 * (jest's own compiler is not needed: tsc compiles the bench with the rest of the project, and
 * NODE_PATH lets the compiled copy find node_modules.) The files are made at run time by
 * test/fixtures/grib2/generate.sh, so the run needs what regenerating the fixtures needs:
 * ecCodes, libg2c-dev, gcc. Nothing is written into the repository.
 *
 * "sluice" is listing the file and decoding every value (file read included), in this process.
 * ecCodes runs as a command, so its figures include starting it (loading its definitions):
 *   - grib_get_data FILE > /dev/null: what people reach for; mostly formatting text;
 *   - grib_ls -p min,max,average: decodes every value without printing them;
 *   - "ecCodes decode": that minus grib_ls -p shortName (start-up and headers, no values),
 *     an estimate of ecCodes' decode time alone, the fairest comparison.
 * Each figure is the median of several runs, after one warm-up run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listGribMessages } from '../../activities/formats/grib2';

const RUNS = 5;
const FILES: readonly [template: string, file: string][] = [
  ['5.0 simple', 'simple.grib2'],
  ['5.2 complex', 'complex.grib2'],
  ['5.3 spatial differencing, order 1', 'spatial-order1.grib2'],
  ['5.3 spatial differencing, order 2', 'spatial-order2.grib2'],
  ['5.40 JPEG 2000', 'jpeg2000.grib2'],
  ['5.41 PNG', 'png.grib2'],
];

async function main(): Promise<void> {
  const generator = path.resolve('test/fixtures/grib2/generate.sh');
  if (!existsSync(generator)) throw new Error('Run the benchmark from the repository root (test/fixtures/grib2/generate.sh not found).');
  const dir = mkdtempSync(path.join(tmpdir(), 'grib2-bench-'));
  try {
    const made = spawnSync('sh', [generator, 'bench', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (made.status !== 0) throw new Error('generate.sh bench failed; it needs ecCodes, libg2c-dev and gcc (see its header).');

    const rows: string[][] = [['template', 'points', 'bits', 'sluice ms', 'ecCodes decode ms', 'ratio', 'grib_ls stats ms', 'ratio', 'grib_get_data ms', 'ratio']];
    for (const [template, name] of FILES) {
      const file = path.join(dir, name);
      const [message] = await listGribMessages(file);
      if (!message) throw new Error(`${name} has no message`);
      const field = await message.decode();
      checkAgainstEcCodes(file, field);
      const ours = await medianMs(async () => {
        const [again] = await listGribMessages(file);
        await again!.decode();
      });
      const ecCodesHeaders = await medianMs(async () => runDiscardingOutput('grib_ls', ['-p', 'shortName', file]));
      const ecCodesStats = await medianMs(async () => runDiscardingOutput('grib_ls', ['-p', 'min,max,average', file]));
      const ecCodesPrint = await medianMs(async () => runDiscardingOutput('grib_get_data', [file]));
      const ecCodesDecode = ecCodesStats - ecCodesHeaders;
      const ratio = (theirs: number) => `${(ours / theirs).toFixed(2)}×`;
      rows.push([
        template,
        String(field.values.length),
        String(message.meta.packing.bitsPerValue),
        ours.toFixed(1),
        ecCodesDecode.toFixed(1),
        ratio(ecCodesDecode),
        ecCodesStats.toFixed(1),
        ratio(ecCodesStats),
        ecCodesPrint.toFixed(1),
        ratio(ecCodesPrint),
      ]);
    }
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
    for (const row of rows) process.stdout.write(`${row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')}\n`);
    // Every decode returns a new 8 MB Float64Array; the OS maps its pages on first write.
    const firstTouch = await medianMs(async () => new Float64Array(1_000_000).fill(1));
    process.stdout.write(`\nratio = sluice time / ecCodes time (below 1: sluice is faster). Median of ${RUNS} runs; Node ${process.version}.\n`);
    process.stdout.write(`Of the sluice figures, ${firstTouch.toFixed(1)} ms is writing a fresh 1M-value Float64Array once (page faults on this machine).\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The benchmark means nothing if the decode is wrong: the statistics must agree with ecCodes'. */
function checkAgainstEcCodes(file: string, field: { min: number; max: number; mean: number }): void {
  const printed = run('grib_ls', ['-j', '-F', '%.17g', '-p', 'min,max,average', file]);
  const [keys] = (JSON.parse(printed) as { messages: { min: number; max: number; average: number }[] }).messages;
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  if (!keys || !close(field.min, keys.min) || !close(field.max, keys.max) || !close(field.mean, keys.average)) {
    throw new Error(`${file}: decoded min/max/mean ${field.min}/${field.max}/${field.mean}, ecCodes ${JSON.stringify(keys)}`);
  }
}

function run(tool: string, args: string[]): string {
  const result = spawnSync(tool, args, { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** Like `tool args > /dev/null`: the output is not collected, so collecting it is not timed. */
function runDiscardingOutput(tool: string, args: string[]): void {
  const result = spawnSync(tool, args, { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed with status ${result.status}`);
}

async function medianMs(task: () => Promise<unknown>): Promise<number> {
  await task(); // warm-up: JIT, page cache, the JPEG 2000 codec's first load
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const started = performance.now();
    await task();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

main().catch((err: unknown) => {
  process.stderr.write(`grib2-decode.bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
