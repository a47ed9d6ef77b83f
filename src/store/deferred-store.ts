import Keyv from 'keyv';
import { ClosingError } from '../closing-error.js';
import type { Store } from './types.js';

/**
 * Keyv's methods that return a promise, which `kv` can answer before the store is open (a call
 * waits for the opening). Its others (listeners, `iterator`, key helpers) answer synchronously.
 */
const ASYNC_KEYV_METHODS: ReadonlySet<string> = new Set(
  ['get', 'getMany', 'getRaw', 'getManyRaw', 'set', 'setMany', 'delete', 'deleteMany', 'clear', 'has', 'hasMany', 'disconnect'].filter(
    (name) => typeof Reflect.get(Keyv.prototype, name) === 'function',
  ),
);

/** A {@link Store} whose backend is opened later, by {@link DeferredStore.open} or its first use. */
export interface DeferredStore extends Store {
  /**
   * Starts opening the backend (once; later calls return the same promise) and resolves when it
   * is open. Rejects with what opening threw, or ClosingError when the store was closed first.
   */
  open(): Promise<void>;
}

/**
 * A store that is usable at once and opens its backend (`openBackend`) when told to, or when
 * first used: every call made before then waits for the opening and goes on as if the store had
 * been open all along (a failed opening rejects it with the opening's error). Once open, calls go
 * straight to the backend.
 *
 * Why: opening the Redis store loads node-redis and builds its client class, about 150 ms of the
 * main thread; bot.ts opens it once Discord's gateway answered (issue 15's cold start: process
 * start → IDENTIFY), while Discord sends the guilds. Before then only a metrics scrape
 * (METRICS_PORT) could use it, which opens it early; `ping()` (the health check's) does not: it
 * answers false until the opening began, then waits for it.
 *
 * `kv` is the backend's Keyv once open. Before, it answers Keyv's methods that return a promise
 * ({@link ASYNC_KEYV_METHODS}); `then` and symbols read as absent; reading any other property
 * throws, since its value is not known yet.
 * `close()` before any opening closes nothing and makes a later opening reject with ClosingError;
 * during one, it returns at once and the backend is closed once open, right after the calls that
 * were waiting for it have started (a write among them lands; one that needs more than one step,
 * such as a lock and then a commit, may meet the closed store and fail with ClosingError: the
 * bot's stop has already given interactions in progress its drain time).
 */
export function deferStore(kind: Store['kind'], openBackend: () => Promise<Store>): DeferredStore {
  let backend: Store | undefined;
  let opening: Promise<Store> | undefined;
  let closed = false;
  const open = (): Promise<Store> =>
    (opening ??= closed ? Promise.reject(new ClosingError('the store is closing')) : openBackend().then((opened) => (backend = opened)));
  const kv = new Proxy(Object.create(null) as Keyv, {
    get(_target, property) {
      if (backend) {
        const value: unknown = Reflect.get(backend.kv, property);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(backend.kv) : value;
      }
      // Symbols (util.inspect's, Symbol.toStringTag) and `then` (Keyv is no promise: a caller
      // that returns kv from an async function must not find one) read as absent.
      if (typeof property === 'symbol' || property === 'then') return undefined;
      if (!ASYNC_KEYV_METHODS.has(property)) {
        throw new Error(`store.kv.${property} is not known before the store is open`);
      }
      return async (...args: unknown[]) => {
        const opened = await open();
        return Reflect.apply(Reflect.get(opened.kv, property) as (...a: unknown[]) => unknown, opened.kv, args);
      };
    },
  });
  return {
    kind,
    kv,
    open: async () => {
      await open();
    },
    withLock: (name, fn, read) => (backend ? backend.withLock(name, fn, read) : open().then((s) => s.withLock(name, fn, read))),
    commit: (entries, held, options) =>
      backend ? backend.commit(entries, held, options) : open().then((s) => s.commit(entries, held, options)),
    addToSet: (key, member) => (backend ? backend.addToSet(key, member) : open().then((s) => s.addToSet(key, member))),
    removeFromSet: (key, member) => (backend ? backend.removeFromSet(key, member) : open().then((s) => s.removeFromSet(key, member))),
    setMembers: (key) => (backend ? backend.setMembers(key) : open().then((s) => s.setMembers(key))),
    // A health check's ping does not start the opening (false until it began); during it, it waits.
    ping: async () => (backend ? backend.ping() : opening ? opening.then((s) => s.ping()) : false),
    async close() {
      closed = true;
      if (backend) return backend.close();
      // Still opening (a Redis that stopped answering after the start-up check may keep it so for
      // ever): the stop does not wait for it; whatever opens is closed then.
      void opening?.then((opened) => opened.close()).catch(() => undefined);
    },
  };
}
