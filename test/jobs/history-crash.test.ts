import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { createJobRepository } from '../../src/jobs/job-repository.js';
import { createJobHistory } from '../../src/jobs/history.js';
import { sampleJob } from '../support/jobs.js';
import { scriptedProvider } from '../support/fake-video-provider.js';
import { eventually, testEngine } from '../support/job-engine.js';

const MEMBER = '1200000000000000001';
const dir = mkdtempSync(join(tmpdir(), 'hvb-history-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const withHistory = (store: Store) => ({ history: createJobHistory({ store, jobs: createJobRepository(store), retainMs: 86_400_000 }) });

/**
 * The member's /videos entry is written after the acknowledgement (issue 15: nothing a member does
 * not need waits before it). A crash in between must not leave an answered job out of /videos:
 * recovery lists every job it finds.
 */
describe('/videos after a crash right after the acknowledgement', () => {
  it('GIVEN the bot died after acknowledging a /video, before recording its reply WHEN it starts again THEN the member is told and the job is in their /videos', async () => {
    const file = join(dir, 'before-attach.sqlite');
    let store = await openStore(`sqlite://${file}`);
    const first = testEngine(store, scriptedProvider(), withHistory(store));
    const asked = sampleJob();
    const accepted = await first.engine.accept({ request: asked.request, guildId: 'g1', userId: MEMBER, roleIds: [], reply: asked.reply });
    expect(accepted.ok).toBe(true);
    // Discord got the public deferral here; then the process died.
    await store.close();

    store = await openStore(`sqlite://${file}`);
    const after = withHistory(store);
    const second = testEngine(store, scriptedProvider(), after);
    await second.engine.start();
    await eventually(() => second.seen.failed.length > 0);
    expect((await after.history.page('g1', MEMBER, 0, 10)).total).toBe(1);
    await second.engine.stop();
    await store.close();
  });

  it('GIVEN the bot died while writing the history entry of a job already in line WHEN it starts again THEN the video arrives and is in the member’s /videos', async () => {
    const file = join(dir, 'during-history.sqlite');
    let store = await openStore(`sqlite://${file}`);
    // The history write never lands: the process "dies" the moment it starts.
    const dying: Store = {
      ...store,
      kv: store.kv,
      withLock: (name, fn, read) => (name.startsWith('history:') ? new Promise(() => undefined) : store.withLock(name, fn, read)),
    };
    const first = testEngine(dying, scriptedProvider(), withHistory(dying));
    const asked = sampleJob();
    const accepted = await first.engine.accept({ request: asked.request, guildId: 'g1', userId: MEMBER, roleIds: [], reply: asked.reply });
    if (!accepted.ok) throw new Error('refused');
    void first.engine.attachMessage(accepted.job.id, 'c1', 'm1');
    await eventually(async () => (await createJobRepository(store).get(accepted.job.id))?.state === 'waiting');
    await first.engine.stop().catch(() => undefined);
    await store.close();

    store = await openStore(`sqlite://${file}`);
    const after = withHistory(store);
    const second = testEngine(store, scriptedProvider(), after);
    await second.engine.start();
    await eventually(() => second.seen.delivered.length + second.seen.failed.length > 0, 10_000);
    expect((await after.history.page('g1', MEMBER, 0, 10)).total).toBe(1);
    await second.engine.stop();
    await store.close();
  });
});
