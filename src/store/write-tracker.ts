import Keyv, { type KeyvEntry, type KeyvOptions } from 'keyv';

/** Remembers promises that write to the backend, so closing can wait for them. */
export interface WriteTracker {
  track<T>(promise: Promise<T>): Promise<T>;
  /** Resolves once every write tracked so far has settled (failed ones included). */
  drain(): Promise<void>;
}

/** Creates an empty {@link WriteTracker}. */
export function createWriteTracker(): WriteTracker {
  const inFlight = new Set<Promise<unknown>>();
  return {
    track(promise) {
      inFlight.add(promise);
      void promise.finally(() => inFlight.delete(promise)).catch(() => undefined);
      return promise;
    },
    async drain() {
      // A write that settles may have started another (a lock body); loop until none is left.
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

/**
 * Keyv whose writes are tracked. Repositories write through `store.kv` directly, so this is the
 * one place where `close()` can learn about a `set` that is still on its way to the backend.
 */
export class TrackedKeyv extends Keyv {
  constructor(
    private readonly writes: WriteTracker,
    options: KeyvOptions,
  ) {
    super(options);
  }

  override set<Value = unknown>(key: string, value: Value, ttl?: number): Promise<boolean> {
    return this.writes.track(super.set(key, value, ttl));
  }

  override setMany<Value = unknown>(entries: KeyvEntry[]): Promise<boolean[]> {
    return this.writes.track(super.setMany<Value>(entries));
  }

  override delete(key: string | string[]): Promise<boolean> {
    return this.writes.track(super.delete(key));
  }

  override deleteMany(keys: string[]): Promise<boolean> {
    return this.writes.track(super.deleteMany(keys));
  }

  override clear(): Promise<void> {
    return this.writes.track(super.clear());
  }
}
