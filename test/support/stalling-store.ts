import type { Store } from '../../src/store/types.js';

// The key-value calls the repositories make; the iterator (listing keys) is left alone.
const KV_CALLS = new Set(['get', 'getMany', 'set', 'setMany', 'delete', 'deleteMany', 'has', 'clear']);

/**
 * The store as a bot sees it when its backend misbehaves (a Redis failover, a SQLite checkpoint on
 * a slow disk):
 * - `stallFor(ms)`: every call until then waits for the stall to end, then goes through;
 * - `failFor(ms)`: until `heal()`, every lock and set call waits `ms`, then fails (a failover
 *   that ends in an error); key-value calls go through;
 * - `failNextLock(prefix)`: the next lock whose name starts with `prefix` fails at once (a blip).
 */
export function stallingStore(inner: Store) {
  let until = 0;
  let failMs = 0;
  let blipPrefix: string | undefined;
  let blipsLeft = 0;
  let hold: { prefix: string; released: Promise<void> } | undefined;
  const wait = async () => {
    const left = until - Date.now();
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
    if (failMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, failMs));
      throw new Error('store unavailable (test)');
    }
  };
  const waitForKv = async () => {
    const left = until - Date.now();
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  };
  const kv = new Proxy(inner.kv, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      const call = (value as (...args: unknown[]) => unknown).bind(target);
      if (typeof prop !== 'string' || !KV_CALLS.has(prop)) return call;
      return async (...args: unknown[]) => (await waitForKv(), call(...args));
    },
  });
  const store: Store = {
    kind: inner.kind,
    kv,
    withLock: async (name, fn, read) => {
      if (blipPrefix !== undefined && name.startsWith(blipPrefix)) {
        blipsLeft -= 1;
        if (blipsLeft <= 0) blipPrefix = undefined;
        throw new Error('store blip (test)');
      }
      if (hold !== undefined && name.startsWith(hold.prefix)) {
        const { released } = hold;
        hold = undefined;
        await released;
      }
      await wait();
      return inner.withLock(name, fn, read);
    },
    // A commit that adds set members (a new job's index entry) fails like addToSet does.
    commit: async (entries, held, options) => (
      await (options?.addToSets?.length ? wait() : waitForKv()),
      inner.commit(entries, held, options)
    ),
    addToSet: async (key, member) => (await wait(), inner.addToSet(key, member)),
    removeFromSet: async (key, member) => (await wait(), inner.removeFromSet(key, member)),
    setMembers: async (key) => (await wait(), inner.setMembers(key)),
    ping: async () => (await waitForKv(), inner.ping()),
    close: () => inner.close(),
  };
  return {
    store,
    /** Every store call from now until `ms` from now waits for the stall to end. */
    stallFor(ms: number) {
      until = Date.now() + ms;
    },
    /** Lock and set calls from now on wait `ms`, then fail, until {@link heal}. */
    failFor(ms: number) {
      failMs = ms;
    },
    /** The next lock whose name starts with `prefix` waits until the function returned is called. */
    holdNextLock(prefix: string): () => void {
      // One hold at a time: a second would silently drop the first one's release.
      if (hold !== undefined) throw new Error(`a lock starting with ${hold.prefix} is already held (test)`);
      let release = () => undefined as void;
      hold = { prefix, released: new Promise<void>((resolve) => (release = resolve)) };
      return release;
    },
    heal() {
      failMs = 0;
    },
    /** The next lock (or the next `times` locks) whose name starts with `prefix` fails at once. */
    failNextLock(prefix: string, times = 1) {
      blipPrefix = times > 0 ? prefix : undefined;
      blipsLeft = times;
    },
  };
}
