import type { Pool } from 'pg';
import { IngestKeyError } from './errors';
import type { IngestTask } from './ingest-task';
import { knownObjects } from './ingest-store';
import { listingPrefixes } from './listing-prefixes';
import { expectedModelFiles, type ExpectedModelFile } from './model-files';
import { wantedGoesFile } from './goes-key';
import { wantedMrmsFile } from './mrms-key';
import type { SourceBuckets, SourceObject } from './source-bucket';
import type { GoesSource, IngestSource, ModelSource, MrmsSource } from './sources';
import { HOUR_MS, startOfUtcHour } from './utc';

export interface IngestPlan {
  readonly source: string;
  /** Objects to ingest: new, or changed since they were ingested (ETag or size differ). */
  readonly tasks: IngestTask[];
  /** Every cycle the window covers, ISO, oldest first: their completeness is brought up to date. */
  readonly cycles: string[];
  /** Observations: per closed hour, how many wanted files the listing holds (what "complete" means). */
  readonly observedPerHour: Record<string, number>;
  readonly counts: {
    /** Objects the window should hold (models) or holds (observations). */
    readonly inWindow: number;
    /** Already ingested at this ETag and size. */
    readonly unchanged: number;
    /** Quarantined at this ETag and size: refused until the source replaces them. */
    readonly quarantined: number;
    /** Models: files whose time has come but which the bucket does not hold yet. */
    readonly notYetPublished: number;
    /** Listed keys of another product or naming scheme. */
    readonly ignored: number;
  };
}

/**
 * What one ingestCycle run should fetch, as of `now`: the files the window should hold (models:
 * computed keys, delay applied; observations: listed, scanned within the look-back), minus those
 * ingest_state already holds at the same ETag and size.
 */
export async function planIngest(deps: { pool: Pool; buckets: SourceBuckets }, source: IngestSource, now: Date): Promise<IngestPlan> {
  const found = source.kind === 'model' ? await findModelFiles(deps.buckets, source, now) : await findObservations(deps.buckets, source, now);
  const known = await knownObjects(deps.pool, source.id, found.candidates.map((task) => task.key));
  const tasks: IngestTask[] = [];
  let unchanged = 0;
  let quarantined = 0;
  for (const task of found.candidates) {
    const state = known.get(task.key);
    if (state && state.etag === task.etag && state.size === task.size) {
      if (state.status === 'ingested') unchanged += 1;
      else quarantined += 1;
      continue;
    }
    tasks.push(task);
  }
  return {
    source: source.id,
    tasks,
    cycles: found.cycles,
    observedPerHour: found.observedPerHour,
    counts: { inWindow: found.inWindow, unchanged, quarantined, notYetPublished: found.notYetPublished, ignored: found.ignored },
  };
}

interface Found {
  candidates: IngestTask[];
  cycles: string[];
  observedPerHour: Record<string, number>;
  inWindow: number;
  notYetPublished: number;
  ignored: number;
}

/**
 * Lists each cycle once, under the longest prefix its keys share ("gfs.20240501/12/atmos/gfs.t12z
 * .pgrb2.0p25.f"), instead of a HEAD per file: one or a few requests per cycle, with ETag and size.
 */
async function findModelFiles(buckets: SourceBuckets, source: ModelSource, now: Date): Promise<Found> {
  const expected = expectedModelFiles(source, now, source.schedule.lookbackHours);
  const byCycle = new Map<string, ExpectedModelFile[]>();
  for (const file of expected) {
    const cycle = file.cycle.toISOString();
    byCycle.set(cycle, [...(byCycle.get(cycle) ?? []), file]);
  }
  const candidates: IngestTask[] = [];
  let notYetPublished = 0;
  for (const [cycle, files] of byCycle) {
    const listed = new Map<string, SourceObject>();
    for await (const object of buckets.list(source.bucket, commonPrefix(files.flatMap((file) => [file.key, file.idxKey])))) listed.set(object.key, object);
    for (const file of files) {
      const object = listed.get(file.key);
      if (!object) {
        notYetPublished += 1;
        continue;
      }
      const task: IngestTask = { key: object.key, etag: object.etag, size: object.size, cycle, forecastHour: file.forecastHour };
      candidates.push(listed.has(file.idxKey) ? { ...task, indexKey: file.idxKey } : task);
    }
  }
  return { candidates, cycles: [...byCycle.keys()], observedPerHour: {}, inWindow: expected.length, notYetPublished, ignored: 0 };
}

/** GOES and MRMS files are timestamped to the second: list the hour or day directories and parse. */
async function findObservations(buckets: SourceBuckets, source: GoesSource | MrmsSource, now: Date): Promise<Found> {
  const earliest = now.getTime() - source.schedule.lookbackHours * HOUR_MS;
  const candidates: IngestTask[] = [];
  const perHour = new Map<string, number>();
  let ignored = 0;
  for (const { bucket, prefix } of listingPrefixes(source, now, source.schedule.lookbackHours)) {
    for await (const object of buckets.list(bucket, prefix)) {
      let scanStart: Date;
      try {
        const file = source.kind === 'goes' ? wantedGoesFile(source, object.key) : wantedMrmsFile(source, object.key);
        if (!file) {
          ignored += 1;
          continue;
        }
        scanStart = file.scanStart;
      } catch (err) {
        // A key of another naming scheme is not ours to judge; it is counted, not fatal.
        if (!(err instanceof IngestKeyError)) throw err;
        ignored += 1;
        continue;
      }
      if (scanStart.getTime() < earliest || scanStart.getTime() > now.getTime()) continue;
      const cycle = startOfUtcHour(scanStart).toISOString();
      perHour.set(cycle, (perHour.get(cycle) ?? 0) + 1);
      candidates.push({ key: object.key, etag: object.etag, size: object.size, cycle, forecastHour: 0 });
    }
  }
  // An hour is closed once it is over and its last files have had the source's delay to arrive.
  const closedBefore = now.getTime() - source.schedule.delayMinutes * 60_000;
  const observedPerHour = Object.fromEntries([...perHour].filter(([hour]) => Date.parse(hour) + HOUR_MS <= closedBefore));
  const cycles = [...perHour.keys()].sort();
  return { candidates, cycles, observedPerHour, inWindow: candidates.length, notYetPublished: 0, ignored };
}

export function commonPrefix(keys: readonly string[]): string {
  if (keys.length === 0) return '';
  let prefix = keys[0]!;
  for (const key of keys) {
    let length = 0;
    while (length < prefix.length && length < key.length && prefix[length] === key[length]) length += 1;
    prefix = prefix.slice(0, length);
  }
  return prefix;
}
