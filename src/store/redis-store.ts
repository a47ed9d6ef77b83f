import Keyv from 'keyv';
import KeyvRedis, { createClient } from '@keyv/redis';
import type { Logger } from '../log.js';
import { createRedisLocks, lockKey } from './redis-lock.js';
import { decodeRecord, deserialize, encodeRecord, serialize } from './serialize.js';
import type { CommitOptions, Store, StoreEntry } from './types.js';
import { assertLeasesHeld, leaseFence, LockLeaseLostError, markSpeculative, SpeculationMissed } from './lock-lease.js';
import { redisScript } from './redis-scripts.js';
import { createWriteTracker, TrackedKeyv } from './write-tracker.js';
import { ClosingError } from '../closing-error.js';
import { redisClientOptions } from './redis-options.js';

/** Tuning of the Redis store; the defaults suit production. */
export interface RedisStoreOptions {
  /** Lock lease (default 15 s), renewed while held; see {@link createRedisLocks}. */
  lockTtlMs?: number;
  /** Longest wait for a busy lock (default 60 s). */
  lockMaxWaitMs?: number;
  logger?: Logger;
}

// keyv's layout on Redis (with the adapter's namespace `hvb` and its `::` separator): what `kv`
// reads and writes, byte for byte, so records written by either path read back through the other.
const KEY_PREFIX = 'hvb::';
const redisKey = (key: string) => `${KEY_PREFIX}${key}`;

// KEYS: n locks, s sets, w records, then the records to delete. ARGV: n, s, r, w, the n locks'
// owner tokens, the s members, then a value and a ttl ('' for none) per record written. Checks
// that each lock still holds the caller's token; then adds each member to its set, sets each
// record (PX when it has a ttl), deletes the records to delete, and deletes lock r when r > 0.
// Returns 0 when done, or the index of the first lock that is not the caller's any more (nothing
// written).
const COMMIT = redisScript(`local n = tonumber(ARGV[1])
local s = tonumber(ARGV[2])
local r = tonumber(ARGV[3])
local w = tonumber(ARGV[4])
for i = 1, n do
  if redis.call('get', KEYS[i]) ~= ARGV[4 + i] then return i end
end
local a = 5 + n
for i = n + 1, n + s do
  redis.call('sadd', KEYS[i], ARGV[a])
  a = a + 1
end
for i = n + s + 1, n + s + w do
  if ARGV[a + 1] == '' then redis.call('set', KEYS[i], ARGV[a]) else redis.call('set', KEYS[i], ARGV[a], 'PX', ARGV[a + 1]) end
  a = a + 2
end
for i = n + s + w + 1, #KEYS do
  redis.call('del', KEYS[i])
end
if r > 0 then redis.call('del', KEYS[r]) end
return 0`);

// A speculative commit (see `Store.withLock`'s `speculate`). KEYS: the lock, m keys read, s sets,
// w records, then the records to delete. ARGV: the owner token, the lease (ms), m, s, w, the m
// guessed values ('0' for missing, '1' and the value), the s members, then a value and a ttl (''
// for none) per record written. Takes the lock as SET NX PX does (busy: returns 1); reads the m
// keys, and when one is not its guess returns their values (missing: false, nil to the client),
// keeping the lock for the caller as ACQUIRE_READING does; else adds each member to its set, sets
// each record (PX when it has a ttl), deletes the records to delete, deletes the lock, returns 0.
const SPECULATIVE_COMMIT = redisScript(`if not redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
local m = tonumber(ARGV[3])
local s = tonumber(ARGV[4])
local w = tonumber(ARGV[5])
if m > 0 then
  local current = redis.call('mget', unpack(KEYS, 2, 1 + m))
  for i = 1, m do
    local guess = ARGV[5 + i]
    local same
    if guess == '0' then same = current[i] == false else same = current[i] == string.sub(guess, 2) end
    if not same then return current end
  end
end
local a = 6 + m
for i = 2 + m, 1 + m + s do
  redis.call('sadd', KEYS[i], ARGV[a])
  a = a + 1
end
for i = 2 + m + s, 1 + m + s + w do
  if ARGV[a + 1] == '' then redis.call('set', KEYS[i], ARGV[a]) else redis.call('set', KEYS[i], ARGV[a], 'PX', ARGV[a + 1]) end
  a = a + 2
end
for i = 2 + m + s + w, #KEYS do
  redis.call('del', KEYS[i])
end
redis.call('del', KEYS[1])
return 0`);

/**
 * How many records' last known values a Redis store keeps for speculative runs (the keys read by
 * `withLock` with `speculate`: a guild's in-flight, policy and usage records); the oldest known
 * goes first. A record not kept is guessed missing, which costs only a run on the values read.
 */
export const KNOWN_RECORDS_MAX = 10_000;

/** A speculative run of a `withLock` function, as its one commit and `withLock` see it. */
interface Speculation {
  lockName: string;
  owner: string;
  /** Redis keys of `read`, and the raw values guessed for them (null: missing). */
  keys: string[];
  guessed: Array<string | null>;
  state: 'running' | 'committing' | 'committed' | 'missed' | 'taken' | 'failed';
  /** The commit's script while it runs. */
  pending?: Promise<unknown>;
  /** When the script found a wrong guess: it took the lock (request sent at `sentAt`) and read these. */
  taken?: { sentAt: number; values: Array<string | null> };
}

/**
 * The shared store: keyv on Redis for records, Redis itself for what keyv cannot make atomic
 * across processes (locks with an owner token and a renewed lease, native sets).
 */
export async function openRedisStore(url: string, options: RedisStoreOptions = {}): Promise<Store> {
  const client = createClient(redisClientOptions(url));
  client.on('error', (err: unknown) => options.logger?.warn({ err }, 'redis connection error'));
  await client.connect();
  const writes = createWriteTracker();
  const lockTtlMs = options.lockTtlMs ?? 15_000;
  const adapter = new KeyvRedis(client, { namespace: 'hvb', throwOnErrors: true });
  const kv: Keyv = new TrackedKeyv(writes, {
    store: adapter,
    namespace: 'hvb',
    useKeyPrefix: false,
    throwOnErrors: true,
    serialize,
    deserialize,
  });
  kv.on('error', () => undefined);
  const locks = createRedisLocks(client, {
    ttlMs: lockTtlMs,
    maxWaitMs: options.lockMaxWaitMs ?? 60_000,
    onLeaseLost: (name) =>
      options.logger?.error({ lock: name }, 'a lock lease ran out while held; the holder stalled longer than the lease'),
  });
  const setKey = (key: string) => `hvb:set:${key}`;
  // Raw values (null: missing) of the records read by speculating locks, as this process last read
  // or wrote them; oldest first (a Map keeps insertion order).
  const known = new Map<string, string | null>();
  const remember = (key: string, raw: string | null) => {
    known.delete(key);
    known.set(key, raw);
    if (known.size > KNOWN_RECORDS_MAX) known.delete(known.keys().next().value as string);
  };
  const rememberWritten = (key: string, raw: string | null) => {
    if (known.has(key)) remember(key, raw);
  };
  const speculations = new WeakMap<AbortSignal, Speculation>();
  let closed = false;
  const open = () => {
    if (closed) throw new ClosingError('store is closed');
  };

  type Outcome<T> =
    { kind: 'done'; value: T } | { kind: 'taken'; owner: string; sentAt: number; values: Array<string | null> } | { kind: 'again' };

  /**
   * Runs `fn` on the values known for `keys` (see `Store.withLock`'s `speculate`): 'done' when its
   * commit took effect in the speculative script (its result is `fn`'s), 'taken' when the script
   * found a wrong guess and took the lock for the caller, 'again' for anything else (nothing written).
   * @throws what `fn` throws after its commit took effect, or the commit's own failure (the lock
   *   the script may have taken is let go of).
   */
  const runSpeculation = async <T>(
    lockName: string,
    keys: string[],
    fn: (lease: AbortSignal, read?: ReadonlyArray<unknown>) => Promise<T>,
  ): Promise<Outcome<T>> => {
    const guessed = keys.map((key) => known.get(key) ?? null);
    // Known from here on as guessed, so the commit's writes keep them up to date.
    keys.forEach((key, i) => remember(key, guessed[i] ?? null));
    const spec: Speculation = { lockName, owner: locks.newOwner(), keys, guessed, state: 'running' };
    const run = new AbortController();
    speculations.set(run.signal, spec);
    markSpeculative(run.signal, lockName);
    let outcome: Outcome<T> = { kind: 'again' };
    try {
      const value = await fn(run.signal, guessed.map(decodeRecord));
      // A commit `fn` did not wait for is waited for here: it decides what happened.
      await spec.pending?.catch(() => undefined);
      if (spec.state === 'committed') outcome = { kind: 'done', value };
    } catch (err) {
      await spec.pending?.catch(() => undefined);
      if (spec.state === 'committed') throw err;
      if (spec.state === 'failed') {
        // The script may have taken the lock before its answer was lost.
        await locks.release(lockName, spec.owner).catch(() => undefined);
        throw err;
      }
    } finally {
      // Any later write with this run's lease is refused.
      run.abort(new SpeculationMissed(lockName));
    }
    if (outcome.kind === 'done') return outcome;
    if (spec.state === 'taken' && spec.taken) return { kind: 'taken', owner: spec.owner, ...spec.taken };
    return outcome;
  };

  /** The commit of a speculative run (`lease`): one script, or SpeculationMissed. */
  const commitSpeculation = async (
    lease: AbortSignal,
    held: readonly AbortSignal[],
    entries: readonly StoreEntry[],
    options: CommitOptions,
  ): Promise<void> => {
    const spec = speculations.get(lease);
    if (!spec) throw new Error('not a speculative lease');
    // Only one commit, with this lease alone, that lets go of it, can be made in one step.
    if (spec.state !== 'running' || held.length !== 1 || options.release !== lease || lease.aborted) {
      if (spec.state === 'running') spec.state = 'missed';
      throw new SpeculationMissed(spec.lockName);
    }
    spec.state = 'committing';
    const sets = options.addToSets ?? [];
    const removed = options.remove ?? [];
    const encoded = entries.map((e) => encodeRecord(e.value, e.ttl));
    const keys = [
      lockKey(spec.lockName),
      ...spec.keys,
      ...sets.map(([key]) => setKey(key)),
      ...entries.map((e) => redisKey(e.key)),
      ...removed.map(redisKey),
    ];
    const args = [spec.owner, String(lockTtlMs), String(spec.keys.length), String(sets.length), String(entries.length)];
    args.push(...spec.guessed.map((raw) => (raw === null ? '0' : `1${raw}`)), ...sets.map(([, member]) => member));
    entries.forEach((e, i) => {
      const ttl = typeof e.ttl === 'number' && e.ttl > 0 ? e.ttl : undefined;
      args.push(encoded[i] ?? '', ttl === undefined ? '' : String(Math.ceil(ttl)));
    });
    const sentAt = performance.now();
    const pending = writes.track(SPECULATIVE_COMMIT.run(client, keys, args));
    spec.pending = pending;
    let answer: unknown;
    try {
      answer = await pending;
    } catch (err) {
      spec.state = 'failed';
      throw err;
    }
    if (answer === 0) {
      spec.state = 'committed';
      entries.forEach((e, i) => rememberWritten(redisKey(e.key), encoded[i] ?? null));
      for (const key of removed) rememberWritten(redisKey(key), null);
      return;
    }
    if (Array.isArray(answer)) {
      spec.state = 'taken';
      spec.taken = { sentAt, values: answer.map((v: unknown) => (typeof v === 'string' ? v : null)) };
    } else {
      spec.state = 'missed';
    }
    throw new SpeculationMissed(spec.lockName);
  };

  return {
    kind: 'redis',
    kv,
    withLock: async (name, fn, read, lockOptions) => {
      open();
      if (!read) return writes.track(locks.withLock(name, (lease) => fn(lease)));
      const keys = read.map(redisKey);
      const speculate = lockOptions?.speculate === true && keys.length > 0;
      const holder = async (lease: AbortSignal, raw: ReadonlyArray<string | null>) => {
        if (speculate) keys.forEach((key, i) => remember(key, raw[i] ?? null));
        // A record that is not keyv's JSON throws here, as `kv.get` would: the holder fails and lets go.
        return fn(lease, raw.map(decodeRecord));
      };
      if (speculate) {
        const outcome = await writes.track(runSpeculation(name, keys, fn));
        if (outcome.kind === 'done') return outcome.value;
        if (outcome.kind === 'taken') return writes.track(locks.withTakenLock(name, outcome.owner, outcome.sentAt, outcome.values, holder));
      }
      return writes.track(locks.withLock(name, holder, keys));
    },
    commit: async (entries: readonly StoreEntry[], held: readonly AbortSignal[], options: CommitOptions = {}) => {
      open();
      const sets = options.addToSets ?? [];
      const removed = options.remove ?? [];
      const speculative = held.find((lease) => speculations.has(lease));
      if (speculative) return commitSpeculation(speculative, held, entries, options);
      if (entries.length === 0 && sets.length === 0 && removed.length === 0) return;
      assertLeasesHeld(held);
      const fences = held.flatMap((lease) => leaseFence(lease) ?? []);
      const released = options.release ? leaseFence(options.release) : undefined;
      const keys = [
        ...fences.map((f) => f.key),
        ...sets.map(([key]) => setKey(key)),
        ...entries.map((e) => redisKey(e.key)),
        ...removed.map(redisKey),
      ];
      const args = [
        String(fences.length),
        String(sets.length),
        String(released ? fences.indexOf(released) + 1 : 0),
        String(entries.length),
      ];
      args.push(...fences.map((f) => f.owner), ...sets.map(([, member]) => member));
      for (const e of entries) {
        const ttl = typeof e.ttl === 'number' && e.ttl > 0 ? e.ttl : undefined;
        args.push(encodeRecord(e.value, e.ttl), ttl === undefined ? '' : String(Math.ceil(ttl)));
      }
      const lost = await writes.track(COMMIT.run(client, keys, args));
      const fence = typeof lost === 'number' && lost > 0 ? fences[lost - 1] : undefined;
      if (fence) throw new LockLeaseLostError(fence.lockName);
      if (released && fences.includes(released)) released.released = true;
      for (let i = 0; i < entries.length; i += 1)
        rememberWritten(keys[fences.length + sets.length + i] ?? '', args[4 + fences.length + sets.length + 2 * i] ?? null);
      for (const key of removed) rememberWritten(redisKey(key), null);
    },
    addToSet: async (key, member) => {
      open();
      await writes.track(client.sAdd(setKey(key), member));
    },
    removeFromSet: async (key, member) => {
      open();
      await writes.track(client.sRem(setKey(key), member));
    },
    setMembers: (key) => client.sMembers(setKey(key)),
    ping: async () => {
      try {
        return (await client.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await writes.drain();
      await client.quit().catch(() => undefined);
    },
  };
}
