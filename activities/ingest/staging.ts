import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Runs `work` with a fresh path in the staging directory and removes the file afterwards, whether
 * the work succeeded or not, so failed downloads do not pile up on the worker's disk.
 */
export async function stagingFile<T>(workDir: string, suffix: string, work: (file: string) => Promise<T>): Promise<T> {
  await fs.mkdir(workDir, { recursive: true });
  const file = path.join(workDir, `${randomUUID()}${suffix}`);
  try {
    return await work(file);
  } finally {
    await fs.rm(file, { force: true });
  }
}
