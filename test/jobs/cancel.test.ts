import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import type { JobService } from '../../src/jobs/job-service.js';
import { createJobRepository } from '../../src/jobs/job-repository.js';
import { createSubmitLine } from '../../src/jobs/submit-line.js';
import { sampleJob } from '../support/jobs.js';
import { scriptedProvider } from '../support/fake-video-provider.js';
import { testEngine } from '../support/job-engine.js';
import { flushDb, redisAvailable, redisUrl } from '../support/redis.js';

const DB = 5;
const MEMBER = '1200000000000000001';
const MODERATOR = '1200000000000000002';
const redisUp = await redisAvailable();

/** A /video job accepted and put in line, as the Discord layer does; the engine is not started, so it stays waiting. */
async function waitingJob(engine: JobService, guildId: string, userId = MEMBER) {
  const template = sampleJob();
  const accepted = await engine.accept({ request: template.request, guildId, userId, roleIds: [], reply: template.reply });
  if (!accepted.ok) throw new Error(`not accepted: ${accepted.refusal.reason}`);
  await engine.attachMessage(accepted.job.id, template.reply.channelId, '1500000000000000001');
  return accepted.job.id;
}

function cancelContract(name: string, open: () => Promise<Store>) {
  describe(`cancel on ${name}`, () => {
    let store: Store | undefined;
    let engine: JobService | undefined;
    afterEach(async () => {
      await engine?.stop();
      await store?.close();
      engine = undefined;
      store = undefined;
    });

    it('GIVEN a job waiting in line WHEN its member cancels (and presses again) THEN it ends cancelled, is told once, its credits come back exactly once, and it is never sent', async () => {
      store = await open();
      const provider = scriptedProvider();
      const built = testEngine(store, provider, { lineRescanMs: 20 });
      engine = built.engine;
      const guildId = 'g-cancel';
      const jobId = await waitingJob(engine, guildId);
      expect((await built.quota.memberStanding(guildId, MEMBER, [])).used).toBe(1);

      const first = await engine.cancel(jobId, MEMBER);
      expect(first.ok).toBe(true);
      const second = await engine.cancel(jobId, MODERATOR);
      expect(second).toMatchObject({ ok: false, reason: 'ended' });

      const job = await engine.get(jobId);
      expect(job).toMatchObject({ state: 'cancelled', failure: { reason: 'cancelled', detail: MEMBER }, outbox: null });
      expect(built.seen.failed.map((j) => j.id)).toEqual([jobId]);
      const standing = await built.quota.memberStanding(guildId, MEMBER, []);
      expect(standing.used).toBe(0);
      expect(standing.inFlight).toEqual([]);
      const ledger = (await built.quota.periodLedger(guildId, 'current')).entries.filter((e) => e.jobId === jobId);
      expect(ledger).toMatchObject([{ outcome: 'released', reason: 'cancelled' }]);

      await engine.start();
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(provider.submits).toHaveLength(0);
    });

    it('GIVEN a job the provider already has WHEN cancel is pressed THEN it is too late: the job goes on and its credits stay held', async () => {
      store = await open();
      const built = testEngine(store, scriptedProvider());
      engine = built.engine;
      const jobId = await waitingJob(engine, 'g-late');
      await engine.submit(jobId);
      expect(await engine.cancel(jobId, MEMBER)).toMatchObject({ ok: false, reason: 'too_late' });
      expect((await engine.get(jobId))?.state).toBe('submitted');
      expect((await built.quota.memberStanding('g-late', MEMBER, [])).inFlight).toHaveLength(1);
    });

    it('GIVEN cancel and the line’s pick racing for the same job, 25 times THEN each time exactly one wins: a cancelled job is never picked, a picked one is never released', async () => {
      store = await open();
      const built = testEngine(store, scriptedProvider());
      engine = built.engine;
      const line = createSubmitLine(store, createJobRepository(store), { limit: 100, windowMs: 60_000 });
      const outcomes = { cancelled: 0, picked: 0 };
      for (let i = 0; i < 25; i += 1) {
        // A server of its own each time: picked jobs stay in flight and would fill a server's cap.
        const guildId = `g-race-${i}`;
        const jobId = await waitingJob(engine, guildId);
        const pickFirst = i % 2 === 0;
        const [cancelled, picked] = pickFirst
          ? await Promise.all([line.pick(() => true, Date.now()), engine.cancel(jobId, MEMBER)]).then(([p, c]) => [c, p] as const)
          : await Promise.all([engine.cancel(jobId, MEMBER), line.pick(() => true, Date.now())]);
        const ledger = (await built.quota.periodLedger(guildId, 'current')).entries.filter((e) => e.jobId === jobId);
        const state = (await engine.get(jobId))?.state;
        if (cancelled.ok) {
          outcomes.cancelled += 1;
          expect(picked).toBeUndefined();
          expect(state).toBe('cancelled');
          expect(ledger).toMatchObject([{ outcome: 'released', reason: 'cancelled' }]);
        } else {
          outcomes.picked += 1;
          expect(cancelled.reason).toBe('too_late');
          expect(picked?.id).toBe(jobId);
          expect(state).toBe('submitting');
          expect(ledger).toEqual([]);
          expect((await built.quota.memberStanding(guildId, MEMBER, [])).inFlight).toHaveLength(1);
        }
      }
      expect(outcomes.cancelled + outcomes.picked).toBe(25);
    });
  });
}

cancelContract('memory', () => openStore('memory://'));

describe.runIf(redisUp)('Redis', () => {
  cancelContract('Redis', async () => {
    await flushDb(DB);
    return openStore(redisUrl(DB));
  });
});
