import type Keyv from 'keyv';

/** One record of an atomic `kv.setMany` write; `ttl` in milliseconds (absent: kept until deleted). */
export interface StoreEntry {
  key: string;
  value: unknown;
  ttl?: number;
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
   * this store. Reservations of quota and claims of jobs depend on it for atomicity.
   *
   * Redis: waits at most 60 s for a busy lock (then LockTimeoutError); the lease (15 s, renewed
   * every 5 s) lost while `fn` runs rejects with LockLeaseLostError and aborts `lease`. SQLite: an
   * in-process lock, no wait limit, a lease that never aborts. Either throws ClosingError once the
   * store is closing.
   */
  withLock<T>(name: string, fn: (lease: AbortSignal) => Promise<T>): Promise<T>;
  /** Adds a member to a set (an index such as "jobs not yet final"). */
  addToSet(key: string, member: string): Promise<void>;
  removeFromSet(key: string, member: string): Promise<void>;
  setMembers(key: string): Promise<string[]>;
  /** True when the backend answers. */
  ping(): Promise<boolean>;
  /** Waits for writes in flight, then closes the connection. */
  close(): Promise<void>;
}
