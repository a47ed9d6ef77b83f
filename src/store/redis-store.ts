import Keyv from 'keyv';
import KeyvRedis, { createClient } from '@keyv/redis';
import type { Logger } from '../log.js';
import { createRedisLocks } from './redis-lock.js';
import { decodeRecord, deserialize, encodeRecord, serialize } from './serialize.js';
import type { CommitOptions, Store, StoreEntry } from './types.js';
import { assertLeasesHeld, leaseFence, LockLeaseLostError } from './lock-lease.js';
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

/**
 * The shared store: keyv on Redis for records, Redis itself for what keyv cannot make atomic
 * across processes (locks with an owner token and a renewed lease, native sets).
 */
export async function openRedisStore(url: string, options: RedisStoreOptions = {}): Promise<Store> {
  const client = createClient(redisClientOptions(url));
  client.on('error', (err: unknown) => options.logger?.warn({ err }, 'redis connection error'));
  await client.connect();
  const writes = createWriteTracker();
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
    ttlMs: options.lockTtlMs ?? 15_000,
    maxWaitMs: options.lockMaxWaitMs ?? 60_000,
    onLeaseLost: (name) =>
      options.logger?.error({ lock: name }, 'a lock lease ran out while held; the holder stalled longer than the lease'),
  });
  const setKey = (key: string) => `hvb:set:${key}`;
  let closed = false;
  const open = () => {
    if (closed) throw new ClosingError('store is closed');
  };

  return {
    kind: 'redis',
    kv,
    withLock: async (name, fn, read) => {
      open();
      if (!read) return writes.track(locks.withLock(name, (lease) => fn(lease)));
      // A record that is not keyv's JSON throws here, as `kv.get` would: the holder fails and lets go.
      return writes.track(locks.withLock(name, async (lease, raw) => fn(lease, raw.map(decodeRecord)), read.map(redisKey)));
    },
    commit: async (entries: readonly StoreEntry[], held: readonly AbortSignal[], options: CommitOptions = {}) => {
      open();
      const sets = options.addToSets ?? [];
      const removed = options.remove ?? [];
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
        // A ttl already past (negative) reads as expired, as keyv's; Redis lets it go at once
        // (PX 1) rather than keeping an unreadable record forever. One that is not a finite number
        // means no expiry: `PX NaN` would fail the script halfway, after the records before it.
        const ttl = typeof e.ttl === 'number' && Number.isFinite(e.ttl) && e.ttl !== 0 ? Math.max(1, Math.ceil(e.ttl)) : undefined;
        args.push(encodeRecord(e.value, e.ttl), ttl === undefined ? '' : String(ttl));
      }
      const lost = await writes.track(COMMIT.run(client, keys, args));
      const fence = typeof lost === 'number' && lost > 0 ? fences[lost - 1] : undefined;
      if (fence) throw new LockLeaseLostError(fence.lockName);
      if (released && fences.includes(released)) released.released = true;
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
