import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { createJobRepository } from '../../src/jobs/job-repository.js';
import { sampleJob } from '../support/jobs.js';
import { scriptedProvider } from '../support/fake-video-provider.js';
import { eventually, recordingReporter, testEngine } from '../support/job-engine.js';
import { request } from '../quota/helpers.js';

describe('the sweep: no path can keep a slot held for a job nobody follows', () => {
  it('GIVEN reservations held for a delivered job, a failed job and a job whose record is gone WHEN the bot starts THEN each is settled as the job ended and only the live job keeps its slot', async () => {
    const store = await openStore('memory://');
    const jobs = createJobRepository(store);
    const { engine, quota } = testEngine(store, scriptedProvider(), { clock: () => Date.now() + 120_000 });
    const hold = async (jobId: string) => {
      const r = await quota.reserve(request({ jobId, reservationId: `res-${jobId}`, guildId: 'g1', userId: `u-${jobId}` }));
      expect(r.ok).toBe(true);
    };
    await quota.setPolicy('g1', { maxConcurrent: 10 });
    for (const id of ['done', 'failed', 'gone', 'live']) await hold(id);
    await jobs.save(
      sampleJob({
        id: 'done',
        guildId: 'g1',
        state: 'delivered',
        reservationId: 'res-done',
        taskId: 't-done',
        result: { videoUrl: 'u', expiresAt: null, delivery: 'attachment' },
      }),
    );
    await jobs.save(
      sampleJob({
        id: 'failed',
        guildId: 'g1',
        state: 'failed',
        reservationId: 'res-failed',
        taskId: 't-failed',
        failure: { reason: 'provider_failed', detail: null },
      }),
    );
    await jobs.save(sampleJob({ id: 'live', guildId: 'g1', state: 'processing', reservationId: 'res-live', taskId: 't-live' }));

    await engine.start();

    expect((await quota.heldReservations()).map((h) => h.jobId)).toEqual(['live']);
    const ledger = await quota.ledger('g1');
    expect(ledger.map((l) => [l.jobId, l.outcome, l.reason]).sort()).toEqual([
      ['done', 'charged', 'delivered'],
      ['failed', 'released', 'reconciled'],
      ['gone', 'released', 'vanished'],
    ]);
    await engine.stop();
    await store.close();
  });

  it('GIVEN a followed job whose record disappears WHEN Discord cannot be reached to tell the member THEN the ending is written again with the message still owed (a later try or start tells them)', async () => {
    const store = await openStore('memory://');
    const jobs = createJobRepository(store);
    const provider = scriptedProvider();
    provider.statusOf = () => ({ ok: true, status: { phase: 'running', rawStatus: 'Processing', progress: 10 } });
    const { reporter, seen } = recordingReporter();
    const { engine, quota } = testEngine(store, provider, { reporter: { ...reporter, failed: async () => 'retry' } });
    expect((await quota.reserve(request({ jobId: 'j2', reservationId: 'res-j2', guildId: 'g1' }))).ok).toBe(true);
    await jobs.save(sampleJob({ id: 'j2', guildId: 'g1', state: 'processing', reservationId: 'res-j2', taskId: 'task-2' }));
    await engine.start();
    await eventually(() => seen.progress.length > 0);
    await store.kv.delete('job:j2');
    const ended = await eventually(async () => {
      const job = await jobs.get('j2');
      return job?.state === 'failed' ? job : undefined;
    });
    expect(ended.failure?.reason).toBe('record_lost');
    expect(ended.outbox).toMatchObject({ kind: 'failure' });
    expect(await quota.heldReservations()).toEqual([]);
    await engine.stop();
    await store.close();
  });

  it('GIVEN a job the bot follows WHEN its record disappears from the store (a Redis that lost its data) THEN the member is told and the reservation released', async () => {
    const store = await openStore('memory://');
    const jobs = createJobRepository(store);
    const provider = scriptedProvider();
    provider.statusOf = () => ({ ok: true, status: { phase: 'running', rawStatus: 'Processing', progress: 10 } });
    const { engine, quota, seen } = testEngine(store, provider);
    expect((await quota.reserve(request({ jobId: 'j1', reservationId: 'res-j1', guildId: 'g1' }))).ok).toBe(true);
    await jobs.save(sampleJob({ id: 'j1', guildId: 'g1', state: 'processing', reservationId: 'res-j1', taskId: 'task-1' }));
    await engine.start();
    await eventually(() => seen.progress.length > 0);
    await store.kv.delete('job:j1');
    const told = await eventually(() => seen.failed[0]);
    expect(told.failure?.reason).toBe('record_lost');
    expect(await quota.heldReservations()).toEqual([]);
    expect(await quota.ledger('g1')).toEqual([
      expect.objectContaining({ jobId: 'j1', outcome: 'released', reason: 'vanished', taskId: 'task-1' }),
    ]);
    await engine.stop();
    await store.close();
  });
});
