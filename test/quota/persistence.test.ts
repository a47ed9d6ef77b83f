import { describe, expect, it } from 'vitest';
import type { SqliteAdapter } from '../../src/store/sqlite-adapter.js';
import { sqliteFilePerTest } from '../support/sqlite.js';
import { granted, quotaOn, request, testClock } from './helpers.js';

describe('quota on an SQLite file', () => {
  const { openSqlite } = sqliteFilePerTest('quota-');

  it('GIVEN policy, spending and a job in flight WHEN the bot restarts THEN all of it is still there and the job settles once', async () => {
    const clock = testClock();
    const firstStore = await openSqlite();
    const first = quotaOn(firstStore, { defaults: { limit: 5, period: 'day' } }, clock).quota;
    await first.setPolicy('g1', { perUser: 3, period: 'week' });
    await first.setRoleOverride('g1', 'vip', 4);
    await first.addBannedWord('g1', 'Spoiler');
    await first.addChannel('g1', 'c1');
    await first.charge(granted(await first.reserve(request({ cost: 2 }))), 'delivered');
    const held = granted(await first.reserve(request({ jobId: 'job-held' })));
    await firstStore.close();

    const second = quotaOn(await openSqlite(), { defaults: { limit: 5, period: 'day' } }, clock).quota;
    expect(await second.getPolicy('g1')).toEqual({
      limit: 5,
      period: 'week',
      perUser: 3,
      maxConcurrent: 3,
      roleOverrides: { vip: 4 },
      allowedChannelIds: ['c1'],
      bannedWords: ['spoiler'],
      blocked: {},
      log: null,
    });
    expect(await second.memberStanding('g1', 'u1', [])).toMatchObject({ used: 3, limit: 3, guildUsed: 3, inFlight: ['job-held'] });
    expect((await second.reserve(request())).ok).toBe(false);
    expect(await second.release(held, 'never_submitted')).toBe(true);
    expect(await second.release(held, 'never_submitted')).toBe(false);
    expect(await second.memberStanding('g1', 'u1', [])).toMatchObject({ used: 2, inFlight: [] });
    expect((await second.ledger('g1')).map((l) => [l.jobId, l.outcome, l.cost])).toEqual([
      [expect.any(String), 'charged', 2],
      ['job-held', 'released', 1],
    ]);
  });

  it('GIVEN a guild with 5 credits on SQLite WHEN 50 requests arrive at once THEN exactly 5 jobs start', async () => {
    const { quota } = quotaOn(await openSqlite(), { defaults: { limit: 5, period: 'day' } });
    expect(await quota.setPolicy('g1', { maxConcurrent: 20 })).toMatchObject({ ok: true });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => quota.reserve(request({ userId: `u${i}` }))));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
  });

  it('GIVEN the disk refusing the write WHEN a member reserves THEN nothing of the reservation is left: no credits counted, no slot taken', async () => {
    const store = await openSqlite();
    const { quota } = quotaOn(store, { defaults: { limit: 5, period: 'day' } }, testClock());
    // A row the disk refuses, as a full disk would: only the period's usage, the last of the three records.
    const { db } = store.kv.store as SqliteAdapter;
    db.exec("CREATE TRIGGER refuse BEFORE INSERT ON kv WHEN NEW.key LIKE '%quota:usage%' BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END");
    await expect(quota.reserve(request({ jobId: 'job-refused', reservationId: 'res-refused' }))).rejects.toThrow('disk I/O error');
    db.exec('DROP TRIGGER refuse');

    expect(await store.kv.get('quota:reservation:res-refused')).toBeUndefined();
    expect(await quota.memberStanding('g1', 'u1', [])).toMatchObject({ used: 0, inFlight: [] });
    expect(await quota.release('res-refused', 'cancelled')).toBe(false);
    granted(await quota.reserve(request({ jobId: 'job-after' })));
  });
});
