import type Keyv from 'keyv';

/** One record of an atomic `kv.setMany` write; `ttl` in milliseconds (absent: kept until deleted). */
export interface StoreEntry {
  key: string;
  value: unknown;
  ttl?: number;
}

/** What else a {@link Store.commit} does with its records. */
export interface CommitOptions {
  /**
   * Set members added with the records (an index entry of the record written). Redis: in the same
   * atomic step; SQLite: in the same transaction. Memory (tests, the demo): before the records are
   * written, so a failure leaves at worst an index entry without its record (which readers of the
   * index skip and recovery mends), never a record its index misses.
   */
  addToSets?: ReadonlyArray<readonly [key: string, member: string]>;
  /**
   * Records deleted with the write, fenced as its records are (Redis: in the same script, after
   * the lock checks; SQLite: in the same transaction; memory: after the records).
   */
  remove?: readonly string[];
  /**
   * The lease (one of `held`) whose lock the commit lets go of once written, when the write is the
   * last thing done under it: on Redis the lock is deleted in the same script, which spares the
   * release's own round trip; any later write with that lease is refused. In-process locks are let
   * go of when `withLock`'s function returns, as always.
   */
  release?: AbortSignal;
}

/**
 * The one place durable state lives. Repositories (jobs, quota, settings) build on it and
 * never reach for the backend directly, so the same code runs on SQLite and on Redis.
 */
export interface Store {
  readonly kind: 'sqlite' | 'redis' | 'memory';
  /**
   * Key-value access; repositories prefix their keys (`job:…`, `quota:…`). `kv.setMany` writes
   * all its entries or none (one SQLite transaction, one Redis MULTI).
   */
  readonly kv: Keyv;
  /**
   * Runs `fn` while holding the lock called `name`, exclusive across every process that shares
   * this store. Reservations of quota and claims of jobs depend on it for atomicity. With `read`
   * (keys, as `kv` names them), `fn` gets their values as read under the lock, in that order
   * (undefined for a missing or expired record); on Redis the lock is taken and the keys read in
   * one round trip. A wrapper that drops `read` hands `fn` no values: `fn` then reads them itself.
   *
   * Redis: waits at most 60 s for a busy lock (then LockTimeoutError); the lease (15 s, renewed
   * every 5 s) lost while `fn` runs rejects with LockLeaseLostError and aborts `lease`. SQLite: an
   * in-process lock, no wait limit, a lease that never aborts. Either throws ClosingError once the
   * store is closing.
   */
  withLock<T>(name: string, fn: (lease: AbortSignal, read?: ReadonlyArray<unknown>) => Promise<T>, read?: readonly string[]): Promise<T>;
  /**
   * Writes every entry or none, and only while each lock whose lease is in `held` (as `withLock`
   * handed them; outer locks included) is still the caller's.
   *
   * SQLite and memory: one transaction, after checking the leases (in-process locks never lose
   * theirs). Redis: one script that checks each lock's owner token on the server and writes in the
   * same atomic step, so a holder whose lease ran out (a frozen process, a failover) never
   * overwrites what the lock's next holder wrote: server-side fencing, not only the local check.
   *
   * @throws LockLeaseLostError (nothing written) when a lease was lost or its lock is another
   *   holder's; Error when the backend refused the write; ClosingError once the store is closing.
   */
  commit(entries: readonly StoreEntry[], held: readonly AbortSignal[], options?: CommitOptions): Promise<void>;
  /** Adds a member to a set (an index such as "jobs not yet final"). */
  addToSet(key: string, member: string): Promise<void>;
  removeFromSet(key: string, member: string): Promise<void>;
  setMembers(key: string): Promise<string[]>;
  /** True when the backend answers. */
  ping(): Promise<boolean>;
  /** Waits for writes in flight, then closes the connection. */
  close(): Promise<void>;
}
