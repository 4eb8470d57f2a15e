import { compareRevisions, type Revision } from '@gatehouse/core';
import type pg from 'pg';
import type { Queryable } from './sql';

/** One changelog row, as read. */
export interface ChangelogRow {
  readonly revision: Revision;
  readonly op: 'write' | 'delete' | 'model';
  readonly objectType: string | null;
  readonly objectId: string | null;
  readonly relation: string | null;
  readonly subject: string | null;
  readonly conditionName: string | null;
  readonly conditionContext: unknown;
  readonly modelId: string | null;
  readonly createdAt: Date;
  /** The model's JSON for a `model` row. */
  readonly model: unknown;
}

/**
 * About how many changelog rows one read returns at most: whole revisions are read until the next
 * one would pass this (a single larger revision is still read whole, and one is at most
 * `maxTuplesPerWrite` rows). Without it, `revisionsPerPoll` revisions of 10,000-tuple writes are
 * 10M rows in one result, gigabytes of memory, for a follower catching up after a bulk import.
 */
export const MAX_ROWS_PER_READ = 100_000;

/** A consistent read of a store's head and the changelog after a revision. */
export interface ChangelogPage {
  /** The store's revision when the page was read. */
  readonly head: Revision;
  /** The changelog holds every revision after this one. */
  readonly retainedAfter: Revision;
  /** True when `since` is older than the retained changelog: the rows are then empty and incomplete. */
  readonly expired: boolean;
  /** The last revision the page covers: `since` when there is nothing new. */
  readonly to: Revision;
  /** Every row of the revisions in `(since, to]`, in order. */
  readonly rows: readonly ChangelogRow[];
}

/** Options of {@link readChangelog}. */
export interface ReadChangelogOptions {
  /** About how many rows at most (see {@link MAX_ROWS_PER_READ}, the default). */
  readonly maxRows?: number;
  /**
   * Ms to wait for the answer (node-postgres's `query_timeout`). A timed-out query keeps running on
   * its connection: the caller must drop that connection.
   */
  readonly queryTimeout?: number;
}

/**
 * Reads a store's head and every changelog row of the revisions after `since` (at most
 * `maxRevisions` of them, and no more whole revisions than fit in `options.maxRows` rows, but always at
 * least one), in one statement, so one snapshot: the head, the retention horizon and the rows agree
 * with each other. (A first revision larger than `maxRows` takes a second statement, its own
 * consistent read of that one revision.)
 *
 * Completeness rests on the write path: revisions are taken under the store row's lock, so every
 * revision up to the head a statement sees has committed before that statement started, and is
 * entirely visible to it. A page therefore never stops inside a revision, and a revision it skips
 * cannot exist.
 *
 * Returns undefined when the store does not exist.
 */
export async function readChangelog(
  db: Queryable,
  s: string,
  storeId: string,
  since: Revision,
  maxRevisions: number,
  options: ReadChangelogOptions = {},
): Promise<ChangelogPage | undefined> {
  const maxRows = options.maxRows ?? MAX_ROWS_PER_READ;
  const query: pg.QueryArrayConfig & { query_timeout?: number } = {
    text: `SELECT s.revision, s.retained_after, c.revision, c.op, c.object_type, c.object_id, c.relation, c.subject,
        c.condition_name, c.condition_context, c.model_id, c.created_at, m.model
      FROM ${s}.stores s
      LEFT JOIN ${s}.changelog c
        ON c.store_id = s.id AND $2::bigint >= s.retained_after
        AND c.revision > $2::bigint AND c.revision <= LEAST(s.revision, $2::bigint + $3::bigint)
      LEFT JOIN ${s}.models m ON c.op = 'model' AND m.store_id = c.store_id AND m.id = c.model_id
      WHERE s.id = $1
      ORDER BY c.revision, c.seq
      LIMIT $4`,
    // One row past the budget tells that the read stopped early (LIMIT NULL: no limit).
    values: [storeId, since, maxRevisions, Number.isFinite(maxRows) ? maxRows + 1 : null],
    rowMode: 'array',
    ...(options.queryTimeout === undefined ? {} : { query_timeout: options.queryTimeout }),
  };
  const result = await db.query<unknown[]>(query);
  const first = result.rows[0];
  if (first === undefined) return undefined;
  const head = first[0] as string;
  const retainedAfter = first[1] as string;
  const expired = compareRevisions(since, retainedAfter) < 0;
  let rows: ChangelogRow[] = [];
  for (const r of result.rows) {
    if (r[2] === null) continue;
    rows.push({
      revision: r[2] as string,
      op: r[3] as ChangelogRow['op'],
      objectType: r[4] as string | null,
      objectId: r[5] as string | null,
      relation: r[6] as string | null,
      subject: r[7] as string | null,
      conditionName: r[8] as string | null,
      conditionContext: r[9],
      modelId: r[10] as string | null,
      createdAt: r[11] as Date,
      model: r[12],
    });
  }
  let to = since;
  if (!expired && compareRevisions(head, since) > 0) {
    const limit = (BigInt(since) + BigInt(maxRevisions)).toString();
    to = compareRevisions(head, limit) < 0 ? head : limit;
  }
  if (rows.length > maxRows) {
    // The LIMIT may have cut the last revision read: keep only the revisions read whole. Revisions
    // are gapless and each has rows, so the last one kept is where the page ends.
    const cut = rows[rows.length - 1]!.revision;
    const end = rows.findIndex((r) => r.revision === cut);
    if (end === 0) return readChangelog(db, s, storeId, since, 1, { ...options, maxRows: Number.POSITIVE_INFINITY });
    rows = rows.slice(0, end);
    to = rows[end - 1]!.revision;
  }
  return { head, retainedAfter, expired, to, rows };
}
