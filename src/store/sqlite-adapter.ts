import { EventEmitter } from 'node:events';
// Node's own, not the global: a test's fake timers must not hold commits back.
import { clearTimeout as cancelLater, setImmediate as afterThisTurn, setTimeout as later } from 'node:timers';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';

type Row = { value: string } | undefined;

/** Where the file is and how long a statement waits for a lock another connection holds. */
export interface SqliteAdapterOptions {
  /** A file path, or `:memory:`. */
  path: string;
  /** Table of the key-value rows (default `kv`, the table @keyv/sqlite used: files written by it still open). */
  table?: string;
  /** Milliseconds a statement waits for another connection's lock (default 10 s). */
  busyTimeoutMs?: number;
  /**
   * Longest time, in ms, a group commit stays open while one turn of the event loop goes on
   * (default {@link GROUP_COMMIT_WINDOW_MS}); see {@link SqliteAdapter}.
   */
  groupCommitWindowMs?: number;
  /** How long writes must pause before the WAL is checkpointed (ms; default {@link CHECKPOINT_QUIET_MS}). */
  checkpointQuietMs?: number;
  /** Longest time a written WAL waits for its checkpoint while writes go on (ms; default {@link CHECKPOINT_MAX_DELAY_MS}). */
  checkpointMaxDelayMs?: number;
}

/**
 * A group commit's window: the first write opens it, and the write that finds it open this long
 * commits the group at once instead of waiting for the turn's end. A burst of interactions read
 * from the gateway in one long turn (issue 15's bench: 200 `/video` in about 55 ms) then commits
 * about every millisecond: a few dozen WAL appends of 150–200 µs instead of one, and the first
 * members' deferrals leave while the rest of the burst is still being read instead of all
 * together after it (the bench's ack p99 against the floor: 1.25× against 1.57× with a 4 ms
 * window, 10 rounds each). 1 ms against 4 ms, 6 interleaved rounds of ours each: p99 lower in
 * all 6 pairs (median 144 against 158 ms), burst CPU 206 against 233 ms; 0 ms (a commit per
 * write) was worse than both (p99 182 against 141 ms).
 */
export const GROUP_COMMIT_WINDOW_MS = 1;

/**
 * The WAL is copied back into the database file (a checkpoint) once writes have paused this long
 * (ms). SQLite's own automatic checkpoint runs inside the commit that brings the log to 1,000
 * pages, on the thread that commits: a burst of 200 `/video` (about a thousand pages) met one or
 * two, each a synchronous copy and fsync of up to 11 ms while members wait for their
 * acknowledgements, and half the time the burst's commits took (a loop of 1,000 group commits of
 * 12 rows of 1.5 kB, on the bench's disk: 114 ms with it, 57 ms without, longest commit 11 ms
 * against 0.2 ms). See SQLite's "wal.html#ckpt" and better-sqlite3's docs/performance.md
 * (checkpoints are the application's to schedule).
 */
export const CHECKPOINT_QUIET_MS = 250;

/**
 * Writes that never pause (a steady stream of status polls) still get a checkpoint this long (ms)
 * after the first write since the last one: the WAL holds at most a few seconds of writes (a burst
 * longer than this meets a checkpoint too), and `journal_size_limit` cuts a log that grew past it
 * in a burst back to that size once checkpointed.
 */
export const CHECKPOINT_MAX_DELAY_MS = 5_000;

/** The size a WAL file is cut back to once checkpointed (bytes): SQLite's `journal_size_limit`. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * The keyv storage adapter of the SQLite store, on better-sqlite3: statements run synchronously
 * on the calling thread, so a read or a commit costs microseconds instead of a trip through
 * libuv's thread pool, and a burst of requests no longer queues behind the pool.
 *
 * Rows are `(key TEXT PRIMARY KEY, value TEXT)` holding keyv's serialised `{value, expires}`, the
 * layout of @keyv/sqlite, so a file written by earlier versions reads back unchanged. `setMany`
 * and `deleteMany` run in one transaction: a crash or a failing disk leaves all or none.
 * The file is opened in WAL mode with `synchronous=NORMAL`: a commit is one append to the log,
 * and a crash keeps every transaction whole (the last ones may roll back).
 *
 * **Writes of one turn of the event loop share one commit** (group commit). The first write opens
 * a transaction; every write made before the loop's next check phase (`setImmediate`) joins it;
 * then it commits, and only then do the writers' promises resolve. A long turn does not hold its
 * writers that long: the first write made once the group has been open for the window
 * (`groupCommitWindowMs`, default {@link GROUP_COMMIT_WINDOW_MS}) commits the group with it, and
 * the turn's next write opens another. A write is therefore durable
 * when its promise resolves, as before, but a burst (200 `/video` at once, each writing its job,
 * reservation and indexes) commits a few times instead of a thousand: a commit costs a WAL append
 * (150–200 µs on the bench's disk), a statement inside an open transaction a few µs. Reads on this
 * connection see the open transaction's writes. A failed statement or commit rolls the open group
 * back (the whole turn, or what it wrote since the window last closed), and every writer of that
 * group is told its write failed (rejected), so nothing is reported written that is not. Callers
 * that read-modify-write under a lock (quota, jobs) hold it until their write's promise resolves,
 * i.e. until the commit: no one acts on a write that may roll back.
 *
 * **Checkpoints wait for a pause in writes** ({@link CHECKPOINT_QUIET_MS}; at the latest
 * {@link CHECKPOINT_MAX_DELAY_MS} after the first write since the last one), instead of running
 * inside whichever commit brings the log to 1,000 pages, in the middle of a burst. A checkpoint
 * is PASSIVE: it copies what it can without waiting for other connections. Closing the file
 * checkpoints what is left (SQLite does it for the last connection).
 */
export class SqliteAdapter extends EventEmitter {
  /** keyv sets this to its namespace; `clear()` only removes that namespace's rows. */
  namespace?: string;
  readonly opts: { table: string; dialect: 'sqlite'; url: string };
  readonly db: Database.Database;
  private readonly select: Database.Statement<[string], Row>;
  private readonly upsert: Database.Statement<[string, string]>;
  private readonly remove: Database.Statement<[string]>;
  private readonly upsertAll: (entries: ReadonlyArray<{ key: string; value: string }>) => void;
  private readonly removeAll: (keys: readonly string[]) => number;
  private readonly members: Database.Statement<[string], { member: string }>;
  private readonly addMember: Database.Statement<[string, string]>;
  private readonly removeMember: Database.Statement<[string, string]>;
  private readonly adopt: (key: string) => string[];
  private readonly begin: Database.Statement<[]>;
  private readonly commitStatement: Database.Statement<[]>;
  private readonly windowMs: number;
  private readonly checkpointQuietMs: number;
  private readonly checkpointMaxDelayMs: number;
  /** A file (not `:memory:`): the only kind with a WAL to checkpoint. */
  private readonly onDisk: boolean;
  /** When the last commit landed, and when the first commit since the last checkpoint did (`performance.now()`, ms). */
  private lastCommitAt = 0;
  private uncheckpointedSince: number | undefined;
  private checkpointTimer: ReturnType<typeof later> | undefined;
  /** When the open transaction's first write was made (`performance.now()`, ms). */
  private openedAt = 0;
  /** The writers of the transaction open in this turn of the event loop; undefined when none is open. */
  private turn: Array<{ resolve: () => void; reject: (err: unknown) => void }> | undefined;

  constructor(options: SqliteAdapterOptions) {
    super();
    const table = options.table ?? 'kv';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) throw new Error(`invalid SQLite table name: ${table}`);
    this.opts = { table, dialect: 'sqlite', url: `sqlite://${options.path}` };
    this.windowMs = options.groupCommitWindowMs ?? GROUP_COMMIT_WINDOW_MS;
    this.checkpointQuietMs = options.checkpointQuietMs ?? CHECKPOINT_QUIET_MS;
    this.checkpointMaxDelayMs = options.checkpointMaxDelayMs ?? CHECKPOINT_MAX_DELAY_MS;
    this.db = new Database(options.path, { timeout: options.busyTimeoutMs ?? 10_000 });
    this.onDisk = options.path !== ':memory:' && options.path !== '';
    if (this.onDisk) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      // Checkpoints are scheduled here (see checkpointSoon), never inside a commit.
      this.db.pragma('wal_autocheckpoint = 0');
      this.db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    }
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${table} (key VARCHAR(255) PRIMARY KEY, value TEXT)`);
    this.select = this.db.prepare<[string], Row>(`SELECT value FROM ${table} WHERE key = ?`);
    this.upsert = this.db.prepare(`INSERT INTO ${table} (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`);
    this.remove = this.db.prepare(`DELETE FROM ${table} WHERE key = ?`);
    const upsert = this.upsert;
    const remove = this.remove;
    this.upsertAll = this.db.transaction((entries: ReadonlyArray<{ key: string; value: string }>) => {
      for (const { key, value } of entries) upsert.run(key, value);
    });
    this.removeAll = this.db.transaction((keys: readonly string[]) => keys.reduce((n, key) => n + remove.run(key).changes, 0));

    // Sets (the index of jobs in flight) are one row per member: adding or removing one is one
    // small statement, whatever the size of the set.
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS ${table}_sets (key TEXT NOT NULL, member TEXT NOT NULL, PRIMARY KEY (key, member)) WITHOUT ROWID`,
    );
    this.members = this.db.prepare<[string], { member: string }>(`SELECT member FROM ${table}_sets WHERE key = ?`);
    this.addMember = this.db.prepare(`INSERT OR IGNORE INTO ${table}_sets (key, member) VALUES (?, ?)`);
    this.removeMember = this.db.prepare(`DELETE FROM ${table}_sets WHERE key = ? AND member = ?`);
    this.begin = this.db.prepare('BEGIN IMMEDIATE');
    this.commitStatement = this.db.prepare('COMMIT');
    const members = this.members;
    const addMember = this.addMember;
    // Earlier versions kept a set as one JSON array under its key; it moves to rows on first use.
    this.adopt = this.db.transaction((key: string) => {
      const kvKey = this.namespace ? `${this.namespace}:${key}` : key;
      const old = this.select.get(kvKey)?.value;
      if (old !== undefined) {
        const parsed = JSON.parse(old) as { value?: unknown };
        if (Array.isArray(parsed.value)) for (const member of parsed.value) if (typeof member === 'string') addMember.run(key, member);
        remove.run(kvKey);
      }
      return members.all(key).map((row) => row.member);
    });
  }

  /**
   * Runs `statement` inside this turn's transaction (opening it if none is) and resolves with its
   * result once the transaction committed: at the turn's end, or now when the transaction has been
   * open for the group commit's window. Rejects, rolling back the turn, when the statement or the
   * commit fails.
   */
  private write<T>(statement: () => T): Promise<T> {
    if (!this.turn) {
      this.begin.run();
      this.turn = [];
      this.openedAt = performance.now();
      afterThisTurn(() => this.commit());
    }
    const writers = this.turn;
    let result: T;
    try {
      result = statement();
    } catch (err) {
      this.rollback(err);
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const committed = new Promise<T>((resolve, reject) => writers.push({ resolve: () => resolve(result), reject }));
    // A turn still going on after the window: this group commits now (the turn's check phase
    // then commits whatever the rest of the turn wrote).
    if (performance.now() - this.openedAt >= this.windowMs) this.commit();
    return committed;
  }

  /** Commits the open group's transaction and tells its writers; a failed commit is a failed write for each. */
  private commit(): void {
    const writers = this.turn;
    if (!writers) return;
    this.turn = undefined;
    try {
      if (this.db.inTransaction) this.commitStatement.run();
    } catch (err) {
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // SQLite may have rolled back on its own (a full disk, an I/O error).
      }
      // Every writer of the group is told, whatever the rollback did: none is left waiting.
      for (const writer of writers) writer.reject(err);
      return;
    }
    this.checkpointSoon();
    for (const writer of writers) writer.resolve();
  }

  /** Notes a commit, and schedules the WAL's checkpoint for the next pause in writes (see {@link CHECKPOINT_QUIET_MS}). */
  private checkpointSoon(): void {
    if (!this.onDisk) return;
    this.lastCommitAt = performance.now();
    this.uncheckpointedSince ??= this.lastCommitAt;
    if (!this.checkpointTimer) this.lookAgainIn(Math.min(this.checkpointQuietMs, this.checkpointMaxDelayMs));
  }

  /** Runs {@link checkpointWhenQuiet} in `ms` (at least 1 ms), on a timer that does not hold the process open. */
  private lookAgainIn(ms: number): void {
    this.checkpointTimer = later(() => this.checkpointWhenQuiet(), Math.max(1, ms)).unref();
  }

  /** Checkpoints now when writes paused (or the log waited long enough); otherwise looks again once they may have. */
  private checkpointWhenQuiet(): void {
    this.checkpointTimer = undefined;
    if (!this.db.open || this.uncheckpointedSince === undefined) return;
    const now = performance.now();
    const quietFor = now - this.lastCommitAt;
    const waitedFor = now - this.uncheckpointedSince;
    if (this.turn || (quietFor < this.checkpointQuietMs && waitedFor < this.checkpointMaxDelayMs)) {
      this.lookAgainIn(this.turn ? 1 : Math.min(this.checkpointQuietMs - quietFor, this.checkpointMaxDelayMs - waitedFor));
      return;
    }
    this.uncheckpointedSince = undefined;
    let copiedAll = false;
    try {
      // One row: busy, frames in the log, frames copied into the file.
      const [result] = this.db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
      copiedAll = result !== undefined && result.checkpointed >= result.log;
    } catch (err) {
      // Nothing is lost: the log keeps every commit. Told as 'checkpointError' (open-store logs it).
      this.emit('checkpointError', err);
    }
    // A reader of another connection still on older frames (a backup), or a failure: tried again
    // after the quiet time, so the log stops growing soon after the reader is done.
    if (!copiedAll) {
      this.uncheckpointedSince = performance.now();
      this.lookAgainIn(this.checkpointQuietMs);
    }
  }

  /** Rolls the open group's transaction back; every writer of the group is told its write failed. */
  private rollback(err: unknown): void {
    const writers = this.turn ?? [];
    this.turn = undefined;
    try {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    } catch {
      // SQLite may have rolled back on its own (a full disk, an I/O error).
    }
    for (const writer of writers) writer.reject(err);
  }

  /** Members of the set `key`. */
  setMembers(key: string): string[] {
    return this.adopt(key);
  }

  /** Adds `member` to the set `key` (one row; adding it twice keeps one); resolves once committed. */
  addToSet(key: string, member: string): Promise<void> {
    return this.write(() => void this.addMember.run(key, member));
  }

  /** Removes `member` from the set `key`; resolves once committed. */
  removeFromSet(key: string, member: string): Promise<void> {
    return this.write(() => void this.removeMember.run(key, member));
  }

  /**
   * The stored text of each row `keys` names (keys as stored, namespace included), in order;
   * undefined for a missing row. Synchronous: one indexed select per key on this thread, seeing
   * this turn's uncommitted writes.
   */
  readRows(keys: readonly string[]): Array<string | undefined> {
    return keys.map((key) => this.select.get(key)?.value);
  }

  /**
   * Adds `members` to their sets, writes `rows` (keys as stored, values as keyv's text) and deletes
   * the rows `removed` names in this turn's transaction: all of them or none. Resolves once
   * committed; rejects, with nothing written, when a statement or the commit failed. The store's
   * commit for records written under a lock (quota, jobs): one call instead of keyv's `setMany`
   * and one per set member.
   */
  writeRows(
    rows: ReadonlyArray<{ key: string; value: string }>,
    members: ReadonlyArray<readonly [key: string, member: string]>,
    removed: readonly string[] = [],
  ): Promise<void> {
    return this.write(() => {
      for (const [key, member] of members) this.addMember.run(key, member);
      for (const { key, value } of rows) this.upsert.run(key, value);
      for (const key of removed) this.remove.run(key);
    });
  }

  async get(key: string): Promise<string | undefined> {
    return this.select.get(key)?.value;
  }

  async getMany(keys: string[]): Promise<Array<string | undefined>> {
    return keys.map((key) => this.select.get(key)?.value);
  }

  async has(key: string): Promise<boolean> {
    return this.select.get(key) !== undefined;
  }

  async set(key: string, value: unknown): Promise<boolean> {
    await this.write(() => this.upsert.run(key, text(value)));
    return true;
  }

  /** Every entry at once (a savepoint inside the turn's transaction); the last value of a key listed twice wins. */
  async setMany(entries: Array<{ key: string; value: unknown }>): Promise<boolean[]> {
    const rows = entries.map(({ key, value }) => ({ key, value: text(value) }));
    await this.write(() => this.upsertAll(rows));
    return entries.map(() => true);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.write(() => this.remove.run(key))).changes > 0;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    return (await this.write(() => this.removeAll(keys))) > 0;
  }

  async clear(): Promise<void> {
    const like = this.namespace ? `${this.namespace}:%` : '%';
    await this.write(() => this.db.prepare(`DELETE FROM ${this.opts.table} WHERE key LIKE ?`).run(like));
  }

  /**
   * Every `[key, value]` of `namespace` (all rows without one): keyv builds `kv.iterator` from this,
   * which `npm run report` uses to list ledger lines. Rows are read up front (`all()`), because keyv
   * deletes expired entries while iterating and better-sqlite3 refuses writes during an open read.
   */
  async *iterator(namespace?: string): AsyncGenerator<[string, string], void> {
    const rows = this.db
      .prepare<[string], { key: string; value: string }>(`SELECT key, value FROM ${this.opts.table} WHERE key LIKE ?`)
      .all(namespace ? `${namespace}:%` : '%');
    for (const row of rows) yield [row.key, row.value];
  }

  /** Commits what this turn wrote, then closes the file. */
  async disconnect(): Promise<void> {
    if (!this.db.open) return;
    this.commit();
    if (this.checkpointTimer) cancelLater(this.checkpointTimer);
    this.checkpointTimer = undefined;
    this.db.close();
  }
}

// keyv hands adapters its serialised string; anything else is stored as JSON.
const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));
