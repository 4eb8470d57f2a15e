import {
  assertTupleKey,
  compileModel,
  createTupleStore,
  GatehouseError,
  isRevision,
  isValidRelationName,
  isValidTypeName,
  newModelId,
  nextRevision,
  parseModel,
  toRevision,
  tryParseObject,
  tryParseUser,
  tupleKeyId,
  type AuthorizationModel,
  type Revision,
  type TupleKey,
  type TupleKeyWithoutCondition,
  type TupleStore,
  type TupleWrite,
} from '@gatehouse/core';
import type pg from 'pg';
import { readChangelog } from './changelog';
import { migrate as runMigrations, SCHEMA_VERSION, schemaVersion, type MigrateResult } from './migrations';
import { notifyChannel } from './notify';
import { PostgresSource, type PostgresSourceOptions } from './PostgresSource';
import { fromColumns, storedModel, toColumns, withId } from './rows';
import { checkStoreId, DEFAULT_SCHEMA, guardClient, isTransient, ownedPool, quoteSchema, toStoreError } from './sql';

/** Options of {@link createPostgresStore}. */
export interface PostgresStoreOptions {
  /**
   * The pool to use. The store never ends a pool it was given (`close()` leaves it open). Give
   * it an `error` listener: node-postgres emits one when an idle connection is cut, and an
   * unhandled `error` event ends the process.
   */
  readonly pool?: pg.Pool;
  /**
   * A connection string (`postgres://user@host:5432/db`), used when no `pool` is given: the store
   * creates a pool (10 connections) and ends it in `close()`. Without either, node-postgres reads
   * the `PG*` environment variables.
   */
  readonly connectionString?: string;
  /** The schema holding Gatehouse's tables. Default `gatehouse`. */
  readonly schema?: string;
  /**
   * Send a `NOTIFY` with every change (delivered at commit), so followers that `LISTEN` see it at
   * once instead of at their next poll. Default `true`. Turn it off on PostgreSQL-compatible
   * databases without LISTEN/NOTIFY (CockroachDB, Citus workers); followers then only poll.
   */
  readonly notify?: boolean;
  /** The most tuples (writes plus deletes) one {@link PostgresStore.write} may carry. Default `10_000`. */
  readonly maxTuplesPerWrite?: number;
}

/** A store (an OpenFGA store: one model history and one set of tuples) and where it stands. */
export interface StoreInfo {
  /** The store id (a ULID). */
  readonly id: string;
  /** The store's name. */
  readonly name: string;
  /** The current revision: `"0"` for a new store; every change takes the next one. */
  readonly revision: Revision;
  /** The latest model's id, or `undefined` before the first {@link PostgresStore.writeModel}. */
  readonly modelId: string | undefined;
  /**
   * The oldest revision whose changes the changelog still holds. A follower at revision
   * `oldestRetained - 1` or later can catch up from the changelog; an older one reloads in full.
   */
  readonly oldestRetained: Revision;
  /** When the store was created. */
  readonly createdAt: Date;
  /** When the store last changed. */
  readonly updatedAt: Date;
}

/** A page of stores. */
export interface ListStoresResult {
  /** The stores, oldest first. */
  readonly stores: readonly StoreInfo[];
  /** Pass it to get the next page; absent on the last page. */
  readonly continuationToken?: string;
}

/** Paging options. */
export interface PageOptions {
  /** The most items per page. Default `100`, at most `1000`. */
  readonly pageSize?: number;
  /** The token a previous page returned. */
  readonly continuationToken?: string;
}

/** A model as stored: its id, the revision that introduced it, and the model itself. */
export interface StoredModel {
  /** The model id (a ULID). */
  readonly id: string;
  /** The revision at which the model became the store's latest. */
  readonly revision: Revision;
  /** The model, with its `id`. */
  readonly model: AuthorizationModel;
  /** When it was written. */
  readonly createdAt: Date;
}

/** What {@link PostgresStore.writeModel} returns. */
export interface WriteModelResult {
  /** The new model's id (a ULID; every write gets a new one, as in OpenFGA). */
  readonly modelId: string;
  /** The revision at which the model is in effect: pass it as `atLeast` to read your write. */
  readonly revision: Revision;
}

/** Options of {@link PostgresStore.write}. */
export interface WriteOptions {
  /**
   * `error` (default, as OpenFGA): writing a tuple that exists fails the whole write with
   * `write_failed_due_to_invalid_input`. `ignore`: an identical existing tuple (same condition)
   * is skipped; one with another condition still fails (OpenFGA's `on_duplicate: ignore`).
   */
  readonly onDuplicate?: 'error' | 'ignore';
  /**
   * `error` (default): deleting a tuple that does not exist fails the whole write with
   * `write_failed_due_to_invalid_input`. `ignore`: it is skipped (OpenFGA's `on_missing: ignore`).
   */
  readonly onMissing?: 'error' | 'ignore';
  /** Validate writes against this model instead of the store's latest. */
  readonly modelId?: string;
  /**
   * Run inside your own transaction on this client: you `BEGIN` before and `COMMIT` after, so
   * the tuples change atomically with your own rows (an outbox, a domain table). The returned
   * revision becomes visible when you commit, and other writers of the store wait for your commit,
   * so keep the transaction short. If the write throws, roll your transaction back. In a
   * `REPEATABLE READ` or `SERIALIZABLE` transaction a concurrent write to the store makes the
   * write fail with `source_unavailable` (SQLSTATE 40001): retry the transaction.
   */
  readonly client?: pg.ClientBase;
}

/** Options of {@link PostgresStore.writeModel}. */
export interface WriteModelOptions {
  /** Run inside your own transaction on this client (see {@link WriteOptions.client}). */
  readonly client?: pg.ClientBase;
}

/** A filter and page for {@link PostgresStore.readTuples}, as OpenFGA's Read. */
export interface ReadTuplesOptions extends PageOptions {
  /** `type:id` for one object, or `type:` for every object of a type. */
  readonly object?: string;
  /** Only tuples with this relation. */
  readonly relation?: string;
  /** Only tuples with this user (`user:anne`, `user:*`, `team:core#member`). */
  readonly user?: string;
}

/** A page of tuples. */
export interface ReadTuplesResult {
  /** The tuples, ordered by object, relation and user. */
  readonly tuples: readonly TupleKey[];
  /** Pass it (with the same filter) to get the next page; absent on the last page. */
  readonly continuationToken?: string;
}

/** Options of {@link PostgresStore.readChanges}. */
export interface ReadChangesOptions {
  /** Changes after this revision. Default `"0"`: from the start (if still retained). */
  readonly since?: Revision | number;
  /**
   * The most revisions to return. Default `100`, at most `10_000`. Fewer come back when they would
   * hold more than about 100,000 changes (a single larger revision still comes whole): continue
   * from the returned `revision`.
   */
  readonly limit?: number;
}

/** One changelog entry. */
export type ChangeEntry =
  | {
      /** A tuple was written. */
      readonly operation: 'write';
      /** The revision of the change. */
      readonly revision: Revision;
      /** The tuple written. */
      readonly tuple: TupleKey;
      /** When it was committed (approximately: taken under the store's lock). */
      readonly timestamp: Date;
    }
  | {
      /** A tuple was deleted. */
      readonly operation: 'delete';
      /** The revision of the change. */
      readonly revision: Revision;
      /** The tuple deleted. */
      readonly tuple: TupleKeyWithoutCondition;
      /** When it was committed. */
      readonly timestamp: Date;
    }
  | {
      /** A model was written and became the latest. */
      readonly operation: 'model';
      /** The revision of the change. */
      readonly revision: Revision;
      /** The new model's id. */
      readonly modelId: string;
      /** When it was committed. */
      readonly timestamp: Date;
    };

/** A page of the changelog. */
export interface ReadChangesResult {
  /** Every change of the revisions after `since` up to `revision`, in order. */
  readonly changes: readonly ChangeEntry[];
  /** The last revision covered: pass it as `since` for the next page. Equals `since` when nothing is new. */
  readonly revision: Revision;
  /** The store's current revision. */
  readonly head: Revision;
  /** The oldest revision the changelog still holds (see {@link StoreInfo.oldestRetained}). */
  readonly oldestRetained: Revision;
}

/** How much changelog {@link PostgresStore.compact} keeps. Given both, it keeps what either asks for. */
export interface CompactOptions {
  /** Keep the changes of the last `keep` revisions. */
  readonly keep?: number;
  /** Drop changes committed before this time. */
  readonly olderThan?: Date;
}

/** What {@link PostgresStore.compact} did. */
export interface CompactResult {
  /** Changelog rows deleted. */
  readonly deleted: number;
  /** The oldest revision the changelog holds now. */
  readonly oldestRetained: Revision;
}

/** Options of {@link PostgresStore.source}: those of a {@link PostgresSource}, minus the connection. */
export type StoreSourceOptions = Omit<PostgresSourceOptions, 'storeId' | 'pool' | 'connectionString' | 'schema'>;

/**
 * Gatehouse's PostgreSQL store: the source of truth for models and tuples of many stores (as in
 * OpenFGA), with a changelog every service follows through a {@link PostgresSource}.
 *
 * Every change (a tuple write, a model write) takes the store's next revision inside its
 * transaction, under the store row's lock: revisions are gapless and ordered as the commits are,
 * so a follower that has seen revision N has seen every change up to N.
 *
 * @see docs/integrations/postgres.md
 */
export interface PostgresStore {
  /** The schema name. */
  readonly schema: string;
  /** The pool in use (yours, or the one the store created). */
  readonly pool: pg.Pool;
  /**
   * Creates or upgrades the schema to this code's version. Idempotent, and safe to run from many
   * processes at once (a transaction-scoped advisory lock per schema serialises them).
   *
   * @throws {GatehouseError} `schema_version_mismatch` when the database was migrated by newer
   *   code; `source_unavailable` when PostgreSQL cannot be reached.
   */
  migrate(): Promise<MigrateResult>;
  /** The schema version the database holds (0: not migrated). */
  schemaVersion(): Promise<number>;
  /**
   * Creates a store.
   *
   * @throws {GatehouseError} `validation_error` for a bad name.
   */
  createStore(name: string): Promise<StoreInfo>;
  /** A store, or `undefined` when there is none with this id. */
  getStore(storeId: string): Promise<StoreInfo | undefined>;
  /** The stores, oldest first, a page at a time. */
  listStores(options?: PageOptions): Promise<ListStoresResult>;
  /**
   * Deletes a store with its models, tuples and changelog. Followers keep their last snapshot
   * and report `store_id_not_found`. Returns false when there was no such store.
   */
  deleteStore(storeId: string): Promise<boolean>;
  /**
   * Validates a model (structure and OpenFGA's rules) and makes it the store's latest, at a new
   * revision. Followers switch to it at that revision.
   *
   * @throws {ModelValidationError} `invalid_authorization_model` with every diagnostic; nothing is written.
   * @throws {GatehouseError} `store_id_not_found`.
   */
  writeModel(storeId: string, model: AuthorizationModel | string, options?: WriteModelOptions): Promise<WriteModelResult>;
  /**
   * A model of the store: the latest, or the one with `modelId`. `undefined` when the store has
   * no model (or none with that id).
   *
   * @throws {GatehouseError} `store_id_not_found`.
   */
  readModel(storeId: string, modelId?: string): Promise<StoredModel | undefined>;
  /**
   * Every model of the store, newest first.
   *
   * @throws {GatehouseError} `store_id_not_found`.
   */
  readModels(storeId: string): Promise<readonly StoredModel[]>;
  /**
   * Writes and deletes tuples in one transaction, all or nothing, with OpenFGA's rules, and
   * returns the revision that includes them: pass it as `atLeast` to an authorizer to read your
   * write. A write that changes nothing (everything skipped by `onDuplicate`/`onMissing: 'ignore'`)
   * takes no revision and returns the current one.
   *
   * @throws {GatehouseError} nothing is written when any of these is thrown:
   *   `invalid_object_format`, `invalid_user`, `invalid_tuple`, `validation_error` (a tuple the model
   *   rejects, a bad condition, an empty or oversized write), naming the tuple;
   *   `cannot_allow_duplicate_tuples_in_one_request`; `write_failed_due_to_invalid_input` (writing
   *   an existing tuple, deleting a missing one); `latest_authorization_model_not_found`;
   *   `store_id_not_found`; `source_unavailable` (retry).
   * @example
   * const revision = await store.write(storeId, { writes: [{ user: 'user:anne', relation: 'viewer', object: 'doc:1' }] });
   * await authorizer.checkAsync({ user: 'user:anne', relation: 'viewer', object: 'doc:1' }, { atLeast: revision });
   */
  write(storeId: string, change: TupleWrite, options?: WriteOptions): Promise<Revision>;
  /**
   * Reads tuples matching a filter, a page at a time (OpenFGA's Read).
   *
   * @throws {GatehouseError} `invalid_object_format`, `invalid_user`, `validation_error` for a bad
   *   filter; `invalid_continuation_token`; `store_id_not_found`.
   */
  readTuples(storeId: string, options?: ReadTuplesOptions): Promise<ReadTuplesResult>;
  /**
   * Reads the changelog after a revision: every change of whole revisions, in order.
   *
   * @throws {GatehouseError} `validation_error` when `since` is older than the retained changelog
   *   (the changes were compacted: load a full snapshot instead); `store_id_not_found`.
   */
  readChanges(storeId: string, options?: ReadChangesOptions): Promise<ReadChangesResult>;
  /**
   * Deletes old changelog entries. Tuples and models are not affected; followers further behind
   * than what is kept reload a full snapshot (and say so in an event).
   *
   * @throws {GatehouseError} `validation_error` when neither `keep` nor `olderThan` is given;
   *   `store_id_not_found`.
   */
  compact(storeId: string, options: CompactOptions): Promise<CompactResult>;
  /**
   * A {@link PostgresSource} that follows `storeId` through this store's pool and schema.
   *
   * @example
   * const authorizer = createAuthorizer({ source: store.source(storeId) });
   */
  source(storeId: string, options?: StoreSourceOptions): PostgresSource;
  /** Ends the pool if the store created it. Sources created from the store must be stopped first. */
  close(): Promise<void>;
}

/**
 * Creates a {@link PostgresStore}. Nothing connects until the first call; call `migrate()` once
 * (at deploy, or at startup: it is idempotent) before anything else.
 *
 * @example
 * const store = createPostgresStore({ connectionString: process.env.DATABASE_URL });
 * await store.migrate();
 * const { id } = await store.createStore('acme');
 * await store.writeModel(id, model);
 * const revision = await store.write(id, { writes: [{ user: 'user:anne', relation: 'viewer', object: 'doc:1' }] });
 * @throws {GatehouseError} `validation_error` for a bad schema name or option.
 * @see docs/integrations/postgres.md
 */
export function createPostgresStore(options: PostgresStoreOptions = {}): PostgresStore {
  return new Store(options);
}

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;
const MAX_BIGINT = 9223372036854775807n;
// Compiled models kept for validating writes, by store and model id.
const VALIDATOR_CACHE = 32;

class Store implements PostgresStore {
  readonly schema: string;
  readonly pool: pg.Pool;
  private readonly s: string;
  private readonly ownsPool: boolean;
  private readonly notify: boolean;
  private readonly maxTuples: number;
  private readonly validators = new Map<string, TupleStore>();
  private checked: Promise<void> | undefined;
  private closed = false;

  constructor(options: PostgresStoreOptions) {
    this.schema = options.schema ?? DEFAULT_SCHEMA;
    this.s = quoteSchema(this.schema);
    this.notify = options.notify ?? true;
    this.maxTuples = positiveInt(options.maxTuplesPerWrite ?? 10_000, 'maxTuplesPerWrite');
    if (options.pool !== undefined) {
      this.pool = options.pool;
      this.ownsPool = false;
    } else {
      this.pool = ownedPool(options.connectionString, 10, 'gatehouse');
      this.ownsPool = true;
    }
  }

  async migrate(): Promise<MigrateResult> {
    const client = await this.connect('migrate');
    const unguard = guardClient(client);
    let broken = false;
    try {
      const result = await runMigrations(client, this.schema, this.s);
      this.checked = Promise.resolve();
      return result;
    } catch (error) {
      broken = isTransient(error);
      throw toStoreError(error, `migrate schema ${this.schema}`);
    } finally {
      client.release(unguard() || broken);
    }
  }

  async schemaVersion(): Promise<number> {
    try {
      return await schemaVersion(this.pool, this.s);
    } catch (error) {
      throw toStoreError(error, 'read the schema version');
    }
  }

  async createStore(name: string): Promise<StoreInfo> {
    if (typeof name !== 'string' || name.trim() === '' || name.length > 256 || /\p{Cc}/u.test(name)) {
      throw new GatehouseError('validation_error', `name: invalid store name ${JSON.stringify(name)} (expected 1 to 256 characters, no control characters)`);
    }
    const rows = await this.query('create a store', `INSERT INTO ${this.s}.stores (id, name) VALUES ($1, $2) RETURNING ${STORE_COLUMNS}`, [newModelId(), name]);
    return storeInfo(rows[0]!);
  }

  async getStore(storeId: string): Promise<StoreInfo | undefined> {
    checkStoreId(storeId);
    const rows = await this.query('read a store', `SELECT ${STORE_COLUMNS} FROM ${this.s}.stores WHERE id = $1`, [storeId]);
    return rows[0] === undefined ? undefined : storeInfo(rows[0]);
  }

  async listStores(options: PageOptions = {}): Promise<ListStoresResult> {
    const pageSize = pageSizeOf(options.pageSize);
    const after = options.continuationToken === undefined ? undefined : decodeToken(options.continuationToken, 1)[0];
    const rows = await this.query(
      'list stores',
      `SELECT ${STORE_COLUMNS} FROM ${this.s}.stores ${after === undefined ? '' : 'WHERE id > $2'} ORDER BY id LIMIT $1`,
      after === undefined ? [pageSize + 1] : [pageSize + 1, after],
    );
    const stores = rows.slice(0, pageSize).map(storeInfo);
    return rows.length > pageSize ? { stores, continuationToken: encodeToken([stores[stores.length - 1]!.id]) } : { stores };
  }

  async deleteStore(storeId: string): Promise<boolean> {
    checkStoreId(storeId);
    const deleted = await this.transaction(undefined, `delete store ${storeId}`, async (db) => {
      // The store row goes first: its lock waits for a write in progress, and a later write finds no store.
      const { rowCount } = await db.query(`DELETE FROM ${this.s}.stores WHERE id = $1`, [storeId]);
      if (rowCount === 0) return false;
      await db.query(
        `WITH t AS (DELETE FROM ${this.s}.tuples WHERE store_id = $1), c AS (DELETE FROM ${this.s}.changelog WHERE store_id = $1)
         DELETE FROM ${this.s}.models WHERE store_id = $1`,
        [storeId],
      );
      return true;
    });
    for (const key of this.validators.keys()) if (key.startsWith(`${storeId}/`)) this.validators.delete(key);
    return deleted;
  }

  async writeModel(storeId: string, model: AuthorizationModel | string, options: WriteModelOptions = {}): Promise<WriteModelResult> {
    checkStoreId(storeId);
    // Throws ModelValidationError with every diagnostic, before anything touches the database.
    const parsed = parseModel(model);
    if (hasNul(parsed)) throw new GatehouseError('validation_error', 'model: NUL characters cannot be stored in PostgreSQL (found in a name, expression or metadata)');
    const modelId = newModelId();
    return this.locked(options.client, `write a model to store ${storeId}`, storeId, async (db, head) => {
      const revision = nextRevision(head.revision);
      await db.query(
        `WITH m AS (
           INSERT INTO ${this.s}.models (store_id, id, revision, model) VALUES ($1, $2, $3, $4)
         ), l AS (
           INSERT INTO ${this.s}.changelog (store_id, revision, seq, op, model_id) VALUES ($1, $3, 1, 'model', $2)
         )
         UPDATE ${this.s}.stores SET revision = $3, model_id = $2, updated_at = now() WHERE id = $1
         RETURNING ${this.notifyExpression(5)}`,
        [storeId, modelId, revision, JSON.stringify(storedModel(parsed)), ...this.notifyValues(storeId, revision)],
      );
      return { modelId, revision };
    });
  }

  async readModel(storeId: string, modelId?: string): Promise<StoredModel | undefined> {
    checkStoreId(storeId);
    if (modelId !== undefined && (typeof modelId !== 'string' || modelId === '' || modelId.includes('\u0000'))) {
      throw new GatehouseError('validation_error', `modelId: expected a non-empty string, got ${JSON.stringify(modelId)}`);
    }
    const rows = await this.query(
      'read a model',
      `SELECT s.id AS store, m.id, m.revision, m.model, m.created_at
         FROM ${this.s}.stores s
         LEFT JOIN ${this.s}.models m ON m.store_id = s.id AND m.id = ${modelId === undefined ? 's.model_id' : '$2'}
        WHERE s.id = $1`,
      modelId === undefined ? [storeId] : [storeId, modelId],
    );
    const row = rows[0];
    if (row === undefined) throw storeNotFound(storeId);
    return row.id === null ? undefined : storedModelOf(row);
  }

  async readModels(storeId: string): Promise<readonly StoredModel[]> {
    checkStoreId(storeId);
    const rows = await this.query(
      'read models',
      `SELECT s.id AS store, m.id, m.revision, m.model, m.created_at
         FROM ${this.s}.stores s LEFT JOIN ${this.s}.models m ON m.store_id = s.id
        WHERE s.id = $1 ORDER BY m.revision DESC`,
      [storeId],
    );
    if (rows.length === 0) throw storeNotFound(storeId);
    return rows.filter((r) => r.id !== null).map(storedModelOf);
  }

  async write(storeId: string, change: TupleWrite, options: WriteOptions = {}): Promise<Revision> {
    checkStoreId(storeId);
    const { writes, deletes } = checkChange(change, this.maxTuples);
    const onDuplicate = oneOf(options.onDuplicate, 'onDuplicate');
    const onMissing = oneOf(options.onMissing, 'onMissing');
    if (options.modelId !== undefined && (typeof options.modelId !== 'string' || options.modelId === '' || options.modelId.includes('\u0000'))) {
      throw new GatehouseError('validation_error', `modelId: expected a non-empty string, got ${JSON.stringify(options.modelId)}`);
    }
    const d = deletes.map(toColumns);
    const w = writes.map(toColumns);
    return this.locked(options.client, `write to store ${storeId}`, storeId, async (db, head) => {
      // Everything below runs under the store's row lock: it sees every earlier revision committed,
      // and no other writer of this store can change anything until this transaction ends.
      if (writes.length > 0) {
        const modelId = options.modelId ?? head.modelId;
        if (modelId === undefined) {
          throw new GatehouseError('latest_authorization_model_not_found', `store ${storeId} has no authorization model: write one before writing tuples`);
        }
        const validator = await this.validator(db, storeId, modelId);
        // Throws OpenFGA's validation errors (implicit tuples included), naming the tuple; the
        // result is discarded.
        validator.write({ writes });
      }
      const revision = nextRevision(head.revision);
      // One statement checks OpenFGA's rules against the current tuples and, only if they hold,
      // applies the change, logs it and takes the revision: one round trip under the lock.
      const { rows } = await db.query<{ problem: 'missing' | 'exists' | 'differs' | null; n: string | null; applied: number }>(
        `WITH d AS (
           SELECT * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS d(ot, oi, r, u, n)
         ), w AS (
           SELECT * FROM unnest($7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::jsonb[]) WITH ORDINALITY AS w(ot, oi, r, u, cn, cc, n)
         ), dx AS (
           -- LATERAL with LIMIT, which the planner cannot flatten into a hash join: one index lookup
           -- per named tuple, never a scan of the store's tuples (a test watches this).
           SELECT d.*, x.tid, x.tid IS NOT NULL AS found
             FROM d LEFT JOIN LATERAL (
               SELECT t.ctid AS tid FROM ${this.s}.tuples t
                WHERE t.store_id = $1 AND t.object_type = d.ot AND t.object_id = d.oi AND t.relation = d.r AND t.subject = d.u
                LIMIT 1
             ) x ON true
         ), wx AS (
           SELECT w.*, t.found IS NOT NULL AS found,
                  (t.condition_name IS NOT DISTINCT FROM w.cn AND coalesce(t.condition_context, '{}') = coalesce(w.cc, '{}')) AS same
             FROM w LEFT JOIN LATERAL (
               SELECT true AS found, t.condition_name, t.condition_context FROM ${this.s}.tuples t
                WHERE t.store_id = $1 AND t.object_type = w.ot AND t.object_id = w.oi AND t.relation = w.r AND t.subject = w.u
                LIMIT 1
             ) t ON true
         ), problem AS (
           SELECT kind, n FROM (
             SELECT 'missing' AS kind, n, 1 AS o FROM dx WHERE NOT found AND NOT $13::boolean
             UNION ALL
             SELECT CASE WHEN same THEN 'exists' ELSE 'differs' END, n, 2 FROM wx WHERE found AND NOT ($14::boolean AND same)
           ) p ORDER BY o, n LIMIT 1
         ), change AS (
           SELECT 'delete' AS op, ot, oi, r, u, NULL::text AS cn, NULL::jsonb AS cc, n, 1 AS o FROM dx WHERE found
           UNION ALL
           SELECT 'write', ot, oi, r, u, cn, cc, n, 2 FROM wx WHERE NOT found
         ), ok AS (
           SELECT NOT EXISTS (SELECT 1 FROM problem) AND EXISTS (SELECT 1 FROM change) AS ok
         ), del AS (
           -- By the row ids found above (a TID scan): same statement, and the store's lock keeps
           -- every other writer out, so they still name the same rows.
           DELETE FROM ${this.s}.tuples t
            WHERE (SELECT ok FROM ok) AND t.ctid = ANY (ARRAY(SELECT tid FROM dx WHERE found)) AND t.store_id = $1
         ), ins AS (
           INSERT INTO ${this.s}.tuples (store_id, object_type, object_id, relation, subject, condition_name, condition_context, revision)
           SELECT $1, ot, oi, r, u, cn, cc, $2 FROM change WHERE (SELECT ok FROM ok) AND op = 'write'
         ), log AS (
           INSERT INTO ${this.s}.changelog (store_id, revision, seq, op, object_type, object_id, relation, subject, condition_name, condition_context)
           SELECT $1, $2, row_number() OVER (ORDER BY o, n), op, ot, oi, r, u, cn, cc FROM change WHERE (SELECT ok FROM ok)
         ), upd AS (
           UPDATE ${this.s}.stores SET revision = $2, updated_at = now() WHERE id = $1 AND (SELECT ok FROM ok)
           RETURNING ${this.notifyExpression(15)}
         )
         SELECT (SELECT kind FROM problem) AS problem, (SELECT n FROM problem) AS n, (SELECT count(*) FROM upd)::int AS applied`,
        [
          storeId,
          revision,
          d.map((c) => c.objectType),
          d.map((c) => c.objectId),
          d.map((c) => c.relation),
          d.map((c) => c.subject),
          w.map((c) => c.objectType),
          w.map((c) => c.objectId),
          w.map((c) => c.relation),
          w.map((c) => c.subject),
          w.map((c) => c.conditionName),
          w.map((c) => c.conditionContext),
          onMissing === 'ignore',
          onDuplicate === 'ignore',
          ...this.notifyValues(storeId, revision),
        ],
      );
      const row = rows[0]!;
      if (row.problem !== null) {
        // Nothing was changed: the statement applies all or nothing.
        const i = Number(row.n) - 1;
        if (row.problem === 'missing') {
          throw new GatehouseError('write_failed_due_to_invalid_input', `cannot delete a tuple which does not exist: '${tupleKeyId(deletes[i]!)}'`);
        }
        if (row.problem === 'differs' && onDuplicate === 'ignore') {
          throw new GatehouseError(
            'write_failed_due_to_invalid_input',
            `cannot write a tuple which already exists with a different condition: '${tupleKeyId(writes[i]!)}' (onDuplicate: 'ignore' skips identical tuples only)`,
          );
        }
        throw new GatehouseError('write_failed_due_to_invalid_input', `cannot write a tuple which already exists: '${tupleKeyId(writes[i]!)}'`);
      }
      // Nothing to change (everything skipped by the ignore options): no revision was taken.
      return row.applied === 1 ? revision : head.revision;
    });
  }

  async readTuples(storeId: string, options: ReadTuplesOptions = {}): Promise<ReadTuplesResult> {
    checkStoreId(storeId);
    const pageSize = pageSizeOf(options.pageSize);
    const where: string[] = ['store_id = $1'];
    const values: unknown[] = [storeId];
    const add = (sql: string, value: unknown) => {
      values.push(value);
      where.push(sql.replace('?', `$${values.length}`));
    };
    if (options.object !== undefined) {
      const object = options.object;
      const typeOnly = typeof object === 'string' && object.endsWith(':') && isValidTypeName(object.slice(0, -1));
      const parsed = typeof object === 'string' && !typeOnly ? tryParseObject(object) : undefined;
      if ((!typeOnly && !parsed) || object.includes('\u0000')) {
        throw new GatehouseError('invalid_object_format', `object: invalid object ${JSON.stringify(object)} (expected 'type:id' or 'type:')`);
      }
      if (typeOnly) add('object_type = ?', object.slice(0, -1));
      else {
        add('object_type = ?', parsed!.type);
        add('object_id = ?', parsed!.id);
      }
    }
    if (options.relation !== undefined) {
      if (typeof options.relation !== 'string' || !isValidRelationName(options.relation) || options.relation.includes('\u0000')) {
        throw new GatehouseError('validation_error', `relation: invalid relation ${JSON.stringify(options.relation)}`);
      }
      add('relation = ?', options.relation);
    }
    if (options.user !== undefined) {
      if (typeof options.user !== 'string' || !tryParseUser(options.user) || options.user.includes('\u0000')) {
        throw new GatehouseError('invalid_user', `user: invalid user ${JSON.stringify(options.user)} (expected 'type:id', 'type:*' or 'type:id#relation')`);
      }
      add('subject = ?', options.user);
    }
    if (options.continuationToken !== undefined) {
      const [ot, oi, r, u] = decodeToken(options.continuationToken, 4);
      values.push(ot, oi, r, u);
      const n = values.length;
      where.push(`(object_type, object_id, relation, subject) > ($${n - 3}, $${n - 2}, $${n - 1}, $${n})`);
    }
    values.push(pageSize + 1);
    const sql = `SELECT s.id AS store, t.object_type, t.object_id, t.relation, t.subject, t.condition_name, t.condition_context
      FROM ${this.s}.stores s
      LEFT JOIN LATERAL (
        SELECT * FROM ${this.s}.tuples WHERE ${where.join(' AND ')}
        ORDER BY object_type, object_id, relation, subject LIMIT $${values.length}
      ) t ON true
      WHERE s.id = $1`;
    const rows = await this.query('read tuples', sql, values);
    if (rows.length === 0) throw storeNotFound(storeId);
    const found = rows.filter((r) => r.object_type !== null);
    const page = found.slice(0, pageSize);
    const tuples = page.map((r) => fromColumns(r.object_type, r.object_id, r.relation, r.subject, r.condition_name, r.condition_context));
    if (found.length <= pageSize) return { tuples };
    const last = page[page.length - 1]!;
    return { tuples, continuationToken: encodeToken([last.object_type, last.object_id, last.relation, last.subject]) };
  }

  async readChanges(storeId: string, options: ReadChangesOptions = {}): Promise<ReadChangesResult> {
    checkStoreId(storeId);
    const since = checkRevisionArg(options.since ?? '0', 'since');
    const limit = options.limit ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000) {
      throw new GatehouseError('validation_error', `limit: expected an integer from 1 to 10000, got ${JSON.stringify(limit)}`);
    }
    await this.ready();
    let page;
    try {
      page = await readChangelog(this.pool, this.s, storeId, since, limit);
    } catch (error) {
      throw toStoreError(error, 'read changes');
    }
    if (page === undefined) throw storeNotFound(storeId);
    const oldestRetained = nextRevision(page.retainedAfter);
    if (page.expired) {
      throw new GatehouseError(
        'validation_error',
        `since: the changes after revision ${since} were compacted; the changelog of store ${storeId} starts at revision ${oldestRetained} (load a full snapshot instead)`,
      );
    }
    const changes: ChangeEntry[] = page.rows.map((r) => {
      if (r.op === 'model') return { operation: 'model', revision: r.revision, modelId: r.modelId!, timestamp: r.createdAt };
      const tuple = fromColumns(r.objectType!, r.objectId!, r.relation!, r.subject!, r.conditionName, r.conditionContext);
      if (r.op === 'write') return { operation: 'write', revision: r.revision, tuple, timestamp: r.createdAt };
      return { operation: 'delete', revision: r.revision, tuple: { user: tuple.user, relation: tuple.relation, object: tuple.object }, timestamp: r.createdAt };
    });
    return { changes, revision: page.to, head: page.head, oldestRetained };
  }

  async compact(storeId: string, options: CompactOptions): Promise<CompactResult> {
    checkStoreId(storeId);
    const { keep, olderThan } = options ?? {};
    if (keep === undefined && olderThan === undefined) {
      throw new GatehouseError('validation_error', 'compact: give keep (a number of revisions) or olderThan (a Date)');
    }
    if (keep !== undefined && (!Number.isSafeInteger(keep) || keep < 0)) {
      throw new GatehouseError('validation_error', `keep: expected a non-negative integer, got ${JSON.stringify(keep)}`);
    }
    if (olderThan !== undefined && (!(olderThan instanceof Date) || Number.isNaN(olderThan.getTime()))) {
      throw new GatehouseError('validation_error', `olderThan: expected a valid Date, got ${String(olderThan)}`);
    }
    return this.transaction(undefined, `compact store ${storeId}`, async (db) => {
      // No lock on the store row while deleting: writers keep going. The horizon only covers
      // committed revisions, and the row update at the end publishes it atomically with the delete.
      const { rows } = await db.query<{ revision: string; retained_after: string }>(
        `SELECT revision, retained_after FROM ${this.s}.stores WHERE id = $1`,
        [storeId],
      );
      const store = rows[0];
      if (store === undefined) throw storeNotFound(storeId);
      const horizons: bigint[] = [];
      if (keep !== undefined) horizons.push(BigInt(store.revision) - BigInt(keep));
      if (olderThan !== undefined) {
        const r = await db.query<{ revision: string | null }>(
          `SELECT max(revision) AS revision FROM ${this.s}.changelog WHERE store_id = $1 AND created_at < $2`,
          [storeId, olderThan],
        );
        horizons.push(BigInt(r.rows[0]?.revision ?? '0'));
      }
      let horizon = horizons.reduce((a, b) => (a < b ? a : b));
      if (horizon <= BigInt(store.retained_after)) return { deleted: 0, oldestRetained: nextRevision(store.retained_after) };
      if (horizon < 0n) horizon = 0n;
      const deleted = await db.query(`DELETE FROM ${this.s}.changelog WHERE store_id = $1 AND revision <= $2`, [storeId, horizon.toString()]);
      const updated = await db.query<{ retained_after: string }>(
        `UPDATE ${this.s}.stores SET retained_after = GREATEST(retained_after, $2::bigint) WHERE id = $1 RETURNING retained_after`,
        [storeId, horizon.toString()],
      );
      return { deleted: deleted.rowCount ?? 0, oldestRetained: nextRevision(updated.rows[0]!.retained_after) };
    });
  }

  source(storeId: string, options: StoreSourceOptions = {}): PostgresSource {
    return new PostgresSource({ ...options, storeId, pool: this.pool, schema: this.schema });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsPool) await this.pool.end();
  }

  // ------------------------------------------------------------------ internals

  /** The schema check, once per store object (retried after a failure). */
  private ready(): Promise<void> {
    this.checked ??= schemaVersion(this.pool, this.s).then(
      (version) => {
        if (version < SCHEMA_VERSION) {
          throw new GatehouseError(
            'schema_version_mismatch',
            version === 0
              ? `schema ${this.schema} has no Gatehouse tables: run migrate() or \`gatehouse migrate\` first`
              : `schema ${this.schema} is at version ${version}, this code needs ${SCHEMA_VERSION}: run migrate() or \`gatehouse migrate\``,
          );
        }
      },
      (error: unknown) => {
        throw toStoreError(error, 'check the schema version');
      },
    );
    const checking = this.checked;
    checking.catch(() => {
      if (this.checked === checking) this.checked = undefined;
    });
    return checking;
  }

  private async connect(what: string): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw toStoreError(error, what);
    }
  }

  /** One query on the pool after the schema check; rows as objects. */
  private async query(what: string, sql: string, values: readonly unknown[]): Promise<Row[]> {
    await this.ready();
    try {
      const result = await this.pool.query(sql, values as unknown[]);
      return result.rows;
    } catch (error) {
      throw toStoreError(error, what);
    }
  }

  /**
   * Runs `fn` in a transaction: its own, or the caller's on `client`. `fn` learns whether the
   * transaction has begun; with `fnBegins`, `fn` sends BEGIN itself (with its first statement) in
   * its own transaction.
   */
  private async transaction<T>(
    client: pg.ClientBase | undefined,
    what: string,
    fn: (db: pg.ClientBase, began: boolean) => Promise<T>,
    fnBegins = false,
  ): Promise<T> {
    await this.ready();
    if (client !== undefined) {
      try {
        return await fn(client, true);
      } catch (error) {
        throw toStoreError(error, what);
      }
    }
    const c = await this.connect(what);
    const unguard = guardClient(c);
    let broken = false;
    try {
      if (!fnBegins) await c.query('BEGIN');
      let result: T;
      try {
        result = await fn(c, !fnBegins);
      } catch (error) {
        await c.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      }
      try {
        await c.query('COMMIT');
      } catch (error) {
        if (!isTransient(error)) throw error;
        broken = true;
        throw new GatehouseError('source_unavailable', `${what}: the connection failed during COMMIT, so whether the change was committed is unknown: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      }
      return result;
    } catch (error) {
      if (isTransient(error)) broken = true;
      throw toStoreError(error, what);
    } finally {
      c.release(unguard() || broken);
    }
  }

  /**
   * Runs `fn` in a transaction (its own, or the caller's on `client`) that first locks the
   * store's row: the lock serialises the store's writers, so the revision each takes is the next
   * one and commits in order. In its own transaction, BEGIN and the lock go in one round trip.
   */
  private async locked<T>(
    client: pg.ClientBase | undefined,
    what: string,
    storeId: string,
    fn: (db: pg.ClientBase, head: { readonly revision: Revision; readonly modelId: string | undefined }) => Promise<T>,
  ): Promise<T> {
    const lock = `SELECT revision, model_id FROM ${this.s}.stores WHERE id = $1 FOR UPDATE`;
    return this.transaction(
      client,
      what,
      async (db, began) => {
        let rows: { revision: string; model_id: string | null }[];
        if (began) {
          rows = (await db.query<{ revision: string; model_id: string | null }>(lock, [storeId])).rows;
        } else {
          // The simple protocol carries both statements in one round trip; it takes no parameters,
          // and the id is safe to inline: checkStoreId allows only 26 Crockford base32 characters.
          const results = (await db.query(`BEGIN; ${lock.replace('$1', `'${checkStoreId(storeId)}'`)}`)) as unknown as pg.QueryResult<{ revision: string; model_id: string | null }>[];
          rows = results[1]!.rows;
        }
        const row = rows[0];
        if (row === undefined) throw storeNotFound(storeId);
        return fn(db, { revision: row.revision, modelId: row.model_id ?? undefined });
      },
      true,
    );
  }

  /** An empty tuple store for the model, whose `write` validates tuples as OpenFGA's Write does. */
  private async validator(db: pg.ClientBase, storeId: string, modelId: string): Promise<TupleStore> {
    const key = `${storeId}/${modelId}`;
    const cached = this.validators.get(key);
    if (cached !== undefined) return cached;
    const { rows } = await db.query<{ model: unknown }>(`SELECT model FROM ${this.s}.models WHERE store_id = $1 AND id = $2`, [storeId, modelId]);
    if (rows[0] === undefined) throw new GatehouseError('validation_error', `modelId: store ${storeId} has no model ${modelId}`);
    const store = createTupleStore(compileModel(parseModel(withId(rows[0].model, modelId))));
    if (this.validators.size >= VALIDATOR_CACHE) this.validators.delete(this.validators.keys().next().value!);
    this.validators.set(key, store);
    return store;
  }

  // pg_notify runs in RETURNING of the statement that takes the revision (one round trip); the
  // notification is queued with the transaction and delivered only if and when it commits.
  private notifyExpression(first: number): string {
    return this.notify ? `pg_notify($${first}, $${first + 1})` : 'revision';
  }

  private notifyValues(storeId: string, revision: Revision): string[] {
    return this.notify ? [notifyChannel(storeId), `${storeId}:${revision}`] : [];
  }
}

// Rows of queries whose columns this module names itself.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Row = Record<string, any>;

const STORE_COLUMNS = 'id, name, revision, model_id, retained_after, created_at, updated_at';

function storeInfo(row: Row): StoreInfo {
  return {
    id: row.id,
    name: row.name,
    revision: row.revision,
    modelId: row.model_id ?? undefined,
    oldestRetained: nextRevision(row.retained_after),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function storedModelOf(row: Row): StoredModel {
  return { id: row.id, revision: row.revision, model: withId(row.model, row.id), createdAt: row.created_at };
}

function storeNotFound(storeId: string): GatehouseError {
  return new GatehouseError('store_id_not_found', `store ${storeId} not found`);
}

/** Validates a write's shape and tuples; rejects duplicates within it (OpenFGA's order: deletes, then writes). */
function checkChange(change: TupleWrite, max: number): { writes: TupleKey[]; deletes: TupleKeyWithoutCondition[] } {
  if (change === null || typeof change !== 'object') {
    throw new GatehouseError('validation_error', 'write: expected { writes?, deletes? }');
  }
  const rawWrites: unknown = change.writes ?? [];
  const rawDeletes: unknown = change.deletes ?? [];
  if (!Array.isArray(rawWrites)) throw new GatehouseError('invalid_tuple', 'writes: expected an array of tuples');
  if (!Array.isArray(rawDeletes)) throw new GatehouseError('invalid_tuple', 'deletes: expected an array of tuples');
  if (rawWrites.length === 0 && rawDeletes.length === 0) {
    throw new GatehouseError('validation_error', 'write: give at least one tuple to write or delete');
  }
  if (rawWrites.length + rawDeletes.length > max) {
    throw new GatehouseError('validation_error', `write: ${rawWrites.length + rawDeletes.length} tuples exceed the limit of ${max} per write (maxTuplesPerWrite)`);
  }
  const seen = new Set<string>();
  const deletes: TupleKeyWithoutCondition[] = rawDeletes.map((t: unknown, i) => {
    assertTupleKey(t, `deletes[${i}]`);
    const key = { user: t.user, relation: t.relation, object: t.object };
    assertStorable(key, `deletes[${i}]`);
    return key;
  });
  const writes: TupleKey[] = rawWrites.map((t: unknown, i) => {
    assertTupleKey(t, `writes[${i}]`);
    assertStorable(t, `writes[${i}]`);
    const c = t.condition;
    return c === undefined
      ? { user: t.user, relation: t.relation, object: t.object }
      : { user: t.user, relation: t.relation, object: t.object, condition: c.context === undefined ? { name: c.name } : { name: c.name, context: c.context } };
  });
  for (const t of [...deletes, ...writes]) {
    const id = tupleKeyId(t);
    if (seen.has(id)) {
      throw new GatehouseError('cannot_allow_duplicate_tuples_in_one_request', `duplicate tuple in write: user: '${t.user}', relation: '${t.relation}', object: '${t.object}'`);
    }
    seen.add(id);
  }
  return { writes, deletes };
}

/**
 * PostgreSQL text cannot hold a NUL character (and jsonb refuses `\u0000`), which OpenFGA's name
 * rules let through: refuse it here with the code the part would get, not a database error later.
 * A context must also survive JSON, the form it is stored in.
 */
function assertStorable(t: TupleKey, where: string): void {
  if (t.object.includes('\u0000')) throw new GatehouseError('invalid_object_format', `${where}: invalid object ${JSON.stringify(t.object)} (NUL characters are not allowed)`);
  if (t.relation.includes('\u0000')) throw new GatehouseError('invalid_tuple', `${where}: invalid relation ${JSON.stringify(t.relation)} (NUL characters are not allowed)`);
  if (t.user.includes('\u0000')) throw new GatehouseError('invalid_user', `${where}: invalid user ${JSON.stringify(t.user)} (NUL characters are not allowed)`);
  const context = t.condition?.context;
  if (context === undefined) return;
  let problem: string | undefined;
  try {
    JSON.stringify(context);
    if (hasNul(context)) problem = 'NUL characters are not allowed';
  } catch (error) {
    problem = `it cannot be stored as JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  if (problem !== undefined) {
    throw new GatehouseError('validation_error', `${where}: invalid context of condition '${t.condition!.name}' on '${tupleKeyId(t)}': ${problem}`);
  }
}

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(hasNul);
  if (typeof value === 'object' && value !== null) return Object.entries(value).some(([k, v]) => k.includes('\u0000') || hasNul(v));
  return false;
}

function oneOf(value: unknown, name: string): 'error' | 'ignore' {
  if (value === undefined) return 'error';
  if (value === 'error' || value === 'ignore') return value;
  throw new GatehouseError('validation_error', `${name}: expected 'error' or 'ignore', got ${JSON.stringify(value)}`);
}

function positiveInt(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new GatehouseError('validation_error', `${name}: expected a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

function pageSizeOf(value: number | undefined): number {
  const size = value ?? DEFAULT_PAGE;
  if (!Number.isSafeInteger(size) || size < 1 || size > MAX_PAGE) {
    throw new GatehouseError('validation_error', `pageSize: expected an integer from 1 to ${MAX_PAGE}, got ${JSON.stringify(value)}`);
  }
  return size;
}

/** A revision argument as a canonical string within PostgreSQL's bigint. */
export function checkRevisionArg(value: unknown, name: string): Revision {
  let revision: Revision;
  try {
    revision = toRevision(value as string | number);
  } catch {
    throw new GatehouseError('validation_error', `${name}: invalid revision ${JSON.stringify(value)} (expected a non-negative integer)`);
  }
  if (!isRevision(revision) || BigInt(revision) > MAX_BIGINT) {
    throw new GatehouseError('validation_error', `${name}: revision ${revision} is out of range`);
  }
  return revision;
}

function encodeToken(parts: readonly string[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

function decodeToken(token: unknown, length: number): string[] {
  try {
    if (typeof token !== 'string' || token === '') throw new Error('empty');
    const parts: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Array.isArray(parts) || parts.length !== length || !parts.every((p) => typeof p === 'string' && !p.includes('\u0000'))) throw new Error('shape');
    return parts as string[];
  } catch {
    throw new GatehouseError('invalid_continuation_token', `continuationToken: ${JSON.stringify(token)} is not a token from this query`);
  }
}
