import { describe, expect, it } from 'vitest';
import { POLICY_BOUNDS } from '../../src/quota/policy.js';
import { granted, memoryQuota, request } from './helpers.js';

describe('/quota admin operations', () => {
  it('GIVEN a new guild THEN it starts from the operator defaults', async () => {
    const { quota } = await memoryQuota({ defaults: { limit: 7, period: 'week' } });
    expect(await quota.getPolicy('new-guild')).toEqual({
      limit: 7,
      period: 'week',
      perUser: null,
      maxConcurrent: 3,
      roleOverrides: {},
      allowedChannelIds: [],
      bannedWords: [],
      blocked: {},
      log: null,
    });
  });

  it('GIVEN an admin sets the policy THEN show reflects it, and per_user 0 removes the member limit', async () => {
    const { quota } = await memoryQuota();
    const set = await quota.setPolicy('g1', { limit: 50, period: 'month', perUser: 5, maxConcurrent: 4 });
    expect(set).toMatchObject({ ok: true, changed: true, policy: { limit: 50, period: 'month', perUser: 5, maxConcurrent: 4 } });
    expect(await quota.setPolicy('g1', { limit: 50 })).toMatchObject({ ok: true, changed: false });
    expect((await quota.setPolicy('g1', { perUser: 0 })).ok).toBe(true);
    expect((await quota.getPolicy('g1')).perUser).toBeNull();
  });

  it('GIVEN nonsense values THEN the admin is told which fields are wrong and nothing changes', async () => {
    const { quota } = await memoryQuota();
    expect(await quota.setPolicy('g1', { limit: -1, maxConcurrent: 0 })).toEqual({
      ok: false,
      reason: 'invalid_policy',
      fields: ['limit', 'maxConcurrent'],
    });
    expect(await quota.setPolicy('g1', { period: 'year' as never })).toMatchObject({ ok: false, fields: ['period'] });
    expect((await quota.getPolicy('g1')).limit).toBe(10);
  });

  it('GIVEN a list of 50 banned words WHEN the admin adds a 51st THEN it is refused', async () => {
    const { quota } = await memoryQuota();
    for (let i = 0; i < POLICY_BOUNDS.bannedWords; i += 1) expect((await quota.addBannedWord('g1', `word${i}`)).ok).toBe(true);
    expect(await quota.addBannedWord('g1', 'one-more')).toEqual({ ok: false, reason: 'too_many_words', max: 50 });
    expect(await quota.addBannedWord('g1', 'WORD3')).toMatchObject({ ok: true, changed: false });
    expect(await quota.addBannedWord('g1', 'x'.repeat(51))).toEqual({ ok: false, reason: 'word_too_long', max: 50 });
    expect(await quota.addBannedWord('g1', '   ')).toEqual({ ok: false, reason: 'word_empty' });
    expect(await quota.removeBannedWord('g1', 'Word3')).toMatchObject({ ok: true, changed: true });
    expect((await quota.getPolicy('g1')).bannedWords).toHaveLength(49);
  });

  it('GIVEN allowed channels WHEN the admin removes the last one THEN every channel is allowed again', async () => {
    const { quota } = await memoryQuota();
    await quota.addChannel('g1', 'c9');
    await quota.addChannel('g1', 'c9');
    expect((await quota.getPolicy('g1')).allowedChannelIds).toEqual(['c9']);
    expect((await quota.reserve(request({ channelId: 'c1' }))).ok).toBe(false);
    await quota.removeChannel('g1', 'c9');
    expect((await quota.reserve(request({ channelId: 'c1' }))).ok).toBe(true);
    const tooMany = Array.from({ length: POLICY_BOUNDS.allowedChannels + 1 }, (_, i) => `c${i}`);
    expect(await quota.setChannels('g1', tooMany)).toEqual({ ok: false, reason: 'too_many_channels', max: 100 });
  });

  it('GIVEN role overrides WHEN the admin gives an invalid limit THEN it is refused', async () => {
    const { quota } = await memoryQuota();
    expect(await quota.setRoleOverride('g1', 'r1', 1.5)).toMatchObject({ ok: false, reason: 'invalid_limit' });
    expect(await quota.setRoleOverride('g1', 'r1', 0)).toMatchObject({ ok: true, changed: false });
  });

  it('GIVEN a spent guild WHEN the admin resets usage THEN everyone can generate again this period', async () => {
    const { quota } = await memoryQuota({ defaults: { limit: 3, period: 'day' } });
    await quota.charge(granted(await quota.reserve(request({ userId: 'a', cost: 2 }))), 'delivered');
    await quota.charge(granted(await quota.reserve(request({ userId: 'b' }))), 'delivered');
    expect((await quota.reserve(request({ userId: 'c' }))).ok).toBe(false);
    expect(await quota.resetUsage('g1')).toEqual({ ok: true, periodKey: 'day:2026-11-25', credits: 3 });
    expect((await quota.memberStanding('g1', 'c', [])).guildRemaining).toBe(3);
    expect(await quota.ledger('g1')).toHaveLength(2);
  });

  it('GIVEN a member at their limit WHEN the admin resets that member THEN only they get their credits back', async () => {
    const { quota } = await memoryQuota();
    await quota.setPolicy('g1', { perUser: 1 });
    await quota.charge(granted(await quota.reserve(request({ userId: 'a' }))), 'delivered');
    await quota.charge(granted(await quota.reserve(request({ userId: 'b' }))), 'delivered');
    expect(await quota.resetUsage('g1', 'a')).toMatchObject({ ok: true, credits: 1 });
    expect((await quota.reserve(request({ userId: 'a' }))).ok).toBe(true);
    expect((await quota.reserve(request({ userId: 'b' }))).ok).toBe(false);
  });

  it('GIVEN a job in flight WHEN the admin resets and the job then fails THEN the budget is not given back twice', async () => {
    const { quota } = await memoryQuota({ defaults: { limit: 2, period: 'day' } });
    const inFlight = granted(await quota.reserve(request({ userId: 'a' })));
    await quota.charge(granted(await quota.reserve(request({ userId: 'b' }))), 'delivered');
    await quota.resetUsage('g1');
    expect((await quota.memberStanding('g1', 'a', [])).inFlight).toHaveLength(1);
    await quota.release(inFlight, 'task_failed');
    expect((await quota.memberStanding('g1', 'a', [])).guildRemaining).toBe(2);
    expect((await quota.memberStanding('g1', 'a', [])).guildUsed).toBe(0);
  });

  it('GIVEN several members spent THEN /quota show lists the top 5 by credits', async () => {
    const { quota } = await memoryQuota({ defaults: { limit: 100, period: 'day' } });
    await quota.setPolicy('g1', { maxConcurrent: 20 });
    const spend = { a: 1, b: 6, c: 3, d: 2, e: 4, f: 5, g: 2 };
    for (const [userId, cost] of Object.entries(spend))
      await quota.charge(granted(await quota.reserve(request({ userId, cost }))), 'delivered');
    expect(await quota.topSpenders('g1', 5)).toEqual([
      { userId: 'b', credits: 6 },
      { userId: 'f', credits: 5 },
      { userId: 'e', credits: 4 },
      { userId: 'c', credits: 3 },
      { userId: 'd', credits: 2 },
    ]);
    expect(await quota.topSpenders('other-guild')).toEqual([]);
  });

  it('GIVEN a member with jobs in flight THEN /usage shows their use, limit, the guild budget, the reset time and their jobs', async () => {
    const { quota } = await memoryQuota({ defaults: { limit: 10, period: 'week' } });
    await quota.setPolicy('g1', { perUser: 4 });
    await quota.charge(granted(await quota.reserve(request({ cost: 2 }))), 'delivered');
    granted(await quota.reserve(request({ jobId: 'job-live' })));
    granted(await quota.reserve(request({ userId: 'other', cost: 3 })));
    expect(await quota.memberStanding('g1', 'u1', [])).toEqual({
      period: 'week',
      periodKey: 'week:2026-11-23',
      used: 3,
      limit: 4,
      remaining: 1,
      guildUsed: 6,
      guildLimit: 10,
      guildRemaining: 4,
      globalRemaining: null,
      resetsAt: Date.parse('2026-11-30T00:00:00.000Z'),
      inFlight: ['job-live'],
      maxInFlight: 2,
    });
  });
});
