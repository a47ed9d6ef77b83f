import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { createJobRepository } from '../../src/jobs/job-repository.js';
import { guildOwnership } from '../../src/sharding/ownership.js';
import { sampleJob } from '../support/jobs.js';
import { scriptedProvider } from '../support/fake-video-provider.js';
import { eventually, testEngine } from '../support/job-engine.js';

/** Guild ids on shard 0 and shard 1 of 2. */
const GUILD_SHARD_0 = String((10n << 22n) | 1n);
const GUILD_SHARD_1 = String((11n << 22n) | 1n);

describe('a shard that starts picks up only its own guilds’ unfinished jobs', () => {
  it('GIVEN unfinished jobs of two shards in one store WHEN shard 0 starts THEN it resumes and settles its own and leaves shard 1’s untouched; shard 1 then takes its own', async () => {
    const store = await openStore('memory://');
    const jobs = createJobRepository(store);
    const now = Date.now();
    await jobs.save(
      sampleJob({
        id: 'polled0',
        guildId: GUILD_SHARD_0,
        state: 'processing',
        taskId: 'task-a',
        createdAt: now,
        progress: { percent: 10, estimatedTimeS: null, rawStatus: 'Processing', lastChangeAt: now },
      }),
    );
    await jobs.save(sampleJob({ id: 'orphan0', guildId: GUILD_SHARD_0, state: 'reserved', taskId: null, createdAt: now }));
    await jobs.save(
      sampleJob({
        id: 'polled1',
        guildId: GUILD_SHARD_1,
        state: 'processing',
        taskId: 'task-b',
        createdAt: now,
        progress: { percent: 10, estimatedTimeS: null, rawStatus: 'Processing', lastChangeAt: now },
      }),
    );
    await jobs.save(sampleJob({ id: 'orphan1', guildId: GUILD_SHARD_1, state: 'reserved', taskId: null, createdAt: now }));

    const provider = scriptedProvider();
    const shard0 = testEngine(store, provider, { ownsGuild: guildOwnership([0], 2) });
    await shard0.engine.start();
    await eventually(async () => (await jobs.get('polled0'))?.state === 'delivered');
    expect((await jobs.get('orphan0'))?.state).toBe('failed');
    expect(provider.polls).toHaveLength(1);
    expect((await jobs.get('polled1'))?.state).toBe('processing');
    expect((await jobs.get('orphan1'))?.state).toBe('reserved');
    expect(shard0.seen.failed.map((j) => j.id)).toEqual(['orphan0']);
    expect((await jobs.activeIds()).sort()).toEqual(['orphan1', 'polled1']);

    const shard1 = testEngine(store, provider, { ownsGuild: guildOwnership([1], 2) });
    await shard1.engine.start();
    await eventually(async () => (await jobs.get('polled1'))?.state === 'delivered');
    expect((await jobs.get('orphan1'))?.state).toBe('failed');
    expect(await jobs.activeIds()).toEqual([]);
    await Promise.all([shard0.engine.stop(), shard1.engine.stop()]);
    await store.close();
  });

  it('GIVEN jobs of two shards waiting in the shared line WHEN shard 0 starts THEN it sends only its own, and shard 1’s stays waiting (not dropped, not failed) until shard 1 sends it', async () => {
    const store = await openStore('memory://');
    const jobs = createJobRepository(store);
    const now = Date.now();
    await jobs.save(sampleJob({ id: 'wait0', guildId: GUILD_SHARD_0, state: 'waiting', taskId: null, submittedAt: null, createdAt: now }));
    await jobs.save(
      sampleJob({ id: 'wait1', guildId: GUILD_SHARD_1, state: 'waiting', taskId: null, submittedAt: null, createdAt: now - 1_000 }),
    );
    const provider = scriptedProvider();
    const shard0 = testEngine(store, provider, { ownsGuild: guildOwnership([0], 2), lineRescanMs: 50 });
    await shard0.engine.start();
    await eventually(async () => (await jobs.get('wait0'))?.state === 'delivered');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(provider.submits).toHaveLength(1);
    expect((await jobs.get('wait1'))?.state).toBe('waiting');
    expect(shard0.seen.failed).toEqual([]);

    const shard1 = testEngine(store, provider, { ownsGuild: guildOwnership([1], 2), lineRescanMs: 50 });
    await shard1.engine.start();
    await eventually(async () => (await jobs.get('wait1'))?.state === 'delivered');
    expect(provider.submits).toHaveLength(2);
    await Promise.all([shard0.engine.stop(), shard1.engine.stop()]);
    await store.close();
  });

  it('GIVEN a job of another shard handed to the poller WHEN it comes due THEN it is dropped without asking the provider', async () => {
    const store = await openStore('memory://');
    const jobs = createJobRepository(store);
    const provider = scriptedProvider();
    const shard0 = testEngine(store, provider, { ownsGuild: guildOwnership([0], 2) });
    await shard0.engine.start();
    await jobs.save(sampleJob({ id: 'stray', guildId: GUILD_SHARD_1, state: 'reserved', taskId: null, reservationId: null }));
    // submit() is how a job reaches the poller; the submission is this shard's, the polling not.
    await shard0.engine.submit('stray');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(provider.submits).toHaveLength(1);
    expect(provider.polls).toHaveLength(0);
    expect((await jobs.get('stray'))?.state).toBe('submitted');
    await shard0.engine.stop();
    await store.close();
  });

  it('GIVEN no ownership rule (one process) WHEN the engine starts THEN every guild’s jobs are resumed', async () => {
    const store = await openStore('memory://');
    const jobs = createJobRepository(store);
    await jobs.save(sampleJob({ id: 'a', guildId: GUILD_SHARD_0, state: 'processing', taskId: 'task-a', createdAt: Date.now() }));
    await jobs.save(sampleJob({ id: 'b', guildId: GUILD_SHARD_1, state: 'processing', taskId: 'task-b', createdAt: Date.now() }));
    const single = testEngine(store, scriptedProvider());
    await single.engine.start();
    await eventually(async () => (await jobs.activeIds()).length === 0);
    expect(single.seen.delivered.map((j) => j.id).sort()).toEqual(['a', 'b']);
    await single.engine.stop();
    await store.close();
  });
});
