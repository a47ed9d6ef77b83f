import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { FakeMessage } from '../fakes/discord/index.js';
import { startHarness, startStallingHarness, videoCommand, type Harness, type StoreFaults } from './harness.js';

interface Embed {
  title?: string;
  description?: string;
}

/**
 * Runs /video while the next `failures` locks on a job record fail (joining the line takes the
 * first, giving the job up the second); resolves once its reply `shown`.
 */
async function videoWithFailedJobLocks(
  h: Harness,
  control: StoreFaults,
  run: { prompt: string; locale: string; failures: number; shown: (reply: FakeMessage) => boolean },
) {
  control.failNextLock('job:', run.failures);
  const { id } = h.discord.dispatchInteraction({ ...videoCommand({ prompt: run.prompt }), locale: run.locale });
  const reply = await h.discord.waitFor(() => {
    const message = h.discord.originalResponse(id);
    return message && run.shown(message) ? message : undefined;
  });
  return { id, reply };
}

describe('one failed store call between the deferral and joining the line', () => {
  let h: Harness;
  let control: StoreFaults;
  beforeAll(async () => {
    ({ h, faults: control } = await startStallingHarness({ env: { QUOTA_DEFAULT_LIMIT: '5' } }));
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Runs /video while recording the reply's message id fails once (a store blip); the reply once it says why. */
  async function blippedVideo(prompt: string, locale: string) {
    const { id, reply } = await videoWithFailedJobLocks(h, control, { prompt, locale, failures: 1, shown: (m) => m.embeds.length > 0 });
    return { id, reply, embed: reply.embeds[0] as Embed };
  }
  async function videos(locale: string) {
    const { id } = h.discord.dispatchInteraction({ commandName: 'videos', locale });
    const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    return (callback.data as { embeds: Embed[] }).embeds[0]?.description ?? '';
  }

  it('GIVEN attachMessage fails once WHEN the member ran /video THEN the job is ended and its credits released while the bot runs', async () => {
    const { id } = await blippedVideo('blip after the deferral', 'en-US');
    await new Promise((r) => setTimeout(r, 1_000));
    const standing = await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);
    // Given up at once: no credit held, nothing sent to the provider, and the member was told once.
    expect(standing.guildUsed).toBe(0);
    expect(h.provider.submissions.length).toBe(0);
    expect(h.discord.followUps(id)).toEqual([]);
  });

  it('GIVEN attachMessage failed WHEN the member reads the reply and /videos THEN the reply says the video could not be put in line and nothing was charged, not that the bot restarted, and /videos opens that reply', async () => {
    const { reply, embed } = await blippedVideo('a place in line that was not kept', 'en-US');
    expect(embed.description).toContain('could not put your video in line');
    expect(embed.description).toContain('Nothing was charged');
    expect(embed.description).not.toContain('restarted');
    const list = await videos('en-US');
    const entry = list.split('\n\n').find((e) => e.includes('a place in line that was not kept')) ?? '';
    expect(entry).toContain('❌ Failed');
    expect(entry).toContain(`[Open](https://discord.com/channels/${h.discord.defaultGuildId}/${reply.channelId}/${reply.id})`);
    expect(entry).not.toContain('no message');
  });

  it('zh-CN: the reply says so in Chinese', async () => {
    const { embed } = await blippedVideo('没有排上队', 'zh-CN');
    expect(embed.description).toContain('无法把你的视频加入队列');
    expect(embed.description).toContain('未扣除任何额度');
  });
});

describe('joining the line and giving the job up both failing after the deferral', () => {
  let h: Harness;
  let control: StoreFaults;
  beforeAll(async () => {
    ({ h, faults: control } = await startStallingHarness({ env: { QUOTA_DEFAULT_LIMIT: '5' } }));
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Runs /video while joining the line and giving the job up both fail; the reply once it changed. */
  const failedTwice = (prompt: string, locale: string) =>
    videoWithFailedJobLocks(h, control, { prompt, locale, failures: 2, shown: (m) => m.content !== '' });

  it('GIVEN joining the line and giving the job up both fail WHEN the member ran /video THEN the reply itself says something went wrong, with a reference to quote, and nothing else is posted', async () => {
    const { id, reply } = await failedTwice('two failures in a row', 'en-US');
    expect(reply.content).toMatch(/^Something went wrong on our side\. Please try again in a moment\. \(ref `[0-9a-f]{8}`\)$/);
    expect(reply.embeds).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.discord.followUps(id)).toEqual([]);
    expect(h.provider.submissions.length).toBe(0);
    // The job holds its credits until the next start, which ends it and says so in that reply.
    await h.restart();
    const ended = await h.discord.waitFor(() => {
      const message = h.discord.originalResponse(id);
      return message?.embeds.length ? message : undefined;
    });
    expect((ended.embeds[0] as Embed).description).toContain('Nothing was charged');
    expect(h.discord.followUps(id)).toEqual([]);
    const standing = await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);
    expect(standing.guildUsed).toBe(0);
    expect(standing.inFlight).toEqual([]);
  });

  it('zh-CN: the reply says something went wrong in Chinese', async () => {
    const { reply } = await failedTwice('两次失败', 'zh-CN');
    expect(reply.content).toMatch(/^我们这边出了点问题，请稍后再试。（参考编号 `[0-9a-f]{8}`）$/);
  });
});

describe('the job record gone from the store between the deferral and joining the line', () => {
  let h: Harness;
  let vanishNext = false;
  beforeAll(async () => {
    h = await startHarness({
      env: { QUOTA_DEFAULT_LIMIT: '5' },
      // The next job lock taken (the one joining the line takes) finds the record deleted under it:
      // a store that lost data, or another process that removed it.
      store: async (storeUrl) => {
        const inner = await openStore(storeUrl);
        return {
          ...inner,
          kv: inner.kv,
          withLock: async (name, fn, read) => {
            if (vanishNext && name.startsWith('job:')) {
              vanishNext = false;
              await inner.kv.delete(name);
            }
            return inner.withLock(name, fn, read);
          },
        };
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN the record vanished WHEN the member ran /video THEN the reply says the video could not be put in line, and nothing is held, charged or sent', async () => {
    vanishNext = true;
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'a record that went missing' }));
    const reply = await h.discord.waitFor(() => {
      const message = h.discord.originalResponse(id);
      return message?.embeds.length ? message : undefined;
    });
    const embed = reply.embeds[0] as Embed;
    expect(embed.description).toContain('could not put your video in line');
    expect(embed.description).toContain('Nothing was charged');
    const standing = await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);
    expect(standing.guildUsed).toBe(0);
    expect(standing.inFlight).toEqual([]);
    expect(h.provider.submissions).toHaveLength(0);
  });
});

describe('a stop while a /video, already acknowledged, is joining the line', () => {
  let h: Harness;
  let control: StoreFaults;
  beforeAll(async () => {
    ({ h, faults: control } = await startStallingHarness({ env: { QUOTA_DEFAULT_LIMIT: '5' } }));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN joining the line waits for the store WHEN the bot is stopped meanwhile and started again THEN the stop waited for the job to join the line, and the member gets the video in that reply', async () => {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'in line across a restart' }));
    // Joining the line (a lock on the job's record, after the deferral) waits until released.
    const release = control.holdNextLock('job:');
    await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    const restarted = h.restart();
    setTimeout(release, 1_000);
    await restarted;
    const reply = await h.discord.waitFor(() => {
      const message = h.discord.originalResponse(id);
      return message?.attachments.length ? message : undefined;
    });
    expect(reply.attachments).toHaveLength(1);
    expect(h.provider.submissions).toHaveLength(1);
    // The reply and the one "your video is ready" ping under it: nothing says it failed.
    await h.discord.waitFor(() => h.discord.followUps(id).length > 0 || undefined);
    expect(h.discord.followUps(id).map((m) => m.content)).toEqual([expect.stringContaining('your video is ready')]);
  });
});
