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

// The same for /quota: a modified client can send `limit` as a number with decimals or as text, a
// user or role as text, a channel Discord never resolved. The admin gets the private list of what
// to change that an out-of-range value gets, never "Something went wrong", and the policy stays.

describe('forged option types on /quota (real client, fakes)', () => {
  let h: Harness;
  const MANAGE_GUILD = String(1 << 5);
  const admin = { user: { id: '120000000000000001', username: 'admin' }, memberPermissions: MANAGE_GUILD };
  const UNKNOWN_CHANNEL = '110000000000000999';

  /** Runs `/quota <subcommand>` as the admin and returns the first answer to it. */
  async function quota(subcommand: string, options: FakeCommandOption[], locale = 'en-US') {
    const { id } = h.discord.dispatchInteraction({ commandName: 'quota', subcommand, options, locale, ...admin });
    const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    const data = (callback.data ?? {}) as { flags?: number };
    return { ephemeral: ((data.flags ?? 0) & 64) === 64, text: JSON.stringify(data) };
  }
  const policy = () => h.bot.context.quota.getPolicy(h.discord.defaultGuildId);

  beforeAll(async () => {
    h = await startHarness();
    // A policy worth keeping: anything a forged payload changed would show against it.
    const set = await quota('set', [
      { name: 'limit', type: 4, value: 7 },
      { name: 'period', type: 3, value: 'week' },
      { name: 'per_user', type: 4, value: 3 },
    ]);
    expect(set.text).not.toMatch(/could not change/);
    await quota('log', [{ name: 'channel', type: 7, value: h.discord.defaultChannelId }]);
    expect((await policy()).log?.channelId).toBe(h.discord.defaultChannelId);
  });
  afterAll(async () => {
    await h?.close();
  });

  const limitRange = /`limit` must be a whole number from 0 to 1000000/;
  const cases: Array<[string, string, string, FakeCommandOption[], RegExp]> = [
    [
      'limit as the number 1.5',
      'en-US',
      'set',
      [
        { name: 'limit', type: 10, value: 1.5 },
        { name: 'period', type: 3, value: 'day' },
      ],
      limitRange,
    ],
    [
      'limit as the text "abc"',
      'en-US',
      'set',
      [
        { name: 'limit', type: 3, value: 'abc' },
        { name: 'period', type: 3, value: 'day' },
      ],
      limitRange,
    ],
    [
      'limit as the text "abc"',
      'zh-CN',
      'set',
      [
        { name: 'limit', type: 3, value: 'abc' },
        { name: 'period', type: 3, value: 'day' },
      ],
      /`上限` 必须是 0 到 1000000 之间的整数/,
    ],
    [
      'per_user as the text "5" beside a good limit',
      'en-US',
      'set',
      [
        { name: 'limit', type: 4, value: 20 },
        { name: 'period', type: 3, value: 'day' },
        { name: 'per_user', type: 3, value: '5' },
      ],
      /`per_user` must be a whole number from 0 to 1000000/,
    ],
    [
      'period as the number 1',
      'en-US',
      'set',
      [
        { name: 'limit', type: 4, value: 20 },
        { name: 'period', type: 4, value: 1 },
      ],
      /`period` must be one of the listed choices/,
    ],
    [
      'role as the text "abc"',
      'en-US',
      'role',
      [
        { name: 'role', type: 3, value: 'abc' },
        { name: 'per_user', type: 4, value: 9 },
      ],
      /Choose a `role`/,
    ],
    [
      'role as a text option holding a role id',
      'en-US',
      'role',
      [
        { name: 'role', type: 3, value: '110000000000000777' },
        { name: 'per_user', type: 4, value: 9 },
      ],
      /Choose a `role`/,
    ],
    ['member to block as a number', 'en-US', 'block', [{ name: 'member', type: 4, value: 42 }], /Choose a `member`/],
    ['member to block as the number 1.5', 'zh-CN', 'block', [{ name: 'member', type: 10, value: 1.5 }], /此操作需要选择 `成员`/],
    ['log channel as text', 'en-US', 'log', [{ name: 'channel', type: 3, value: 'general' }], /Pick a text channel for the log/],
    [
      'log channel Discord did not resolve',
      'en-US',
      'log',
      [{ name: 'channel', type: 7, value: UNKNOWN_CHANNEL }],
      /Pick a text channel for the log/,
    ],
    [
      'allowed channel as a number',
      'en-US',
      'channels',
      [
        { name: 'action', type: 3, value: 'add' },
        { name: 'channel', type: 4, value: 5 },
      ],
      /Pick a channel where members can use \/video/,
    ],
    ['a subcommand /quota does not have', 'en-US', 'nuke', [], /Choose one of the \/quota commands Discord lists \(set, show, reset…\)\./],
    ['a subcommand /quota does not have', 'zh-CN', 'nuke', [], /请选择 Discord 列出的某个 \/quota 子命令/],
  ];

  it.each(cases)(
    'GIVEN %s (%s) on /quota %s WHEN an admin sends it THEN a private answer says what to change, and the policy stays as it was',
    async (_name, locale, subcommand, options, expected) => {
      const before = await policy();
      const answer = await quota(subcommand, options, locale);
      expect(answer.ephemeral).toBe(true);
      expect(answer.text).toMatch(expected);
      expect(answer.text).toMatch(locale === 'zh-CN' ? /无法修改额度/ : /I could not change the quota/);
      expect(answer.text).not.toMatch(/Something went wrong|出了点问题/);
      expect(await policy()).toEqual(before);
    },
  );

  it('GIVEN the forged attempts WHEN the admin runs /quota show THEN it still shows the policy they set', async () => {
    const show = await quota('show', []);
    expect(show.ephemeral).toBe(true);
    const kept = await policy();
    expect(kept).toMatchObject({ limit: 7, period: 'week', perUser: 3, roleOverrides: {}, blocked: {}, allowedChannelIds: [] });
    expect(kept.log?.channelId).toBe(h.discord.defaultChannelId);
  });
});
