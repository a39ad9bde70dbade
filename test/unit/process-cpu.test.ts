import fs from 'node:fs';
import { cpuMsOfStat, processCpuMs, TICKS_PER_SECOND } from '../bench/process-cpu';

const onLinux = fs.existsSync('/proc/self/stat') ? it : it.skip;

describe('cpuMsOfStat', () => {
  it('adds user and system time, counting fields after a command name that holds spaces and parentheses', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    const stat = '4242 (a) b (c d) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 99 1000 10';
    expect(cpuMsOfStat(stat)).toBe((300 * 1000) / TICKS_PER_SECOND);
  });

  it('refuses a line that is not a stat line, instead of answering NaN', () => {
    expect(() => cpuMsOfStat('4242 (sh) S 1')).toThrow(/not a \/proc\/<pid>\/stat line/);
    expect(() => cpuMsOfStat('')).toThrow(/not a \/proc\/<pid>\/stat line/);
  });
});

describe('processCpuMs', () => {
  onLinux('grows with the CPU this process spends', () => {
    const before = processCpuMs(process.pid)!;
    const started = process.cpuUsage();
    while (process.cpuUsage(started).user < 200_000) {
      // spend CPU
    }
    // /proc counts in ticks (of 10 ms): 200 ms of user time shows as at least 150.
    expect(processCpuMs(process.pid)! - before).toBeGreaterThanOrEqual(150);
  });

  onLinux('answers undefined for a process that does not exist', () => {
    expect(processCpuMs(0x7fffffff)).toBeUndefined();
  });
});
