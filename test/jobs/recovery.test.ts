import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { openStore } from '../../src/store/open-store.js';
import { createJobRepository } from '../../src/jobs/job-repository.js';
import { reservationIdFor } from '../../src/jobs/job.js';
import { sampleJob } from '../support/jobs.js';
import { scriptedProvider } from '../support/fake-video-provider.js';
import { testEngine } from '../support/job-engine.js';
import { request } from '../quota/helpers.js';

/** Holds 2 credits of member u1 in guild g1 for the job `jobId`, under the reservation id the job would have. */
const holdFor = (quota: ReturnType<typeof testEngine>['quota'], jobId: string) =>
  quota.reserve(request({ jobId, reservationId: reservationIdFor(jobId), guildId: 'g1', userId: 'u1', cost: 2, prompt: 'a fox' }));

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
    const hold = (jobId: string) => holdFor(quota, jobId);
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

  it('GIVEN a job record torn on disk (not JSON) among jobs in flight WHEN the bot starts THEN it starts: the others are recovered, and the torn one is dropped with its credits and concurrency slot given back, a warning naming its job', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvb-torn-record-'));
    try {
      const path = join(dir, 'bot.sqlite');
      const store = await openStore(`sqlite://${path}`);
      const jobs = createJobRepository(store);
      await jobs.save(sampleJob({ id: 'done1', state: 'delivered', finishedAt: Date.now() }));
      // A delivered job still indexed (mended at start), and the one about to be torn, with its credits held.
      await store.addToSet('jobs:active', 'done1');
      const { quota } = testEngine(store, scriptedProvider());
      expect((await holdFor(quota, 'torn1')).ok).toBe(true);
      await jobs.save(sampleJob({ id: 'torn1', state: 'waiting', guildId: 'g1', userId: 'u1' }));
      await store.close();
      // Half a record, as a hand edit or a broken copy of the file leaves it.
      const raw = new Database(path);
      raw.prepare('UPDATE kv SET value = ? WHERE key = ?').run('{"value":{"id":"torn1","sta', 'hvb:job:torn1');
      raw.prepare('INSERT INTO kv (key, value) VALUES (?, ?)').run('hvb:job:torn2', '{"value":{"id":"torn2"');
      raw.close();

      const reopened = await openStore(`sqlite://${path}`);
      const lines: string[] = [];
      const destination = new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      });
      const { engine, quota: after } = testEngine(reopened, scriptedProvider(), { logger: createLogger({ level: 'warn', destination }) });
      await engine.start();
      const again = createJobRepository(reopened);
      expect(await again.activeIds()).toEqual([]);
      expect(await again.exists('torn1')).toBe(false);
      // A torn record of a job no longer in flight (a button on a finished job): no record to change, no crash.
      expect(await again.update('torn2', (job) => ({ ...job, updatedAt: 1 }))).toBeUndefined();
      expect(await after.heldReservations('g1')).toEqual([]);
      const standing = await after.memberStanding('g1', 'u1', []);
      expect(standing.used).toBe(0);
      expect(standing.inFlight).toEqual([]);
      const logged = lines.map((line) => JSON.parse(line) as { jobId?: string; msg?: string });
      expect(logged).toContainEqual(expect.objectContaining({ jobId: 'torn1', msg: expect.stringContaining('not JSON') }));
      await engine.stop();
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
