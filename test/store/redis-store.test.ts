import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedisStore } from '../../src/store/redis-store.js';
import { LockTimeoutError } from '../../src/store/redis-lock.js';
import { LockLeaseLostError } from '../../src/store/lock-lease.js';
import { createUsageRepository } from '../../src/quota/usage-repository.js';
import { openStore } from '../../src/store/open-store.js';
import { createJobRepository } from '../../src/jobs/job-repository.js';
import { quotaOn, request, granted } from '../quota/helpers.js';
import { flushDb, rawRedis, redisAvailable, redisUrl } from '../support/redis.js';
import { describeStoreContract } from './store-contract.js';
import { sampleJob } from '../support/jobs.js';

const DB = 9;
const URL = redisUrl(DB);
const up = await redisAvailable();
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!up)('Redis store', () => {
  beforeAll(() => flushDb(DB));
  afterAll(() => flushDb(DB));

  describeStoreContract(
    'Redis',
    () => openStore(URL),
    () => openStore(URL),
  );

  it('GIVEN two processes on one Redis WHEN both want the same lock THEN the second waits until the first lets go', async () => {
    const [a, b] = [await openRedisStore(URL), await openRedisStore(URL)];
    try {
      const timeline: string[] = [];
      const first = a.withLock('shared', async () => {
        timeline.push('a in');
        await pause(250);
        timeline.push('a out');
      });
      await pause(30);
      const second = b.withLock('shared', async () => {
        timeline.push('b in');
      });
      await Promise.all([first, second]);
      expect(timeline).toEqual(['a in', 'a out', 'b in']);

      await a.kv.set('shared:n', 0);
      const bump = (store: typeof a) =>
        store.withLock('shared', async () => {
          const n = (await store.kv.get<number>('shared:n')) ?? 0;
          await store.kv.set('shared:n', n + 1);
        });
      await Promise.all(Array.from({ length: 30 }, (_, i) => bump(i % 2 === 0 ? a : b)));
      expect(await b.kv.get('shared:n')).toBe(30);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('GIVEN a critical section three times longer than the lease WHEN another process waits THEN the renewed lease keeps it out', async () => {
    const [a, b] = [await openRedisStore(URL, { lockTtlMs: 150 }), await openRedisStore(URL, { lockTtlMs: 150 })];
    const raw = await rawRedis(DB);
    try {
      let aDone = false;
      let bSawADone: boolean | undefined;
      const first = a.withLock('long', async () => {
        await pause(500);
        expect(await raw.pTTL('hvb:lock:long')).toBeGreaterThan(0);
        aDone = true;
      });
      await pause(20);
      await b.withLock('long', async () => {
        bSawADone = aDone;
      });
      await first;
      expect(bSawADone).toBe(true);
      expect(await raw.exists('hvb:lock:long')).toBe(0);
    } finally {
      await raw.quit();
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('GIVEN a holder that stalls past its lease while another process takes the lock THEN its work is stopped: withLock rejects at once and its quota write is refused, so only the new holder writes', async () => {
    const [a, b] = [await openRedisStore(URL, { lockTtlMs: 150 }), await openRedisStore(URL, { lockTtlMs: 150 })];
    const raw = await rawRedis(DB);
    try {
      const usage = createUsageRepository(a);
      let leaseAborted = false;
      const startedAt = Date.now();
      const stalled = a.withLock('stall', async (lease) => {
        // The holder freezes (a GC pause, a suspended VM); meanwhile its lease runs out and another
        // process takes the lock.
        await raw.del('hvb:lock:stall');
        await b.withLock('stall', async () => b.kv.set('stall:who', 'b'));
        await pause(200);
        leaseAborted = lease.aborted;
        // Waking up, it tries the atomic quota write it was about to make.
        await usage.writeAll(
          { usage: { guildId: 'g-stall', periodKey: 'day:x', value: { used: { u: 1 } } } },
          [{ key: 'stall:who', value: 'a' }],
          [lease],
        );
        return 'a finished';
      });
      await expect(stalled).rejects.toBeInstanceOf(LockLeaseLostError);
      expect(Date.now() - startedAt).toBeLessThan(1_000);
      await pause(300);
      expect(leaseAborted).toBe(true);
      expect(await b.kv.get('stall:who')).toBe('b');
    } finally {
      await raw.quit();
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('GIVEN a holder whose whole process froze past its lease (no renewal answer yet) WHEN it wakes and writes THEN the write is refused before it reaches Redis', async () => {
    const a = await openRedisStore(URL, { lockTtlMs: 300 });
    try {
      const usage = createUsageRepository(a);
      const frozen = a.withLock('frozen-process', async (lease) => {
        // A GC pause or a suspended VM: nothing runs, not even the lease's renewals.
        const until = Date.now() + 600;
        while (Date.now() < until) {
          // frozen
        }
        await usage.writeAll({}, [{ key: 'frozen:who', value: 'a' }], [lease]);
        return 'wrote';
      });
      await expect(frozen).rejects.toBeInstanceOf(LockLeaseLostError);
      expect(await a.kv.get('frozen:who')).toBeUndefined();
    } finally {
      await a.close();
    }
  });

  it('GIVEN a holder that still believes its lease is live WHEN Redis already gave its lock to another process THEN the server refuses its write: nothing lands over what the new holder wrote', async () => {
    // What the local checks cannot see: the lock's key expired or moved on the server (a failover
    // that lost the key, a clock jump on the server) while the holder's own clock says it is fine.
    const [a, b] = [await openRedisStore(URL), await openRedisStore(URL)];
    const raw = await rawRedis(DB);
    try {
      const usage = createUsageRepository(a);
      const stale = a.withLock('fenced', async (lease) => {
        await raw.del('hvb:lock:fenced');
        await b.withLock('fenced', async (newLease) => {
          await createUsageRepository(b).writeAll({}, [{ key: 'fenced:who', value: 'b' }], [newLease]);
          await usage.writeAll(
            {},
            [
              { key: 'fenced:who', value: 'a' },
              { key: 'fenced:also', value: 'a' },
            ],
            [lease],
          );
        });
      });
      await expect(stale).rejects.toBeInstanceOf(LockLeaseLostError);
      expect(await a.kv.get('fenced:who')).toBe('b');
      expect(await a.kv.get('fenced:also')).toBeUndefined();
    } finally {
      await Promise.all([a.close(), b.close()]);
      await raw.quit();
    }
  });

  it('GIVEN a commit that lets go of its lock while the holder is still running WHEN another process asks for the lock THEN it gets it at once, no lease is reported lost, and the former holder writes nothing more', async () => {
    const lost: string[] = [];
    const a = await openRedisStore(URL, {
      lockTtlMs: 150,
      logger: { error: (_: unknown, msg: string) => lost.push(msg), warn: () => undefined } as never,
    });
    const b = await openRedisStore(URL);
    try {
      let tookOver = false;
      await a.withLock('handover', async (lease) => {
        await a.commit([{ key: 'handover:rec', value: 'a' }], [lease], { release: lease });
        // The lock is free while its former holder still runs, past renewals (every 50 ms here).
        await b.withLock('handover', async () => {
          tookOver = true;
        });
        await pause(200);
        await expect(a.commit([{ key: 'handover:rec', value: 'late' }], [lease])).rejects.toBeInstanceOf(LockLeaseLostError);
      });
      expect(tookOver).toBe(true);
      expect(await a.kv.get('handover:rec')).toBe('a');
      expect(lost).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('GIVEN a hand-edited record that is not JSON WHEN a member asks for a video THEN the request fails and the guild lock is let go of, so the server works again once the record is fixed', async () => {
    const raw = await rawRedis(DB);
    const a = await openRedisStore(URL, { lockTtlMs: 300, lockMaxWaitMs: 1_000 });
    const b = await openRedisStore(URL, { lockTtlMs: 300, lockMaxWaitMs: 1_000 });
    try {
      await raw.set('hvb::quota:policy:g-corrupt', '{"value":{"limit":5');
      await expect(quotaOn(a).quota.reserve(request({ guildId: 'g-corrupt' }))).rejects.toThrow();
      expect(await raw.get('hvb:lock:quota:g-corrupt')).toBeNull();
      await raw.del('hvb::quota:policy:g-corrupt');
      await expect(b.withLock('quota:g-corrupt', async () => 'taken')).resolves.toBe('taken');
      // A function that throws before its first await lets go of the lock too.
      const throwing = a.withLock('sync-throw', () => {
        throw new Error('thrown at once');
      });
      await expect(throwing).rejects.toThrow('thrown at once');
      expect(await raw.get('hvb:lock:sync-throw')).toBeNull();
    } finally {
      await Promise.all([a.close(), b.close()]);
      await raw.quit();
    }
  });

  it('GIVEN Redis forgot its scripts (a restart, SCRIPT FLUSH) WHEN locks are taken and records committed THEN the scripts are sent again and everything works', async () => {
    const a = await openRedisStore(URL);
    const raw = await rawRedis(DB);
    try {
      await a.withLock('flushed', async (lease) => a.commit([{ key: 'flushed:one', value: 1 }], [lease]));
      await raw.sendCommand(['SCRIPT', 'FLUSH']);
      const read = await a.withLock(
        'flushed',
        async (lease, values) => (await a.commit([{ key: 'flushed:two', value: 2 }], [lease]), values),
        ['flushed:one'],
      );
      expect(read).toEqual([1]);
      expect(await a.kv.get('flushed:two')).toBe(2);
    } finally {
      await a.close();
      await raw.quit();
    }
  });

  it('GIVEN a lease kept after its lock was released WHEN a write is made with it THEN it is refused (it fences nothing any more)', async () => {
    const a = await openRedisStore(URL);
    try {
      let kept: AbortSignal | undefined;
      await a.withLock('kept', async (lease) => {
        kept = lease;
      });
      await expect(createUsageRepository(a).writeAll({}, [{ key: 'kept:who', value: 'a' }], kept ? [kept] : [])).rejects.toBeInstanceOf(
        LockLeaseLostError,
      );
      expect(await a.kv.get('kept:who')).toBeUndefined();
    } finally {
      await a.close();
    }
  });

  it('GIVEN a job ending whose job lock lost its lease (the process froze) WHEN it settles the credits THEN the write is refused: credits stay held, the job record untouched', async () => {
    const [a, b] = [await openRedisStore(URL, { lockTtlMs: 150 }), await openRedisStore(URL, { lockTtlMs: 150 })];
    const raw = await rawRedis(DB);
    try {
      const { quota } = quotaOn(a);
      const reservationId = granted(await quota.reserve(request({ guildId: 'g-frozen', jobId: 'frozen1' })));
      const ending = a.withLock('job:frozen1', async (jobLease) => {
        // Frozen while holding the job's lock: another process takes it meanwhile.
        await raw.del('hvb:lock:job:frozen1');
        await b.withLock('job:frozen1', async () => undefined);
        await pause(200);
        // The guild's quota lock is free and taken afresh; only the job's lease was lost.
        return quota.settleAlong(
          'g-frozen',
          reservationId,
          { outcome: 'released', reason: 'task_failed' },
          () => [{ key: 'job:frozen1', value: { state: 'failed' } }],
          [jobLease],
        );
      });
      await expect(ending).rejects.toBeInstanceOf(LockLeaseLostError);
      await pause(300);
      expect((await quota.heldReservations('g-frozen')).map((h) => h.reservationId)).toEqual([reservationId]);
      expect(await a.kv.get('job:frozen1')).toBeUndefined();
    } finally {
      await raw.quit();
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('GIVEN a holder that died holding a lock WHEN another asks THEN it gets it once the lease ran out, and gives up past its wait limit', async () => {
    const raw = await rawRedis(DB);
    const store = await openRedisStore(URL, { lockMaxWaitMs: 100 });
    try {
      await raw.set('hvb:lock:orphan', 'a crashed process', { PX: 300 });
      await expect(store.withLock('orphan', async () => 'too soon')).rejects.toBeInstanceOf(LockTimeoutError);
      await pause(250);
      expect(await store.withLock('orphan', async () => 'mine')).toBe('mine');
    } finally {
      await raw.quit();
      await store.close();
    }
  });

  it('GIVEN a record committed with a lifetime already past (a negative ttl) THEN it reads as missing and Redis does not keep it', async () => {
    const store = await openStore(URL);
    const raw = await rawRedis(DB);
    try {
      await store.commit(
        [
          { key: 'ttl:past', value: 'stale', ttl: -5_000 },
          { key: 'ttl:kept', value: 'fresh', ttl: 60_000 },
        ],
        [],
      );
      await pause(20);
      expect(await store.kv.get('ttl:past')).toBeUndefined();
      expect(await store.kv.get('ttl:kept')).toBe('fresh');
      const keys = await raw.keys('*ttl:*');
      expect(keys.some((k) => k.endsWith('ttl:past'))).toBe(false);
      expect(keys.some((k) => k.endsWith('ttl:kept'))).toBe(true);
      // A lifetime that is no number means none: the whole commit lands, not the records before it.
      await store.commit(
        [
          { key: 'ttl:first', value: 1 },
          { key: 'ttl:nan', value: 2, ttl: Number.NaN },
          { key: 'ttl:last', value: 3 },
        ],
        [],
      );
      expect([await store.kv.get('ttl:first'), await store.kv.get('ttl:nan'), await store.kv.get('ttl:last')]).toEqual([1, 2, 3]);
    } finally {
      await raw.quit();
      await store.close();
    }
  });

  it('GIVEN job records on Redis WHEN they are saved, updated and finished THEN the index of live jobs follows them', async () => {
    const store = await openStore(URL);
    try {
      const jobs = createJobRepository(store);
      await jobs.save(sampleJob({ id: 'jr1', state: 'submitted', taskId: 't1' }));
      await jobs.save(sampleJob({ id: 'jr2', state: 'processing', taskId: 't2' }));
      expect((await jobs.activeIds()).sort()).toEqual(['jr1', 'jr2']);
      const updated = await jobs.update('jr1', (job) => ({ ...job, state: 'queued' }));
      expect(updated?.state).toBe('queued');
      expect((await jobs.get('jr1'))?.state).toBe('queued');
      await jobs.save(sampleJob({ id: 'jr2', state: 'delivered', taskId: 't2' }));
      expect(await jobs.activeIds()).toEqual(['jr1']);
      expect((await jobs.get('jr2'))?.state).toBe('delivered');
    } finally {
      await store.close();
    }
  });

  it('GIVEN quota on Redis WHEN a member reserves, is charged and released THEN standing and ledger agree across two processes', async () => {
    const [a, b] = [await openStore(URL), await openStore(URL)];
    try {
      const clock = { now: () => Date.parse('2026-11-25T12:00:00Z') };
      const first = quotaOn(a, { defaults: { limit: 3, period: 'day' } }, { ...clock, set: () => undefined }).quota;
      const second = quotaOn(b, { defaults: { limit: 3, period: 'day' } }, { ...clock, set: () => undefined }).quota;
      const kept = granted(await first.reserve(request({ guildId: 'rq', userId: 'u1' })));
      const returned = granted(await second.reserve(request({ guildId: 'rq', userId: 'u2' })));
      expect(await second.charge(kept, 'delivered')).toBe(true);
      expect(await first.charge(kept, 'delivered')).toBe(false);
      expect(await first.release(returned, 'task_failed')).toBe(true);
      const standing = await second.memberStanding('rq', 'u1', []);
      expect(standing.guildRemaining).toBe(2);
      expect((await first.ledger('rq')).map((l) => [l.userId, l.outcome])).toEqual([
        ['u1', 'charged'],
        ['u2', 'released'],
      ]);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? first : second).reserve(request({ guildId: 'rq', userId: `m${i}` }))),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(2);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
