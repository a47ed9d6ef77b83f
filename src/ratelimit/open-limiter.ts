import { createClient } from '@keyv/redis';
import type { Logger } from '../log.js';
import { createLocalRateLimiter } from './local-limiter.js';
import { createRedisRateLimiter } from './redis-limiter.js';
import type { RateBudgets, RateLimiter } from './types.js';

/**
 * The limiter that fits STORE_URL: shared through Redis when the store is Redis (several
 * processes), in-process otherwise (SQLite and memory serve one process). The Redis limiter gets
 * its own connection so a long lock wait in the store never delays a request's turn.
 */
export async function openRateLimiter(storeUrl: string, budgets: RateBudgets, logger?: Logger): Promise<RateLimiter> {
  if (!storeUrl.startsWith('redis')) return createLocalRateLimiter(budgets);
  const client = createClient({ url: storeUrl, socket: { connectTimeout: 5_000, reconnectStrategy: (retries) => Math.min(retries * 200, 5_000) } });
  client.on('error', () => undefined);
  await client.connect();
  return createRedisRateLimiter(client, budgets, {
    ...(logger ? { logger } : {}),
    onClose: async () => {
      await client.quit().catch(() => undefined);
    },
  });
}
