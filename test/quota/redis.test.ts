import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { periodKey } from '../../src/quota/periods.js';
import { quotaOn, request, testClock } from './helpers.js';
import { redisAvailable, redisUrl } from '../support/redis.js';

const REDIS_URL = redisUrl(0);

describe.runIf(await redisAvailable())('quota on a shared Redis store', () => {
  it('GIVEN two bot processes sharing Redis WHEN 40 requests reach them at once against 5 credits THEN exactly 5 jobs start', async () => {
    // The store's key prefix is fixed, so a fresh guild id keeps this run apart from any other.
    const guildId = `test-${randomUUID()}`;
    const ids: string[] = [];
    const idFactory = () => {
      const id = randomUUID();
      ids.push(id);
      return id;
    };
    const stores = [await openStore(REDIS_URL), await openStore(REDIS_URL)];
    const clock = testClock();
    const [a, b] = stores.map((store) => quotaOn(store, { defaults: { limit: 5, period: 'day' }, idFactory }, clock).quota);
    try {
      expect(await a?.setPolicy(guildId, { maxConcurrent: 20 })).toMatchObject({ ok: true });
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b)!.reserve(request({ guildId, userId: `u${i}` }))),
      );
      expect(results.filter((r) => r?.ok)).toHaveLength(5);
      expect((await b?.memberStanding(guildId, 'u0', []))?.guildRemaining).toBe(0);
    } finally {
      const kv = stores[0]?.kv;
      const keys = [
        `quota:policy:${guildId}`,
        `quota:inflight:${guildId}`,
        `quota:usage:${guildId}:${periodKey('day', clock.now())}`,
        ...ids.map((id) => `quota:reservation:${id}`),
      ];
      if (kv) await Promise.all(keys.map((key) => kv.delete(key)));
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
