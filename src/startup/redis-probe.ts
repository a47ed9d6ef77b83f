import type { createClient } from '@keyv/redis';
import { redisCheckClientOptions } from '../store/redis-options.js';

/** How much a Redis server keeps on disk, read from its configuration. */
export type RedisPersistence = 'aof' | 'snapshots' | 'none' | 'unknown';

/**
 * The Redis start-up check's own work: connects once to the Redis of `storeUrl` (no reconnect),
 * sends PING and reads its persistence settings, all within `deadlineMs` (ms). The words an
 * operator reads are made from what this throws by the caller (`checkRedis` in store-check.ts).
 *
 * Kept apart from store-check.ts so the worker thread that runs it (redis-probe-worker.ts) loads
 * only this and the Redis client: no logger, no other start-up code.
 *
 * @throws what node-redis throws (a socket error with its `code`, an error reply of Redis' own);
 *   past the deadline, an Error with code ETIMEDOUT.
 */
export function probeRedis(storeUrl: string, deadlineMs: number): Promise<RedisPersistence> {
  return withRedisClient(redisCheckClientOptions(storeUrl), deadlineMs, readPersistence);
}

/** What the check throws past its deadline: an Error with code ETIMEDOUT, as a socket's. */
export const noAnswer = (): Error => Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' });

/**
 * Connects a client made with `options`, sends PING and runs `work` on it, all within
 * `deadlineMs` (ms); the client is closed whatever happens.
 * @throws what connecting, PING or `work` throws; past the deadline, an Error with code ETIMEDOUT.
 */
export async function withRedisClient<T>(
  options: Parameters<typeof createClient>[0],
  deadlineMs: number,
  work: (client: ReturnType<typeof createClient>) => Promise<T>,
): Promise<T> {
  // Loaded here, not with this module: a SQLite start never needs the Redis client, whose loading
  // (about 430 modules) was 75 ms of `npm start`'s way to IDENTIFY on SQLite (issue 15).
  const { createClient } = await import('@keyv/redis');
  const client = createClient(options);
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(noAnswer()), deadlineMs);
  });
  try {
    return await Promise.race([
      (async () => {
        await client.connect();
        await client.ping();
        return work(client);
      })(),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
    closeQuietly(client);
  }
}

/** Closes a node-redis client whether or not its connection ever opened. */
function closeQuietly(client: { destroy(): void }): void {
  // destroy() throws when the connection never opened; the check's answer is what matters.
  try {
    client.destroy();
  } catch {
    // already closed
  }
}

/** The two commands the persistence check needs (node-redis' generic types do not narrow well). */
interface PersistenceReader {
  configGet(parameter: string): Promise<Record<string, unknown>>;
  info(section: string): Promise<unknown>;
}

async function readPersistence(client: PersistenceReader): Promise<RedisPersistence> {
  try {
    const appendonly = (await client.configGet('appendonly'))['appendonly'];
    const save = (await client.configGet('save'))['save'];
    if (appendonly === 'yes') return 'aof';
    if (typeof save === 'string' && save.trim() !== '') return 'snapshots';
    if (appendonly === 'no') return 'none';
  } catch {
    // Managed Redis often renames or forbids CONFIG; INFO still says whether the log is on.
  }
  try {
    const info = await client.info('persistence');
    if (typeof info === 'string' && /^aof_enabled:1\s*$/m.test(info)) return 'aof';
  } catch {
    // Neither answered: say so below rather than guess.
  }
  return 'unknown';
}
