import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';
import type { FakeCommandOption } from '../fakes/discord/index.js';

// Discord checks option types, but a forged or replayed interaction need not: every /video option
// is read defensively, and a wrong type gets the same private "what to change" answer as a wrong
// value, never "Something went wrong".

describe('forged option types on /video (real client, fakes)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const cases: Array<[string, string, FakeCommandOption, RegExp]> = [
    ['duration as the string "10"', 'en-US', { name: 'duration', type: 3, value: '10' }, /`10` is not a valid duration/],
    ['duration as a string in an integer option', 'en-US', { name: 'duration', type: 4, value: '10' }, /`10` is not a valid duration/],
    ['duration as 6.5', 'zh-CN', { name: 'duration', type: 10, value: 6.5 }, /`6\.5` 不是有效的/],
    ['watermark as "yes"', 'en-US', { name: 'watermark', type: 3, value: 'yes' }, /`yes` is not a valid watermark/],
    ['watermark as "yes" in a boolean option', 'zh-CN', { name: 'watermark', type: 5, value: 'yes' }, /`yes` 不是有效的/],
    ['prompt_optimizer as 1', 'en-US', { name: 'prompt_optimizer', type: 4, value: 1 }, /`1` is not a valid prompt_optimizer/],
    ['resolution as the number 1080', 'en-US', { name: 'resolution', type: 4, value: 1080 }, /`1080` is not a valid resolution/],
    ['model as true', 'en-US', { name: 'model', type: 5, value: true }, /`true` is not a valid model/],
    ['image as a URL string', 'en-US', { name: 'image', type: 3, value: 'https://example.com/x.png' }, /is not a valid image/],
  ];

  it.each(cases)(
    'GIVEN %s (%s) WHEN /video runs THEN a private answer says what to change, and nothing is submitted or charged',
    async (_name, locale, option, expected) => {
      const submitted = h.provider.submissions.length;
      const { id } = h.discord.dispatchInteraction({
        commandName: 'video',
        locale,
        options: [{ name: 'prompt', type: 3, value: 'a cat on a sofa' }, option],
      });
      const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
      const data = callback.data as { flags: number; embeds?: unknown[]; content?: string };
      expect(data.flags & 64).toBe(64);
      const shown = JSON.stringify(data);
      expect(shown).toMatch(expected);
      expect(shown).toMatch(locale === 'zh-CN' ? /未扣除任何额度/ : /Nothing was charged/);
      expect(shown).not.toMatch(/Something went wrong|出了点问题/);
      expect(h.provider.submissions.length).toBe(submitted);
      const standing = await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);
      expect(standing.used).toBe(0);
      expect(standing.inFlight).toEqual([]);
    },
  );

  it('GIVEN every option forged at once WHEN /video runs THEN one answer lists each of them', async () => {
    const { id } = h.discord.dispatchInteraction({
      commandName: 'video',
      options: [
        { name: 'prompt', type: 3, value: 'a dog' },
        { name: 'duration', type: 3, value: '10' },
        { name: 'watermark', type: 3, value: 'yes' },
        { name: 'fast_pretreatment', type: 3, value: 'no' },
      ],
    });
    const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    const shown = JSON.stringify(callback.data);
    for (const part of ['`10` is not a valid duration', '`yes` is not a valid watermark', '`no` is not a valid fast_pretreatment'])
      expect(shown).toContain(part);
  });
});
