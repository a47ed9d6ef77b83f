import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCommands } from '../../commands/index.js';
import { t } from '../../src/i18n/index.js';
import type { FakeUserSpec } from '../fakes/discord/index.js';
import { startHarness, videoCommand, type Harness } from './harness.js';

const zhMember: FakeUserSpec = { id: '300000000000000001', username: 'xiaoming' };
const enMember: FakeUserSpec = { id: '300000000000000002', username: 'alice' };

interface Embed {
  title?: string;
  description?: string;
  fields?: Array<{ name: string; value: string }>;
  footer?: { text: string };
}
const text = (value: unknown) => JSON.stringify(value);

/** Discord refuses a message whose embeds break these limits, so /help must stay inside them. */
function expectWithinDiscordLimits(embeds: Embed[]) {
  let total = 0;
  expect(embeds.length).toBeLessThanOrEqual(10);
  for (const embed of embeds) {
    expect(embed.title?.length ?? 0).toBeLessThanOrEqual(256);
    expect(embed.description?.length ?? 0).toBeLessThanOrEqual(4096);
    expect(embed.fields?.length ?? 0).toBeLessThanOrEqual(25);
    total += (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0);
    for (const field of embed.fields ?? []) {
      expect(field.name.length).toBeLessThanOrEqual(256);
      expect(field.value.length).toBeLessThanOrEqual(1024);
      total += field.name.length + field.value.length;
    }
  }
  expect(total).toBeLessThanOrEqual(6000);
}

describe('members get the bot in their own language (real discord.js against local fakes)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const ephemeralAnswer = async (id: string) => {
    const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    expect(callback.type).toBe(4);
    const data = callback.data as { flags: number; embeds: Embed[] };
    expect(data.flags & 64).toBe(64);
    return data;
  };

  const finishedVideo = async (id: string) => {
    const message = await h.discord.waitFor(() => {
      const original = h.discord.originalResponse(id);
      return original?.attachments.length ? original : undefined;
    });
    return { progress: text(message.history.map((snapshot) => snapshot.embeds)), final: text(message.embeds), content: message.content };
  };

  it('GIVEN a member whose Discord is in 简体中文 WHEN they ask for 1080p at 10 seconds THEN the refusal is in Chinese', async () => {
    const { id } = h.discord.dispatchInteraction({
      ...videoCommand({ prompt: '城市夜景', resolution: '1080p', duration: 10 }),
      user: zhMember,
      locale: 'zh-CN',
    });
    const answer = await ephemeralAnswer(id);
    expect(answer.embeds[0]?.title).toBe(t('zh-CN', 'validation.title'));
    expect(answer.embeds[0]?.description).toContain(t('zh-CN', 'validation.resolution_duration'));
    expect(text(answer)).not.toContain(t('en', 'validation.resolution_duration'));
  });

  it('GIVEN the same mistake from an English member THEN the refusal is in English', async () => {
    const { id } = h.discord.dispatchInteraction({
      ...videoCommand({ prompt: 'city at night', resolution: '1080p', duration: 10 }),
      user: enMember,
      locale: 'en-US',
    });
    const answer = await ephemeralAnswer(id);
    expect(answer.embeds[0]?.title).toBe(t('en', 'validation.title'));
    expect(answer.embeds[0]?.description).toContain('1080p videos can only be 6 seconds long');
  });

  it('GIVEN a 简体中文 member WHEN their video is made THEN the progress, the estimate note and the final reply are in Chinese', async () => {
    const { id } = h.discord.dispatchInteraction({
      ...videoCommand({ prompt: '一只猫在草地上奔跑', camera: '推进' }),
      user: zhMember,
      locale: 'zh-CN',
    });
    const { progress, final, content } = await finishedVideo(id);

    expect(progress).toContain(t('zh-CN', 'progress.title'));
    expect(progress).toContain(t('zh-CN', 'progress.eta_guess'));
    expect(progress).toContain(t('zh-CN', 'progress.estimated_note'));
    expect(progress).not.toContain(t('en', 'progress.title'));
    expect(final).toContain(t('zh-CN', 'result.title'));
    expect(final).toContain('MiniMax-Hailuo-2.3 · 768p · 6 秒');
    expect(final).not.toContain(t('en', 'result.title'));
    expect(content).toContain(`<@${zhMember.id}>`);
    expect(content).not.toContain('your video is ready');
  });

  it('GIVEN an English member WHEN their video is made THEN every message is in English', async () => {
    const { id } = h.discord.dispatchInteraction({
      ...videoCommand({ prompt: 'a cat running on grass' }),
      user: enMember,
      locale: 'en-US',
    });
    const { progress, final } = await finishedVideo(id);
    expect(progress).toContain(t('en', 'progress.title'));
    expect(progress).toContain(t('en', 'progress.estimated_note'));
    expect(final).toContain(t('en', 'result.title'));
    expect(final).not.toContain(t('zh-CN', 'result.title'));
  });

  it('GIVEN a 简体中文 member WHEN they run /help THEN they privately get the guide in Chinese: options, 15 camera moves with examples, first frames and the quota', async () => {
    const { id } = h.discord.dispatchInteraction({ commandName: 'help', user: zhMember, locale: 'zh-CN' });
    const { embeds } = await ephemeralAnswer(id);
    expectWithinDiscordLimits(embeds);
    const all = text(embeds);

    expect(embeds[0]?.title).toBe(t('zh-CN', 'help.title'));
    expect(all).toContain('/视频');
    expect(all).toContain(t('zh-CN', 'opt.fast_pretreatment.description'));
    expect(embeds[1]?.description).toContain('**推进** Push in — `[推进]一只猫朝镜头走来`');
    expect(embeds[1]?.description?.match(/^\*\*.+ — `\[.+\].+`$/gm)).toHaveLength(15);
    expect(all).toContain('20 MB');
    expect(all).toContain('2:5');
    const quota = embeds[0]?.fields?.find((field) => field.name === t('zh-CN', 'help.quota.title'));
    expect(quota?.value).toMatch(/^本服务器今天还剩 \d+\/20 点额度，将于 <t:\d+:R> 重置。$/);
    expect(all).not.toContain(t('en', 'help.about', { video: '/video' }).slice(0, 30));
  });

  it('GIVEN an English member WHEN they run /help THEN the guide is in English', async () => {
    const { id } = h.discord.dispatchInteraction({ commandName: 'help', user: enMember, locale: 'en-US' });
    const { embeds } = await ephemeralAnswer(id);
    expectWithinDiscordLimits(embeds);
    expect(embeds[0]?.title).toBe(t('en', 'help.title'));
    expect(embeds[0]?.fields?.[0]?.name).toBe('/video options');
    expect(embeds[1]?.description).toContain('**Push in** 推进 — `[推进]a cat walks toward the camera`');
    const quota = embeds[0]?.fields?.find((field) => field.name === t('en', 'help.quota.title'));
    expect(quota?.value).toMatch(/^This server has \d+ of 20 credits left today; they reset <t:\d+:R>\.$/);
  });

  it('GIVEN a server with a per-member limit WHEN a member runs /help THEN the quota line also shows their own credits', async () => {
    await h.bot.context.quota.setPolicy(h.discord.defaultGuildId, { perUser: 5 });
    const { id } = h.discord.dispatchInteraction({
      commandName: 'help',
      user: { id: '300000000000000003', username: 'newcomer' },
      locale: 'zh-CN',
    });
    const { embeds } = await ephemeralAnswer(id);
    const quota = embeds[0]?.fields?.find((field) => field.name === t('zh-CN', 'help.quota.title'));
    expect(quota?.value).toMatch(/^本服务器今天还剩 \d+\/20 点额度，你还剩 5\/5 点，将于 <t:\d+:R> 重置。$/);
  });

  it('GIVEN a DM with the bot WHEN someone runs /help there THEN they get the guide without a quota line', async () => {
    const { id } = h.discord.dispatchInteraction({ commandName: 'help', guildId: null, locale: 'en-GB' });
    const { embeds } = await ephemeralAnswer(id);
    expectWithinDiscordLimits(embeds);
    expect(embeds[0]?.title).toBe(t('en', 'help.title'));
    expect(embeds[0]?.fields?.map((field) => field.name)).not.toContain(t('en', 'help.quota.title'));
  });

  it('GIVEN the registered commands THEN /help is offered in servers and DMs, with a Chinese name and description', () => {
    const help = loadCommands().find((command) => command.data.name === 'help');
    expect(help?.data.contexts).toEqual([0, 1]);
    expect(help?.data.name_localizations).toEqual({ 'zh-CN': '帮助' });
    expect(help?.data.description_localizations?.['zh-CN']).toBe(t('zh-CN', 'cmd.help.description'));
    expect(help?.data.default_member_permissions ?? null).toBeNull();
  });
});
