import { describe, expect, it } from 'vitest';
import { granted, memoryQuota, request } from './helpers.js';

const TOMORROW = Date.parse('2026-11-26T00:00:00.000Z');

describe('reserving credits for a /video request', () => {
  it('GIVEN a guild with 5 credits WHEN 50 requests arrive at once THEN exactly 5 jobs start', async () => {
    const { quota } = await memoryQuota({ defaults: { limit: 5, period: 'day' } });
    expect(await quota.setPolicy('g1', { maxConcurrent: 20 })).toMatchObject({ ok: true });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => quota.reserve(request({ userId: `u${i}` }))));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.refusal.reason === 'guild_budget')).toBe(true);
    expect((await quota.memberStanding('g1', 'u0', [])).guildRemaining).toBe(0);
  });

  it('GIVEN 1 credit left WHEN a 2-credit video is asked THEN it is refused with what remains and when it resets', async () => {
    const { quota } = await memoryQuota({ defaults: { limit: 3, period: 'day' } });
    granted(await quota.reserve(request({ cost: 2 })));
    expect(await quota.reserve(request({ cost: 2, userId: 'u2' }))).toEqual({
      ok: false,
      refusal: { reason: 'guild_budget', cost: 2, remaining: 1, limit: 3, period: 'day', resetsAt: TOMORROW },
    });
  });

  it('GIVEN the budget is spent WHEN the day rolls over at 00:00 UTC THEN members can generate again', async () => {
    const { quota, clock } = await memoryQuota({ defaults: { limit: 1, period: 'day' } });
    const id = granted(await quota.reserve(request()));
    await quota.charge(id, 'delivered');
    expect((await quota.reserve(request())).ok).toBe(false);
    clock.set('2026-11-26T00:00:00.000Z');
    expect((await quota.reserve(request())).ok).toBe(true);
  });

  it('GIVEN a weekly budget spent on Monday WHEN Sunday comes THEN it is still spent, and next Monday it is back', async () => {
    const { quota, clock } = await memoryQuota({ defaults: { limit: 1, period: 'week' } });
    clock.set('2026-11-23T00:00:00.000Z');
    await quota.charge(granted(await quota.reserve(request())), 'delivered');
    clock.set('2026-11-29T23:59:00.000Z');
    const refused = await quota.reserve(request());
    expect(refused.ok === false && refused.refusal).toMatchObject({ reason: 'guild_budget', resetsAt: Date.parse('2026-11-30T00:00:00Z') });
    clock.set('2026-11-30T00:00:00.000Z');
    expect((await quota.reserve(request())).ok).toBe(true);
  });

  it('GIVEN a monthly budget spent on the 30th THEN it comes back on the 1st', async () => {
    const { quota, clock } = await memoryQuota({ defaults: { limit: 1, period: 'month' } });
    clock.set('2026-11-30T23:00:00.000Z');
    await quota.charge(granted(await quota.reserve(request())), 'delivered');
    expect((await quota.reserve(request())).ok).toBe(false);
    clock.set('2026-12-01T00:00:00.000Z');
    expect((await quota.reserve(request())).ok).toBe(true);
  });

  it('GIVEN a per-member limit of 2 WHEN a member asks a third time THEN they are refused while others can still generate', async () => {
    const { quota } = await memoryQuota();
    await quota.setPolicy('g1', { perUser: 2 });
    for (let i = 0; i < 2; i += 1) await quota.charge(granted(await quota.reserve(request())), 'delivered');
    expect(await quota.reserve(request())).toEqual({
      ok: false,
      refusal: { reason: 'member_budget', cost: 1, remaining: 0, limit: 2, period: 'day', resetsAt: TOMORROW },
    });
    expect((await quota.reserve(request({ userId: 'u2' }))).ok).toBe(true);
  });

  it('GIVEN role overrides WHEN a member holds several tiers THEN the most generous applies, and a cleared override falls back', async () => {
    const { quota } = await memoryQuota({ defaults: { limit: 100, period: 'day' } });
    await quota.setPolicy('g1', { perUser: 1, maxConcurrent: 20 });
    await quota.setRoleOverride('g1', 'booster', 3);
    await quota.setRoleOverride('g1', 'patron', 5);
    expect((await quota.memberStanding('g1', 'u1', ['booster', 'patron', 'other'])).limit).toBe(5);
    expect((await quota.memberStanding('g1', 'u1', ['booster'])).limit).toBe(3);
    expect((await quota.memberStanding('g1', 'u1', [])).limit).toBe(1);

    for (let i = 0; i < 3; i += 1) await quota.charge(granted(await quota.reserve(request({ roleIds: ['booster'] }))), 'delivered');
    const refused = await quota.reserve(request({ roleIds: ['booster'] }));
    expect(refused.ok === false && refused.refusal).toMatchObject({ reason: 'member_budget', limit: 3 });
    expect((await quota.reserve(request({ roleIds: ['booster', 'patron'] }))).ok).toBe(true);

    await quota.setRoleOverride('g1', 'patron', 0);
    expect((await quota.memberStanding('g1', 'u1', ['booster', 'patron'])).limit).toBe(3);
    expect((await quota.getPolicy('g1')).roleOverrides).toEqual({ booster: 3 });
  });

  it('GIVEN the operator ceiling of 3 a day WHEN two guilds with large budgets spend THEN only 3 credits go out in total', async () => {
    const { quota, clock } = await memoryQuota({ defaults: { limit: 100, period: 'month' }, globalLimit: 3 });
    granted(await quota.reserve(request({ guildId: 'g1', cost: 2 })));
    granted(await quota.reserve(request({ guildId: 'g2' })));
    expect(await quota.reserve(request({ guildId: 'g2', userId: 'u2' }))).toEqual({
      ok: false,
      refusal: { reason: 'global_ceiling', resetsAt: TOMORROW, cost: 1, aboveCeiling: false },
    });
    // A video costing more than the whole ceiling is told so: the next day would not help either.
    expect(await quota.reserve(request({ guildId: 'g2', userId: 'u3', cost: 4 }))).toEqual({
      ok: false,
      refusal: { reason: 'global_ceiling', resetsAt: TOMORROW, cost: 4, aboveCeiling: true },
    });
    expect((await quota.memberStanding('g1', 'u1', [])).globalRemaining).toBe(0);
    // The ceiling is daily even though the guilds' budgets are monthly.
    clock.set('2026-11-26T00:00:00.000Z');
    expect((await quota.reserve(request({ guildId: 'g2', userId: 'u2' }))).ok).toBe(true);
  });

  it("GIVEN the server budget is nearly used up WHEN a video costs more than the member's whole limit THEN that is the answer, not the server budget: waiting for its reset would not help", async () => {
    const { quota } = await memoryQuota({ defaults: { limit: 10, period: 'week' } });
    await quota.setPolicy('g1', { perUser: 3, maxConcurrent: 20 });
    for (let i = 0; i < 9; i += 1) await quota.charge(granted(await quota.reserve(request({ userId: `other${i}` }))), 'delivered');
    const overMember = await quota.reserve(request({ cost: 4 }));
    expect(overMember.ok === false && overMember.refusal).toMatchObject({ reason: 'member_budget', cost: 4, limit: 3, period: 'week' });
    // A video within every whole budget still meets the server's short one first.
    const short = await quota.reserve(request({ cost: 2 }));
    expect(short.ok === false && short.refusal).toMatchObject({ reason: 'guild_budget', cost: 2, remaining: 1, limit: 10 });
  });

  it("GIVEN the server budget is nearly used up WHEN a video costs more than the operator's whole daily ceiling THEN the ceiling is the answer", async () => {
    const { quota } = await memoryQuota({ defaults: { limit: 10, period: 'day' }, globalLimit: 9 });
    await quota.setPolicy('g1', { maxConcurrent: 20 });
    for (let i = 0; i < 8; i += 1) await quota.charge(granted(await quota.reserve(request({ userId: `other${i}` }))), 'delivered');
    const overCeiling = await quota.reserve(request({ cost: 10 }));
    expect(overCeiling.ok === false && overCeiling.refusal).toMatchObject({ reason: 'global_ceiling', cost: 10, aboveCeiling: true });
  });

  it('GIVEN the ceiling is reached WHEN a job fails THEN its credits return to the ceiling too', async () => {
    const { quota } = await memoryQuota({ globalLimit: 1 });
    const id = granted(await quota.reserve(request({ guildId: 'g1' })));
    expect((await quota.reserve(request({ guildId: 'g2' }))).ok).toBe(false);
    await quota.release(id, 'task_failed');
    expect((await quota.reserve(request({ guildId: 'g2' }))).ok).toBe(true);
  });

  it('GIVEN max_concurrent 3 WHEN a fourth job is asked while three are in flight THEN it waits for a slot, not for budget', async () => {
    const { quota } = await memoryQuota();
    const ids = [];
    for (const userId of ['a', 'b', 'c']) ids.push(granted(await quota.reserve(request({ userId }))));
    expect(await quota.reserve(request({ userId: 'd' }))).toEqual({ ok: false, refusal: { reason: 'guild_concurrency', max: 3 } });
    await quota.charge(ids[0] ?? '', 'delivered');
    expect((await quota.reserve(request({ userId: 'd' }))).ok).toBe(true);
  });

  it('GIVEN a member with 2 jobs in flight WHEN they ask a third THEN they are refused but others are not', async () => {
    const { quota } = await memoryQuota();
    granted(await quota.reserve(request()));
    const second = granted(await quota.reserve(request()));
    expect(await quota.reserve(request())).toEqual({ ok: false, refusal: { reason: 'member_concurrency', max: 2 } });
    expect((await quota.reserve(request({ userId: 'u2' }))).ok).toBe(true);
    await quota.release(second, 'submit_rejected');
    expect((await quota.reserve(request())).ok).toBe(true);
  });

  it('GIVEN a banned word in any case WHEN a prompt contains it THEN it is refused and nothing is spent', async () => {
    const { quota } = await memoryQuota();
    await quota.addBannedWord('g1', 'Gore');
    await quota.addBannedWord('g1', '血腥');
    expect(await quota.reserve(request({ prompt: 'Lots of GORE please' }))).toEqual({
      ok: false,
      refusal: { reason: 'banned_word', word: 'gore' },
    });
    expect(await quota.reserve(request({ prompt: 'ＧＯＲＥ in full width' }))).toEqual({
      ok: false,
      refusal: { reason: 'banned_word', word: 'gore' },
    });
    expect(await quota.reserve(request({ prompt: '一个血腥的场面' }))).toEqual({
      ok: false,
      refusal: { reason: 'banned_word', word: '血腥' },
    });
    const standing = await quota.memberStanding('g1', 'u1', []);
    expect(standing).toMatchObject({ used: 0, guildUsed: 0, inFlight: [] });
  });

  it('GIVEN allowed channels WHEN a member asks elsewhere THEN they are told where to go and nothing is spent', async () => {
    const { quota } = await memoryQuota();
    await quota.setChannels('g1', ['video-1', 'video-2']);
    expect(await quota.reserve(request({ channelId: 'general' }))).toEqual({
      ok: false,
      refusal: { reason: 'channel_not_allowed', allowedChannelIds: ['video-1', 'video-2'] },
    });
    expect((await quota.memberStanding('g1', 'u1', [])).guildUsed).toBe(0);
    expect((await quota.reserve(request({ channelId: 'video-2' }))).ok).toBe(true);
  });

  it('GIVEN a limit of 0 THEN generation is off for the server', async () => {
    const { quota } = await memoryQuota();
    await quota.setPolicy('g1', { limit: 0 });
    expect(await quota.reserve(request())).toEqual({ ok: false, refusal: { reason: 'disabled' } });
  });

  it('GIVEN an operator default of 0 WHEN a new guild asks THEN generation is off until an admin sets a limit', async () => {
    const { quota } = await memoryQuota({ defaults: { limit: 0, period: 'day' } });
    expect(await quota.reserve(request())).toEqual({ ok: false, refusal: { reason: 'disabled' } });
    await quota.setPolicy('g1', { limit: 2 });
    expect((await quota.reserve(request())).ok).toBe(true);
  });

  it('GIVEN a nonsense cost THEN the caller is told loudly (a bug, not a refusal)', async () => {
    const { quota } = await memoryQuota();
    await expect(quota.reserve(request({ cost: -1 }))).rejects.toThrow(RangeError);
    await expect(quota.reserve(request({ cost: Number.NaN }))).rejects.toThrow(RangeError);
  });
});
