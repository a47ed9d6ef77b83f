import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import type { JobService } from '../../src/jobs/job-service.js';
import type { ProviderError, StatusResult } from '../../src/provider/types.js';
import { sampleJob } from '../support/jobs.js';
import { scriptedProvider } from '../support/fake-video-provider.js';
import { eventually, testEngine } from '../support/job-engine.js';

const GUILD = '1100000000000000001';
const USER = '1200000000000000001';
const finished = (taskId: string): StatusResult => ({
  ok: true,
  status: { phase: 'succeeded', rawStatus: 'completed', progress: 100, videoUrl: `http://video.test/${taskId}.mp4` },
});
const failing = (kind: ProviderError['kind'], status: number): StatusResult => ({
  ok: false,
  error: { kind, status, retryable: kind !== 'auth' },
});

describe('status glitches are tolerated for a time, not a count', () => {
  let store: Store | undefined;
  let engine: JobService | undefined;
  afterEach(async () => {
    await engine?.stop();
    await store?.close();
    engine = undefined;
    store = undefined;
  });

  /** Starts the real engine and one /video job through accept → submit, as the Discord layer does. */
  async function startJob(statusOf: (taskId: string, poll: number) => StatusResult, timings: Record<string, number> = {}) {
    store = await openStore('memory://');
    const provider = scriptedProvider();
    let polls = 0;
    provider.statusOf = (taskId) => statusOf(taskId, (polls += 1));
    const built = testEngine(store, provider, { timings: { pollIntervalMs: 20, ...timings } });
    engine = built.engine;
    await engine.start();
    const template = sampleJob();
    const accepted = await engine.accept({ request: template.request, guildId: GUILD, userId: USER, roleIds: [], reply: template.reply });
    if (!accepted.ok) throw new Error('not accepted');
    await engine.attachMessage(accepted.job.id, template.reply.channelId, '1500000000000000001');
    await engine.submit(accepted.job.id);
    const service = engine;
    const settled = () =>
      eventually(async () => {
        const job = await service.get(accepted.job.id);
        return job && ['delivered', 'failed', 'expired'].includes(job.state) ? job : undefined;
      }, 10_000);
    return { ...built, provider, jobId: accepted.job.id, settled, polls: () => polls };
  }

  it('GIVEN the status endpoint fails 14 times in a row (more than the old limit of 10) WHEN it answers again THEN the member gets the video and is charged once', async () => {
    const kinds: Array<[ProviderError['kind'], number]> = [
      ['server', 502],
      ['network', 0],
      ['timeout', 0],
      ['bad_response', 200],
      ['not_found', 404],
      ['rate_limited', 429],
    ];
    const run = await startJob((taskId, poll) =>
      poll <= 14 ? failing(...(kinds[poll % kinds.length] ?? ['server', 500])) : finished(taskId),
    );

    const job = await run.settled();

    expect(job.state).toBe('delivered');
    expect(run.seen.delivered.map((j) => j.id)).toEqual([run.jobId]);
    expect(run.seen.failed).toEqual([]);
    const standing = await run.quota.memberStanding(GUILD, USER, []);
    expect(standing.used).toBe(1);
    expect(standing.inFlight).toEqual([]);
  });

  it('GIVEN the status endpoint stays down past the stall ceiling THEN the member is told the job expired and nothing is charged', async () => {
    const run = await startJob(() => failing('server', 503), { stallMs: 400 });

    const job = await run.settled();

    expect(job.state).toBe('expired');
    expect(run.polls()).toBeGreaterThan(1);
    expect(run.seen.failed.map((j) => j.failure?.reason)).toEqual(['expired']);
    const standing = await run.quota.memberStanding(GUILD, USER, []);
    expect(standing.used).toBe(0);
    expect(standing.inFlight).toEqual([]);
  });

  it('GIVEN the provider refuses the key for a moment (an auth glitch) WHEN it accepts it again THEN the video is still delivered', async () => {
    const run = await startJob((taskId, poll) => (poll <= 3 ? failing('auth', 401) : finished(taskId)), { authFailureToleranceMs: 5_000 });

    const job = await run.settled();

    expect(job.state).toBe('delivered');
    expect((await run.quota.memberStanding(GUILD, USER, [])).used).toBe(1);
  });

  it('GIVEN the provider keeps refusing the key THEN once the auth tolerance is over the member is told the key is the problem and nothing is charged', async () => {
    const run = await startJob(() => failing('auth', 401), { authFailureToleranceMs: 300 });

    const job = await run.settled();

    expect(job.state).toBe('failed');
    expect(job.failure?.reason).toBe('auth');
    expect(run.polls()).toBeGreaterThan(1);
    expect(run.seen.failed.map((j) => j.id)).toEqual([run.jobId]);
    expect((await run.quota.memberStanding(GUILD, USER, [])).used).toBe(0);
  });
});
