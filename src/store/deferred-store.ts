import Keyv from 'keyv';
import { deferOpening } from '../deferred-opening.js';
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
 * `close()` is `DeferredOpening.close`'s (src/deferred-opening.ts): during an opening it returns at once, and a call
 * that was waiting and needs more than one step (a lock, then a commit) may meet the closed store
 * and fail with ClosingError (the bot's stop has already given interactions in progress its drain
 * time).
 */
export function deferStore(kind: Store['kind'], openBackend: () => Promise<Store>): DeferredStore {
  const backend = deferOpening('the store', openBackend);
  /** `call` on the open backend, at once when it is open, else once it is. */
  const via = <R>(call: (store: Store) => Promise<R>): Promise<R> => (backend.current ? call(backend.current) : backend.open().then(call));
  // Bound once per method: kv is read on every record access of the /video path.
  const bound = new Map<PropertyKey, unknown>();
  const kv = new Proxy(Object.create(null) as Keyv, {
    get(_target, property) {
      const opened = backend.current;
      if (opened) {
        const value: unknown = Reflect.get(opened.kv, property);
        if (typeof value !== 'function') return value;
        if (!bound.has(property)) bound.set(property, (value as (...args: unknown[]) => unknown).bind(opened.kv));
        return bound.get(property);
      }
      // Symbols (util.inspect's, Symbol.toStringTag) and `then` (Keyv is no promise: a caller
      // that returns kv from an async function must not find one) read as absent.
      if (typeof property === 'symbol' || property === 'then') return undefined;
      if (!ASYNC_KEYV_METHODS.has(property)) {
        throw new Error(`store.kv.${property} is not known before the store is open`);
      }
      return (...args: unknown[]) =>
        via(async (store) => Reflect.apply(Reflect.get(store.kv, property) as (...a: unknown[]) => unknown, store.kv, args));
    },
  });
  return {
    kind,
    // The backend's own Keyv once open; callers that kept `kv` from before go through the proxy.
    get kv() {
      return backend.current?.kv ?? kv;
    },
    open: async () => {
      await backend.open();
    },
    withLock: (name, fn, read) => via((store) => store.withLock(name, fn, read)),
    commit: (entries, held, options) => via((store) => store.commit(entries, held, options)),
    addToSet: (key, member) => via((store) => store.addToSet(key, member)),
    removeFromSet: (key, member) => via((store) => store.removeFromSet(key, member)),
    setMembers: (key) => via((store) => store.setMembers(key)),
    // A health check's ping does not start the opening (false until it began); during it, it waits.
    ping: async () => (backend.current || backend.started ? via((store) => store.ping()) : false),
    close: () => backend.close(),
  };
}
