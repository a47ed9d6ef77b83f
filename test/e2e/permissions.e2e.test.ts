import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeMessage, FakePermission } from '../fakes/discord/index.js';
import { eventually } from '../support/job-engine.js';
import { startHarness, videoCommand, type Harness } from './harness.js';

const text = (message: FakeMessage | undefined) => JSON.stringify([message?.content, message?.embeds]);
const promptOf = (body: unknown) => (body as { prompt: string }).prompt;
const codePoints = (s: string) => [...s].length;

/**
 * Issue 12.3: a missing permission changes the message, not where it is. Without Attach Files the
 * reply becomes the link (in an embed); without Embed Links too, plain text with the link; a DM
 * only when the channel cannot be written at all. Each case: what the member sees, how many
 * copies, what was charged.
 */
describe('missing permissions degrade the final message in place (real client, fakes)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider: { pollsToComplete: null } });
  });
  afterAll(async () => {
    await h?.close();
  });

  const guild = () => h.discord.defaultGuildId;
  const channelId = () => h.discord.defaultChannelId;
  const run = async (prompt: string, denied: FakePermission[], extra: { locale?: string } = {}) => {
    h.discord.denyPermissions(channelId(), denied);
    const { id } = h.discord.dispatchInteraction({ ...videoCommand({ prompt }), ...extra });
    const taskId = await h.discord.waitFor(() => h.provider.submissions.find((s) => promptOf(s.body) === prompt)?.taskId);
    return { id, taskId };
  };
  const ledgerLine = (taskId: string) =>
    eventually(async () => (await h.bot.context.quota.ledger(guild())).find((l) => l.taskId === taskId));
  /** Messages anywhere (reply, posts, DMs) that speak of `prompt` or carry its link. */
  const everywhere = (needle: string) =>
    [...h.discord.messages.values()].filter((m) => !m.deleted && JSON.stringify([m.content, m.embeds]).includes(needle));
  const dms = () => [...h.discord.messages.values()].filter((m) => m.guildId === null && !m.deleted);

  it('GIVEN the bot lacks Attach Files WHEN the video is ready THEN the reply itself becomes the link, saying why; no DM; charged as a link', async () => {
    const dmsBefore = dms().length;
    const { id, taskId } = await run('no attach files', ['attach_files']);
    try {
      h.provider.completeTask(taskId);
      const line = await ledgerLine(taskId);
      const reply = h.discord.originalResponse(id);
      expect(text(reply)).toContain(h.provider.videoUrl(taskId));
      expect(text(reply)).toContain('Attach Files');
      expect(text(reply)).not.toContain('too large');
      expect(reply?.attachments).toHaveLength(0);
      expect(line).toMatchObject({ outcome: 'charged', reason: 'delivered_as_link' });
      expect(everywhere(h.provider.videoUrl(taskId))).toHaveLength(1);
      expect(dms()).toHaveLength(dmsBefore);
      expect(h.discord.followUps(id).filter((m) => m.content.includes('your video is ready'))).toHaveLength(1);
    } finally {
      h.discord.allowPermissions(channelId());
    }
  });

  it('GIVEN the bot lacks Attach Files and Embed Links and the link is 1,900 characters WHEN the video is ready THEN the reply is plain text within 2000 code points holding the whole link', async () => {
    h.provider.setSignedUrlLength(1_900);
    const { id, taskId } = await run('no attach, no embeds', ['attach_files', 'embed_links']);
    try {
      h.provider.completeTask(taskId);
      const line = await ledgerLine(taskId);
      const reply = h.discord.originalResponse(id);
      expect(reply?.embeds).toHaveLength(0);
      expect(reply?.content).toContain(h.provider.videoUrl(taskId));
      expect(codePoints(reply?.content ?? '')).toBeLessThanOrEqual(2000);
      expect(line).toMatchObject({ outcome: 'charged', reason: 'delivered_as_link' });
      expect(everywhere(h.provider.videoUrl(taskId))).toHaveLength(1);
    } finally {
      h.provider.setSignedUrlLength(0);
      h.discord.allowPermissions(channelId());
    }
  });

  it('zh-CN: GIVEN the bot lacks Attach Files THEN the member reads why in Chinese', async () => {
    const { id, taskId } = await run('没有附加文件权限', ['attach_files'], { locale: 'zh-CN' });
    try {
      h.provider.completeTask(taskId);
      await ledgerLine(taskId);
      expect(text(h.discord.originalResponse(id))).toContain('没有“附加文件”权限，无法上传文件');
      expect(text(h.discord.originalResponse(id))).toContain(h.provider.videoUrl(taskId));
    } finally {
      h.discord.allowPermissions(channelId());
    }
  });

  it('GIVEN the bot lacks Embed Links WHEN the provider fails the task THEN the reply tells it in plain text, nothing charged', async () => {
    const { id, taskId } = await run('no embeds, fails', ['embed_links']);
    try {
      h.provider.failTask(taskId, 'content policy');
      const reply = await h.discord.waitFor(() =>
        h.discord.originalResponse(id)?.content.includes('could not be made') ? h.discord.originalResponse(id) : undefined,
      );
      expect(reply.content).toContain('content policy');
      expect(reply.content).toContain('Nothing was charged');
      expect(reply.embeds).toHaveLength(0);
      expect(await ledgerLine(taskId)).toMatchObject({ outcome: 'released' });
    } finally {
      h.discord.allowPermissions(channelId());
    }
  });

  it('GIVEN the reply was deleted and the bot may not send messages in the channel WHEN the video is ready THEN, the channel being closed, the member gets it by DM (the last resort), once', async () => {
    const { id, taskId } = await run('reply gone, no send', []);
    const original = await h.discord.waitFor(() => h.discord.originalResponse(id));
    h.discord.expireToken(id);
    await fetch(`${h.discord.apiUrl}/v10/channels/${original.channelId}/messages/${original.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bot ${h.discord.token}` },
    });
    h.discord.denyPermissions(channelId(), ['send_messages']);
    try {
      h.provider.completeTask(taskId);
      await ledgerLine(taskId);
      const copies = everywhere('reply gone, no send').filter((m) => m.attachments.length > 0);
      expect(copies).toHaveLength(1);
      expect(copies[0]?.guildId).toBeNull();
    } finally {
      h.discord.allowPermissions(channelId());
    }
  });
});
