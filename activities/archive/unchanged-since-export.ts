import type { PoolClient } from 'pg';
import type { SourceFigures } from './archive-manifest';
import { figureDifferences } from './partition-figures';

/**
 * The drop step's cheap, exact proof that a partition still holds exactly the rows its export
 * read, from the rows' headers alone (one pass over the partition without rendering or hashing a
 * value): where it proves nothing, the caller recomputes the figures instead.
 *
 * Why it is exact. It runs under a lock that conflicts with every writer (SHARE), taken after all
 * transactions that wrote to the partition have ended, and reads with a snapshot taken after that.
 * Every row version Postgres stores carries in `xmin` the id of the transaction that wrote it (an
 * UPDATE writes a new version; VACUUM, freezing and pruning keep `xmin` as it was). The export's
 * snapshot S has an xmin: every transaction with a lower id had ended, committed or aborted,
 * when S was taken. Take a row visible now whose xmin is below S's xmin: its writer committed (the
 * row is visible), before S. Its deleter, if any, has not committed (the row is visible now), so
 * had not before S either: the row was visible to S, and the export read it. So if every row
 * visible now has an xmin below S's, the rows now are a subset of the rows exported, and if they
 * are as many, the same rows: nothing was inserted, updated or deleted since. That holds for the
 * relation the export read; a table put in the partition's place since has another oid.
 *
 * xmin is a 32-bit id that wraps around; "below" is Postgres' own modular order (a - b as a signed
 * 32-bit number < 0), which is right for ids less than 2^31 apart. Postgres' age(x) is that
 * difference from T, the checking transaction's id (the next id while it has none): T - x as a
 * signed 32-bit number, and 2^31 - 1 for the special ids 0-2. S's xmin is less than
 * MAX_XID_DISTANCE (2^30) behind the next id, or this is not used, so 0 <= age(S's xmin) < 2^30.
 * A row with age(xmin) above that (and below 2^31 - 1) has xmin - S's xmin = age(S's xmin) -
 * age(xmin) between -2^31 and 0: below S's xmin. A row written after S has an id at or after S's
 * xmin and before the next id, so an age no greater than S's: never taken for an old one. The
 * ids 0-2 (never a row's after Postgres 9.4, which keeps a frozen row's xmin) and a frozen row
 * from before an earlier wrap-around may look newer than S: they prove nothing, and the figures
 * are recomputed. (Ages are compared as numbers; turning each xmin into text and back cost a
 * third more: 300-430 against 214-295 ms for 1M rows, alternating.)
 *
 * The proof ties the partition to S; S's own figures must be the manifest's (the part's figures
 * are those of one export: a second attempt of the step, running late, may have recorded its own).
 */
export interface ExportSnapshot {
  /** The partition's oid when it was exported. */
  readonly relation: number;
  /** The xmin of the export's snapshot: a full 64-bit transaction id (xid8), in decimal. */
  readonly xmin: string;
  /** The figures that export computed from that snapshot. */
  readonly figures: SourceFigures;
}

/** Far below 2^31 (the modular order's reach): it would take years of a busy server to get there between an export and its drop. */
const MAX_XID_DISTANCE = 2n ** 30n;

/** Under the partition's SHARE lock (see above): true if proven unchanged; false if it may have changed. */
export async function provenUnchangedSinceExport(client: PoolClient, partition: string, expected: SourceFigures, snapshot: ExportSnapshot): Promise<boolean> {
  if (figureDifferences(snapshot.figures, expected, { found: 'the export', expected: 'the manifest' }).length > 0) return false;
  const { rows: now } = await client.query<{ relation: string | null; next_xid: string }>(
    'SELECT to_regclass($1)::oid::int8::text AS relation, pg_snapshot_xmax(pg_current_snapshot())::text AS next_xid',
    [partition],
  );
  if (now[0]!.relation !== String(snapshot.relation)) return false;
  const exportXmin = BigInt(snapshot.xmin);
  if (BigInt(now[0]!.next_xid) - exportXmin >= MAX_XID_DISTANCE) return false;
  const { rows: seen } = await client.query<{ rows: string; unproven: string }>(
    `SELECT count(*)::text AS rows,
            count(*) FILTER (WHERE NOT (age(xmin) > age($1::xid) AND age(xmin) < 2147483647))::text AS unproven
       FROM ${partition}`,
    [(exportXmin % 2n ** 32n).toString()],
  );
  return seen[0]!.unproven === '0' && Number(seen[0]!.rows) === expected.rows;
}
