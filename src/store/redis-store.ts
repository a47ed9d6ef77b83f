import Keyv from 'keyv';
import KeyvRedis, { createClient } from '@keyv/redis';
import type { Logger } from '../log.js';
import { createRedisLocks } from './redis-lock.js';
import { deserialize, serialize } from './serialize.js';
import type { Store } from './types.js';
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
    withLock: async (name, fn) => {
      open();
      return writes.track(locks.withLock(name, fn));
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
