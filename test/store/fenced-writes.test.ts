import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviderIncidents } from '../../src/alerts/provider-incidents.js';
import { createEtaStats } from '../../src/jobs/eta-stats.js';
import { createJobHistory } from '../../src/jobs/history.js';
import { createJobRepository } from '../../src/jobs/job-repository.js';
import { createPressClaims } from '../../src/jobs/press-claims.js';
import { LockLeaseLostError } from '../../src/store/lock-lease.js';
import { openRedisStore } from '../../src/store/redis-store.js';
import type { Store } from '../../src/store/types.js';
import { quotaOn } from '../quota/helpers.js';
import { sampleJob } from '../support/jobs.js';
import { flushDb, rawRedis, redisAvailable, redisUrl } from '../support/redis.js';

const DB = 8;
const URL = redisUrl(DB);
const up = await redisAvailable();
const LEASE_MS = 300;

/** The store with `then` run right after each read of a record whose key starts with `prefix`. */
function afterRead(store: Store, prefix: string, then: () => void | Promise<void>): Store {
  const kv = new Proxy(store.kv, {
    get(target, prop, receiver) {
      if (prop !== 'get') {
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      }
      return async (key: string) => {
        const value: unknown = await target.get(key);
        if (key.startsWith(prefix)) await then();
        return value;
      };
    },
  });
  return { ...store, kv };
}

/**
 * The store as a process that froze (a GC pause, a suspended VM: not even its lease renewals run)
 * for `ms` right after reading a record whose key starts with `prefix`, under the lock of the write
 * that follows: its lease runs out meanwhile, as another process' lock would let it.
 */
const freezingAfterRead = (store: Store, prefix: string, ms: number): Store =>
  afterRead(store, prefix, () => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      // frozen
    }
  });

/**
 * The store as a process whose lock Redis gave away while it read a record whose key starts with
 * `prefix` (a failover that lost the lock's key): `meanwhile` runs once, right after that read,
 * before the holder writes. Its own clock still says the lease is fine: only the server can tell.
 */
function losingLockOnRead(store: Store, prefix: string, meanwhile: () => Promise<void>): Store {
  let done = false;
  return afterRead(store, prefix, async () => {
    if (done) return;
    done = true;
    await meanwhile();
  });
}

/**
 * Every write a lock guards on Redis is fenced, not only the quota's and the jobs': a holder that
 * stalled past its lease (another shard may hold the lock now) writes nothing, for admins' quota
 * settings, members' history, learned ETAs, button-press claims and provider incidents alike.
 */
describe.skipIf(!up)('writes under a lock whose lease ran out are refused (Redis, several shards)', () => {
  let store: Store;
  beforeAll(async () => {
    await flushDb(DB);
    store = await openRedisStore(URL, { lockTtlMs: LEASE_MS });
  });
  afterAll(async () => {
    await store?.close();
    await flushDb(DB);
  });

  it('GIVEN an admin’s /quota set whose process froze past the guild lock’s lease THEN the policy is not written', async () => {
    const { quota } = quotaOn(freezingAfterRead(store, 'quota:policy:g-fenced', 2 * LEASE_MS));
    await expect(quota.setPolicy('g-fenced', { limit: 99 })).rejects.toBeInstanceOf(LockLeaseLostError);
    expect(await store.kv.get('quota:policy:g-fenced')).toBeUndefined();
    // A process that does not freeze writes it.
    const healthy = quotaOn(store).quota;
    expect((await healthy.setPolicy('g-fenced', { limit: 7 })).ok).toBe(true);
    expect((await healthy.getPolicy('g-fenced')).limit).toBe(7);
  });

  it('GIVEN an admin’s /quota set whose guild lock Redis gave to another shard meanwhile THEN the server refuses its write: the other shard’s setting stays', async () => {
    const other = await openRedisStore(URL, { lockTtlMs: LEASE_MS });
    const raw = await rawRedis(DB);
    try {
      const stale = quotaOn(
        losingLockOnRead(store, 'quota:policy:g-taken', async () => {
          await raw.del('hvb:lock:quota:g-taken');
          expect((await quotaOn(other).quota.setPolicy('g-taken', { limit: 5 })).ok).toBe(true);
        }),
      ).quota;
      await expect(stale.setPolicy('g-taken', { limit: 50 })).rejects.toBeInstanceOf(LockLeaseLostError);
      expect((await quotaOn(store).quota.getPolicy('g-taken')).limit).toBe(5);
    } finally {
      await raw.quit();
      await other.close();
    }
  });

  it('GIVEN a removal under a lock Redis gave to another process meanwhile THEN the server refuses it: what the new holder wrote stays', async () => {
    const other = await openRedisStore(URL, { lockTtlMs: LEASE_MS });
    const raw = await rawRedis(DB);
    try {
      const stale = store.withLock('fenced-removal', async (lease) => {
        await raw.del('hvb:lock:fenced-removal');
        await other.withLock('fenced-removal', (newLease) => other.commit([{ key: 'fenced-removal:rec', value: 'new' }], [newLease]));
        await store.commit([], [lease], { remove: ['fenced-removal:rec'] });
      });
      await expect(stale).rejects.toBeInstanceOf(LockLeaseLostError);
      expect(await store.kv.get('fenced-removal:rec')).toBe('new');
    } finally {
      await raw.quit();
      await other.close();
    }
  });

  it('GIVEN a member’s history entry written by a process that froze past its lease THEN the index is left as it was', async () => {
    const job = sampleJob({ guildId: 'g-fenced', userId: 'u-history' });
    const frozen = createJobHistory({
      store: freezingAfterRead(store, 'history:g-fenced:u-history', 2 * LEASE_MS),
      jobs: createJobRepository(store),
      retainMs: 86_400_000,
    });
    await expect(frozen.record(job)).rejects.toBeInstanceOf(LockLeaseLostError);
    expect(await store.kv.get('history:g-fenced:u-history')).toBeUndefined();
  });

  it('GIVEN a learned generation time written by a process that froze past its lease THEN the average is not changed', async () => {
    const request = { model: 'MiniMax-Hailuo-2.3', resolution: '768p', duration: 6 } as const;
    const healthy = createEtaStats(store);
    await healthy.learn(request, 100);
    const before: unknown = await store.kv.get('eta:MiniMax-Hailuo-2.3:768p:6');
    expect(before).toMatchObject({ averageS: 100, samples: 1 });
    const frozen = createEtaStats(freezingAfterRead(store, 'eta:', 2 * LEASE_MS));
    await expect(frozen.learn(request, 500)).rejects.toBeInstanceOf(LockLeaseLostError);
    expect(await store.kv.get('eta:MiniMax-Hailuo-2.3:768p:6')).toEqual(before);
  });

  it('GIVEN a button press claimed by a process that froze past its lease THEN no claim is written, so the press is not handled twice', async () => {
    const press = { resultJobId: 'j-fenced', userId: 'u-press', action: 'regenerate' as const };
    const frozen = createPressClaims(freezingAfterRead(store, 'press:', 2 * LEASE_MS));
    await expect(frozen.claim(press)).rejects.toBeInstanceOf(LockLeaseLostError);
    expect(await store.kv.get('press:regenerate:j-fenced:u-press')).toBeUndefined();
    const healthy = await createPressClaims(store).claim(press);
    expect(healthy.claimed).toBe(true);
  });

  it('GIVEN a provider incident opened by a process that froze past its lease THEN it is neither recorded nor announced', async () => {
    const announced: unknown[] = [];
    const errors: unknown[] = [];
    const incidents = createProviderIncidents({
      store: freezingAfterRead(store, 'alerts:incident:', 2 * LEASE_MS),
      clock: Date.now,
      events: { emit: (_guildId, event) => void announced.push(event) },
    });
    const reporter = incidents.reporter(
      { progress: async () => undefined, deliver: async () => 'attachment', failed: async () => 'told', shown: async () => 'not_final' },
      (err) => void errors.push(err),
    );
    await reporter.failed(sampleJob({ guildId: 'g-fenced', state: 'failed', failure: { reason: 'auth', detail: null } }));
    expect(errors[0]).toBeInstanceOf(LockLeaseLostError);
    expect(announced).toEqual([]);
    expect(await store.kv.get('alerts:incident:g-fenced')).toBeUndefined();
  });
});
