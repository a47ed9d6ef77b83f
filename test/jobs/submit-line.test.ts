import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { createJobRepository } from '../../src/jobs/job-repository.js';
import { createSubmitLine, type SubmitLine } from '../../src/jobs/submit-line.js';
import { sampleJob } from '../support/jobs.js';
import { sqliteFilePerTest } from '../support/sqlite.js';
import { flushDb, redisAvailable, redisUrl } from '../support/redis.js';

const DB = 6;
const BUDGET = { limit: 20, windowMs: 60_000 };
const redisUp = await redisAvailable();

/** Jobs waiting in line, asked for in the order given: [id, guild, member]. */
async function fillLine(store: Store, jobs: Array<[string, string, string]>) {
  const repo = createJobRepository(store);
  for (const [i, [id, guildId, userId]] of jobs.entries()) {
    await repo.save(sampleJob({ id, guildId, userId, state: 'waiting', taskId: null, createdAt: 1_000 + i, submittedAt: null }));
  }
  return repo;
}

const BUSY_FIRST: Array<[string, string, string]> = [
  ['A1', 'A', 'a1'],
  ['A2', 'A', 'a1'],
  ['A3', 'A', 'a2'],
  ['A4', 'A', 'a1'],
  ['A5', 'A', 'a2'],
  ['A6', 'A', 'a1'],
  ['B1', 'B', 'b'],
  ['B2', 'B', 'b'],
  ['C1', 'C', 'c'],
];
// Servers take turns (A B C A B A …); within A its members take turns (a1 a2 a1 a2 a1 a1).
const FAIR = ['A1', 'B1', 'C1', 'A3', 'B2', 'A2', 'A5', 'A4', 'A6'];

function lineContract(name: string, open: () => Promise<Store>, reopen: () => Promise<Store>) {
  describe(`the line on ${name}`, () => {
    it('GIVEN a busy server that asked first and two small ones WHEN jobs are picked one turn at a time THEN the order is fair, each job picked once, and its record says submitting', async () => {
      const store = await open();
      const repo = await fillLine(store, BUSY_FIRST);
      const line = createSubmitLine(store, repo, BUDGET);
      expect((await line.places(5_000)).map((p) => p.job.id)).toEqual(FAIR);
      const picked: string[] = [];
      for (let i = 0; i < BUSY_FIRST.length + 1; i += 1) {
        const job = await line.pick(() => true, 2_000 + i);
        if (job) picked.push(job.id);
      }
      expect(picked).toEqual(FAIR);
      for (const id of FAIR) expect((await repo.get(id))?.state).toBe('submitting');
      expect(await line.hasWaiting(() => true)).toBe(false);
    });

    it('GIVEN a half-served line WHEN the process restarts on the same store THEN the order carries on where it stopped', async () => {
      const first = await open();
      const repo = await fillLine(first, BUSY_FIRST);
      const line = createSubmitLine(first, repo, BUDGET);
      const before = [
        (await line.pick(() => true, 2_000))?.id,
        (await line.pick(() => true, 2_001))?.id,
        (await line.pick(() => true, 2_002))?.id,
      ];
      await first.close();
      const second = await reopen();
      const again = createSubmitLine(second, createJobRepository(second), BUDGET);
      const after: string[] = [];
      for (let job = await again.pick(() => true, 3_000); job; job = await again.pick(() => true, 3_000)) after.push(job.id);
      expect([...before, ...after]).toEqual(FAIR);
    });

    it('GIVEN a shard that serves only some servers WHEN it picks THEN it takes only their jobs, in their fair order, and leaves the others waiting', async () => {
      const store = await open();
      const repo = await fillLine(store, BUSY_FIRST);
      const line = createSubmitLine(store, repo, BUDGET);
      const picked: string[] = [];
      for (let job = await line.pick((g) => g !== 'B', 2_000); job; job = await line.pick((g) => g !== 'B', 2_000)) picked.push(job.id);
      expect(picked).toEqual(FAIR.filter((id) => !id.startsWith('B')));
      expect((await line.places(3_000)).map((p) => p.job.id)).toEqual(['B1', 'B2']);
    });
  });
}

describe('SQLite', () => {
  const { openSqlite } = sqliteFilePerTest('hvb-line-');
  lineContract('SQLite', openSqlite, openSqlite);
});

describe.runIf(redisUp)('Redis', () => {
  const opened: Store[] = [];
  afterEach(async () => {
    await Promise.allSettled(opened.splice(0).map((s) => s.close()));
  });
  const reopen = async () => {
    const store = await openStore(redisUrl(DB));
    opened.push(store);
    return store;
  };
  const open = async () => {
    await flushDb(DB);
    return reopen();
  };
  lineContract('Redis', open, reopen);

  it('GIVEN two processes sharing the line WHEN both pick at once THEN every job is picked exactly once', async () => {
    await flushDb(DB);
    const stores = [await openStore(redisUrl(DB)), await openStore(redisUrl(DB))];
    try {
      const jobs = Array.from({ length: 12 }, (_, i): [string, string, string] => [`j${i}`, `g${i % 3}`, `u${i % 4}`]);
      await fillLine(stores[0] as Store, jobs);
      const lines = stores.map((store) => createSubmitLine(store, createJobRepository(store), BUDGET));
      const picks = await Promise.all(Array.from({ length: 16 }, (_, i) => (lines[i % 2] as SubmitLine).pick(() => true, 5_000 + i)));
      const ids = picks.flatMap((job) => (job ? [job.id] : []));
      expect(ids.sort()).toEqual(jobs.map(([id]) => id).sort());
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await flushDb(DB);
    }
  });
});
