import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeMessage } from '../fakes/discord/index.js';
import { startHarness, videoCommand, type Harness } from './harness.js';

const text = (message: FakeMessage | undefined) => JSON.stringify([message?.content, message?.embeds]);
const cancelIdOf = (message: FakeMessage | undefined) =>
  /"custom_id":"(video:cancel:[^"]+)"/.exec(JSON.stringify(message?.components ?? []))?.[1];
const member = (n: number) => ({ id: String(1_400_000_000_000_000_200n + BigInt(n)), username: `member${n}` });
// Manage Messages (1 << 13) and nothing else; a plain member: View Channel and Send Messages.
const MODERATOR_PERMISSIONS = String(1 << 13);
const MEMBER_PERMISSIONS = '3072';
// A server per test: a server's cap of 3 jobs in flight counts waiting requests too.
const GUILDS = Array.from({ length: 3 }, (_, i) => ({ id: String(1_160_000_000_000_000_001n + (BigInt(i) << 22n)), name: `server ${i}` }));
const guildOf = (i: number) => GUILDS[i]?.id ?? '';

describe('Cancel while a request waits in line', () => {
  let h: Harness;
  beforeAll(async () => {
    // One submission per 10 minutes: after the first, every request waits in line.
    h = await startHarness({
      discord: { guilds: GUILDS },
      provider: { pollsToComplete: null },
      env: { XCOMPUTE_MAX_RPM: '1', XCOMPUTE_RPM_WINDOW_MS: '600000' },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A /video by member n whose reply shows its place in line; its reply and the Cancel button's custom id. */
  const waitingRequest = async (n: number, prompt: string, guild: number, locale?: string) => {
    const { id } = h.discord.dispatchInteraction({
      ...videoCommand({ prompt }),
      guildId: guildOf(guild),
      user: member(n),
      ...(locale ? { locale } : {}),
    });
    const reply = await h.discord.waitFor(() => {
      const original = h.discord.originalResponse(id);
      return original && cancelIdOf(original) ? original : undefined;
    });
    return { id, reply, cancelId: cancelIdOf(reply) ?? '' };
  };

  it('GIVEN the budget is spent WHEN members ask THEN each reply shows its place and start, in their language, with a Cancel button; the job the provider has shows none', async () => {
    const head = h.discord.dispatchInteraction({
      ...videoCommand({ prompt: 'first, sent at once' }),
      guildId: guildOf(0),
      user: member(0),
    });
    await h.discord.waitFor(() => h.provider.submissions.length === 1);
    const second = await waitingRequest(1, 'second, waits', 0);
    const third = await waitingRequest(2, 'third, waits', 0, 'zh-CN');
    await h.discord.waitFor(() => text(h.discord.originalResponse(second.id)).includes('1st in line · starts <t:') || undefined);
    await h.discord.waitFor(() => (text(h.discord.originalResponse(third.id)).includes('第 2 位 · 预计 <t:') ? true : undefined));
    expect(JSON.stringify(h.discord.originalResponse(third.id)?.components)).toContain('"label":"取消"');
    await h.discord.waitFor(() => h.discord.originalResponse(head.id)?.embeds.length || undefined);
    expect(cancelIdOf(h.discord.originalResponse(head.id))).toBeUndefined();
    expect(h.provider.submissions).toHaveLength(1);
  });

  it('GIVEN a waiting request WHEN another member presses Cancel THEN they are refused privately; WHEN the requester presses it THEN the reply says it was cancelled and the credits are back', async () => {
    const guild = guildOf(1);
    const waiting = await waitingRequest(3, 'cancel me', 1);
    expect((await h.bot.context.quota.memberStanding(guild, member(3).id, [])).used).toBe(1);

    const stranger = h.discord.dispatchComponentInteraction({
      customId: waiting.cancelId,
      messageId: waiting.reply.id,
      guildId: guild,
      user: member(9),
      memberPermissions: MEMBER_PERMISSIONS,
    });
    const refusal = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === stranger.id));
    expect(((refusal.data as { flags?: number }).flags ?? 0) & 64).toBe(64);
    expect(JSON.stringify(refusal.data)).toContain('Only the member who asked');

    h.discord.dispatchComponentInteraction({
      customId: waiting.cancelId,
      messageId: waiting.reply.id,
      guildId: guild,
      user: member(3),
      memberPermissions: MEMBER_PERMISSIONS,
    });
    const cancelled = await h.discord.waitFor(() => {
      const original = h.discord.originalResponse(waiting.id);
      return text(original).includes('Cancelled by') ? original : undefined;
    });
    expect(text(cancelled)).toContain('Nothing was charged');
    expect(cancelIdOf(cancelled)).toBeUndefined();
    const standing = await h.bot.context.quota.memberStanding(guild, member(3).id, []);
    expect(standing.used).toBe(0);
    expect(standing.inFlight).toEqual([]);
    expect(h.provider.submissions.map((s) => (s.body as { prompt: string }).prompt)).not.toContain('cancel me');
  });

  it('GIVEN a waiting request WHEN a member with Manage Messages presses Cancel THEN it is cancelled in their name', async () => {
    const waiting = await waitingRequest(4, 'moderated', 2);
    h.discord.dispatchComponentInteraction({
      customId: waiting.cancelId,
      messageId: waiting.reply.id,
      guildId: guildOf(2),
      user: member(8),
      memberPermissions: MODERATOR_PERMISSIONS,
    });
    const cancelled = await h.discord.waitFor(() => {
      const original = h.discord.originalResponse(waiting.id);
      return text(original).includes('Cancelled by') ? original : undefined;
    });
    expect(text(cancelled)).toContain(`<@${member(8).id}>`);
  });

  it('GIVEN a request the provider already has WHEN someone presses an old Cancel button THEN they are told privately it is too late and nothing changes', async () => {
    const head = h.provider.submissions[0];
    expect(head).toBeDefined();
    // The first request's job id, from the reply's footer.
    const first = [...h.discord.messages.values()].find((m) => text(m).includes('first, sent at once'));
    const jobId = /Job ([a-z0-9]+)/.exec(text(first))?.[1] ?? '';
    expect(jobId).not.toBe('');
    const press = h.discord.dispatchComponentInteraction({
      customId: `video:cancel:${jobId}`,
      messageId: first?.id ?? '',
      user: member(0),
    });
    const answer = await h.discord.waitFor(() => h.discord.followUps(press.id).find((m) => text(m).includes('Too late')));
    expect(answer.flags & 64).toBe(64);
    expect(text(h.discord.originalResponse(first?.interactionId ?? ''))).not.toContain('Cancelled');
  });
});
