import {
  backoffDelay,
  compareRevisions,
  GatehouseError,
  isGatehouseError,
  toGatehouseError,
  tupleKeyId,
  type AuthorizationModel,
  type BackoffOptions,
  type ChangeSet,
  type Revision,
  type SnapshotData,
  type SnapshotSink,
  type SnapshotSource,
  type TupleKey,
  type TupleKeyWithoutCondition,
} from '@gatehouse/core';
import pg from 'pg';
import { readChangelog, type ChangelogRow } from './changelog';
import { notifyChannel } from './notify';
import { fromColumns, withId } from './rows';
import { checkStoreId, DEFAULT_SCHEMA, guardClient, isQueryTimeout, ownedPool, quoteIdent, quoteSchema, toStoreError } from './sql';

/** Options of {@link PostgresSource}. */
export interface PostgresSourceOptions {
  /** The store to follow. */
  readonly storeId: string;
  /**
   * The pool to read through; the source uses one connection at a time and never ends it. It may
   * go through a transaction-mode pooler (PgBouncer): the source uses no session state there.
   * Give it an `error` listener (node-postgres emits one when an idle connection is cut). It keeps
   * its own connection settings: give it `keepAlive: true` and a short
   * `keepAliveInitialDelayMillis` (the source's own pool uses 10 s), or a dead server is noticed
   * between queries only after the OS default of 2 hours.
   */
  readonly pool?: pg.Pool;
  /** A connection string, used when no `pool` is given: the source opens (and ends) a one-connection pool. */
  readonly connectionString?: string;
  /** The schema. Default `gatehouse`. */
  readonly schema?: string;
  /**
   * Ms between polls of the changelog. Default `1000`. Polling is how the source stays correct; it
   * always runs, and LISTEN only makes changes arrive sooner.
   */
  readonly pollInterval?: number;
  /**
   * Wake up on the store's NOTIFY (default `true`), through one dedicated connection that is not
   * from the pool (LISTEN needs a session: not through a transaction-mode pooler). A notification
   * only triggers a poll, so a lost one costs latency, never correctness. Pass
   * `{ connectionString }` to listen on another address than the pool's (the primary, directly),
   * or `false` on databases without LISTEN/NOTIFY (CockroachDB, Citus workers).
   */
  readonly listen?:
    | boolean
    | {
        /** Where to LISTEN: a direct address of the primary, when polls go through a pooler or a replica. */
        readonly connectionString?: string;
      };
  /**
   * The most revisions one change set covers. Default `1000`. A change set also stops before about
   * 100,000 changelog rows (a single larger revision still comes whole), so catching up after a bulk
   * import takes several polls instead of one huge result.
   */
  readonly revisionsPerPoll?: number;
  /** Rows per `FETCH` during a full load. Default `10_000`. */
  readonly fetchSize?: number;
  /**
   * Ms to wait for the answer to each query the source sends (a poll, each statement and `FETCH`
   * of a full load, LISTEN). Default `30_000`. Without it, a query on a connection whose server
   * vanished without a reset (a network partition, a frozen VM, a load balancer that drops
   * silently) waits for TCP to give up: 15 minutes or more. A query that times out is reported as
   * `source_unavailable`, its connection is dropped (not returned to the pool), and the source
   * retries with backoff; a full load starts over. Keep it above the slowest `FETCH` of
   * `fetchSize` rows and the slowest poll you expect.
   */
  readonly queryTimeout?: number;
  /** Retry spacing after failures (core's backoff: 500 ms doubling to 30 s, with jitter). */
  readonly backoff?: BackoffOptions;
  /** Observe what the source does: full loads and their cause, change sets, the listener's state. Must not throw. */
  readonly onEvent?: (event: PostgresSourceEvent) => void;
  /** `application_name` of the connections the source opens itself (shown in `pg_stat_activity`). Default `gatehouse-source`. */
  readonly applicationName?: string;
}

/** Why the source loads a full snapshot. */
export type ReloadReason =
  /** The first load. */
  | 'start'
  /** The follower is older than the retained changelog (compaction removed changes it needs). */
  | 'behind_retention'
  /** The sink refused a change set (its state differed); the source catches up with a full snapshot. */
  | 'changes_rejected'
  /** The store's revision went backwards (restored from a backup): the upstream was reset. */
  | 'store_reset';

/** What a {@link PostgresSource} reports through `onEvent`. */
export type PostgresSourceEvent =
  | {
      /** The source cannot continue from the changelog and loads a full snapshot. */
      readonly type: 'reload';
      /** Why. */
      readonly reason: Exclude<ReloadReason, 'start'>;
      /** The revision the follower was at. */
      readonly position: Revision;
      /** For `behind_retention`: the oldest revision the changelog still holds. */
      readonly oldestRetained?: Revision;
    }
  | {
      /** A full snapshot was delivered. */
      readonly type: 'snapshot';
      /** Why it was loaded. */
      readonly reason: ReloadReason;
      /** Its revision. */
      readonly revision: Revision;
      /** Its tuple count. */
      readonly tuples: number;
      /** Ms spent reading it from PostgreSQL. */
      readonly fetchMs: number;
      /** Ms the sink took to accept it (the authorizer builds its indexes then). */
      readonly deliverMs: number;
    }
  | {
      /** A change set was delivered. */
      readonly type: 'changes';
      /** The revision it applied to. */
      readonly from: Revision;
      /** The revision it produced. */
      readonly to: Revision;
      /** Changelog rows folded into it. */
      readonly rows: number;
    }
  | {
      /** The LISTEN connection came up or went down (polling carries on either way). */
      readonly type: 'listen';
      /** Its new state. */
      readonly state: 'connected' | 'disconnected';
      /** Why it went down, if known. */
      readonly error?: GatehouseError;
    };

/**
 * Keeps a sink (an authorizer) in sync with one store of a {@link PostgresStore}: a full snapshot
 * first, then the changelog, revision by revision, so no change is missed or applied twice, across
 * reconnects too.
 *
 * - **Full load:** the store's revision, its latest model and every tuple, read in one
 *   `REPEATABLE READ READ ONLY` transaction (one consistent snapshot), tuples streamed through a
 *   server-side cursor.
 * - **Follow:** polls `changelog WHERE revision > position` every `pollInterval` (and at once when
 *   a NOTIFY arrives or `requestRevision` asks), folds what it finds into one change set with the net
 *   effect, and delivers it. A poll that finds nothing confirms the snapshot (`sink.heartbeat`).
 *   Revisions are taken in commit order by the store, so reading everything up to the store's
 *   revision in one statement can never skip a change that commits later.
 * - **Falls behind:** a position older than the retained changelog (see `compact`), a change set
 *   the sink refuses, or a store whose revision went back leads to a full reload, announced by a
 *   `reload` event.
 * - **Failures** (lost connections, a deleted store) go to `sink.error` as `source_unavailable` or
 *   `store_id_not_found`; the sink keeps its snapshot and the source retries with backoff. The
 *   position only moves when the sink has accepted a delivery, so a retry resumes exactly there.
 *
 * @example
 * const authorizer = createAuthorizer({ source: new PostgresSource({ storeId, connectionString: process.env.DATABASE_URL }) });
 * await authorizer.ready();
 * @see docs/integrations/postgres.md
 */
export class PostgresSource implements SnapshotSource {
  /** The store followed. */
  readonly storeId: string;
  private readonly s: string;
  private readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly pollInterval: number;
  private readonly listenConfig: pg.ClientConfig | undefined;
  private readonly revisionsPerPoll: number;
  private readonly fetchSize: number;
  private readonly queryTimeout: number;
  private readonly backoff: BackoffOptions;
  private readonly onEvent: ((event: PostgresSourceEvent) => void) | undefined;

  private sink: SnapshotSink | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private position: Revision | undefined;
  private reload: ReloadReason | undefined = 'start';
  private failures = 0;
  private wanted: Revision | undefined;
  private wantedUntil = 0;
  private sleeper: { readonly wake: () => void; readonly wakeable: boolean } | undefined;
  // Set when a wake-up arrives while a poll is running: the next sleep is skipped, so a change
  // committed just after the poll read the changelog is not left for the next interval.
  private pending = false;
  private noModelReported = false;
  private listener: pg.Client | undefined;
  // The LISTEN connection while it connects: stop() drops its socket, or a server that never answers would hold stop() forever.
  private listenerConnecting: pg.Client | undefined;
  // The pool connection a poll or a load is using: stop() drops its socket rather than wait for a query that may hang.
  private inFlight: pg.PoolClient | undefined;
  private listenFailures = 0;
  private listenTimer: ReturnType<typeof setTimeout> | undefined;
  private connecting: Promise<void> | undefined;
  private cursorSeq = 0;

  /** @throws {GatehouseError} `validation_error` for a bad store id, schema or option. */
  constructor(options: PostgresSourceOptions) {
    this.storeId = checkStoreId(options.storeId);
    this.s = quoteSchema(options.schema ?? DEFAULT_SCHEMA);
    this.pollInterval = positiveMs(options.pollInterval ?? 1000, 'pollInterval');
    this.revisionsPerPoll = positive(options.revisionsPerPoll ?? 1000, 'revisionsPerPoll');
    this.fetchSize = positive(options.fetchSize ?? 10_000, 'fetchSize');
    this.queryTimeout = positiveMs(options.queryTimeout ?? 30_000, 'queryTimeout');
    this.backoff = options.backoff ?? {};
    this.onEvent = options.onEvent;
    const applicationName = options.applicationName ?? 'gatehouse-source';
    if (options.pool !== undefined) {
      this.pool = options.pool;
      this.ownsPool = false;
    } else {
      this.pool = ownedPool(options.connectionString, 1, applicationName, CONNECT_TIMEOUT, KEEPALIVE_DELAY);
      this.ownsPool = true;
    }
    const listen = options.listen ?? true;
    if (listen === false) this.listenConfig = undefined;
    else {
      const base: pg.ClientConfig =
        typeof listen === 'object' && listen.connectionString !== undefined
          ? { connectionString: listen.connectionString }
          : options.pool !== undefined
            ? { ...(options.pool.options as pg.ClientConfig) }
            : options.connectionString !== undefined
              ? { connectionString: options.connectionString }
              : {};
      this.listenConfig = {
        ...base,
        // Your pool's own connect timeout, if it has one.
        connectionTimeoutMillis: base.connectionTimeoutMillis ?? CONNECT_TIMEOUT,
        keepAlive: true,
        keepAliveInitialDelayMillis: KEEPALIVE_DELAY,
        application_name: `${applicationName}-listen`,
      };
    }
  }

  /** The revision of the last delivery the sink accepted, or `undefined` before the first. */
  get revision(): Revision | undefined {
    return this.position;
  }

  /** True while the LISTEN connection is up. */
  get listening(): boolean {
    return this.listener !== undefined;
  }

  /**
   * Starts following: the full load begins at once, and the LISTEN connection opens beside it.
   *
   * @throws {GatehouseError} `validation_error` when already started.
   */
  start(sink: SnapshotSink): void {
    if (this.sink) throw new GatehouseError('validation_error', 'PostgresSource is already started; create one source per sink');
    if (this.ownsPool && this.pool.ending) throw new GatehouseError('validation_error', 'this PostgresSource was stopped and closed its pool; create a new one');
    this.sink = sink;
    this.stopped = false;
    // A sink starts with nothing, also after a stop(): the first delivery must be a full snapshot.
    this.position = undefined;
    this.reload = 'start';
    this.failures = 0;
    this.noModelReported = false;
    this.listenFailures = 0;
    if (this.listenConfig !== undefined) this.listen();
    this.running = this.run(sink);
  }

  /**
   * Stops following: closes the LISTEN connection, drops the connection of a query in flight (it
   * may never answer), ends a pool the source created (such a source cannot be started again), and
   * resolves once the loop has ended.
   */
  async stop(): Promise<void> {
    if (this.sink === undefined && this.running === undefined) return;
    this.stopped = true;
    this.sleeper?.wake();
    if (this.listenTimer !== undefined) clearTimeout(this.listenTimer);
    const listener = this.listener;
    this.listener = undefined;
    if (this.listenerConnecting !== undefined) dropSocket(this.listenerConnecting);
    // Only reads are in flight, so cutting one loses nothing; waiting could take until TCP gives up.
    if (this.inFlight !== undefined) dropSocket(this.inFlight);
    await Promise.all([this.running, this.connecting, listener?.end().catch(() => undefined)]);
    this.running = undefined;
    this.sink = undefined;
    if (this.ownsPool && !this.pool.ending) await this.pool.end();
  }

  /** Polls now (not at the next interval) until revision `atLeast` has been delivered. */
  requestRevision(atLeast: Revision): void {
    if (this.position !== undefined && compareRevisions(this.position, atLeast) >= 0) return;
    if (this.wanted === undefined || compareRevisions(atLeast, this.wanted) > 0) this.wanted = atLeast;
    // A revision that never comes (one from another store) must not keep polls fast forever.
    this.wantedUntil = Date.now() + WANTED_FOR;
    this.wake(false);
  }

  // ------------------------------------------------------------------ the loop

  private async run(sink: SnapshotSink): Promise<void> {
    while (!this.stopped) {
      this.pending = false;
      let pause = this.pollInterval;
      let wakeable = true;
      try {
        const more = await this.cycle(sink);
        this.failures = 0;
        if (more) pause = 0;
      } catch (error) {
        if (this.stopped) break;
        this.failures++;
        report(sink, isGatehouseError(error) ? error : toStoreError(error, `follow store ${this.storeId}`));
        pause = backoffDelay(this.failures, this.backoff);
        wakeable = false;
      }
      if (this.wanted !== undefined) {
        if ((this.position !== undefined && compareRevisions(this.position, this.wanted) >= 0) || Date.now() > this.wantedUntil) this.wanted = undefined;
        // Someone waits for a revision that is not here yet (a write committing elsewhere): look again soon.
        else if (wakeable) pause = Math.min(pause, WANTED_PAUSE);
      }
      if (this.stopped) break;
      if (this.pending && wakeable) continue;
      if (pause > 0) await this.sleep(pause, wakeable);
    }
  }

  /** One step: a full load or one poll. Returns true when more is waiting (poll again at once). */
  private async cycle(sink: SnapshotSink): Promise<boolean> {
    if (this.reload !== undefined || this.position === undefined) {
      await this.fullLoad(sink, this.reload ?? 'start');
      return false;
    }
    const position = this.position;
    const page = await this.session(`poll store ${this.storeId}`, (client) =>
      readChangelog(client, this.s, this.storeId, position, this.revisionsPerPoll, { queryTimeout: this.queryTimeout }),
    );
    if (page === undefined) throw storeNotFound(this.storeId);
    if (page.expired) {
      this.emit({ type: 'reload', reason: 'behind_retention', position, oldestRetained: (BigInt(page.retainedAfter) + 1n).toString() });
      await this.fullLoad(sink, 'behind_retention');
      return false;
    }
    const order = compareRevisions(page.head, position);
    if (order < 0) {
      this.emit({ type: 'reload', reason: 'store_reset', position });
      await this.fullLoad(sink, 'store_reset');
      return false;
    }
    if (order === 0) {
      heartbeat(sink, position);
      return false;
    }
    const changes = fold(position, page.to, page.rows);
    try {
      await sink.changes(changes);
    } catch (error) {
      if (this.stopped) return false;
      // The sink's state differs from what the changelog applies to: report it and start over.
      report(sink, toGatehouseError(error));
      this.emit({ type: 'reload', reason: 'changes_rejected', position });
      await this.fullLoad(sink, 'changes_rejected');
      return false;
    }
    this.position = page.to;
    this.emit({ type: 'changes', from: position, to: page.to, rows: page.rows.length });
    return compareRevisions(page.to, page.head) < 0;
  }

  /** Loads everything in one consistent snapshot and hands it to the sink. */
  private async fullLoad(sink: SnapshotSink, reason: ReloadReason): Promise<void> {
    this.reload = reason;
    const started = performance.now();
    const data = await this.readSnapshot();
    if (data === undefined) {
      // No model yet: nothing to deliver. Said once; polling continues, so the first model is
      // picked up within an interval (or at once with LISTEN).
      if (!this.noModelReported) {
        this.noModelReported = true;
        report(sink, new GatehouseError('latest_authorization_model_not_found', `store ${this.storeId} has no authorization model yet: the source loads it once one is written`));
      }
      return;
    }
    const fetched = performance.now();
    if (this.stopped) return;
    await sink.snapshot(data);
    this.position = data.revision;
    this.reload = undefined;
    this.noModelReported = false;
    this.emit({ type: 'snapshot', reason, revision: data.revision, tuples: data.tuples.length, fetchMs: fetched - started, deliverMs: performance.now() - fetched });
  }

  /** Reads the revision, the latest model and every tuple in one `REPEATABLE READ` transaction. */
  private readSnapshot(): Promise<SnapshotData | undefined> {
    return this.session(`load store ${this.storeId}`, async (client, drop) => {
      await client.query(this.timed({ text: 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' }));
      try {
        const head = await client.query<unknown[]>(
          this.timed({
            text: `SELECT s.revision, s.model_id, m.model FROM ${this.s}.stores s
          LEFT JOIN ${this.s}.models m ON m.store_id = s.id AND m.id = s.model_id WHERE s.id = $1`,
            values: [this.storeId],
            rowMode: 'array',
          }),
        );
        const row = head.rows[0];
        if (row === undefined) throw storeNotFound(this.storeId);
        const [revision, modelId, model] = row as [string, string | null, unknown];
        if (modelId === null) {
          await client.query(this.timed({ text: 'ROLLBACK' }));
          return undefined;
        }
        const cursor = quoteIdent(`gatehouse_load_${++this.cursorSeq}`);
        await client.query(
          this.timed({
            text: `DECLARE ${cursor} NO SCROLL CURSOR FOR
           SELECT object_type, object_id, relation, subject, condition_name, condition_context FROM ${this.s}.tuples WHERE store_id = $1`,
            values: [this.storeId],
          }),
        );
        const tuples: TupleKey[] = [];
        const fetch = this.timed({ text: `FETCH ${this.fetchSize} FROM ${cursor}`, rowMode: 'array' as const });
        for (;;) {
          if (this.stopped) throw stoppedError();
          const { rows } = await client.query<[string, string, string, string, string | null, unknown]>(fetch);
          for (const r of rows) {
            tuples.push(r[4] === null ? { user: r[3], relation: r[2], object: `${r[0]}:${r[1]}` } : fromColumns(r[0], r[1], r[2], r[3], r[4], r[5]));
          }
          if (rows.length < this.fetchSize) break;
        }
        await client.query(this.timed({ text: 'COMMIT' }));
        return { model: withId(model, modelId) as AuthorizationModel, modelId, revision, tuples };
      } catch (error) {
        // A typed failure (store gone, stopped) leaves a healthy connection: end its transaction
        // before the pool gets it back. Any other failure drops the connection anyway.
        if (isGatehouseError(error)) await client.query(this.timed({ text: 'ROLLBACK' })).catch(drop);
        throw error;
      }
    });
  }

  /**
   * Runs `use` on a connection of the pool, which stop() may cut. A connection on which anything
   * but a typed error happened is dropped, not returned to the pool: after a driver error or a
   * query timeout (the query still runs on the server) its state is unknown. Errors come back as
   * typed errors naming `what`.
   */
  private async session<T>(what: string, use: (client: pg.PoolClient, drop: () => void) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toStoreError(error, what);
    }
    const unguard = guardClient(client);
    this.inFlight = client;
    let broken = false;
    try {
      if (this.stopped) throw stoppedError();
      return await use(client, () => (broken = true));
    } catch (error) {
      if (!isGatehouseError(error)) broken = true;
      throw this.failure(error, what);
    } finally {
      if (this.inFlight === client) this.inFlight = undefined;
      client.release(unguard() || broken);
    }
  }

  /** A query config with the source's `queryTimeout` (node-postgres's `query_timeout`; its types do not list it). */
  private timed<C extends pg.QueryConfig>(config: C): C {
    const timed: C & { query_timeout: number } = { ...config, query_timeout: this.queryTimeout };
    return timed;
  }

  /** A typed error for a failed database call; a query timeout says so, with the limit. */
  private failure(error: unknown, what: string): GatehouseError {
    if (isQueryTimeout(error)) {
      return new GatehouseError(
        'source_unavailable',
        `${what}: PostgreSQL is unavailable: no answer within queryTimeout (${this.queryTimeout} ms); the connection was dropped`,
        { cause: error },
      );
    }
    return toStoreError(error, what);
  }

  // ------------------------------------------------------------------ LISTEN

  /** Opens the LISTEN connection; stop() waits for an attempt in flight. */
  private listen(): void {
    const attempt = this.connectListener().finally(() => {
      if (this.connecting === attempt) this.connecting = undefined;
    });
    this.connecting = attempt;
  }

  private async connectListener(): Promise<void> {
    const config = this.listenConfig;
    if (this.stopped || config === undefined) return;
    const client = new pg.Client(config);
    let lost = false;
    const onLost = (error?: unknown) => {
      if (lost) return;
      lost = true;
      void client.end().catch(() => undefined);
      if (this.listener === client) this.listener = undefined;
      if (this.stopped) return;
      this.emit({ type: 'listen', state: 'disconnected', ...(error === undefined ? {} : { error: toStoreError(error, 'LISTEN connection') }) });
      this.listenFailures++;
      this.listenTimer = setTimeout(() => this.listen(), backoffDelay(this.listenFailures, this.backoff));
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel !== notifyChannel(this.storeId)) return;
      const revision = message.payload?.slice(message.payload.lastIndexOf(':') + 1);
      // A notification for a revision already delivered (a poll got there first) changes nothing.
      if (revision !== undefined && this.position !== undefined && /^\d+$/.test(revision) && compareRevisions(revision, this.position) <= 0) return;
      this.wake(false);
    });
    this.listenerConnecting = client;
    try {
      await client.connect();
      await client.query(this.timed({ text: `LISTEN ${quoteIdent(notifyChannel(this.storeId))}` }));
    } catch (error) {
      onLost(this.failure(error, 'LISTEN connection'));
      return;
    } finally {
      if (this.listenerConnecting === client) this.listenerConnecting = undefined;
    }
    if (lost) return;
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.listenFailures = 0;
    this.emit({ type: 'listen', state: 'connected' });
    // Notifications sent while no session listened are lost: poll now to pick up what they announced.
    this.wake(true);
  }

  // ------------------------------------------------------------------ helpers

  /** Ends the current sleep. `force` also ends a backoff sleep (the database is reachable again). */
  private wake(force: boolean): void {
    this.pending = true;
    if (this.sleeper !== undefined && (this.sleeper.wakeable || force)) this.sleeper.wake();
  }

  private sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeper = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleeper = { wake, wakeable };
    });
  }

  private emit(event: PostgresSourceEvent): void {
    if (this.onEvent === undefined) return;
    try {
      this.onEvent(event);
    } catch {
      // Deliberately ignored: an observer must not stop synchronisation.
    }
  }
}

// How long the connections the source opens itself may take to connect. Without a bound, an address
// that accepts TCP but never answers (a load balancer without a healthy backend) holds the first
// load, and stop(), forever, and nothing is reported.
const CONNECT_TIMEOUT = 10_000;

// Idle time before the first TCP keepalive probe on the connections the source opens itself (the
// OS default is 2 h), so a server that vanished without a reset is noticed between queries too.
const KEEPALIVE_DELAY = 10_000;

// While a caller waits for a revision (requestRevision), polls come this often at most, for this long.
const WANTED_PAUSE = 50;
const WANTED_FOR = 30_000;

/**
 * Creates a {@link PostgresSource}.
 *
 * @example
 * const source = createPostgresSource({ storeId, connectionString: process.env.DATABASE_URL });
 * const authorizer = createAuthorizer({ source });
 * @throws {GatehouseError} `validation_error` for a bad store id, schema or option.
 * @see docs/integrations/postgres.md
 */
export function createPostgresSource(options: PostgresSourceOptions): PostgresSource {
  return new PostgresSource(options);
}

/**
 * Folds changelog rows (every row of the revisions in `(from, to]`, in order) into one change set
 * holding their net effect: the last operation on a tuple wins, and the last model.
 */
function fold(from: Revision, to: Revision, rows: readonly ChangelogRow[]): ChangeSet {
  const ops = new Map<string, { readonly write: boolean; readonly tuple: TupleKey }>();
  let model: { model: AuthorizationModel; modelId: string } | undefined;
  for (const r of rows) {
    if (r.op === 'model') {
      model = { model: withId(r.model, r.modelId!), modelId: r.modelId! };
      continue;
    }
    const tuple = fromColumns(r.objectType!, r.objectId!, r.relation!, r.subject!, r.conditionName, r.conditionContext);
    ops.set(tupleKeyId(tuple), { write: r.op === 'write', tuple });
  }
  const writes: TupleKey[] = [];
  const deletes: TupleKeyWithoutCondition[] = [];
  for (const { write, tuple } of ops.values()) {
    if (write) writes.push(tuple);
    else deletes.push({ user: tuple.user, relation: tuple.relation, object: tuple.object });
  }
  return { from, to, writes, deletes, ...(model ?? {}) };
}

/**
 * Drops the socket of a client that is connecting or waiting for an answer. `client.end()` would
 * send a goodbye and wait for the server to close the socket (or, with a query in flight, depends
 * on driver internals), and a server that never answers does not do that. The client then fails
 * its pending query with "Connection terminated unexpectedly".
 */
function dropSocket(client: pg.ClientBase): void {
  const stream = (client as unknown as { connection?: { stream?: { destroy?: () => void } } }).connection?.stream;
  stream?.destroy?.();
}

function stoppedError(): GatehouseError {
  return new GatehouseError('source_unavailable', 'stopped');
}

function storeNotFound(storeId: string): GatehouseError {
  return new GatehouseError('store_id_not_found', `store ${storeId} not found`);
}

function report(sink: SnapshotSink, error: GatehouseError): void {
  try {
    sink.error(error);
  } catch {
    // Deliberately ignored: a broken error handler must not stop synchronisation.
  }
}

function heartbeat(sink: SnapshotSink, revision: Revision): void {
  if (sink.heartbeat === undefined) return;
  try {
    sink.heartbeat(revision);
  } catch {
    // Deliberately ignored, as for errors.
  }
}

function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new GatehouseError('validation_error', `${name}: expected a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

function positiveMs(value: number, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new GatehouseError('validation_error', `${name}: expected a positive number of ms, got ${JSON.stringify(value)}`);
  }
  return value;
}
