import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveredTo, startHarness, videoCommand, type Harness } from './harness.js';
import type { FakeMessage } from '../fakes/discord/index.js';
import { openStore } from '../../src/store/open-store.js';
import { defaultVideoBytes, mp4Bytes } from '../fakes/provider-data.js';

const text = (message: FakeMessage | undefined) => JSON.stringify([message?.content, message?.embeds]);
const promptOf = (body: unknown) => (body as { prompt: string }).prompt;

describe('nothing lost: Discord and provider faults (real client, fakes)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider: { pollsToComplete: null } });
  });
  afterAll(async () => {
    await h?.close();
  });

  const start = async (prompt: string) => {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt }));
    const taskId = await h.discord.waitFor(() => h.provider.submissions.find((s) => promptOf(s.body) === prompt)?.taskId);
    return { id, taskId };
  };
  const standing = () => h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);

  it('GIVEN the interaction token expired WHEN the video is ready THEN the reply is edited through the channel with the bot token', async () => {
    const { id, taskId } = await start('token expires mid-job');
    await h.discord.waitFor(() => h.discord.originalResponse(id)?.embeds.length);
    h.discord.expireToken(id);
    h.provider.completeTask(taskId);
    const message = await h.discord.waitFor(() => {
      const original = h.discord.originalResponse(id);
      return original?.attachments.length ? original : undefined;
    });
    expect(text(message)).toContain('Your video is ready');
    const edit = h.discord.requests.find((r) => r.method === 'PATCH' && r.path.startsWith('/v10/channels/') && r.files.length > 0);
    expect(edit?.auth).toBe('bot');
  });

  it('GIVEN the token expired and the channel is closed to the bot WHEN the video is ready THEN the member gets it by DM', async () => {
    const { id, taskId } = await start('channel closed mid-job');
    await h.discord.waitFor(() => h.discord.originalResponse(id)?.embeds.length);
    h.discord.expireToken(id);
    h.discord.denyChannel(h.discord.defaultChannelId);
    try {
      h.provider.completeTask(taskId);
      const dm = await h.discord.waitFor(() =>
        [...h.discord.messages.values()].find((m) => m.guildId === null && text(m).includes('channel closed mid-job')),
      );
      expect(dm.attachments[0]?.filename).toMatch(/\.mp4$/);
    } finally {
      h.discord.allowChannel(h.discord.defaultChannelId);
    }
  });

  it('GIVEN the reply was deleted WHEN progress changes THEN edits stop but the video is still posted in the channel', async () => {
    const { id, taskId } = await start('reply deleted mid-job');
    const original = await h.discord.waitFor(() => h.discord.originalResponse(id));
    // A moderator deletes the bot's reply while the video is being made.
    await fetch(`${h.discord.apiUrl}/v10/channels/${original.channelId}/messages/${original.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bot ${h.discord.token}` },
    });
    h.provider.setProgress(taskId, 40);
    await new Promise((resolve) => setTimeout(resolve, 400));
    h.provider.completeTask(taskId);
    const posted = await h.discord.waitFor(() =>
      h.discord
        .messagesIn(h.discord.defaultChannelId)
        .find((m) => m.id !== original.id && m.attachments.length > 0 && text(m).includes('reply deleted mid-job')),
    );
    expect(posted.attachments[0]?.size).toBeGreaterThan(0);
  });

  it('GIVEN a video over the upload limit WHEN it is ready THEN the member gets the link with a line saying it expires', async () => {
    h.provider.setVideoBytes(mp4Bytes(64 * 1024));
    try {
      const { id } = h.discord.dispatchInteraction({ ...videoCommand({ prompt: 'a very large video' }), attachmentSizeLimit: 32 * 1024 });
      const taskId = await h.discord.waitFor(() => h.provider.submissions.find((s) => promptOf(s.body) === 'a very large video')?.taskId);
      h.provider.completeTask(taskId);
      const message = await h.discord.waitFor(() => {
        const m = h.discord.originalResponse(id);
        return m && text(m).includes('too large') ? m : undefined;
      });
      expect(message.attachments).toHaveLength(0);
      expect(text(message)).toContain(h.provider.videoUrl(taskId));
      expect(text(message)).toMatch(/expires/);
    } finally {
      h.provider.setVideoBytes(defaultVideoBytes());
    }
  });

  it('GIVEN Discord refuses the upload with 413 WHEN the video is ready THEN the link is sent instead', async () => {
    const { id, taskId } = await start('discord says too large');
    await h.discord.waitFor(() => h.discord.originalResponse(id)?.embeds.length);
    h.discord.failNext(
      { method: 'PATCH', path: /messages\/@original$/, withFiles: true },
      { status: 413, body: { message: 'Request entity too large', code: 40005 } },
      1,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    h.provider.completeTask(taskId);
    const message = await h.discord.waitFor(() => {
      const m = h.discord.originalResponse(id);
      return m && text(m).includes(h.provider.videoUrl(taskId)) ? m : undefined;
    });
    expect(text(message)).toMatch(/expires/);
  });

  it('GIVEN the provider answers 429 with Retry-After on status WHEN polling THEN the poller waits that long and the job still finishes', async () => {
    const { id, taskId } = await start('rate limited polling');
    h.provider.failNext('status', {
      status: 429,
      body: { error: { code: 429, message: '请求过于频繁', type: 'rate_limit_error' } },
      headers: { 'retry-after': '1' },
    });
    const limitedAt = await h.discord.waitFor(() => h.provider.statusRequests.find((r) => r.taskId === taskId && r.status === 429)?.at);
    h.provider.completeTask(taskId);
    await h.discord.waitFor(() => h.discord.originalResponse(id)?.attachments.length);
    const next = h.provider.statusRequests.find((r) => r.taskId === taskId && r.at > limitedAt);
    expect((next?.at ?? 0) - limitedAt).toBeGreaterThanOrEqual(950);
  });

  it('GIVEN a status endpoint that answers junk a few times WHEN polling THEN the job survives and delivers', async () => {
    const { id, taskId } = await start('junk status survives');
    h.provider.failNext('status', { status: 200, body: '<html>oops</html>' }, 3);
    h.provider.failNext('status', { status: 502, body: 'bad gateway' }, 1);
    await h.discord.waitFor(() => h.provider.statusRequests.filter((r) => r.taskId === taskId).length >= 4);
    h.provider.completeTask(taskId);
    const message = await deliveredTo(h, id);
    expect(text(message)).toContain('Your video is ready');
  });

  it('GIVEN the provider fails the task WHEN the member checks THEN the credit was given back', async () => {
    const before = await standing();
    const { id, taskId } = await start('fails and refunds');
    expect((await standing()).used).toBe(before.used + 1);
    h.provider.failTask(taskId, 'moderation');
    await h.discord.waitFor(() => text(h.discord.originalResponse(id)).includes('could not be made'));
    expect((await standing()).used).toBe(before.used);
  });

  it('GIVEN prompts full of mentions, markdown and invisible characters WHEN sent THEN nothing the bot posts can ping anyone', async () => {
    const prompt = '@everyone @here <@123456789012345678> <@&123456789012345679> **bold** ||spoiler|| \u202eevil\u202c zero\u200bwidth';
    const { id, taskId } = await start(prompt);
    h.provider.completeTask(taskId);
    const message = await deliveredTo(h, id);
    for (const mentions of message.allowedMentionsLog.slice(1)) {
      const parsed = mentions as { parse?: string[]; users?: string[]; roles?: string[] };
      expect(parsed?.parse).toEqual([]);
      expect(parsed.roles ?? []).toEqual([]);
      expect((parsed.users ?? []).every((user) => user === h.discord.defaultUser.id)).toBe(true);
    }
    expect(text(message)).toContain('\\\\*\\\\*bold\\\\*\\\\*');
  });

  it('GIVEN 2001 emoji WHEN sent as a prompt THEN the member is told how much too long it is, counted in characters as Discord counts them, and nothing is submitted', async () => {
    const before = h.provider.submissions.length;
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: '🎬'.repeat(2001) }));
    const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    expect((callback.data as { flags: number }).flags & 64).toBe(64);
    expect(JSON.stringify(callback.data)).toContain('The prompt is 2001 characters long');
    expect(JSON.stringify(callback.data)).toContain('the limit is 2000');
    expect(JSON.stringify(callback.data)).toContain('Shorten it by 1 character.');
    expect(h.provider.submissions.length).toBe(before);
  });

  it('GIVEN 2000 emoji, which Discord lets through its limit of 2000 characters WHEN sent as a prompt THEN the video is made (each emoji is one character, not two)', async () => {
    const prompt = '🎬'.repeat(2000);
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt }));
    const promptOf = (body: unknown) => (body as { prompt?: string }).prompt;
    const submitted = await h.discord.waitFor(() => h.provider.submissions.find((s) => promptOf(s.body) === prompt));
    expect(submitted.status).toBe(200);
    const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    expect(callback.type).toBe(5);
  });

  it('GIVEN a user-installed context in a server without the bot WHEN /video runs THEN it is refused without a provider call', async () => {
    const before = h.provider.submissions.length;
    const { id } = h.discord.dispatchInteraction({
      ...videoCommand({ prompt: 'a cat' }),
      context: 0,
      authorizingIntegrationOwners: { '1': h.discord.defaultUser.id },
    });
    const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    expect((callback.data as { flags: number }).flags & 64).toBe(64);
    expect(h.provider.submissions.length).toBe(before);
  });
});

describe('buttons on finished videos', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN a delivered video WHEN the bot restarted THEN regenerate starts the same settings again through the quota, and delete is only for the requester', async () => {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'regenerate me', duration: 10, camera: 'Shake' }));
    const message = await deliveredTo(h, id);
    const buttons = JSON.stringify(message.components);
    const regenerate = /"custom_id":"(video:regen:[^"]+)"/.exec(buttons)?.[1] ?? '';
    const remove = /"custom_id":"(video:delete:[^"]+)"/.exec(buttons)?.[1] ?? '';
    expect(regenerate).not.toBe('');

    await h.restart();

    const again = h.discord.dispatchComponentInteraction({ customId: regenerate, messageId: message.id });
    await h.discord.waitFor(() => h.discord.originalResponse(again.id)?.attachments.length);
    const bodies = h.provider.submissions.map((s) => s.body as Record<string, unknown>);
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toEqual(bodies[0]);
    expect((await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, [])).used).toBe(4);

    const stranger = h.discord.dispatchComponentInteraction({
      customId: remove,
      messageId: message.id,
      user: { id: '1400000000000000001', username: 'stranger' },
      memberPermissions: '3072',
    });
    const refused = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === stranger.id));
    expect((refused.data as { flags: number }).flags & 64).toBe(64);
    expect(h.discord.messages.get(message.id)?.deleted).toBe(false);

    h.discord.dispatchComponentInteraction({ customId: remove, messageId: message.id });
    await h.discord.waitFor(() => h.discord.messages.get(message.id)?.deleted);
  });
});

describe('stalled jobs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider: { pollsToComplete: null }, env: { JOB_MAX_AGE_MS: '1500' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN a task that never finishes WHEN it passes JOB_MAX_AGE_MS THEN the member is told it expired and the credit comes back', async () => {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'never finishes' }));
    await h.discord.waitFor(() => h.provider.submissions.length === 1);
    const message = await h.discord.waitFor(() => {
      const original = h.discord.originalResponse(id);
      return original && text(original).includes('took too long') ? original : undefined;
    });
    expect(text(message)).toContain('Nothing was charged');
    const standing = await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);
    expect(standing.used).toBe(0);
    expect(standing.inFlight).toEqual([]);
  });
});

describe('the shared submission budget', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { XCOMPUTE_MAX_RPM: '1' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN the bot is at XCOMPUTE_MAX_RPM WHEN another member asks THEN their reply shows their place in line and a Cancel button, and nothing is sent early', async () => {
    h.discord.dispatchInteraction(videoCommand({ prompt: 'first in line' }));
    await h.discord.waitFor(() => h.provider.submissions.length === 1);
    const { id } = h.discord.dispatchInteraction({
      ...videoCommand({ prompt: 'second in line' }),
      user: { id: '1400000000000000009', username: 'second' },
    });
    // The line replaced "Waiting for a turn" (the request waited in memory) with a place in it.
    await h.discord.waitFor(() => text(h.discord.originalResponse(id)).includes('1st in line · starts <t:'));
    expect(JSON.stringify(h.discord.originalResponse(id)?.components)).toContain('video:cancel:');
    expect(h.provider.submissions).toHaveLength(1);
  });
});

describe('a slow store', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: { QUOTA_DEFAULT_LIMIT: '0' },
      store: async () => {
        const store = await openStore('memory://');
        // Every locked step (quota reservations among them) takes longer than Discord's 3 s allow.
        return {
          ...store,
          withLock: async (name, fn, read) => (await new Promise((r) => setTimeout(r, 2_500)), store.withLock(name, fn, read)),
        };
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN the quota takes longer than 3 s to answer WHEN a member is refused THEN the interaction is still acknowledged in time and the refusal arrives privately', async () => {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'slow store' }));
    const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    expect(callback.type).toBe(5);
    const refusal = await h.discord.waitFor(
      () =>
        h.discord.followUps(id).find((m) => text(m).includes('turned off')) ??
        [...h.discord.messages.values()].find((m) => m.interactionId === id && (m.flags & 64) === 64),
      { timeoutMs: 15_000 },
    );
    expect(refusal.flags & 64).toBe(64);
    expect(h.discord.originalResponse(id)?.deleted ?? true).toBe(true);
    expect(h.provider.submissions).toHaveLength(0);
  });
});
