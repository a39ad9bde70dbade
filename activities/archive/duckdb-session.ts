import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * A DuckDB database of its own for one archival step, in memory but with a hard memory limit and
 * a spill directory, so that writing or reading back a partition of any size stays within bounds;
 * closed when the step ends.
 */
export interface DuckDbLimits {
  /** DuckDB's memory_limit, e.g. "512MB". */
  readonly memoryLimit: string;
  /** Threads DuckDB may use (it encodes and compresses row groups in parallel). */
  readonly threads: number;
  /** Where it may spill. */
  readonly tempDirectory: string;
}

export async function withDuckDb<T>(limits: DuckDbLimits, work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: limits.memoryLimit,
    threads: String(limits.threads),
    temp_directory: limits.tempDirectory,
    // Nothing this process does needs DuckDB to reach the network or load extensions.
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  try {
    const connection = await instance.connect();
    try {
      return await work(connection);
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** A SQL string literal. */
export const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;
