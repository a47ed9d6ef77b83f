import { describe, expect, it } from 'vitest';
import { periodKey } from '../../src/quota/periods.js';
import { memoryQuota, request } from './helpers.js';

/**
 * A reservation reads its records together, guessing the default period's usage; a guess it does
 * not use must not decide anything (review of issue 15's faster reservation).
 */
describe('a reservation reads only what it uses', () => {
  it('GIVEN a server on a weekly budget and an unreadable record of the default (daily) period WHEN a member asks THEN the request is granted against the week', async () => {
    const { quota, store, clock } = await memoryQuota({ defaults: { limit: 10, period: 'day' } });
    expect((await quota.setPolicy('g1', { limit: 5, period: 'week' })).ok).toBe(true);
    await store.kv.set(`quota:usage:g1:${periodKey('day', clock.now())}`, { garbage: true });
    const result = await quota.reserve(request({ guildId: 'g1', jobId: 'j1' }));
    expect(result.ok).toBe(true);
    expect((await quota.memberStanding('g1', request().userId, [])).used).toBe(1);
  });

  it('GIVEN a server on the default period whose usage record is unreadable WHEN a member asks THEN the reservation still fails on it (a budget is never silently reset)', async () => {
    const { quota, store, clock } = await memoryQuota({ defaults: { limit: 10, period: 'day' } });
    await store.kv.set(`quota:usage:g1:${periodKey('day', clock.now())}`, { garbage: true });
    await expect(quota.reserve(request({ guildId: 'g1', jobId: 'j1' }))).rejects.toThrow(/malformed/);
  });
});
