import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { createJobRepository } from '../../src/jobs/job-repository.js';
import { sampleJob } from '../support/jobs.js';
import { scriptedProvider } from '../support/fake-video-provider.js';
import { testEngine } from '../support/job-engine.js';

const MEMBER = '1200000000000000001';
const dir = mkdtempSync(join(tmpdir(), 'hvb-accept-index-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The store, except that adding to the index of jobs in flight fails (a disk or a Redis that refuses that write). */
function refusingIndex(inner: Store): Store {
  return {
    ...inner,
    kv: inner.kv,
    addToSet: (key, member) => (key === 'jobs:active' ? Promise.reject(new Error('index write refused')) : inner.addToSet(key, member)),
    // The index entry of a new job is added by the commit that records it.
    commit: (entries, held, options) =>
      options?.addToSets?.some(([key]) => key === 'jobs:active')
        ? Promise.reject(new Error('index write refused'))
        : inner.commit(entries, held, options),
  };
}

describe('accepting a /video writes its index entry with the reservation', () => {
  it('GIVEN the index write fails WHEN a member asks for a video THEN the request fails and nothing is reserved or recorded (no credit held, no job left behind)', async () => {
    const store = await openStore(`sqlite://${join(dir, 'refused.sqlite')}`);
    const { engine, quota } = testEngine(refusingIndex(store), scriptedProvider());
    const template = sampleJob();
    await expect(
      engine.accept({ request: template.request, guildId: 'g1', userId: MEMBER, roleIds: [], reply: template.reply }),
    ).rejects.toThrow('index write refused');
    expect((await quota.memberStanding('g1', MEMBER, [])).used).toBe(0);
    expect(await quota.heldReservations('g1')).toEqual([]);
    await store.close();
  });

  it('GIVEN the index write fails and the server has turned videos off WHEN a member asks THEN they get the refusal, not "something went wrong", and nothing is held', async () => {
    const store = await openStore(`sqlite://${join(dir, 'refused-and-disabled.sqlite')}`);
    const { engine, quota } = testEngine(refusingIndex(store), scriptedProvider());
    expect((await quota.setPolicy('g1', { limit: 0 })).ok).toBe(true);
    const template = sampleJob();
    const answer = await engine.accept({ request: template.request, guildId: 'g1', userId: MEMBER, roleIds: [], reply: template.reply });
    expect(answer).toMatchObject({ ok: false, refusal: { reason: 'disabled' } });
    expect(await quota.heldReservations('g1')).toEqual([]);
    await store.close();
  });

  it('GIVEN 50 members of 50 servers asking at once WHEN accepted THEN every job is indexed, recorded and holds exactly its own reservation', async () => {
    const store = await openStore(`sqlite://${join(dir, 'burst.sqlite')}`);
    const { engine, quota } = testEngine(store, scriptedProvider());
    const template = sampleJob();
    const accepted = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        engine.accept({ request: template.request, guildId: `g${i}`, userId: MEMBER, roleIds: [], reply: template.reply }),
      ),
    );
    const ids = accepted.map((a) => (a.ok ? a.job.id : 'refused'));
    expect(ids).not.toContain('refused');
    const jobs = createJobRepository(store);
    expect(new Set(await jobs.activeIds())).toEqual(new Set(ids));
    for (const id of ids) expect((await jobs.get(id))?.state).toBe('accepted');
    expect((await quota.heldReservations()).map((h) => h.jobId).sort()).toEqual([...ids].sort());
    await store.close();
  });
});
