import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A lock whose lease ran out while its holder still worked (the holder stalled longer than the
 * lease, e.g. a frozen process or a Redis failover): another process may hold the lock now, so
 * the work under it must stop before it writes.
 */
export class LockLeaseLostError extends Error {
  override readonly name = 'LockLeaseLostError';
  constructor(readonly lockName: string) {
    super(`the lease of lock ${lockName} ran out while it was held; the work under it was stopped`);
  }
}

// The leases of the locks the current async call chain holds (nested locks add theirs).
const held = new AsyncLocalStorage<readonly AbortSignal[]>();

/**
 * Runs `fn` as the holder of a lock whose lease is `lease`: the signal aborts (with a
 * {@link LockLeaseLostError}) when the lease is lost. Writes that must happen only under the lock
 * call {@link assertLeasesHeld} first.
 */
export function runUnderLease<T>(lease: AbortSignal, fn: (lease: AbortSignal) => Promise<T>): Promise<T> {
  return held.run([...(held.getStore() ?? []), lease], () => fn(lease));
}

/**
 * Throws the {@link LockLeaseLostError} of any lock this call chain holds whose lease was lost;
 * a no-op outside locks and for locks that cannot lose a lease (the SQLite store's in-process ones).
 * The atomic quota and job-ending writes call it just before they commit.
 */
export function assertLeasesHeld(): void {
  for (const lease of held.getStore() ?? []) lease.throwIfAborted();
}
