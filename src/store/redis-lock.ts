import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockLeaseLostError, trackLeaseExpiry, trackLeaseFence } from './lock-lease.js';
import { redisScript, type ScriptClient } from './redis-scripts.js';

/** The commands the locks need; any node-redis client (whatever its RESP options) has them. */
export interface LockClient extends ScriptClient {
  set(key: string, value: string, options: { condition: 'NX'; expiration: { type: 'PX'; value: number } }): Promise<unknown>;
}

// Both scripts act only while the caller still owns the lock, so a holder whose lease ran out
// can neither extend nor delete the lock a newer holder took.
const RELEASE = redisScript(`if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`);
const RENEW = redisScript(`if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`);
// Takes the lock (KEYS[1]) as SET NX PX does and, only when it was taken, reads KEYS[2..] in the
// same atomic step: the values the holder sees are those under its lock. Busy: nil. (MGET's
// missing keys are false in Lua, so the array keeps its length.)
const ACQUIRE_READING = redisScript(
  `if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return redis.call('mget', unpack(KEYS, 2)) end return false`,
);

/** Lease and patience of the Redis locks. */
export interface RedisLockOptions {
  /** Lease of a lock; renewed every third of it while its holder runs. */
  ttlMs: number;
  /** How long `withLock` waits for a busy lock before giving up with {@link LockTimeoutError}. */
  maxWaitMs: number;
  /** Told when a renewal found the lock gone (the holder stalled for longer than the lease). */
  onLeaseLost?: (name: string) => void;
}

/** A lock stayed busy for longer than the configured wait. */
export class LockTimeoutError extends Error {
  constructor(readonly lockName: string) {
    super(`lock ${lockName} stayed busy`);
    this.name = 'LockTimeoutError';
  }
}

/**
 * Locks shared by every process on one Redis: `SET NX PX` with an owner token, a lease renewed
 * while the holder runs (so a slow critical section keeps its lock), and a Lua release that only
 * deletes the owner's own lock. The lease only matters when a holder dies or freezes: its lock
 * then frees itself after at most `ttlMs`.
 *
 * A holder that finds its lease gone at a renewal is stopped, not only logged: `withLock` rejects
 * at once with {@link LockLeaseLostError}, `fn`'s `lease` signal aborts, and the atomic writes made
 * under the lock ({@link assertLeasesHeld}) refuse to commit, so two holders never both write.
 */
export function createRedisLocks(client: LockClient, options: RedisLockOptions) {
  // Owner tokens: one random UUID for this set of locks and a counter, unique across processes as
  // a UUID per lock would be, without drawing (and formatting) one on every lock of a burst.
  const ownerPrefix = `${randomUUID()}:`;
  let taken = 0;
  const renewEveryMs = Math.max(10, Math.floor(options.ttlMs / 3));

  /** Takes the lock: undefined when it stayed busy past the wait; else the raw values of `read` (null: missing). */
  const acquire = async (
    key: string,
    owner: string,
    read: readonly string[] | undefined,
    tookAt: (sentAt: number) => void,
  ): Promise<ReadonlyArray<string | null> | undefined> => {
    const deadline = Date.now() + options.maxWaitMs;
    for (let attempt = 0; ; attempt += 1) {
      const sentAt = performance.now();
      if (read && read.length > 0) {
        const values = await ACQUIRE_READING.run(client, [key, ...read], [owner, String(options.ttlMs)]);
        if (Array.isArray(values)) {
          tookAt(sentAt);
          return values.map((v: unknown) => (typeof v === 'string' ? v : null));
        }
      } else if ((await client.set(key, owner, { condition: 'NX', expiration: { type: 'PX', value: options.ttlMs } })) === 'OK') {
        tookAt(sentAt);
        return [];
      }
      if (Date.now() >= deadline) return undefined;
      // Short, jittered waits: critical sections are a few store round trips long.
      await sleep(Math.min(5 + attempt * 2, 50) * (0.5 + Math.random()));
    }
  };

  return {
    /**
     * Runs `fn` holding the lock `name`. Waits at most `maxWaitMs` for it. With `read` (Redis keys),
     * the lock is taken and those keys read in one atomic step (one script, one round trip), and
     * `fn` gets their raw values in the same order (null for a missing key).
     * @throws LockTimeoutError when the lock stayed busy; LockLeaseLostError when its lease was lost
     *   while `fn` ran (`fn`'s own result is then dropped).
     */
    async withLock<T>(
      name: string,
      fn: (lease: AbortSignal, values: ReadonlyArray<string | null>) => Promise<T>,
      read?: readonly string[],
    ): Promise<T> {
      const key = `hvb:lock:${name}`;
      const owner = `${ownerPrefix}${(taken += 1).toString(36)}`;
      // The lease counts from before the request that took (or renewed) it: never later than Redis' own clock.
      let confirmedAt = performance.now();
      let released = false;
      const values = await acquire(key, owner, read, (sentAt) => (confirmedAt = sentAt));
      if (!values) throw new LockTimeoutError(name);
      const lease = new AbortController();
      // The atomic writes made under the lock check on the server that it is still this holder's
      // (and the last of them may let go of it: see CommitOptions.release).
      const fence = { lockName: name, key, owner, released: false };
      trackLeaseFence(lease.signal, fence);
      // Writes stop a little before Redis would let the lock go, so a frozen holder that wakes up
      // after its lease ran out never writes, even before a renewal tells it so.
      const margin = Math.min(1_000, Math.floor(options.ttlMs / 5));
      trackLeaseExpiry(lease.signal, name, () => (released || fence.released ? -Infinity : confirmedAt + options.ttlMs - margin));
      // The holder's outcome: `fn`'s, or the lease's loss, whichever comes first. The renewal
      // rejects it directly rather than through an abort listener and a Promise.race: a burst of
      // /video takes 200 locks at once, and EventTarget's listeners were a measurable part of its
      // CPU (issue 15).
      let lose: ((reason: LockLeaseLostError) => void) | undefined;
      const renewal = setInterval(() => {
        const sentAt = performance.now();
        RENEW.run(client, [key], [owner, String(options.ttlMs)])
          .then((renewed) => {
            if (renewed !== 0) confirmedAt = Math.max(confirmedAt, sentAt);
            // A lock its last commit let go of is gone by design, not lost.
            if (renewed !== 0 || lease.signal.aborted || fence.released) return;
            options.onLeaseLost?.(name);
            const lostError = new LockLeaseLostError(name);
            lease.abort(lostError);
            lose?.(lostError);
          })
          .catch(() => undefined);
      }, renewEveryMs);
      renewal.unref();
      let work: Promise<T>;
      try {
        work = fn(lease.signal, values);
      } catch (err) {
        // A function that throws before its first await is a failed holder too: the lock is let go of below.
        work = Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      try {
        return await new Promise<T>((resolve, reject) => {
          lose = reject;
          work.then(resolve, reject);
        });
      } finally {
        // A lease kept past its lock (by mistake) fences nothing: writes with it are refused.
        released = true;
        lose = undefined;
        clearInterval(renewal);
        // Whatever `fn` does after its lease was lost ends unobserved; its writes were refused
        // (the `then` above already observes a rejection of `work`).
        if (!fence.released) await RELEASE.run(client, [key], [owner]).catch(() => undefined);
      }
    },
  };
}
