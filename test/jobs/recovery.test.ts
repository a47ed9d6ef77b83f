import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { createJobRepository } from '../../src/jobs/job-repository.js';
import { sampleJob } from '../support/jobs.js';
import { scriptedProvider } from '../support/fake-video-provider.js';
import { testEngine } from '../support/job-engine.js';

describe('recovery of the index of jobs in flight', () => {
  it('GIVEN a delivered job still listed as in flight (a crash between two writes) WHEN the bot starts THEN the list is mended and the job stays readable for its buttons', async () => {
    const store = await openStore('memory://');
    const jobs = createJobRepository(store);
    await jobs.save(sampleJob({ id: 'done1', state: 'delivered', finishedAt: Date.now() }));
    await store.addToSet('jobs:active', 'done1');

    const { engine, seen } = testEngine(store, scriptedProvider());
    await engine.start();

    expect(await jobs.activeIds()).toEqual([]);
    expect((await jobs.get('done1'))?.state).toBe('delivered');
    expect(seen.failed).toEqual([]);
    await engine.stop();
    await store.close();
  });

  it('GIVEN a job in flight whose record is gone WHEN the bot starts THEN its credits and concurrency slot are given back', async () => {
    const store = await openStore('memory://');
    const { engine, quota } = testEngine(store, scriptedProvider());
    const hold = (jobId: string) =>
      quota.reserve({
        jobId,
        reservationId: `res-${jobId}`,
        guildId: 'g1',
        userId: 'u1',
        channelId: 'c1',
        roleIds: [],
        cost: 2,
        prompt: 'a fox',
        model: 'MiniMax-Hailuo-2.3',
        resolution: '768p',
        duration: 6,
      });
    expect((await hold('lost1')).ok).toBe(true);
    expect((await hold('newer1')).ok).toBe(true);
    await store.addToSet('jobs:active', 'lost1');
    // Written by a newer version during a rolling upgrade: not this version's to settle.
    await store.addToSet('jobs:active', 'newer1');
    await store.kv.set('job:newer1', { id: 'newer1', state: 'some_future_state' });

    await engine.start();

    const standing = await quota.memberStanding('g1', 'u1', []);
    expect(standing.used).toBe(2);
    expect(standing.inFlight).toEqual(['newer1']);
    expect(await createJobRepository(store).activeIds()).toEqual(['newer1']);
    expect(await store.kv.get('job:newer1')).toEqual({ id: 'newer1', state: 'some_future_state' });
    await engine.stop();
    await store.close();
  });
});
