import { describe, expect, it } from 'vitest';
import { granted, memoryQuota, request } from './helpers.js';

describe('settling a reservation', () => {
  it('GIVEN the provider rejected the submission WHEN the reservation is released THEN the credits come back exactly once', async () => {
    const { quota } = await memoryQuota({ defaults: { limit: 2, period: 'day' } });
    const id = granted(await quota.reserve(request({ cost: 2 })));
    expect((await quota.memberStanding('g1', 'u1', [])).guildRemaining).toBe(0);
    expect(await quota.release(id, 'submit_rejected')).toBe(true);
    expect(await quota.release(id, 'submit_rejected')).toBe(false);
    const standing = await quota.memberStanding('g1', 'u1', []);
    expect(standing).toMatchObject({ used: 0, guildUsed: 0, guildRemaining: 2, inFlight: [] });
  });

  it('GIVEN two members spent WHEN one job fails and is released twice THEN the other member keeps their use', async () => {
    const { quota } = await memoryQuota();
    const mine = granted(await quota.reserve(request({ userId: 'u1' })));
    await quota.charge(granted(await quota.reserve(request({ userId: 'u2' }))), 'delivered');
    await quota.release(mine, 'task_failed');
    await quota.release(mine, 'task_failed');
    expect((await quota.memberStanding('g1', 'u2', [])).used).toBe(1);
    expect((await quota.memberStanding('g1', 'u1', [])).guildUsed).toBe(1);
  });

  it('GIVEN a released reservation WHEN a late charge arrives THEN nothing is charged and the ledger shows one release', async () => {
    const { quota, clock } = await memoryQuota();
    const id = granted(await quota.reserve(request({ jobId: 'job-e' })));
    await quota.release(id, 'expired', { taskId: 't-9' });
    expect(await quota.charge(id, 'delivered')).toBe(false);
    expect(await quota.ledger('g1')).toEqual([
      {
        reservationId: id,
        guildId: 'g1',
        userId: 'u1',
        jobId: 'job-e',
        cost: 1,
        at: clock.now(),
        outcome: 'released',
        reason: 'expired',
        taskId: 't-9',
        model: 'MiniMax-Hailuo-2.3',
        resolution: '768p',
        duration: 6,
      },
    ]);
    expect((await quota.memberStanding('g1', 'u1', [])).used).toBe(0);
  });

  it('GIVEN the provider made the video but it never reached the member THEN the credits come back and the ledger says undelivered with the task id', async () => {
    const { quota } = await memoryQuota();
    const id = granted(await quota.reserve(request({ jobId: 'job-x', cost: 2, resolution: '1080p' })));
    expect(await quota.release(id, 'delivery_failed', { outcome: 'undelivered', taskId: 'task-42' })).toBe(true);
    expect(await quota.release(id, 'task_failed')).toBe(false);
    expect(await quota.charge(id, 'delivered')).toBe(false);
    expect(await quota.ledger('g1')).toEqual([
      expect.objectContaining({
        jobId: 'job-x',
        cost: 2,
        outcome: 'undelivered',
        reason: 'delivery_failed',
        taskId: 'task-42',
        resolution: '1080p',
      }),
    ]);
    expect(await quota.memberStanding('g1', 'u1', [])).toMatchObject({ used: 0, guildUsed: 0, inFlight: [] });
  });

  it('GIVEN charged, released, undelivered and ambiguous settlements THEN only the charged one is spend in /usage, /quota show and the ceiling', async () => {
    const { quota } = await memoryQuota({ globalLimit: 100 });
    const held = async (cost: number) => granted(await quota.reserve(request({ cost })));
    await quota.charge(await held(1), 'delivered', { taskId: 't1' });
    await quota.release(await held(2), 'task_failed', { taskId: 't2' });
    await quota.release(await held(3), 'delivery_failed', { outcome: 'undelivered', taskId: 't3' });
    await quota.release(await held(4), 'restarted', { outcome: 'ambiguous' });
    expect((await quota.ledger('g1')).map((l) => [l.cost, l.outcome])).toEqual([
      [1, 'charged'],
      [2, 'released'],
      [3, 'undelivered'],
      [4, 'ambiguous'],
    ]);
    expect(await quota.memberStanding('g1', 'u1', [])).toMatchObject({ used: 1, guildUsed: 1, globalRemaining: 99, inFlight: [] });
    expect(await quota.topSpenders('g1')).toEqual([{ userId: 'u1', credits: 1 }]);
  });

  it('GIVEN ledger lines written before Ledger v2 WHEN the ledger is read THEN they read as charges with their old outcome as the reason', async () => {
    const { quota, store, clock } = await memoryQuota();
    const key = `quota:ledger:g1:day:${new Date(clock.now()).toISOString().slice(0, 10)}`;
    await store.kv.set(key, [
      { reservationId: 'r0', guildId: 'g1', userId: 'u1', jobId: 'j0', cost: 3, at: 5, outcome: 'delivered_as_link' },
    ]);
    const id = granted(await quota.reserve(request({ jobId: 'j1' })));
    await quota.release(id, 'cancelled');
    expect(await quota.ledger('g1')).toEqual([
      {
        reservationId: 'r0',
        guildId: 'g1',
        userId: 'u1',
        jobId: 'j0',
        cost: 3,
        at: 5,
        outcome: 'charged',
        reason: 'delivered_as_link',
        taskId: null,
        model: null,
        resolution: null,
        duration: null,
      },
      expect.objectContaining({ jobId: 'j1', outcome: 'released', reason: 'cancelled' }),
    ]);
  });

  it('GIVEN a job reserved at 23:59 WHEN it is delivered after midnight THEN yesterday pays for it and today starts clean', async () => {
    const { quota, clock } = await memoryQuota({ defaults: { limit: 1, period: 'day' } });
    clock.set('2026-11-25T23:59:00.000Z');
    const id = granted(await quota.reserve(request()));
    clock.set('2026-11-26T00:03:00.000Z');
    // Still in flight: it holds a slot after midnight, but not today's budget.
    expect(await quota.memberStanding('g1', 'u1', [])).toMatchObject({ used: 0, inFlight: [expect.any(String)] });
    await quota.charge(id, 'delivered');
    expect(await quota.memberStanding('g1', 'u1', [])).toMatchObject({ used: 0, guildRemaining: 1, inFlight: [] });
    clock.set('2026-11-25T23:59:30.000Z');
    expect((await quota.memberStanding('g1', 'u1', [])).used).toBe(1);
  });

  it('GIVEN simultaneous charge and release of the same reservation THEN exactly one wins', async () => {
    const { quota } = await memoryQuota();
    const id = granted(await quota.reserve(request()));
    const outcomes = await Promise.all([quota.charge(id, 'delivered'), quota.release(id, 'task_failed'), quota.release(id, 'expired')]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
  });

  it('GIVEN an unknown reservation id THEN charge and release report false', async () => {
    const { quota } = await memoryQuota();
    expect(await quota.charge('nope', 'delivered')).toBe(false);
    expect(await quota.release('nope', 'cancelled')).toBe(false);
  });

  it('GIVEN the bot died before recording a reservation WHEN the job asks again THEN it gets the same reservation and pays once', async () => {
    const { quota } = await memoryQuota({ defaults: { limit: 2, period: 'day' } });
    const first = granted(await quota.reserve(request({ jobId: 'job-r', cost: 2 })));
    expect(await quota.reserve(request({ jobId: 'job-r', cost: 2 }))).toEqual({ ok: true, reservationId: first, cost: 2 });
    expect(await quota.memberStanding('g1', 'u1', [])).toMatchObject({ used: 2, inFlight: ['job-r'] });
    expect(await quota.release(first, 'never_submitted')).toBe(true);
    expect((await quota.memberStanding('g1', 'u1', [])).guildRemaining).toBe(2);
  });
});
