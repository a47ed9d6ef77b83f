import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeMessage } from '../fakes/discord/index.js';
import { mp4Bytes } from '../fakes/provider-data.js';
import { eventually } from '../support/job-engine.js';
import { startHarness, videoCommand, type Harness } from './harness.js';

const text = (message: FakeMessage | undefined) => JSON.stringify([message?.content, message?.embeds]);
const promptOf = (body: unknown) => (body as { prompt: string }).prompt;
const VIDEO = mp4Bytes(150 * 1024);

/**
 * Issue 12.5 + 12.6: the provider's file is fetched once per job, checked (whole length, a complete
 * MP4) before anyone sees it, delivered from disk on every try and deleted at the end; a file that
 * cannot be fetched is reported as such, never as "too large", and is not charged.
 */
describe("the provider's video reaches the member whole, fetched once (real client, fakes)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider: { pollsToComplete: null, videoBytes: VIDEO } });
  });
  afterAll(async () => {
    await h?.close();
  });

  const guild = () => h.discord.defaultGuildId;
  const member = { id: '1500000000000000001', username: 'downloader' };
  const start = async (prompt: string, limit?: number) => {
    const { id } = h.discord.dispatchInteraction({
      ...videoCommand({ prompt }),
      user: member,
      ...(limit ? { attachmentSizeLimit: limit } : {}),
    });
    const taskId = await h.discord.waitFor(() => h.provider.submissions.find((s) => promptOf(s.body) === prompt)?.taskId);
    await h.discord.waitFor(() => h.discord.originalResponse(id)?.embeds.length);
    return { id, taskId };
  };
  const ledgerOf = async (taskId: string) =>
    eventually(async () => (await h.bot.context.quota.ledger(guild())).find((line) => line.taskId === taskId));
  const downloads = (taskId: string) => h.provider.fileRequests.filter((r) => r.taskId === taskId);
  /** Every message in the channel or in DMs that shows this prompt (the reply, posts, DMs). */
  const copies = (prompt: string) =>
    [...h.discord.messages.values()].filter((m) => !m.deleted && text(m).includes(prompt) && m.attachments.length > 0);
  const told = (id: string, words: string) =>
    h.discord.waitFor(() => (text(h.discord.originalResponse(id)).includes(words) ? h.discord.originalResponse(id) : undefined), {
      timeoutMs: 20_000,
    });
  const videoFiles = () => readdirSync(h.env.VIDEO_TMP_DIR ?? '');

  it('GIVEN Discord refuses every upload of the first two tries (reply edit, then channel post) WHEN the third try lands THEN the provider was asked for the file once, the member sees one whole copy, charged once, and the file is gone', async () => {
    h.discord.failNext({ path: /./, withFiles: true }, { status: 400, body: { code: 50035, message: 'Invalid Form Body' } }, 4);
    const { id, taskId } = await start('fetched once');
    h.provider.completeTask(taskId);
    const message = await h.discord.waitFor(
      () => (h.discord.originalResponse(id)?.attachments.length ? h.discord.originalResponse(id) : undefined),
      { timeoutMs: 20_000 },
    );
    expect(message.attachments[0]?.size).toBe(VIDEO.length);
    expect(downloads(taskId)).toHaveLength(1);
    expect(copies('fetched once')).toHaveLength(1);
    expect(await ledgerOf(taskId)).toMatchObject({ outcome: 'charged', reason: 'delivered' });
    await eventually(() => videoFiles().length === 0);
  });

  it('GIVEN a chunked body that ends at half the file WHEN the video is ready THEN the half file is never posted: the next try fetches it whole, and the member gets that', async () => {
    h.provider.breakNextFile('chunked_ends_early');
    const { id, taskId } = await start('chunked ends early');
    h.provider.completeTask(taskId);
    const message = await h.discord.waitFor(
      () => (h.discord.originalResponse(id)?.attachments.length ? h.discord.originalResponse(id) : undefined),
      { timeoutMs: 20_000 },
    );
    expect(message.attachments[0]?.size).toBe(VIDEO.length);
    expect(downloads(taskId)).toHaveLength(2);
    expect(
      h.discord.requests.filter((r) => r.files.length > 0 && r.status < 300 && JSON.stringify(r.body).includes('chunked ends early')),
    ).toHaveLength(1);
    expect(await ledgerOf(taskId)).toMatchObject({ outcome: 'charged', reason: 'delivered' });
  });

  it("GIVEN the provider answers 404 for the file WHEN every try fails THEN the member reads that the provider's file could not be downloaded, without the dead link, nothing is charged and the ledger says undelivered with the task id", async () => {
    h.provider.failNext('file', { status: 404, body: 'not found' }, 5);
    const before = (await h.bot.context.quota.memberStanding(guild(), member.id, [])).used;
    const { id, taskId } = await start('dead link');
    h.provider.completeTask(taskId);
    const message = await told(id, 'could not be downloaded');
    expect(text(message)).not.toContain(h.provider.videoUrl(taskId));
    expect(text(message)).not.toContain('too large');
    expect(text(message)).toContain('Nothing was charged');
    expect(message.attachments).toHaveLength(0);
    expect(downloads(taskId)).toHaveLength(5);
    expect(await ledgerOf(taskId)).toMatchObject({ outcome: 'undelivered', reason: 'download_failed', taskId });
    expect((await h.bot.context.quota.memberStanding(guild(), member.id, [])).used).toBe(before);
    expect(copies('dead link')).toHaveLength(0);
  });

  it.each([
    ['short_body', 'short body'],
    ['no_moov', 'no movie header'],
    ['chunked_ends_early', 'always cut'],
  ] as const)(
    "GIVEN a download that keeps breaking (%s) WHEN every try fails THEN the member is told, with the provider's link (it may still work), and nothing is charged",
    async (mode, prompt) => {
      h.provider.breakNextFile(mode, 5);
      const { id, taskId } = await start(prompt);
      h.provider.completeTask(taskId);
      const message = await told(id, 'could not be downloaded');
      expect(text(message)).toContain(h.provider.videoUrl(taskId));
      expect(text(message)).not.toContain('too large');
      expect(await ledgerOf(taskId)).toMatchObject({ outcome: 'undelivered', reason: 'download_failed' });
      expect(copies(prompt)).toHaveLength(0);
    },
  );

  it("GIVEN a whole, valid video over the server's upload limit THEN the member gets the link (it worked: the file was fetched whole) and is charged for a link", async () => {
    const { id, taskId } = await start('large but whole', 64 * 1024);
    h.provider.completeTask(taskId);
    const message = await told(id, 'too large');
    expect(text(message)).toContain(h.provider.videoUrl(taskId));
    expect(message.attachments).toHaveLength(0);
    expect(await ledgerOf(taskId)).toMatchObject({ outcome: 'charged', reason: 'delivered_as_link' });
    expect(downloads(taskId)).toHaveLength(1);
  });

  it('zh-CN: GIVEN a dead link THEN the member reads it in Chinese', async () => {
    h.provider.failNext('file', { status: 410, body: 'gone' }, 5);
    const { id } = h.discord.dispatchInteraction({ ...videoCommand({ prompt: '失效的链接' }), user: member, locale: 'zh-CN' });
    const taskId = await h.discord.waitFor(() => h.provider.submissions.find((s) => promptOf(s.body) === '失效的链接')?.taskId);
    h.provider.completeTask(taskId);
    const message = await told(id, '无法下载服务商的文件');
    expect(text(message)).toContain('未扣除任何额度');
  });
});
