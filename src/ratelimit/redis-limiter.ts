import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import { createLocalRateLimiter } from './local-limiter.js';
import type { RateBudgets, RateKind, RateLimiter } from './types.js';
import { createWaitQueue, type WaitQueue } from './wait-queue.js';
import { ClosingError } from '../closing-error.js';

// Redis' own clock decides, so processes on machines whose clocks disagree still share one
// window. Answers 0 when a slot was taken, else the ms until one may free up.
const TAKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > now then return blocked - now end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
`;

// Only ever lengthens the hold: a short Retry-After must not cut a longer one short.
const PENALIZE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if now + ms > current then redis.call('SET', KEYS[1], now + ms, 'PX', ms) end
return 0
`;

/** The one command the limiter needs; any node-redis client has it. */
export interface EvalClient {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** Where the shared windows live and who hears about trouble. */
export interface RedisRateLimiterOptions {
  /** Key prefix; processes that share a budget must use the same one. */
  prefix?: string;
  logger?: Logger;
  /** Called by `close()` (e.g. to quit a connection the limiter owns). */
  onClose?: () => Promise<void>;
}

// Several processes waiting for the same slot would otherwise retry in lock-step.
const jitter = () => Math.floor(Math.random() * 15);

/**
 * A limiter whose windows live in Redis (a sorted set of send times per kind, trimmed and counted
 * in one Lua script), shared by every process on that Redis. In one process callers go in
 * arrival order; across processes the next free slot goes to whichever asks first. While Redis
 * does not answer, each process falls back to its own in-process window rather than stall.
 */
export function createRedisRateLimiter(client: EvalClient, budgets: RateBudgets, options: RedisRateLimiterOptions = {}): RateLimiter {
  const prefix = options.prefix ?? 'hvb:ratelimit';
  const fallback = createLocalRateLimiter(budgets);
  let warnedAt = 0;
  const warn = (err: unknown) => {
    if (Date.now() - warnedAt < 60_000) return;
    warnedAt = Date.now();
    options.logger?.warn({ err }, 'rate limit store unreachable; pacing this process on its own');
  };
  const keys = (kind: RateKind) => [`${prefix}:${kind}`, `${prefix}:${kind}:blocked`];

  const make = (kind: RateKind): WaitQueue => {
    const budget = budgets[kind];
    return createWaitQueue(async () => {
      try {
        const answer = await client.eval(TAKE_SCRIPT, {
          keys: keys(kind),
          arguments: [String(budget.windowMs), String(budget.limit), randomUUID()],
        });
        const wait = Number(answer);
        return wait > 0 ? wait + jitter() : 0;
      } catch (err) {
        warn(err);
        await fallback.acquire(kind);
        return 0;
      }
    });
  };
  const queues: Record<RateKind, WaitQueue> = { submit: make('submit'), poll: make('poll') };

  return {
    acquire: (kind, signal) => queues[kind].enqueue(signal),
    async penalize(kind, ms) {
      const hold = Math.max(1, Math.round(ms));
      await fallback.penalize(kind, hold);
      const [, blockedKey] = keys(kind);
      await client.eval(PENALIZE_SCRIPT, { keys: [blockedKey ?? ''], arguments: [String(hold)] }).catch(warn);
    },
    async close() {
      for (const queue of Object.values(queues)) queue.close(new ClosingError('rate limiter closed'));
      await fallback.close();
      await options.onClose?.();
    },
  };
}
