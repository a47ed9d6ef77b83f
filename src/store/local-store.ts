import Keyv, { type KeyvOptions } from 'keyv';
import { KeyedMutex } from './keyed-mutex.js';
import { assertLeasesHeld } from './lock-lease.js';
import type { CommitOptions, Store, StoreEntry } from './types.js';
import { createWriteTracker, TrackedKeyv } from './write-tracker.js';
import { decodeRecord, encodeRecord } from './serialize.js';
import { ClosingError } from '../closing-error.js';

const NEVER_LOST: AbortSignal = new AbortController().signal;

/**
 * The backend's rows, reached past keyv where that saves the bot work (SQLite: sets are one row
 * per member; records locked writers read and write are keyv's rows, read and written directly).
 */
export interface SetRows {
  setMembers(key: string): string[];
  /** Resolves once the member is durably added (SQLite: once the turn's transaction committed). */
  addToSet(key: string, member: string): Promise<void>;
  removeFromSet(key: string, member: string): Promise<void>;
  /** keyv's stored text of each row (keys as stored, namespace included); undefined when missing. */
  readRows(keys: readonly string[]): Array<string | undefined>;
  /** Adds the set members, writes the rows and deletes the rows `removed` names in one transaction; resolves once durable. */
  writeRows(
    rows: ReadonlyArray<{ key: string; value: string }>,
    members: ReadonlyArray<readonly [key: string, member: string]>,
    removed?: readonly string[],
  ): Promise<void>;
}

/**
 * A store for one process: locks are in memory; sets are read once and then kept in memory,
 * written one member at a time to `setRows` (SQLite), or as a JSON array under their key.
 * Used with SQLite (durable) and with a Map (tests and the demo).
 */
export function createLocalStore(
  kind: 'sqlite' | 'memory',
  kvOptions: KeyvOptions,
  onClose: () => Promise<void>,
  setRows?: SetRows,
): Store {
  const mutex = new KeyedMutex();
  const writes = createWriteTracker();
  const kv: Keyv = new TrackedKeyv(writes, kvOptions);
  kv.on('error', () => undefined);
  let closed = false;
  const track = <T>(promise: Promise<T>): Promise<T> => writes.track(promise);
  // keyv's key for a record (its namespace, then ':'), for rows reached past keyv.
  const namespace = kvOptions.namespace;
  const rowKey = (key: string) => (namespace ? `${namespace}:${key}` : key);

  // Only this process uses the store, so a set read once stays true; it is written on change only.
  const loaded = new Map<string, Set<string>>();
  /** The set as memory has it now (SQLite: read at once, in this tick, when not kept yet). */
  const loadRows = (rows: SetRows, key: string): Set<string> => {
    let members = loaded.get(key);
    if (!members) {
      members = new Set(rows.setMembers(key));
      loaded.set(key, members);
    }
    return members;
  };
  const loadSet = async (key: string) => {
    if (setRows) return loadRows(setRows, key);
    let members = loaded.get(key);
    if (!members) {
      members = new Set((await kv.get<string[]>(key)) ?? []);
      loaded.set(key, members);
    }
    return members;
  };
  // A set read while a turn's transaction is open sees that turn's rows before they are committed
  // (SQLite reads on the writing connection). When the turn is rolled back instead, every writer of
  // it is told (the adapter rejects them all), and what memory holds of any set may include rows
  // that never reached the file: it is dropped and read again from the file when next needed.
  // (Accepted: a change skipped because such a read already lists the member reports success although
  // the turn then rolls back; the write that added the member is told it failed, and its caller
  // answers for both.)
  const forgetSetsOnFailure = (err: unknown): never => {
    loaded.clear();
    throw err;
  };
  // With one row per member (SQLite) only changes of the same member need to wait for each other,
  // so writes to different members share one commit (see SqliteAdapter); a set kept as one JSON
  // array is rewritten whole, so its changes go one at a time.
  const updateSet = (key: string, member: string, add: boolean) =>
    mutex.run(setRows ? `set:${key}\u0000${member}` : `set:${key}`, async () => {
      if (setRows) {
        // Checked and written in one tick; memory follows the store only once the write succeeded,
        // in the set memory holds then (a failure elsewhere may have made it read the file again).
        if (loadRows(setRows, key).has(member) === add) return;
        await (add ? setRows.addToSet(key, member) : setRows.removeFromSet(key, member)).catch(forgetSetsOnFailure);
        const now = loaded.get(key);
        if (add) now?.add(member);
        else now?.delete(member);
        return;
      }
      const members = await loadSet(key);
      if (members.has(member) === add) return;
      // Memory follows the store only once the write succeeded.
      const next = new Set(members);
      if (add) next.add(member);
      else next.delete(member);
      await kv.set(key, [...next]);
      if (add) members.add(member);
      else members.delete(member);
    });

  return {
    kind,
    kv,
    withLock: (name, fn, read) => {
      if (closed) return Promise.reject(new ClosingError('store is closed'));
      // One process owns the file: its locks cannot lose a lease. Keys to read are read in one
      // statement (SQLite) once the lock is held.
      // A record that is not keyv's JSON throws here, as `kv.get` would: the holder fails and lets go.
      return track(
        mutex.run(`lock:${name}`, async () => {
          if (!read) return fn(NEVER_LOST);
          return fn(NEVER_LOST, setRows ? setRows.readRows(read.map(rowKey)).map(decodeRecord) : await kv.getMany(read.slice()));
        }),
      );
    },
    commit: async (entries: readonly StoreEntry[], held: readonly AbortSignal[], options: CommitOptions = {}) => {
      const sets = options.addToSets ?? [];
      const removed = options.remove ?? [];
      if (entries.length === 0 && sets.length === 0 && removed.length === 0) return;
      assertLeasesHeld(held);
      if (setRows) {
        // One transaction for the records and their index entries, past keyv (its setMany costs a
        // promise and a copy per record: a tenth of a /video's work before its acknowledgement).
        const rows = entries.map((e) => ({ key: rowKey(e.key), value: encodeRecord(e.value, e.ttl) }));
        // A member this process knows is in its set (it owns the file) is not written again.
        const added = sets.filter(([key, member]) => loaded.get(key)?.has(member) !== true);
        await track(setRows.writeRows(rows, added, removed.map(rowKey))).catch(forgetSetsOnFailure);
        // Memory follows the store only once the write succeeded (a set not read yet is read whole
        // later). Members are added here without the per-member lock `updateSet` takes: callers add
        // index entries of records written for the first time (a new job, a guild's listing, which
        // nothing removes), never members another write may be removing in the same turn.
        for (const [key, member] of sets) loaded.get(key)?.add(member);
        return;
      }
      // The index entries land (durably) before the records they index.
      await Promise.all(sets.map(([key, member]) => updateSet(key, member, true)));
      if (entries.length === 0 && removed.length === 0) return;
      assertLeasesHeld(held);
      if (entries.length > 0) {
        const results: unknown = await kv.setMany(entries.slice());
        if (Array.isArray(results) && results.some((ok) => ok === false)) {
          throw new Error(`store write failed: ${entries.map((e) => e.key).join(', ')}`);
        }
      }
      if (removed.length > 0) await kv.deleteMany(removed.slice());
    },
    addToSet: (key, member) => updateSet(key, member, true),
    removeFromSet: (key, member) => updateSet(key, member, false),
    // SQLite: read from memory (or the file) in this tick, without the lock a set kept as one JSON
    // array needs while it is read (changes of SQLite's sets lock single members only).
    setMembers: (key) =>
      setRows
        ? // A failed read (a closed file) rejects, as the locked read did.
          new Promise<string[]>((resolve) => resolve([...loadRows(setRows, key)]))
        : mutex.run(`set:${key}`, async () => [...(await loadSet(key))]),
    ping: async () => {
      if (closed) return false;
      try {
        await kv.get('__ping__');
        return true;
      } catch {
        return false;
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await mutex.drain();
      await writes.drain();
      await onClose();
    },
  };
}
