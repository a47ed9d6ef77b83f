import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, videoCommand, type Harness } from './harness.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import type { Job } from '../../src/jobs/job.js';
import { stallingStore } from '../support/stalling-store.js';

/**
 * The store as a shared one is when its answer to a write is lost on the way back (Redis' reply
 * dropped, a timeout after the script ran): `loseNextAccept(stallForMs)` makes the next commit that
 * records a new job land, then fail as if nothing had come back; with `stallForMs`, every store
 * call then waits that long, like a Redis whose connection dropped (node-redis queues commands
 * until it is back).
 */
function answerLosingStore(inner: Store) {
  const stalling = stallingStore(inner);
  let armed = false;
  let stallMs = 0;
  const store: Store = {
    ...stalling.store,
    commit: async (entries, held, options) => {
      const recordsJob = options?.addToSets?.some(([key]) => key === 'jobs:active') === true;
      await stalling.store.commit(entries, held, options);
      if (armed && recordsJob) {
        armed = false;
        stalling.stallFor(stallMs);
        throw new Error('the store did not answer (test: the write landed, its answer was lost)');
      }
    },
  };
  return {
    store,
    loseNextAccept: (stallForMs = 0) => {
      armed = true;
      stallMs = stallForMs;
    },
  };
}

describe('a /video whose reservation landed but whose answer was lost (real client, fake Discord)', () => {
  let h: Harness;
  // The store of the bot running now (the same SQLite file, opened again after a restart).
  let faults: ReturnType<typeof answerLosingStore>;
  beforeAll(async () => {
    h = await startHarness({
      store: async (storeUrl) => {
        faults = answerLosingStore(await openStore(storeUrl));
        return faults.store;
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const storedJobs = async (): Promise<Job[]> => {
    const jobs: Job[] = [];
    for await (const [, value] of faults.store.kv.iterator?.(undefined) ?? []) {
      const job = value as Partial<Job>;
      if (typeof job === 'object' && job !== null && typeof job.id === 'string' && job.request !== undefined) jobs.push(job as Job);
    }
    return jobs;
  };

  it('GIVEN the write of a new job landed and its answer was lost WHEN the member is told it went wrong THEN the job is dropped at once: credits released, nothing sent to the provider, and no second message, not even after a restart', async () => {
    faults.loseNextAccept();
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'a write whose answer was lost' }));
    let job: Job | undefined;
    for (const deadline = Date.now() + 10_000; job?.state !== 'failed' && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      job = (await storedJobs()).find((j) => j.request.prompt.includes('a write whose answer was lost'));
    }
    // The member's one answer: the private "something went wrong" (sent once the drop is done, or
    // after at most half a second).
    await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    const answers = h.discord.callbacks.filter((c) => c.interactionId === id);
    expect(answers).toHaveLength(1);
    expect(JSON.stringify(answers[0]?.data)).toContain('Something went wrong');
    expect(job?.state).toBe('failed');
    expect(job?.failure?.reason).toBe('not_queued');
    const standing = await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);
    expect(standing.used).toBe(0);
    expect(standing.inFlight).toEqual([]);
    expect(await h.bot.context.quota.heldReservations(h.discord.defaultGuildId)).toEqual([]);

    // A restart finds nothing of it to resume or to tell: still one answer, nothing submitted.
    await h.restart();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(h.discord.callbacks.filter((c) => c.interactionId === id)).toHaveLength(1);
    expect(h.discord.followUps(id)).toHaveLength(0);
    expect([...h.discord.messages.values()].filter((m) => JSON.stringify(m).includes('restart'))).toEqual([]);
    expect(h.provider.submissions).toHaveLength(0);

    // The next request is accepted as usual.
    const next = h.discord.dispatchInteraction(videoCommand({ prompt: 'the next one' }));
    for (const deadline = Date.now() + 10_000; h.provider.submissions.length === 0 && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(h.provider.submissions).toHaveLength(1);
    expect(h.discord.callbacks.filter((c) => c.interactionId === next.id)).toHaveLength(1);
  });

  it('GIVEN the answer was lost because the store went away for 6 s WHEN the member waits THEN "Something went wrong" comes at once, privately, not when the store is back; the job is dropped once it is', async () => {
    faults.loseNextAccept(6_000);
    const asked = Date.now();
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'a store that went away' }));
    const answer = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id), { timeoutMs: 5_000 });
    expect(Date.now() - asked).toBeLessThan(2_000);
    expect(answer.type).toBe(4);
    expect(JSON.stringify(answer.data)).toContain('Something went wrong');
    let job: Job | undefined;
    for (const deadline = Date.now() + 15_000; job?.state !== 'failed' && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = (await storedJobs()).find((j) => j.request.prompt.includes('a store that went away'));
    }
    expect(job?.state).toBe('failed');
    expect(h.discord.callbacks.filter((c) => c.interactionId === id)).toHaveLength(1);
    expect(h.discord.followUps(id)).toHaveLength(0);
  }, 30_000);
});
