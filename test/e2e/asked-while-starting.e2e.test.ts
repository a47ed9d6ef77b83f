import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createBot, type Bot } from '../../src/bot.js';
import { silentLogger } from '../../src/log.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { startFakeProvider, type FakeProvider } from '../fakes/provider.js';
import { fakeEnv, startHarness, videoCommand, type Harness } from './harness.js';
import { eventually } from '../support/job-engine.js';

// A shard that has just identified (a restart, or shard 1 of a sharded start 5.5 s after shard 0)
// gets interactions before discord.js is ready; discord.js hands them over the moment it is, while
// the bot's start recovers what a crash left. Those members' jobs are live, not left-overs.

const dir = mkdtempSync(join(tmpdir(), 'hvb-asked-while-starting-'));
let discord: FakeDiscord | undefined;
let provider: FakeProvider | undefined;
let bot: Bot | undefined;
afterAll(async () => {
  await bot?.stop().catch(() => undefined);
  await discord?.close();
  await provider?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The store, except that the bot's recovery (its first read of the index of jobs in flight) waits
 * until a job is listed there, and the job's lock (joining the line takes it) waits until recovery
 * has had that job in hand for a while: recovery surely finds the /video below still `accepted`.
 */
function recoveryWaitsForAJob(inner: Store): Store {
  let first = true;
  let indexRead!: () => void;
  const recovering = new Promise<void>((resolve) => (indexRead = resolve)).then(() => new Promise((r) => setTimeout(r, 200)));
  return {
    ...inner,
    kv: inner.kv,
    setMembers: async (key) => {
      if (key === 'jobs:active' && first) {
        first = false;
        const until = Date.now() + 5_000;
        while ((await inner.setMembers(key)).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 2));
        const members = await inner.setMembers(key);
        indexRead();
        return members;
      }
      return inner.setMembers(key);
    },
    withLock: async (name, fn, read) => {
      if (name.startsWith('job:')) await recovering;
      return inner.withLock(name, fn, read);
    },
  };
}

describe('a /video sent while the bot connects (real client, fake Discord, SQLite)', () => {
  it('GIVEN a member runs /video the moment the bot identifies, before it is ready WHEN the bot finishes starting THEN the member gets the video, charged once, and nothing says the bot restarted', async () => {
    discord = await startFakeDiscord();
    provider = await startFakeProvider({ pollsToComplete: 2 });
    const file = join(dir, 'bot.sqlite');
    const env = { ...fakeEnv(discord, provider, file), VIDEO_TMP_DIR: join(dir, 'videos'), METRICS_PORT: '0' };
    bot = await createBot(loadConfig(env), { logger: silentLogger(), store: recoveryWaitsForAJob(await openStore(`sqlite://${file}`)) });
    const started = bot.start();
    await discord.waitFor(() => discord?.gatewaySessions === 1, { timeoutMs: 10_000 });
    const { id } = discord.dispatchInteraction(videoCommand({ prompt: 'a lighthouse at dawn' }));
    await started;

    const reply = await discord.waitFor(
      () => (discord?.originalResponse(id)?.attachments.length ? discord.originalResponse(id) : undefined),
      {
        timeoutMs: 15_000,
      },
    );
    expect(JSON.stringify(reply.embeds)).not.toMatch(/restart/i);
    // The one follow-up is the ping that the video is ready (sent just after the reply shows it); nothing else was said.
    await discord.waitFor(() => discord?.followUps(id).length, { timeoutMs: 5_000 });
    expect(discord.followUps(id).map((m) => m.content)).toEqual([expect.stringMatching(/your video is ready/)]);
    expect(provider.submissions).toHaveLength(1);
    const metrics = await fetch(`http://127.0.0.1:${bot.metricsPort()}/metrics`).then((r) => r.text());
    expect(metrics).toContain('hvb_provider_submissions_total{outcome="accepted"} 1');
    // Charged once, when the member got the video (Discord's answer to the upload is counted a moment later).
    const spent = `hvb_credits_spent_total{guild="${discord.defaultGuildId}"} 1`;
    await eventually(async () => (await fetch(`http://127.0.0.1:${bot?.metricsPort()}/metrics`).then((r) => r.text())).includes(spent));
  }, 30_000);
});

describe('a bot alone on its store (no sharding) mends what a crash left in the index of jobs in flight', () => {
  let h: Harness | undefined;
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN index entries without a job record (an accept that died between its two writes) WHEN the bot starts THEN they are removed', async () => {
    let store: Store | undefined;
    h = await startHarness({
      store: async (storeUrl) => {
        store = await openStore(storeUrl);
        // Left by crashes: entries whose record and reservation were never written.
        await store.addToSet('jobs:active', 'orphan1');
        await store.addToSet('jobs:active', 'orphan2');
        return store;
      },
    });
    expect(await store?.setMembers('jobs:active')).toEqual([]);
  });
});
