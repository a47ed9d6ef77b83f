import { randomUUID } from 'node:crypto';
import Keyv from 'keyv';
import KeyvRedis, { createClient } from '@keyv/redis';
import { sleep } from './sleep.js';
import type { Store } from './types.js';

const LOCK_TTL_MS = 15_000;
const RELEASE_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * The shared store: keyv on Redis for records, Redis itself for what keyv cannot make atomic
 * across processes (locks with an owner token and a lease, native sets).
 */
export async function openRedisStore(url: string): Promise<Store> {
  const client = createClient({ url, socket: { connectTimeout: 5_000, reconnectStrategy: (retries) => Math.min(retries * 200, 5_000) } });
  client.on('error', () => undefined);
  await client.connect();
  const adapter = new KeyvRedis(client, { namespace: 'hvb', throwOnErrors: true });
  const kv = new Keyv({ store: adapter, namespace: 'hvb', useKeyPrefix: false, throwOnErrors: true });
  kv.on('error', () => undefined);
  const setKey = (key: string) => `hvb:set:${key}`;
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise)).catch(() => undefined);
    return promise;
  };

  const withLock = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const key = `hvb:lock:${name}`;
    const owner = randomUUID();
    for (let attempt = 0; ; attempt += 1) {
      const taken = await client.set(key, owner, { condition: 'NX', expiration: { type: 'PX', value: LOCK_TTL_MS } });
      if (taken === 'OK') break;
      if (attempt > 2_000) throw new Error(`lock ${name} stayed busy`);
      await sleep(Math.min(5 + attempt * 2, 50) * (0.5 + Math.random()));
    }
    try {
      return await fn();
    } finally {
      await client.eval(RELEASE_SCRIPT, { keys: [key], arguments: [owner] }).catch(() => undefined);
    }
  };

  return {
    kind: 'redis',
    kv,
    withLock: (name, fn) => track(withLock(name, fn)),
    addToSet: async (key, member) => {
      await track(client.sAdd(setKey(key), member));
    },
    removeFromSet: async (key, member) => {
      await track(client.sRem(setKey(key), member));
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
      await Promise.allSettled([...inFlight]);
      await client.quit().catch(() => undefined);
    },
  };
}
