/**
 * The CPU time processes use while a benchmark's work runs, from Linux's /proc/<pid>/stat (user
 * plus system time). A ratio of rates says which side is faster; this says where each side's time
 * goes: the API process against its Postgres backends, psql against its backend.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { Pool } from 'pg';

/** The kernel's clock ticks per second, in which /proc counts CPU time (100 on nearly every Linux). */
export const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  } catch {
    return 100;
  }
})();

/** A process's CPU time so far, in ms; undefined once it has ended, or without /proc. */
export function processCpuMs(pid: number): number | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return cpuMsOfStat(stat);
}

/** The CPU time, in ms, that a /proc/<pid>/stat line reports. */
export function cpuMsOfStat(stat: string): number {
  // The command name, in parentheses, may hold spaces and parentheses: fields are counted after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are the line's 14th and 15th fields, the 12th and 13th after the name.
  const [utime, stime] = [Number(fields[11]), Number(fields[12])];
  if (!Number.isInteger(utime) || !Number.isInteger(stime)) throw new Error(`not a /proc/<pid>/stat line: ${stat.slice(0, 80)}`);
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

/** The pids of the Postgres backends connected to `pool`'s database, leaving out the session that asks. */
export async function backendPids(pool: Pool): Promise<number[]> {
  const { rows } = await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  return rows.map((row) => row.pid);
}

/**
 * The CPU ms each group of processes used while `work` ran: the growth of each process of the
 * group, as listed before and after. One that started meanwhile counts from 0; one that ended
 * meanwhile is lost, so keep the processes alive across the work (a pool's idle timeout longer).
 */
export async function cpuDuring<G extends string>(groups: Record<G, () => Promise<number[]>>, work: () => Promise<void>): Promise<Record<G, number>> {
  const names = Object.keys(groups) as G[];
  const snapshot = async () => new Map(await Promise.all(names.map(async (name) => [name, new Map((await groups[name]()).map((pid) => [pid, processCpuMs(pid)]))] as const)));
  const before = await snapshot();
  await work();
  const after = await snapshot();
  const used = {} as Record<G, number>;
  for (const name of names) {
    used[name] = 0;
    for (const [pid, ms] of after.get(name)!) {
      if (ms !== undefined) used[name] += ms - (before.get(name)!.get(pid) ?? 0);
    }
  }
  return used;
}
