import { describe, expect, it } from 'vitest';
import { createEtaStats } from '../../src/jobs/eta-stats.js';
import type { Job } from '../../src/jobs/job.js';
import { computeProgress, typicalDuration } from '../../src/jobs/progress.js';
import { sqliteFilePerTest } from '../support/sqlite.js';

const standard = { model: 'MiniMax-Hailuo-2.3', resolution: '768p', duration: 6 } as const;
const fast = { model: 'MiniMax-Hailuo-2.3-Fast', resolution: '768p', duration: 10 } as const;

/** A job the provider has accepted `runningS` seconds ago, without a percentage of its own. */
function runningJob(now: number, runningS: number, estimatedTimeS: number | null, percent: number | null = null): Job {
  const submittedAt = now - runningS * 1000;
  return {
    id: 'j1',
    version: 1,
    guildId: 'g1',
    userId: 'u1',
    roleIds: [],
    request: {
      ...standard,
      userPrompt: 'a fox',
      prompt: 'a fox',
      camera: [],
      image: null,
      promptOptimizer: true,
      fastPretreatment: false,
      watermark: false,
    },
    reply: {
      applicationId: 'a',
      interactionToken: 't',
      tokenIssuedAt: submittedAt,
      channelId: 'c',
      messageId: 'm',
      attachmentSizeLimit: 10,
      locale: 'en-US',
    },
    state: 'processing',
    cost: 1,
    reservationId: 'r',
    taskId: 'task_1',
    createdAt: submittedAt,
    updatedAt: now,
    submittedAt,
    completedAt: null,
    finishedAt: null,
    progress: { percent, estimatedTimeS, rawStatus: 'processing', lastChangeAt: now },
    poll: { nextAt: now, count: 1, failures: 0 },
    result: null,
    failure: null,
    outbox: null,
  };
}

describe('learned generation times', () => {
  const { openSqlite } = sqliteFilePerTest('eta-');

  it('GIVEN fewer than 3 real runs WHEN asked for an estimate THEN the published typical time is used, and from the 3rd run the moving average', async () => {
    const eta = createEtaStats(await openSqlite());
    await eta.load();
    expect(eta.typical(standard)).toBe(typicalDuration(standard));

    await eta.learn(standard, 100);
    await eta.learn(standard, 130);
    expect(eta.typical(standard)).toBe(typicalDuration(standard));
    expect(eta.learned(standard)).toBeUndefined();

    await eta.learn(standard, 160);
    // 100, then 0.2·130 + 0.8·100 = 106, then 0.2·160 + 0.8·106 = 116.8
    expect(eta.typical(standard)).toBe(117);
    expect(eta.learned(standard)).toBe(117);
    expect(eta.typical(fast)).toBe(typicalDuration(fast));
  });

  it('GIVEN runs that are glitches or stuck tasks WHEN they are reported THEN they do not move the estimate', async () => {
    const eta = createEtaStats(await openSqlite());
    for (const seconds of [0.3, 4, 3601, Number.NaN, Number.POSITIVE_INFINITY, -20]) await eta.learn(standard, seconds);
    await eta.learn(standard, 90);
    await eta.learn(standard, 90);
    expect(eta.learned(standard)).toBeUndefined();
    await eta.learn(standard, 90);
    expect(eta.learned(standard)).toBe(90);
  });

  it('GIVEN learned times WHEN the bot restarts on the same SQLite file THEN the averages come back after load() and keep learning', async () => {
    const first = await openSqlite();
    const before = createEtaStats(first);
    for (const seconds of [60, 60, 60]) await before.learn(fast, seconds);
    expect(await first.kv.get('eta:MiniMax-Hailuo-2.3-Fast:768p:10')).toEqual({ averageS: 60, samples: 3 });
    await first.close();

    const after = createEtaStats(await openSqlite());
    expect(after.typical(fast)).toBe(typicalDuration(fast));
    await after.load();
    expect(after.typical(fast)).toBe(60);
    expect(after.typical(standard)).toBe(typicalDuration(standard));

    await after.learn(fast, 110);
    expect(after.typical(fast)).toBe(70);
  });

  it('GIVEN two shards on one store WHEN one learns a time THEN the other, following the store, uses it too', async () => {
    const shared = await openSqlite();
    const [learner, follower] = [createEtaStats(shared), createEtaStats(shared)];
    await Promise.all([learner.load(), follower.load()]);
    const stop = follower.follow(20);
    try {
      for (const seconds of [80, 80, 80]) await learner.learn(fast, seconds);
      await expect.poll(() => follower.typical(fast), { timeout: 2_000 }).toBe(80);
    } finally {
      await stop();
    }
  });

  it('GIVEN many jobs finishing at once WHEN each reports its time THEN every sample is counted', async () => {
    const store = await openSqlite();
    const eta = createEtaStats(store);
    await Promise.all(Array.from({ length: 20 }, () => eta.learn(standard, 50)));
    expect(await store.kv.get('eta:MiniMax-Hailuo-2.3:768p:6')).toEqual({ averageS: 50, samples: 20 });
  });

  it("GIVEN a learned time WHEN the provider gives no percentage THEN the progress bar and ETA follow the learned time, not the provider's generic estimate", async () => {
    const eta = createEtaStats(await openSqlite());
    for (const seconds of [200, 200, 200]) await eta.learn(standard, seconds);
    const now = 1_000_000_000;

    const view = computeProgress(runningJob(now, 100, 60), now, eta.typical);
    expect(view).toMatchObject({ percent: 50, estimated: true, etaAt: now + 100_000 });

    const unlearned = computeProgress(runningJob(now, 30, 60), now, createEtaStats(await openSqlite()).typical);
    expect(unlearned).toMatchObject({ percent: 50, estimated: true, etaAt: now + 30_000 });

    const reported = computeProgress(runningJob(now, 100, 60, 80), now, eta.typical);
    expect(reported).toMatchObject({ percent: 80, estimated: false });
  });
});
