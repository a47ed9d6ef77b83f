import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, videoCommand, type Harness } from './harness.js';

const ALLOWED = '110000000000000101';
const STRANGER = '110000000000000202';
const guilds = [
  { id: ALLOWED, name: 'our server', channels: [{ id: '110000000000000111', name: 'general' }] },
  { id: STRANGER, name: 'found the invite link', channels: [{ id: '110000000000000222', name: 'general' }] },
];

describe('ALLOWED_GUILD_IDS: a paid key serves only the operator’s servers', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  const callbackTo = (id: string) => h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
  const isEphemeral = (data: unknown) => (((data as { flags?: number } | undefined)?.flags ?? 0) & 64) === 64;

  it('GIVEN the allow-list names one server WHEN /video, /usage and /quota show come from another THEN each is answered privately that the bot is not enabled there, in the member’s language, and nothing is submitted or spent', async () => {
    h = await startHarness({ discord: { guilds }, env: { ALLOWED_GUILD_IDS: ALLOWED } });
    const video = h.discord.dispatchInteraction({ ...videoCommand({ prompt: 'spend their credits' }), guildId: STRANGER });
    const usage = h.discord.dispatchInteraction({ commandName: 'usage', guildId: STRANGER });
    const quota = h.discord.dispatchInteraction({ commandName: 'quota', subcommand: 'show', guildId: STRANGER, locale: 'zh-CN' });
    for (const { id } of [video, usage]) {
      const callback = await callbackTo(id);
      expect(callback.type).toBe(4);
      expect(isEphemeral(callback.data)).toBe(true);
      expect(JSON.stringify(callback.data)).toContain('not enabled in this server');
      expect(JSON.stringify(callback.data)).toContain('Nothing was charged');
    }
    const zh = await callbackTo(quota.id);
    expect(isEphemeral(zh.data)).toBe(true);
    expect(JSON.stringify(zh.data)).toContain('此服务器未启用本机器人');

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.provider.submissions).toHaveLength(0);
    // Reserved credits count as used until released: none were.
    expect((await h.bot.context.quota.memberStanding(STRANGER, '130000000000000001', [])).guildUsed).toBe(0);

    // The allowed server is served as before.
    const ours = h.discord.dispatchInteraction({ ...videoCommand({ prompt: 'our own video' }), guildId: ALLOWED });
    await h.discord.waitFor(() => h.provider.submissions.find((s) => (s.body as { prompt: string }).prompt === 'our own video'));
    expect(isEphemeral((await callbackTo(ours.id)).data)).toBe(false);
  });

  it('GIVEN a finished video in a server later left off the allow-list WHEN its Regenerate button is pressed THEN it is refused privately and nothing is submitted', async () => {
    h = await startHarness({ discord: { guilds }, provider: { pollsToComplete: 1 } });
    const { id } = h.discord.dispatchInteraction({ ...videoCommand({ prompt: 'made before the list' }), guildId: STRANGER });
    const message = await h.discord.waitFor(
      () => (h.discord.originalResponse(id)?.attachments.length ? h.discord.originalResponse(id) : undefined),
      { timeoutMs: 15_000 },
    );
    const regenerate = JSON.stringify(message.components).match(/"custom_id":"([^"]*regen[^"]*)"/i)?.[1];
    expect(regenerate, JSON.stringify(message.components)).toBeDefined();

    h.env.ALLOWED_GUILD_IDS = ALLOWED;
    await h.restart();
    const press = h.discord.dispatchComponentInteraction({ customId: regenerate ?? '', messageId: message.id, guildId: STRANGER });
    const callback = await callbackTo(press.id);
    expect(isEphemeral(callback.data)).toBe(true);
    expect(JSON.stringify(callback.data)).toContain('not enabled in this server');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.provider.submissions).toHaveLength(1);
  });
});
