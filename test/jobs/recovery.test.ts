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
    const held = await quota.reserve({
      jobId: 'lost1',
      reservationId: 'res-lost1',
      guildId: 'g1',
      userId: 'u1',
      channelId: 'c1',
      roleIds: [],
      cost: 2,
      prompt: 'a fox',
    });
    expect(held.ok).toBe(true);
    await store.addToSet('jobs:active', 'lost1');
    await store.kv.set('job:lost1', { written: 'by something else' });

    await engine.start();

    const standing = await quota.memberStanding('g1', 'u1', []);
    expect(standing.used).toBe(0);
    expect(standing.inFlight).toEqual([]);
    expect(await createJobRepository(store).activeIds()).toEqual([]);
    await engine.stop();
    await store.close();
  });
});
