import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, videoCommand, type Harness } from './harness.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import type { Job } from '../../src/jobs/job.js';

describe('Discord refuses the acknowledgement of a /video (real client, fake Discord)', () => {
  let h: Harness;
  let store: Store;
  beforeAll(async () => {
    store = await openStore('memory://');
    // Every interaction callback comes "too late" for this fake Discord: it answers 10062 Unknown
    // interaction, as Discord does once its 3 s have passed.
    h = await startHarness({ discord: { interactionResponseWindowMs: -1 }, store: async () => store });
  });
  afterAll(async () => {
    await h?.close();
  });

  const storedJobs = async (): Promise<Job[]> => {
    const jobs: Job[] = [];
    for await (const [, value] of store.kv.iterator?.(undefined) ?? []) {
      const job = value as Partial<Job>;
      if (typeof job === 'object' && job !== null && typeof job.id === 'string' && job.request !== undefined) jobs.push(job as Job);
    }
    return jobs;
  };

  it('GIVEN a reserved /video whose deferral Discord refuses THEN nothing is sent or charged, no message appears, and the job is recorded as not acknowledged (not as a restart)', async () => {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'a callback that comes too late' }));
    let ended: Job | undefined;
    for (const deadline = Date.now() + 10_000; !ended && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      ended = (await storedJobs()).find((job) => job.state === 'failed');
    }
    expect(ended?.failure?.reason).toBe('not_acknowledged');
    expect(ended?.request.prompt).toContain('a callback that comes too late');
    expect(h.discord.callbacks.filter((c) => c.interactionId === id)).toHaveLength(0);
    expect(h.discord.followUps(id)).toHaveLength(0);
    expect(h.provider.submissions).toHaveLength(0);
    const standing = await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);
    expect(standing.used).toBe(0);
    expect(standing.inFlight).toEqual([]);
  });
});
