import { describe, expect, it } from 'vitest';
import { createLocalRateLimiter } from '../../src/ratelimit/local-limiter.js';
import { createRateLimitedProvider } from '../../src/ratelimit/rate-limited-provider.js';
import { providerBudgets } from '../../src/ratelimit/types.js';
import { busiestWindow, sampleGenerationRequest, scriptedProvider } from '../support/fake-video-provider.js';

const request = sampleGenerationRequest;
const budgets = { submit: { limit: 3, windowMs: 300 }, poll: { limit: 5, windowMs: 200 } };
// Timer callbacks may fire a few ms late; never early. Counting in a slightly shorter window
// keeps a late first grant from making a correct limiter look wrong.
const SLACK_MS = 25;

describe('in-process rate limiter (SQLite and memory stores)', () => {
  it('GIVEN a budget of 3 submissions per 300 ms WHEN 10 arrive at once THEN no window holds more than 3 and they go in arrival order', async () => {
    const limiter = createLocalRateLimiter(budgets);
    const provider = scriptedProvider();
    const paced = createRateLimitedProvider(provider, limiter);
    const order: number[] = [];
    const started = Date.now();
    await Promise.all(Array.from({ length: 10 }, (_, i) => paced.submit(request).then(() => order.push(i))));
    expect(order).toEqual([...Array(10).keys()]);
    expect(busiestWindow(provider.submits, 300 - SLACK_MS)).toBeLessThanOrEqual(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900 - SLACK_MS);
    await limiter.close();
  });

  it('GIVEN status polls and submissions WHEN both are busy THEN each kind draws on its own budget', async () => {
    const limiter = createLocalRateLimiter(budgets);
    const provider = scriptedProvider();
    const paced = createRateLimitedProvider(provider, limiter);
    const started = Date.now();
    await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => paced.getStatus(`t${i}`)),
      ...Array.from({ length: 3 }, () => paced.submit(request)),
    ]);
    expect(Date.now() - started).toBeLessThan(150);
    expect(provider.polls).toHaveLength(5);
    await limiter.close();
  });

  it('GIVEN the provider answers 429 with Retry-After WHEN the next request comes THEN it waits out the Retry-After', async () => {
    const limiter = createLocalRateLimiter(providerBudgets({ submitsPerMinute: 100, pollsPerSecond: 100 }));
    const provider = scriptedProvider();
    const paced = createRateLimitedProvider(provider, limiter);
    provider.failNextSubmit({ kind: 'rate_limited', status: 429, retryAfterMs: 250, retryable: true });
    const first = await paced.submit(request);
    expect(first.ok).toBe(false);
    await paced.submit(request);
    expect((provider.submits[1] ?? 0) - (provider.submits[0] ?? 0)).toBeGreaterThanOrEqual(250 - SLACK_MS);
    const poll = Date.now();
    await paced.getStatus('t1');
    expect(Date.now() - poll).toBeLessThan(100);
    await limiter.close();
  });

  it('GIVEN a caller waiting for its turn WHEN it aborts, or the limiter closes THEN it is rejected and never sent', async () => {
    const limiter = createLocalRateLimiter({ submit: { limit: 1, windowMs: 10_000 }, poll: { limit: 1, windowMs: 10_000 } });
    await limiter.acquire('submit');
    const controller = new AbortController();
    const aborted = limiter.acquire('submit', controller.signal);
    const closed = limiter.acquire('submit');
    controller.abort(new Error('member left'));
    await expect(aborted).rejects.toThrow('member left');
    await limiter.close();
    await expect(closed).rejects.toThrow('closed');
  });
});
