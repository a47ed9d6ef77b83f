import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobHistory } from '../../src/jobs/history.js';
import { createJobRepository } from '../../src/jobs/job-repository.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { sampleJob } from '../support/jobs.js';
import { flushDb, redisAvailable, redisUrl } from '../support/redis.js';
import { sqliteFilePerTest } from '../support/sqlite.js';

const DAY = 24 * 60 * 60_000;
const GUILD = '1100000000000000001';
const OTHER_GUILD = '1100000000000000002';
const MEMBER = '1200000000000000001';
const DB = 7;

function historyContract(name: string, open: () => Promise<Store>) {
  describe(`${name}: members' history`, () => {
    it("GIVEN 12 videos of a member in two servers WHEN they page through one server THEN they see only that server's, newest first", async () => {
      const store = await open();
      const jobs = createJobRepository(store);
      const now = Date.UTC(2026, 10, 30, 12);
      const history = createJobHistory({ store, jobs, retainMs: 30 * DAY, clock: () => now });
      for (let i = 0; i < 12; i += 1) {
        const job = sampleJob({
          id: `h${i}`,
          guildId: i === 5 ? OTHER_GUILD : GUILD,
          createdAt: now - (12 - i) * 60_000,
          state: 'delivered',
          finishedAt: now,
        });
        await jobs.save(job);
        await history.record(job);
        await history.record(job);
      }
      const first = await history.page(GUILD, MEMBER, 0, 10);
      expect(first.total).toBe(11);
      expect(first.jobs.map((j) => j.id)).toEqual(['h11', 'h10', 'h9', 'h8', 'h7', 'h6', 'h4', 'h3', 'h2', 'h1']);
      const second = await history.page(GUILD, MEMBER, 10, 10);
      expect(second.jobs.map((j) => j.id)).toEqual(['h0']);
      expect((await history.page(OTHER_GUILD, MEMBER, 0, 10)).jobs.map((j) => j.id)).toEqual(['h5']);
      expect((await history.page(GUILD, '1200000000000000009', 0, 10)).total).toBe(0);
    });

    it('GIVEN finished jobs older than the retention WHEN the sweep runs THEN their records and entries are gone, while recent and unfinished ones stay', async () => {
      const store = await open();
      const jobs = createJobRepository(store);
      let now = Date.UTC(2026, 0, 1, 10);
      const history = createJobHistory({ store, jobs, retainMs: 30 * DAY, clock: () => now });
      const old = sampleJob({ id: 'old', createdAt: now, state: 'delivered', finishedAt: now + 60_000 });
      const oldFailed = sampleJob({ id: 'oldfail', createdAt: now, state: 'failed', finishedAt: now + 1_000 });
      const stuck = sampleJob({ id: 'stuck', createdAt: now, state: 'processing' });
      const recent = sampleJob({ id: 'recent', createdAt: now + 20 * DAY, state: 'delivered', finishedAt: now + 20 * DAY });
      for (const job of [old, oldFailed, stuck, recent]) {
        await jobs.save(job);
        await history.record(job);
      }
      expect(await history.sweep()).toBe(0);

      now += 31 * DAY;
      expect(await history.sweep()).toBe(2);
      expect(await jobs.get('old')).toBeUndefined();
      expect(await jobs.get('oldfail')).toBeUndefined();
      expect(await jobs.get('stuck')).toBeDefined();
      const page = await history.page(GUILD, MEMBER, 0, 10);
      expect(page.jobs.map((j) => j.id).sort()).toEqual(['recent', 'stuck']);
      expect(page.total).toBe(2);

      now += 20 * DAY;
      await jobs.save({ ...stuck, state: 'expired', finishedAt: now - 31 * DAY });
      expect(await history.sweep()).toBe(2);
      expect((await history.page(GUILD, MEMBER, 0, 10)).total).toBe(0);
      expect(await history.sweep()).toBe(0);
    });

    it("GIVEN a record removed behind the index's back WHEN the member pages THEN it is skipped and the page still fills", async () => {
      const store = await open();
      const jobs = createJobRepository(store);
      const now = Date.now();
      const history = createJobHistory({ store, jobs, retainMs: 30 * DAY, clock: () => now });
      for (let i = 0; i < 4; i += 1) {
        const job = sampleJob({ id: `g${i}`, createdAt: now - i * 1000 });
        await jobs.save(job);
        await history.record(job);
      }
      await jobs.delete('g1');
      const page = await history.page(GUILD, MEMBER, 0, 3);
      expect(page.jobs.map((j) => j.id)).toEqual(['g0', 'g2', 'g3']);
      expect(page.total).toBe(3);
      expect((await history.page(GUILD, MEMBER, 0, 10)).total).toBe(3);
    });
  });
}

describe('history on SQLite', () => {
  const { openSqlite } = sqliteFilePerTest('hvb-history-');
  historyContract('SQLite', openSqlite);
});

const up = await redisAvailable();
describe.skipIf(!up)('history on Redis', () => {
  const opened: Store[] = [];
  beforeAll(() => flushDb(DB));
  afterAll(async () => {
    await Promise.allSettled(opened.map((s) => s.close()));
    await flushDb(DB);
  });
  historyContract('Redis', async () => {
    await flushDb(DB);
    const store = await openStore(redisUrl(DB));
    opened.push(store);
    return store;
  });
});
