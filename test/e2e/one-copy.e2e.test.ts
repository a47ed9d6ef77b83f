import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeMessage } from '../fakes/discord/index.js';
import { eventually } from '../support/job-engine.js';
import { startHarness, videoCommand, type Harness } from './harness.js';

const text = (message: FakeMessage | undefined) => JSON.stringify([message?.content, message?.embeds]);
const promptOf = (body: unknown) => (body as { prompt: string }).prompt;
const ERROR_500 = { status: 500, body: { message: 'Internal Server Error', code: 0 } };

/**
 * Issue 12.4: Discord did the write but answered 5xx or never answered. @discordjs/rest repeats the
 * request itself and the bot may fall back to another route: whatever happens, the member sees
 * exactly one copy of the video (and of the ping), and is charged once.
 */
describe('no second copy when Discord wrote but did not say so (real client, fakes)', () => {
  let h: Harness;
  beforeAll(async () => {
    // Short Discord time-outs, so an answer that never comes is given up on quickly.
    h = await startHarness({
      provider: { pollsToComplete: null },
      env: { DISCORD_REST_TIMEOUT_MS: '1500', DISCORD_UPLOAD_TIMEOUT_MS: '1500' },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const guild = () => h.discord.defaultGuildId;
  const start = async (prompt: string) => {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt }));
    const taskId = await h.discord.waitFor(() => h.provider.submissions.find((s) => promptOf(s.body) === prompt)?.taskId);
    await h.discord.waitFor(() => h.discord.originalResponse(id)?.embeds.length);
    // Let the first progress edit settle, so faults meet the final message.
    await new Promise((resolve) => setTimeout(resolve, 100));
    return { id, taskId };
  };
  /** Every message anywhere (reply, channel posts, DMs) that shows the video of `prompt`. */
  const copies = (prompt: string) =>
    [...h.discord.messages.values()].filter((m) => !m.deleted && m.attachments.length > 0 && text(m).includes(prompt));
  const pings = (id: string) => h.discord.followUps(id).filter((m) => m.content.includes('your video is ready'));
  const charged = async (taskId: string) => {
    const line = await eventually(async () => (await h.bot.context.quota.ledger(guild())).find((l) => l.taskId === taskId));
    return line.outcome;
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));

  it.each([
    ['answered 500 on every try', { ...ERROR_500, land: true }],
    ['never answered', { status: 0, land: true, hang: true }],
  ])(
    'GIVEN the reply edit with the video landed but was %s WHEN the bot gives up on the edit THEN it reads the reply back, sees the video, and posts no other copy',
    async (what, fault) => {
      const prompt = `edit landed, ${what}`;
      const { id, taskId } = await start(prompt);
      h.discord.failNext({ method: 'PATCH', path: /messages\/@original$/, withFiles: true }, fault, 4);
      h.provider.completeTask(taskId);
      await h.discord.waitFor(() => (pings(id).length > 0 ? true : undefined), { timeoutMs: 20_000 });
      await settle();
      expect(copies(prompt)).toHaveLength(1);
      expect(copies(prompt)[0]?.id).toBe(h.discord.originalResponse(id)?.id);
      expect(pings(id)).toHaveLength(1);
      expect(await charged(taskId)).toBe('charged');
    },
  );

  it.each([
    ['answered 500 on every try', { ...ERROR_500, land: true }, 4],
    ['never answered', { status: 0, land: true, hang: true }, 2],
  ])(
    'GIVEN the reply is gone and the channel post of the video landed but was %s THEN its nonce makes every repeat return the first post: one copy, no DM',
    async (what, fault, times) => {
      const prompt = `post landed, ${what}`;
      const { id, taskId } = await start(prompt);
      const original = h.discord.originalResponse(id);
      h.discord.expireToken(id);
      await fetch(`${h.discord.apiUrl}/v10/channels/${original?.channelId}/messages/${original?.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bot ${h.discord.token}` },
      });
      h.discord.failNext(
        { method: 'POST', path: new RegExp(`/channels/${h.discord.defaultChannelId}/messages$`), withFiles: true },
        fault,
        times,
      );
      h.provider.completeTask(taskId);
      await eventually(async () => (await h.bot.context.quota.ledger(guild())).some((l) => l.taskId === taskId), 30_000);
      await settle();
      const posts = h.discord.requests.filter((r) => r.method === 'POST' && r.files.length > 0 && JSON.stringify(r.body).includes(prompt));
      expect(posts.length).toBeGreaterThan(1);
      expect(new Set(posts.map((r) => (r.body as { nonce?: string }).nonce)).size).toBe(1);
      expect(copies(prompt)).toHaveLength(1);
      expect(copies(prompt)[0]?.guildId).toBe(guild());
      expect(await charged(taskId)).toBe('charged');
    },
  );

  it('GIVEN the ping under the finished reply landed but answered 500 THEN it is not sent again', async () => {
    const prompt = 'ping landed, answered 500';
    const { id, taskId } = await start(prompt);
    h.discord.failNext({ method: 'POST', path: /\/webhooks\/\d+\/[^/]+$/ }, { ...ERROR_500, land: true }, 1);
    h.provider.completeTask(taskId);
    await h.discord.waitFor(() => (pings(id).length > 0 ? true : undefined), { timeoutMs: 20_000 });
    await settle();
    expect(pings(id)).toHaveLength(1);
    expect(
      h.discord
        .messagesIn(h.discord.defaultChannelId)
        .filter((m) => m.content.includes('your video is ready') && m.content.includes(h.discord.originalResponse(id)?.id ?? '-')),
    ).toHaveLength(1);
    expect(copies(prompt)).toHaveLength(1);
  });

  it('GIVEN the channel is closed and the DM with the video landed but answered 500 THEN the member has one DM, not two', async () => {
    const prompt = 'dm landed, answered 500';
    const { id, taskId } = await start(prompt);
    h.discord.expireToken(id);
    h.discord.denyChannel(h.discord.defaultChannelId);
    try {
      h.discord.failNext({ method: 'POST', path: /\/channels\/\d+\/messages$/, withFiles: true }, { ...ERROR_500, land: true }, 4);
      h.provider.completeTask(taskId);
      await eventually(async () => (await h.bot.context.quota.ledger(guild())).some((l) => l.taskId === taskId), 30_000);
      await settle();
      expect(copies(prompt)).toHaveLength(1);
      expect(copies(prompt)[0]?.guildId).toBeNull();
      expect(await charged(taskId)).toBe('charged');
    } finally {
      h.discord.allowChannel(h.discord.defaultChannelId);
    }
  });

  it('GIVEN the failure message edit landed but answered 500 on every try THEN the member reads it once, in the reply, and nothing is posted elsewhere', async () => {
    const prompt = 'failure landed, answered 500';
    const { id, taskId } = await start(prompt);
    h.discord.failNext({ method: 'PATCH', path: /messages\/@original$/ }, { ...ERROR_500, land: true }, 4);
    h.provider.failTask(taskId, 'content policy');
    await h.discord.waitFor(() => (text(h.discord.originalResponse(id)).includes('could not be made') ? true : undefined), {
      timeoutMs: 20_000,
    });
    await settle();
    const told = [...h.discord.messages.values()].filter((m) => !m.deleted && text(m).includes('content policy'));
    expect(told).toHaveLength(1);
  });

  it('the fake: a create with the same nonce and enforce_nonce returns the first message; a nonce over 25 characters is refused', async () => {
    const post = (body: object) =>
      fetch(`${h.discord.apiUrl}/v10/channels/${h.discord.defaultChannelId}/messages`, {
        method: 'POST',
        headers: { authorization: `Bot ${h.discord.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ allowed_mentions: { parse: [] }, ...body }),
      });
    const first = (await (await post({ content: 'one', nonce: 'n-1', enforce_nonce: true })).json()) as { id: string };
    const again = (await (await post({ content: 'two', nonce: 'n-1', enforce_nonce: true })).json()) as { id: string; content: string };
    expect(again).toMatchObject({ id: first.id, content: 'one' });
    const unenforced = (await (await post({ content: 'three', nonce: 'n-1' })).json()) as { id: string };
    expect(unenforced.id).not.toBe(first.id);
    expect((await post({ content: 'x', nonce: 'n'.repeat(26), enforce_nonce: true })).status).toBe(400);
  });
});
