import type { Store } from '../../src/store/types.js';

// The key-value calls the repositories make; the iterator (listing keys) is left alone.
const KV_CALLS = new Set(['get', 'getMany', 'set', 'setMany', 'delete', 'deleteMany', 'has', 'clear']);

/**
 * The store as a bot sees it when its backend stalls (a Redis failover, a SQLite checkpoint on a
 * slow disk): from `stallFor(ms)` on, every call waits until the stall is over, then goes through.
 * Calls made after it are not delayed.
 */
export function stallingStore(inner: Store) {
  let until = 0;
  const wait = async () => {
    const left = until - Date.now();
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  };
  const kv = new Proxy(inner.kv, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      const call = (value as (...args: unknown[]) => unknown).bind(target);
      if (typeof prop !== 'string' || !KV_CALLS.has(prop)) return call;
      return async (...args: unknown[]) => (await wait(), call(...args));
    },
  });
  const store: Store = {
    kind: inner.kind,
    kv,
    withLock: async (name, fn) => (await wait(), inner.withLock(name, fn)),
    addToSet: async (key, member) => (await wait(), inner.addToSet(key, member)),
    removeFromSet: async (key, member) => (await wait(), inner.removeFromSet(key, member)),
    setMembers: async (key) => (await wait(), inner.setMembers(key)),
    ping: async () => (await wait(), inner.ping()),
    close: () => inner.close(),
  };
  return {
    store,
    /** Every store call from now until `ms` from now waits for the stall to end. */
    stallFor(ms: number) {
      until = Date.now() + ms;
    },
  };
}
