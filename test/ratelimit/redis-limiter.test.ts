import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRateLimiter } from '../../src/ratelimit/open-limiter.js';
import { createRateLimitedProvider } from '../../src/ratelimit/rate-limited-provider.js';
import { busiestWindow, sampleGenerationRequest, scriptedProvider } from '../support/fake-video-provider.js';
import { flushDb, redisAvailable, redisUrl } from '../support/redis.js';

const DB = 11;
const up = await redisAvailable();
// The limiter spaces grants on Redis' clock; the fake provider notes arrivals on ours, a few ms
// later and not always by the same amount.
const SLACK_MS = 50;
const request = sampleGenerationRequest;

describe.skipIf(!up)('rate limits shared through Redis', () => {
  beforeAll(() => flushDb(DB));
  afterAll(() => flushDb(DB));

  it('GIVEN two bot processes with a budget of 4 submissions per 500 ms WHEN 16 arrive at once across both THEN the provider never sees more than 4 in any window', async () => {
    const budgets = { submit: { limit: 4, windowMs: 500 }, poll: { limit: 10, windowMs: 1_000 } };
    const limiters = [await openRateLimiter(redisUrl(DB), budgets), await openRateLimiter(redisUrl(DB), budgets)];
    // One provider behind both processes: it sees what the real API would.
    const provider = scriptedProvider();
    const processes = limiters.map((limiter) => createRateLimitedProvider(provider, limiter));
    try {
      // Connections and the Lua script warm up on the other budget, so the timed part measures pacing alone.
      await Promise.all(limiters.map((l) => l.acquire('poll')));
      const started = Date.now();
      const results = await Promise.all(Array.from({ length: 16 }, (_, i) => processes[i % 2]!.submit(request)));
      expect(results.every((r) => r?.ok)).toBe(true);
      expect(provider.submits).toHaveLength(16);
      expect(busiestWindow(provider.submits, 500 - SLACK_MS)).toBeLessThanOrEqual(4);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_500 - SLACK_MS);
    } finally {
      await Promise.all(limiters.map((l) => l.close()));
    }
  });

  it('GIVEN one process got a 429 with Retry-After WHEN the other polls THEN it waits too', async () => {
    const budgets = { submit: { limit: 100, windowMs: 60_000 }, poll: { limit: 100, windowMs: 1_000 } };
    const [a, b] = [await openRateLimiter(redisUrl(DB), budgets), await openRateLimiter(redisUrl(DB), budgets)];
    const provider = scriptedProvider();
    try {
      provider.failNextStatus({ kind: 'rate_limited', status: 429, retryAfterMs: 400, retryable: true });
      const first = await createRateLimitedProvider(provider, a).getStatus('t1');
      expect(first.ok).toBe(false);
      const asked = Date.now();
      await createRateLimitedProvider(provider, b).getStatus('t2');
      expect(Date.now() - asked).toBeGreaterThanOrEqual(400 - SLACK_MS - 50);
      expect((provider.polls[1] ?? 0) - (provider.polls[0] ?? 0)).toBeGreaterThanOrEqual(400 - SLACK_MS);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
