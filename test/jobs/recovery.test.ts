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
});
