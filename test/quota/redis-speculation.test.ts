import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@keyv/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { guildLockName } from '../../src/quota/usage-repository.js';
import { granted, quotaOn, request, testClock } from './helpers.js';
import { redisAvailable, redisUrl } from '../support/redis.js';

// A reservation on Redis runs first on the guild's records as this process last knew them, and
// its write takes the lock, checks them and writes in one script (Store.withLock's `speculate`).
// These tests check that a wrong guess never decides anything: another process's reservations
// and releases, a lock another process holds, a threshold read. Each test uses guilds of its own.
const REDIS_URL = redisUrl(0);

describe.runIf(await redisAvailable())('reservations on Redis from what this process last knew', () => {
  const stores: Store[] = [];
  let monitor: ReturnType<typeof createClient> | undefined;
  const seen: string[] = [];

  beforeAll(async () => {
    monitor = createClient({ url: REDIS_URL });
    await monitor.connect();
    await monitor.monitor((line) => seen.push(line));
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    monitor?.destroy();
  });

  const process = async (limit: number) => {
    const store = await openStore(REDIS_URL);
    stores.push(store);
    return { store, ...quotaOn(store, { defaults: { limit, period: 'day' } }, testClock()) };
  };
  /** Commands bot processes sent Redis that name the guild (MONITOR lines; not those of its scripts). */
  const commandsFor = async (guildId: string) => {
    await sleep(100);
    return seen
      .filter((line) => line.includes(guildId) && !line.includes(' lua]'))
      .map((line) => /"(\w+)"/.exec(line.split(']')[1] ?? '')?.[1]?.toLowerCase());
  };

  it('GIVEN a bot process on Redis WHEN members of one server ask three times in a row THEN each reservation is one command to Redis', async () => {
    const a = await process(10);
    // Loads the scripts into Redis (a fresh server answers NOSCRIPT once per script).
    granted(await a.quota.reserve(request({ guildId: `warm-${randomUUID()}` })));
    const guildId = `g-${randomUUID()}`;
    for (const userId of ['u1', 'u2', 'u3']) granted(await a.quota.reserve(request({ guildId, userId })));
    expect(await commandsFor(guildId)).toEqual(['evalsha', 'evalsha', 'evalsha']);
    expect((await a.quota.memberStanding(guildId, 'u4', [])).guildRemaining).toBe(7);
  });

  it('GIVEN another bot process spent the rest of the budget WHEN a member asks this one THEN the request is refused on the real figures, not on what this process last knew', async () => {
    const a = await process(2);
    const b = await process(2);
    const guildId = `g-${randomUUID()}`;
    granted(await a.quota.reserve(request({ guildId, userId: 'u1' })));
    granted(await b.quota.reserve(request({ guildId, userId: 'u2' })));
    const third = await a.quota.reserve(request({ guildId, userId: 'u3' }));
    expect(third).toMatchObject({ ok: false, refusal: { reason: 'guild_budget', remaining: 0, limit: 2 } });
    expect((await b.quota.memberStanding(guildId, 'u3', [])).guildRemaining).toBe(0);
  });

  it('GIVEN another bot process gave credits back WHEN a member asks this one, which last saw the budget spent THEN the request is granted', async () => {
    const a = await process(1);
    const b = await process(1);
    const guildId = `g-${randomUUID()}`;
    const first = granted(await a.quota.reserve(request({ guildId, userId: 'u1' })));
    expect(await a.quota.reserve(request({ guildId, userId: 'u2' }))).toMatchObject({ ok: false, refusal: { reason: 'guild_budget' } });
    expect(await b.quota.release(first, 'task_failed')).toBe(true);
    granted(await a.quota.reserve(request({ guildId, userId: 'u2' })));
    expect((await b.quota.memberStanding(guildId, 'u3', [])).guildRemaining).toBe(0);
  });

  it('GIVEN another bot process holds the server lock WHEN a member asks this one THEN the reservation waits for it and counts what the holder wrote', async () => {
    const a = await process(3);
    const b = await process(3);
    const guildId = `g-${randomUUID()}`;
    granted(await a.quota.reserve(request({ guildId, userId: 'u1' })));
    // What process A does not know: B's reservation.
    granted(await b.quota.reserve(request({ guildId, userId: 'u2' })));
    let holderDone = false;
    let grantedAt = false;
    const holding = b.store.withLock(guildLockName(guildId), async () => {
      await sleep(300);
      holderDone = true;
    });
    await sleep(50);
    const asked = a.quota.reserve(request({ guildId, userId: 'u3' })).then((r) => {
      grantedAt = holderDone;
      return r;
    });
    await holding;
    granted(await asked);
    expect(grantedAt).toBe(true);
    expect((await a.quota.memberStanding(guildId, 'u4', [])).guildRemaining).toBe(0);
  });

  it('GIVEN a server whose spending crosses its budget thresholds WHEN members ask through one process THEN each threshold is announced once, as read under the lock', async () => {
    const a = await process(4);
    const b = await process(4);
    const guildId = `g-${randomUUID()}`;
    expect(await a.quota.setPolicy(guildId, { maxConcurrent: 10 })).toMatchObject({ ok: true });
    const results = [
      await a.quota.reserve(request({ guildId, userId: 'u1' })),
      await b.quota.reserve(request({ guildId, userId: 'u2' })),
      await a.quota.reserve(request({ guildId, userId: 'u3' })),
      await a.quota.reserve(request({ guildId, userId: 'u4' })),
    ];
    expect(results.map((r) => (r.ok ? (r.threshold?.percent ?? null) : 'refused'))).toEqual([null, 50, null, 100]);
  });
});
