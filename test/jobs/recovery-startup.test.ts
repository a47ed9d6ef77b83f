import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import type { SubmitResult } from '../../src/provider/types.js';
import { sampleJob } from '../support/jobs.js';
import { scriptedProvider } from '../support/fake-video-provider.js';
import { eventually, testEngine } from '../support/job-engine.js';
import { request } from '../quota/helpers.js';

// Members can run /video while the bot connects: discord.js hands the router interactions that
// arrived before its ready as soon as it is ready, and the job engine's start (recovery of what a
// crash left) runs right after. Recovery must tell those live jobs from left-overs.

const GUILD = 'g1';
const MEMBER = '1200000000000000001';
const dir = mkdtempSync(join(tmpdir(), 'hvb-recovery-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
};

/** A provider whose submissions wait until `open()`: a job held in `submitting`. */
function gatedProvider() {
  const provider = scriptedProvider();
  const answer = gate();
  const submit = provider.submit.bind(provider);
  provider.submit = async (request): Promise<SubmitResult> => {
    await answer.opened;
    return submit(request);
  };
  return { provider, open: answer.open };
}

/** The member got the video, was never told of a failure, and was charged exactly once. */
async function deliveredChargedOnce({ quota, seen }: Pick<ReturnType<typeof testEngine>, 'quota' | 'seen'>, jobId: string) {
  await eventually(() => seen.delivered.some((j) => j.id === jobId));
  expect(seen.failed).toEqual([]);
  await eventually(async () => (await quota.heldReservations(GUILD)).length === 0);
  expect((await quota.memberStanding(GUILD, MEMBER, [])).used).toBe(1);
}

async function ask(engine: ReturnType<typeof testEngine>['engine']) {
  const template = sampleJob();
  const accepted = await engine.accept({ request: template.request, guildId: GUILD, userId: MEMBER, roleIds: [], reply: template.reply });
  if (!accepted.ok) throw new Error(`refused: ${accepted.refusal.reason}`);
  return accepted.job;
}

describe('a /video asked while the bot starts is not taken for a left-over of a crash (and other live jobs are not ended as given up)', () => {
  it('GIVEN a job accepted (reply not made yet) before the engine starts WHEN recovery runs THEN the member still gets the video and is charged once', async () => {
    const store = await openStore(`sqlite://${join(dir, 'accepted.sqlite')}`);
    const { engine, quota, seen } = testEngine(store, scriptedProvider());
    const job = await ask(engine);

    await engine.start();
    await engine.attachMessage(job.id, job.reply.channelId, 'm1');

    await deliveredChargedOnce({ quota, seen }, job.id);
    await engine.stop();
    await store.close();
  });

  it('GIVEN a job being sent to the provider when the engine starts WHEN recovery runs THEN it is not ended as "maybe started": the member gets the video, charged once', async () => {
    const store = await openStore(`sqlite://${join(dir, 'submitting.sqlite')}`);
    const { provider, open } = gatedProvider();
    const { engine, quota, seen } = testEngine(store, provider);
    const job = await ask(engine);
    await engine.attachMessage(job.id, job.reply.channelId, 'm1');
    const sent = engine.submit(job.id);
    await eventually(async () => (await engine.get(job.id))?.state === 'submitting');

    await engine.start();
    open();
    await sent;

    await deliveredChargedOnce({ quota, seen }, job.id);
    expect(provider.submits).toHaveLength(1);
    await engine.stop();
    await store.close();
  });

  it('GIVEN a job indexed but not yet recorded (its reservation is being written) WHEN recovery runs meanwhile THEN the job survives with its credits held and is delivered', async () => {
    const inner = await openStore(`sqlite://${join(dir, 'indexed.sqlite')}`);
    const write = gate();
    let commits = 0;
    // The reservation's write lands its index entry, then waits until recovery is over before its
    // records: an index entry without its record, as a store that wrote them in two steps (SQLite
    // before they shared one transaction) left for a start to find, stretched.
    const store: Store = {
      ...inner,
      kv: inner.kv,
      commit: async (entries, held, options) => {
        const sets = options?.addToSets ?? [];
        if (sets.length > 0 && (commits += 1) === 1) {
          for (const [key, member] of sets) await inner.addToSet(key, member);
          await write.opened;
        }
        return inner.commit(entries, held, options);
      },
    };
    const { engine, quota, seen } = testEngine(store, scriptedProvider());
    const asked = ask(engine);
    await eventually(async () => (await inner.setMembers('jobs:active')).length === 1);

    await engine.start();
    write.open();
    const job = await asked;
    // Still listed as in flight: a crash from here on would find it.
    expect(await inner.setMembers('jobs:active')).toEqual([job.id]);
    await engine.attachMessage(job.id, job.reply.channelId, 'm1');

    await deliveredChargedOnce({ quota, seen }, job.id);
    await engine.stop();
    await inner.close();
  });

  it('GIVEN sharding and another shard accepting jobs (index entries whose records are not written yet) WHEN this shard recovers THEN it leaves them and their credits alone, and settles only its own guild’s job without a record', async () => {
    const store = await openStore('memory://');
    const { engine, quota } = testEngine(store, scriptedProvider(), { ownsGuild: (guildId) => guildId === 'g-ours' });
    const hold = (jobId: string, guildId: string) =>
      quota.reserve(request({ jobId, reservationId: `res-${jobId}`, guildId, userId: MEMBER }));
    // The other shard's: one with its reservation written a moment before its record, one with neither yet.
    expect((await hold('theirs1', 'g-theirs')).ok).toBe(true);
    await store.addToSet('jobs:active', 'theirs1');
    await store.addToSet('jobs:active', 'theirs2');
    // Ours, left by a crash: a reservation whose job record is gone.
    expect((await hold('ours1', 'g-ours')).ok).toBe(true);
    await store.addToSet('jobs:active', 'ours1');

    await engine.start();

    expect((await store.setMembers('jobs:active')).sort()).toEqual(['theirs1', 'theirs2']);
    expect((await quota.heldReservations('g-theirs')).map((h) => h.jobId)).toEqual(['theirs1']);
    expect(await quota.heldReservations('g-ours')).toEqual([]);
    await engine.stop();
    await store.close();
  });

  it('GIVEN a job the line already picked (being sent) WHEN the flow gives it up because its line write reported a failure after landing THEN it is not ended: the member gets the video, charged once', async () => {
    const store = await openStore(`sqlite://${join(dir, 'abandon-picked.sqlite')}`);
    const { provider, open } = gatedProvider();
    const { engine, quota, seen } = testEngine(store, provider);
    await engine.start();
    const job = await ask(engine);
    await engine.attachMessage(job.id, job.reply.channelId, 'm1');
    await eventually(async () => (await engine.get(job.id))?.state === 'submitting');

    await engine.abandon(job.id, { channelId: job.reply.channelId, messageId: 'm1' });
    expect((await engine.get(job.id))?.state).toBe('submitting');
    open();

    await deliveredChargedOnce({ quota, seen }, job.id);
    await engine.stop();
    await store.close();
  });

  it('GIVEN start called twice at once WHEN both finish THEN the store was recovered and swept once, as by one start', async () => {
    const reads = async (starts: number) => {
      const inner = await openStore('memory://');
      let count = 0;
      const store: Store = {
        ...inner,
        kv: inner.kv,
        setMembers: (key) => {
          if (key === 'jobs:active') count += 1;
          return inner.setMembers(key);
        },
      };
      const { engine } = testEngine(store, scriptedProvider());
      await Promise.all(Array.from({ length: starts }, () => engine.start()));
      await engine.stop();
      await inner.close();
      return count;
    };
    expect(await reads(2)).toBe(await reads(1));
  });

  it('GIVEN a job left "accepted" by a process that died WHEN a new one starts THEN it is still ended and its credits given back (recovery is unchanged for left-overs)', async () => {
    const file = `sqlite://${join(dir, 'left-over.sqlite')}`;
    const first = await openStore(file);
    const job = await ask(testEngine(first, scriptedProvider()).engine);
    await first.close();

    const store = await openStore(file);
    const { engine, quota, seen } = testEngine(store, scriptedProvider());
    await engine.start();
    expect(seen.failed.map((j) => j.id)).toEqual([job.id]);
    expect(await quota.heldReservations(GUILD)).toEqual([]);
    expect((await quota.memberStanding(GUILD, MEMBER, [])).used).toBe(0);
    await engine.stop();
    await store.close();
  });

  it('GIVEN a stop that begins while recovery still runs (a large store) WHEN recovery then ends THEN the stop waited for it and nothing runs after it: no status request for the job in flight, no sweep of the closed store', async () => {
    const file = `sqlite://${join(dir, 'stop-during-start.sqlite')}`;
    const first = await openStore(file);
    const before = testEngine(first, scriptedProvider());
    const job = await ask(before.engine);
    await before.engine.attachMessage(job.id, job.reply.channelId, 'm1');
    await before.engine.submit(job.id);
    expect((await before.engine.get(job.id))?.state).toBe('submitted');
    await first.close();

    const inner = await openStore(file);
    const listing = gate();
    const store: Store = {
      ...inner,
      kv: inner.kv,
      setMembers: async (key) => {
        await listing.opened;
        return inner.setMembers(key);
      },
    };
    const provider = scriptedProvider();
    const { engine } = testEngine(store, provider);
    const started = engine.start();
    let stopDone = false;
    const stopped = engine.stop().then(() => (stopDone = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopDone).toBe(false);
    listing.open();
    await stopped;
    await started;
    await inner.close();
    // The poller's interval is 20 ms: a poller started after the stop would have asked by now.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(provider.polls).toEqual([]);

    // What the stopped recovery left is recovered at the next start: the member gets the video.
    const next = await openStore(file);
    const after = testEngine(next, scriptedProvider());
    await after.engine.start();
    await eventually(() => after.seen.delivered.some((j) => j.id === job.id));
    await after.engine.stop();
    await next.close();
  });
});
