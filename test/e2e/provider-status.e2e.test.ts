import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, videoCommand, type Harness } from './harness.js';
import { DEFAULT_STATUS_TIMEOUT_MS } from '../../src/provider/xcompute-client.js';

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
    const taskId = await h.discord.waitFor(
      () => h.provider.submissions.find((s) => promptOf(s.body) === 'outlives a status outage')?.taskId,
    );
    h.provider.failNext('status', { status: 502, body: '<html>bad gateway</html>' }, 5);
    h.provider.failNext('status', { status: 0, reset: true }, 5);
    h.provider.failNext('status', { status: 500, body: { error: { code: 500, message: 'internal', type: 'server_error' } } }, 5);
    await h.discord.waitFor(() => h.provider.statusRequests.filter((r) => r.taskId === taskId && r.status !== 200).length >= 15, {
      timeoutMs: 15_000,
    });
    h.provider.completeTask(taskId);

    const message = await h.discord.waitFor(
      () => {
        const original = h.discord.originalResponse(id);
        return original?.attachments.length ? original : undefined;
      },
      { timeoutMs: 15_000 },
    );

    expect(JSON.stringify(message.embeds)).toContain('Your video is ready');
    const standing = () => h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);
    // The charge is written just after the upload lands.
    await expect.poll(async () => (await standing()).inFlight).toEqual([]);
    expect((await standing()).used).toBe(1);
    expect(h.provider.submissions).toHaveLength(1);
  });
});

describe('status requests that hang for some tasks (real client, fakes)', () => {
  // Four servers whose tasks' status requests hang, two members each; one server whose do not.
  const slowGuilds = ['1100000000000000101', '1100000000000000102', '1100000000000000103', '1100000000000000104'];
  const otherGuild = '1100000000000000105';
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      discord: { guilds: [...slowGuilds, otherGuild].map((id) => ({ id })) },
      // Polls are paced by the shared budget; give it room so this is about slots, not pacing.
      env: { XCOMPUTE_MAX_POLLS_PER_S: '100' },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const user = (n: number) => ({ id: String(1400000000000000100n + BigInt(n)), username: `member${n}` });
  const delivered = (id: string) => h.discord.originalResponse(id)?.attachments.length;

  it('GIVEN eight jobs whose status requests hang (as many as the poller has slots) WHEN another server asks for videos THEN theirs progress and are delivered while those requests still hang; the hung jobs are asked again later and delivered, each charged once', async () => {
    h.provider.slowStatus((task) => promptOf(task.body).startsWith('hung'), 60_000);
    const hung = Array.from({ length: 8 }, (_, n) =>
      h.discord.dispatchInteraction({ ...videoCommand({ prompt: `hung ${n}` }), guildId: slowGuilds[n % 4], user: user(n) }),
    );
    const hungTasks = await h.discord.waitFor(() => {
      const ids = h.provider.submissions.filter((s) => promptOf(s.body).startsWith('hung')).map((s) => s.taskId);
      return ids.length === 8 && ids.every(Boolean) ? (ids as string[]) : undefined;
    });
    // Every poller slot now waits on a status request that will not be answered.
    await h.discord.waitFor(() => hungTasks.every((taskId) => h.provider.statusRequests.some((r) => r.taskId === taskId)));
    const firstHungAt = Math.min(...h.provider.statusRequests.filter((r) => hungTasks.includes(r.taskId)).map((r) => r.at));

    const others = [8, 9].map((n) =>
      h.discord.dispatchInteraction({ ...videoCommand({ prompt: `unaffected ${n}` }), guildId: otherGuild, user: user(n) }),
    );
    await h.discord.waitFor(() => others.every(({ id }) => delivered(id)), { timeoutMs: 20_000 });

    // Delivered before even the first hung request reached the client's status deadline.
    expect(Date.now() - firstHungAt).toBeLessThan(DEFAULT_STATUS_TIMEOUT_MS);
    expect(hung.some(({ id }) => delivered(id))).toBe(false);

    // The provider answers again: the hung jobs time out, are asked again after a backoff, and finish.
    h.provider.slowStatus(null);
    await h.discord.waitFor(() => hung.every(({ id }) => delivered(id)), { timeoutMs: 30_000 });
    for (const n of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) {
      const guildId = n < 8 ? (slowGuilds[n % 4] ?? '') : otherGuild;
      await expect.poll(async () => (await h.bot.context.quota.memberStanding(guildId, user(n).id, [])).inFlight).toEqual([]);
      expect((await h.bot.context.quota.memberStanding(guildId, user(n).id, [])).used).toBe(1);
    }
    expect(h.provider.submissions).toHaveLength(10);
  });
});
