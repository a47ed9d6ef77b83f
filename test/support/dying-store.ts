import type { Store, StoreEntry } from '../../src/store/types.js';

/** Thrown by every write once the "process" died. */
export class ProcessDied extends Error {
  override readonly name = 'ProcessDied';
}

type Write = { op: 'set' | 'setMany' | 'delete' | 'set-add' | 'set-remove'; entries: StoreEntry[] };

/**
 * The store as a process that dies at a chosen write sees it: from the write `diesAt` picks
 * (that write included) on, nothing more reaches the store (every write throws ProcessDied),
 * as if the process had been SIGKILLed just before it. Reads keep working, so the code under test
 * runs on to its next write. `killNow()` dies at once. Restart = open the store again.
 */
export function dyingStore(inner: Store, diesAt: (write: Write) => boolean = () => false) {
  let dead = false;
  const check = (write: Write) => {
    if (!dead && diesAt(write)) dead = true;
    if (dead) throw new ProcessDied(`died before ${write.op} ${write.entries.map((e) => e.key).join(', ')}`);
  };
  const kv = new Proxy(inner.kv, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (prop === 'set')
        return async (key: string, v: unknown, ttl?: number) => (
          check({ op: 'set', entries: [{ key, value: v }] }),
          target.set(key, v, ttl)
        );
      if (prop === 'setMany') return async (entries: StoreEntry[]) => (check({ op: 'setMany', entries }), target.setMany(entries));
      if (prop === 'delete')
        return async (key: string) => (check({ op: 'delete', entries: [{ key, value: undefined }] }), target.delete(key));
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const store: Store = {
    kind: inner.kind,
    kv,
    withLock: (name, fn, read) => inner.withLock(name, fn, read),
    commit: async (entries, held, options) => {
      // The index entries a commit adds land with its records (one Redis script, one SQLite transaction).
      const added = (options?.addToSets ?? []).map(([key, member]) => ({ key, value: member }));
      if (added.length > 0) check({ op: 'set-add', entries: added });
      if (entries.length > 0 || (options?.remove ?? []).length === 0) check({ op: 'setMany', entries: [...entries] });
      // Removals land in the same atomic step: a crash test can name them as it names a delete.
      const removed = (options?.remove ?? []).map((key) => ({ key, value: undefined }));
      if (removed.length > 0) check({ op: 'delete', entries: removed });
      return inner.commit(entries, held, options);
    },
    addToSet: async (key, member) => (check({ op: 'set-add', entries: [{ key, value: member }] }), inner.addToSet(key, member)),
    removeFromSet: async (key, member) => (
      check({ op: 'set-remove', entries: [{ key, value: member }] }),
      inner.removeFromSet(key, member)
    ),
    setMembers: (key) => inner.setMembers(key),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
  return {
    store,
    get dead() {
      return dead;
    },
    killNow() {
      dead = true;
    },
  };
}

/** True when `write` stores a job record in state `state`. */
export const writesJobIn = (write: Write, state: string): boolean =>
  write.entries.some((e) => e.key.startsWith('job:') && (e.value as { state?: unknown } | undefined)?.state === state);
