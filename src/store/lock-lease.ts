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

// When each Redis lease runs out unless its renewal lands (ms on the monotonic performance.now()
// clock, which a stepped system clock cannot move), as its lock last confirmed it.
const expiries = new WeakMap<AbortSignal, { lockName: string; expiresAt: () => number }>();

/**
 * Tells {@link assertLeasesHeld} when `lease` runs out unless renewed: `expiresAt()` in ms of
 * `performance.now()`, from the last acquisition or renewal the lock server confirmed (and
 * `-Infinity` once the lock was released). A holder whose process froze
 * past it (a GC pause, a suspended VM) learns of the loss only when a renewal answer arrives, which
 * can come after its next write; the time alone says so before it writes.
 */
export function trackLeaseExpiry(lease: AbortSignal, lockName: string, expiresAt: () => number): void {
  expiries.set(lease, { lockName, expiresAt });
}

/**
 * Throws the {@link LockLeaseLostError} of any of `held` (the leases of the locks the caller
 * holds, as `withLock` hands them to its function) that was lost, or that is past the time it runs
 * out unless renewed (see {@link trackLeaseExpiry}); a no-op for locks that cannot lose a lease
 * (the SQLite store's in-process ones). The atomic quota, line and job-ending writes
 * call it just before they commit.
 *
 * The leases are passed by hand, not found through an AsyncLocalStorage: on Node 20 and 22 one
 * AsyncLocalStorage in use turns on promise hooks for every promise of the process, which cost
 * the Redis store's hot path about a tenth of its CPU (issue 15's profiles).
 */
export function assertLeasesHeld(held: readonly AbortSignal[]): void {
  for (const lease of held) {
    lease.throwIfAborted();
    const expiry = expiries.get(lease);
    if (expiry && performance.now() >= expiry.expiresAt()) throw new LockLeaseLostError(expiry.lockName);
  }
}

/** The lock a Redis lease belongs to, as the server knows it: its key and its holder's owner token. */
export interface LeaseFence {
  lockName: string;
  key: string;
  owner: string;
  /** Set by a commit that deleted the lock as its last step: the holder has nothing to release. */
  released: boolean;
}

const fences = new WeakMap<AbortSignal, LeaseFence>();

/**
 * Tells the Redis store's atomic write ({@link leaseFence}) which lock `lease` is the lease of, so
 * that write checks on the server, in the same step, that the lock is still this holder's.
 */
export function trackLeaseFence(lease: AbortSignal, fence: LeaseFence): void {
  fences.set(lease, fence);
}

/** The lock `lease` belongs to on Redis (see {@link trackLeaseFence}); undefined for in-process locks. */
export function leaseFence(lease: AbortSignal): LeaseFence | undefined {
  return fences.get(lease);
}
