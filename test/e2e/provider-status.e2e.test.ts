import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, videoCommand, type Harness } from './harness.js';

const promptOf = (body: unknown) => (body as { prompt: string }).prompt;

describe('a provider whose status endpoint glitches (real client, fakes)', () => {
  let h: Harness;
  beforeAll(async () => {
    // Fast polls, so a glitch of many failed status requests fits in a test.
    h = await startHarness({ provider: { pollsToComplete: null }, env: { POLL_INTERVAL_MS: '20' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN the status endpoint fails 15 times in a row (502s, resets, server errors) WHEN it recovers and the task is done THEN the member gets the video, charged once', async () => {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'outlives a status outage' }));
    const taskId = await h.discord.waitFor(() => h.provider.submissions.find((s) => promptOf(s.body) === 'outlives a status outage')?.taskId);
    h.provider.failNext('status', { status: 502, body: '<html>bad gateway</html>' }, 5);
    h.provider.failNext('status', { status: 0, reset: true }, 5);
    h.provider.failNext('status', { status: 500, body: { error: { code: 500, message: 'internal', type: 'server_error' } } }, 5);
    await h.discord.waitFor(() => h.provider.statusRequests.filter((r) => r.taskId === taskId && r.status !== 200).length >= 15, { timeoutMs: 15_000 });
    h.provider.completeTask(taskId);

    const message = await h.discord.waitFor(() => {
      const original = h.discord.originalResponse(id);
      return original?.attachments.length ? original : undefined;
    }, { timeoutMs: 15_000 });

    expect(JSON.stringify(message.embeds)).toContain('Your video is ready');
    const standing = () => h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);
    // The charge is written just after the upload lands.
    await expect.poll(async () => (await standing()).inFlight).toEqual([]);
    expect((await standing()).used).toBe(1);
    expect(h.provider.submissions).toHaveLength(1);
  });
});
