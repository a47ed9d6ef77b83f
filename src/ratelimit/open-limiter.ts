import type { Logger } from '../log.js';
import { createLocalRateLimiter } from './local-limiter.js';
import type { RateBudgets, RateLimiter } from './types.js';
import { redisClientOptions } from '../store/redis-options.js';

/**
 * The limiter that fits STORE_URL: shared through Redis when the store is Redis (several
 * processes), in-process otherwise (SQLite and memory serve one process). The Redis limiter gets
 * its own connection so a long lock wait in the store never delays a request's turn.
 */
export async function openRateLimiter(storeUrl: string, budgets: RateBudgets, logger?: Logger): Promise<RateLimiter> {
  if (!storeUrl.startsWith('redis')) return createLocalRateLimiter(budgets);
  // Loaded only for Redis: the client is ~8 MiB of resident memory a SQLite bot never needs.
  const [{ createClient }, { createRedisRateLimiter }] = await Promise.all([import('@keyv/redis'), import('./redis-limiter.js')]);
  const client = createClient(redisClientOptions(storeUrl));
  // Logged as the store's are: a limiter that cannot connect holds every provider request.
  client.on('error', (err: unknown) => logger?.warn({ err }, 'redis connection error (rate limiter)'));
  await client.connect();
  return createRedisRateLimiter(client, budgets, {
    ...(logger ? { logger } : {}),
    onClose: async () => {
      await client.quit().catch(() => undefined);
    },
  });
}
