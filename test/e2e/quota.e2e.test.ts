import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import quotaCommand from '../../commands/quota.js';
import usageCommand from '../../commands/usage.js';
import type { FakeCommandOption, FakeInteractionContextSpec, FakeUserSpec } from '../fakes/discord/index.js';
import { startHarness, videoCommand, type Harness } from './harness.js';

const GUILD = '110000000000000001';
const GENERAL = '110000000000000010';
const STUDIO = '110000000000000011';
const STUDIO_THREAD = '110000000000000012';
const GENERAL_THREAD = '110000000000000013';
const STUDIO_PRIVATE_THREAD = '110000000000000014';
const FORUM = '110000000000000015';
const FORUM_POST = '110000000000000016';
const VOICE = '110000000000000017';
const CATEGORY = '110000000000000018';
const PATRON = '110000000000000020';
const MANAGE_GUILD = String(1 << 5);
const SEND_MESSAGES = String(1 << 11);

const admin: FakeInteractionContextSpec = { user: { id: '120000000000000001', username: 'admin' }, memberPermissions: MANAGE_GUILD };
const memberUser = (n: number): FakeUserSpec => ({ id: `13000000000000000${n}`, username: `member${n}` });
const member = (n: number, roles: string[] = []): FakeInteractionContextSpec => ({
  user: memberUser(n),
  memberPermissions: SEND_MESSAGES,
  roles,
});

type OptionValue = string | number | { user: FakeUserSpec };
const TYPES: Record<string, number> = { limit: 4, per_user: 4, max_concurrent: 4, user: 6, role: 8, channel: 7 };

/** A `/quota <subcommand>` spec with plain option values. */
function quota(subcommand: string, options: Record<string, OptionValue> = {}) {
  return {
    commandName: 'quota',
    subcommand,
    options: Object.entries(options).map(([name, value]): FakeCommandOption =>
      typeof value === 'object' ? { name, type: 6, value: value.user.id, user: value.user } : { name, type: TYPES[name] ?? 3, value },
    ),
  };
}

interface Answer {
  type: number;
  ephemeral: boolean;
  text: string;
}

describe('/quota and /usage end to end (real discord.js against the fakes)', () => {
  let h: Harness;

  /** Dispatches an interaction and waits for the bot's first answer to it. */
  async function ask(
    spec: Parameters<Harness['discord']['dispatchInteraction']>[0],
    who: FakeInteractionContextSpec,
  ): Promise<Answer & { id: string }> {
    const { id } = h.discord.dispatchInteraction({ ...spec, ...who });
    return { id, ...(await answerTo(id)) };
  }
  async function answerTo(id: string): Promise<Answer> {
    const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    const flags = (callback.data as { flags?: number } | undefined)?.flags ?? 0;
    return { type: callback.type, ephemeral: (flags & 64) === 64, text: JSON.stringify(callback.data ?? {}) };
  }
  const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeEach(async () => {
    h = await startHarness({
      provider: { pollsToComplete: null },
      discord: {
        guilds: [
          {
            id: GUILD,
            channels: [
              { id: GENERAL, name: 'general' },
              { id: STUDIO, name: 'video-studio' },
              { id: STUDIO_THREAD, name: 'storyboards', type: 11, parentId: STUDIO },
              { id: STUDIO_PRIVATE_THREAD, name: 'drafts', type: 12, parentId: STUDIO },
              { id: GENERAL_THREAD, name: 'off-topic', type: 11, parentId: GENERAL },
              { id: FORUM, name: 'video-requests', type: 15 },
              { id: FORUM_POST, name: 'my storyboard', type: 11, parentId: FORUM },
              { id: VOICE, name: 'studio-voice', type: 2 },
              { id: CATEGORY, name: 'Studio', type: 4 },
            ],
            roles: [{ id: PATRON, name: 'Patron', permissions: '0' }],
          },
        ],
      },
    });
  });
  afterEach(async () => {
    await h?.close();
  });

  it('GIVEN an admin sets limit 2 per day WHEN five members ask for a video at once THEN exactly two start and three are told the budget is used up and when it resets', async () => {
    const saved = await ask(quota('set', { limit: 2, period: 'day' }), admin);
    expect(saved.ephemeral).toBe(true);
    expect(saved.text).toContain('Quota saved');
    expect(saved.text).toContain('2 credits per day');

    const ids = [1, 2, 3, 4, 5].map(
      (n) => h.discord.dispatchInteraction({ ...videoCommand({ prompt: `a fox, take ${n}` }), ...member(n) }).id,
    );
    const answers = await Promise.all(ids.map(answerTo));

    expect(answers.filter((a) => a.type === 5)).toHaveLength(2);
    const refused = answers.filter((a) => a.type === 4);
    expect(refused).toHaveLength(3);
    const tomorrow = Math.floor(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1) / 1000);
    for (const answer of refused) {
      expect(answer.ephemeral).toBe(true);
      expect(answer.text).toContain("This server's video budget is used up");
      expect(answer.text).toContain(`resets <t:${tomorrow}:R>`);
      expect(answer.text).toContain('Nothing was charged');
    }
    await h.discord.waitFor(() => h.provider.submissions.length === 2);
    await settle();
    expect(h.provider.submissions).toHaveLength(2);
  });

  it('GIVEN a member without Manage Server WHEN they try to change the quota THEN they are refused privately and the policy stays as the admin set it', async () => {
    await ask(quota('set', { limit: 7, period: 'week' }), admin);

    for (const permissions of ['0', SEND_MESSAGES]) {
      const denied = await ask(quota('set', { limit: 500, period: 'day' }), { ...member(1), memberPermissions: permissions });
      expect(denied.ephemeral).toBe(true);
      expect(denied.text).toContain('Manage Server');
      expect(denied.text).toContain('Nothing was changed');
    }
    const alsoDenied = await ask(quota('banned-words', { action: 'add', word: 'cat' }), member(2));
    expect(alsoDenied.text).toContain('Manage Server');

    // A forged value Discord's client would never send gets a friendly answer and changes nothing.
    const forged = await ask(quota('set', { limit: -5, period: 'day' }), admin);
    expect(forged.ephemeral).toBe(true);
    expect(forged.text).toContain('`limit` must be a whole number from 0 to 1000000');

    const shown = await ask(quota('show'), admin);
    expect(shown.ephemeral).toBe(true);
    expect(shown.text).toContain('7 credits per week');
    expect(shown.text).toContain('0 of 7 credits used this week, 7 left');
    expect(shown.text).toContain('Banned words (0)');
  });

  it('GIVEN limit 1 WHEN the provider fails the task THEN the credit comes back: /usage shows 0 used and a new /video starts', async () => {
    await ask(quota('set', { limit: 1, period: 'day' }), admin);
    const first = await ask(videoCommand({ prompt: 'a doomed video' }), member(1));
    expect(first.type).toBe(5);
    const taskId = await h.discord.waitFor(() => h.provider.submissions[0]?.taskId);

    const blocked = await ask(videoCommand({ prompt: 'one more while the first runs' }), member(2));
    expect(blocked.text).toContain('0 of 1 credit left');

    h.provider.failTask(taskId, 'content moderation: unsafe output');
    await h.discord.waitFor(() => JSON.stringify(h.discord.originalResponse(first.id)?.embeds ?? []).includes('could not be made'));

    const usage = await ask({ commandName: 'usage' }, member(1));
    expect(usage.ephemeral).toBe(true);
    expect(usage.text).toContain('0 credits used');
    expect(usage.text).toContain('1 of 1 credit left');
    expect(usage.text).toContain('Your videos in progress (0 of 2 at a time)');

    const again = await ask(videoCommand({ prompt: 'a second try' }), member(1));
    expect(again.type).toBe(5);
    await h.discord.waitFor(() => h.provider.submissions.length === 2);
  });

  it('GIVEN a budget of 1 credit WHEN a member asks for a 10 s video (2 credits) THEN the private answer says it costs more than the whole budget and what to change, not that the budget is used up or when it resets; nothing is spent', async () => {
    await ask(quota('set', { limit: 1, period: 'day' }), admin);
    const refused = await ask(videoCommand({ prompt: 'too long for the budget', duration: 10 }), member(1));
    expect(refused.type).toBe(4);
    expect(refused.ephemeral).toBe(true);
    expect(refused.text).toContain("This video costs 2 credits, more than this server's whole budget of 1 credit per day");
    expect(refused.text).toContain('A shorter or lower-resolution video costs less (run /video again)');
    expect(refused.text).not.toContain('used up');
    expect(refused.text).not.toMatch(/<t:\d+:R>/);
    expect(refused.text).toContain('Nothing was charged.');
    const zh = await ask({ ...videoCommand({ prompt: '太长了', duration: 10 }), locale: 'zh-CN' }, member(2));
    expect(zh.text).toContain('这个视频需要 2 点，超过了本服务器的全部额度（每天 1 点），等到重置也无法开始');
    // A 6 s video still fits the budget.
    expect((await ask(videoCommand({ prompt: 'short enough' }), member(1))).type).toBe(5);
    await h.discord.waitFor(() => h.provider.submissions.length === 1);
  });

  it('GIVEN an admin turns videos off (limit 0) WHEN they run /quota show THEN it says videos are off, with no reset time for a budget that does not exist', async () => {
    await ask(quota('set', { limit: 0, period: 'day' }), admin);
    const shown = await ask(quota('show'), admin);
    expect(shown.text).toContain('Video generation is off (limit 0).');
    expect(shown.text).not.toContain('Resets');
    await ask(quota('set', { limit: 5, period: 'day' }), admin);
    expect((await ask(quota('show'), admin)).text).toMatch(/Resets <t:\d+:R>/);
  });

  it('GIVEN a per-member limit of 1 credit WHEN a member asks for a 10 s video THEN the answer says it costs more than their whole budget', async () => {
    await ask(quota('set', { limit: 10, period: 'day', per_user: 1 }), admin);
    const refused = await ask(videoCommand({ prompt: 'too long for me', duration: 10 }), member(1));
    expect(refused.ephemeral).toBe(true);
    expect(refused.text).toContain('This video costs 2 credits, more than your whole budget of 1 credit per day');
    expect(refused.text).toContain('a server admin can raise your limit');
    await settle();
    expect(h.provider.submissions).toHaveLength(0);
  });

  it('GIVEN a role override WHEN members with and without the role ask twice THEN only the role holder gets a second video, and /quota show lists the override and the spenders', async () => {
    await ask(quota('set', { limit: 10, period: 'day', per_user: 1, max_concurrent: 5 }), admin);
    const role = await ask(quota('role', { role: PATRON, per_user: 3 }), admin);
    expect(role.text).toContain(`<@&${PATRON}>`);
    expect(role.text).toContain('3 credits per day');

    const patron = member(1, [PATRON]);
    const plain = member(2);
    expect((await ask(videoCommand({ prompt: 'patron one' }), patron)).type).toBe(5);
    expect((await ask(videoCommand({ prompt: 'patron two' }), patron)).type).toBe(5);
    expect((await ask(videoCommand({ prompt: 'plain one' }), plain)).type).toBe(5);
    const second = await ask(videoCommand({ prompt: 'plain two' }), plain);
    expect(second.type).toBe(4);
    expect(second.ephemeral).toBe(true);
    expect(second.text).toContain('You have used up your own budget');
    await h.discord.waitFor(() => h.provider.submissions.length === 3);

    const shown = await ask(quota('show'), admin);
    expect(shown.text).toContain(`<@&${PATRON}>: 3 credits`);
    expect(shown.text).toContain('3 of 10 credits used today, 7 left');
    expect(shown.text).toContain(`1. <@${memberUser(1).id}>: 2 credits`);
    expect(shown.text).toContain(`2. <@${memberUser(2).id}>: 1 credit`);
    expect(shown.text).toMatch(/Resets <t:\d+:R>/);

    const cleared = await ask(quota('role', { role: PATRON, per_user: 0 }), admin);
    expect(cleared.text).toContain('no limit of its own');
  });

  it('GIVEN a banned word WHEN a prompt contains it in another case THEN the video is refused before anything is submitted', async () => {
    const added = await ask(quota('banned-words', { action: 'add', word: 'Dragon' }), admin);
    expect(added.ephemeral).toBe(true);
    expect(added.text).toContain('||dragon||');

    const refused = await ask(videoCommand({ prompt: 'A huge DRAGON over the city' }), member(1));
    expect(refused.type).toBe(4);
    expect(refused.ephemeral).toBe(true);
    expect(refused.text).toContain('does not allow');
    await settle(200);
    expect(h.provider.submissions).toHaveLength(0);

    const listed = await ask(quota('banned-words', { action: 'list' }), admin);
    expect(listed.text).toContain('1 banned: ||dragon||');
    const missing = await ask(quota('banned-words', { action: 'add' }), admin);
    expect(missing.text).toContain('Choose a `word`');
  });

  it('GIVEN an allowed channel WHEN a member asks elsewhere THEN they are pointed to it, and in it or its threads the video starts', async () => {
    const added = await ask(quota('channels', { action: 'add', channel: STUDIO }), admin);
    expect(added.text).toContain(`/video works only in: <#${STUDIO}>`);

    const elsewhere = await ask({ ...videoCommand({ prompt: 'a lighthouse' }), channelId: GENERAL }, member(1));
    expect(elsewhere.type).toBe(4);
    expect(elsewhere.text).toContain(`Videos can only be made in <#${STUDIO}>`);
    expect(h.provider.submissions).toHaveLength(0);

    const inStudio = await ask({ ...videoCommand({ prompt: 'a lighthouse' }), channelId: STUDIO }, member(1));
    expect(inStudio.type).toBe(5);
    await h.discord.waitFor(() => h.provider.submissions.length === 1);

    const inStudioThread = await ask({ ...videoCommand({ prompt: 'a lighthouse at dusk' }), channelId: STUDIO_THREAD }, member(2));
    expect(inStudioThread.type).toBe(5);
    await h.discord.waitFor(() => h.provider.submissions.length === 2);
    // A private thread the gateway never announced: its parent comes from the interaction itself.
    const inPrivateThread = await ask({ ...videoCommand({ prompt: 'a lighthouse at noon' }), channelId: STUDIO_PRIVATE_THREAD }, member(4));
    expect(inPrivateThread.type).toBe(5);
    await h.discord.waitFor(() => h.provider.submissions.length === 3);
    const inOtherThread = await ask({ ...videoCommand({ prompt: 'a lighthouse at dawn' }), channelId: GENERAL_THREAD }, member(3));
    expect(inOtherThread.text).toContain(`Videos can only be made in <#${STUDIO}>`);
    expect(h.provider.submissions).toHaveLength(3);

    const cleared = await ask(quota('channels', { action: 'clear' }), admin);
    expect(cleared.text).toContain('/video works in every channel');
  });

  it("GIVEN a forum and a voice channel allowed WHEN members ask in a forum post and in the voice channel's chat THEN the videos start; a category cannot be allowed", async () => {
    expect((await ask(quota('channels', { action: 'add', channel: FORUM }), admin)).text).toContain(`<#${FORUM}>`);
    expect((await ask(quota('channels', { action: 'add', channel: VOICE }), admin)).text).toContain(`<#${VOICE}>`);

    const inPost = await ask({ ...videoCommand({ prompt: 'a kite over the dunes' }), channelId: FORUM_POST }, member(1));
    expect(inPost.type).toBe(5);
    const inVoice = await ask({ ...videoCommand({ prompt: 'a kite at night' }), channelId: VOICE }, member(2));
    expect(inVoice.type).toBe(5);
    await h.discord.waitFor(() => h.provider.submissions.length === 2);
    const elsewhere = await ask({ ...videoCommand({ prompt: 'a kite in the rain' }), channelId: GENERAL }, member(3));
    expect(elsewhere.text).toContain('Videos can only be made in');

    // Discord's picker offers no categories (channel_types); a forged or stale client could send one.
    const category = await ask(quota('channels', { action: 'add', channel: CATEGORY }), admin);
    expect(category.ephemeral).toBe(true);
    expect(category.text).toContain('Pick a channel where members can use /video');
    const log = await ask(quota('log', { channel: VOICE }), admin);
    expect(log.text).toContain('Pick a text channel for the log');
    expect((await ask(quota('channels', { action: 'list' }), admin)).text).not.toContain(`<#${CATEGORY}>`);
  });

  it('GIVEN the /quota command as registered THEN allowed channels offer every kind members can use /video in, and the log only text channels', () => {
    const json = quotaCommand.data;
    const sub = (name: string) =>
      json.options?.find((o) => o.name === name) as { options?: Array<{ name: string; channel_types?: number[] }> };
    expect(sub('channels').options?.find((o) => o.name === 'channel')?.channel_types).toEqual([0, 5, 15, 16, 2, 13]);
    expect(sub('log').options?.find((o) => o.name === 'channel')?.channel_types).toEqual([0]);
  });

  it('GIVEN a server that allows one video at a time WHEN a second member asks THEN the refusal says "a video in progress" (not "1 videos"), in English and in Chinese, and several read as a number', async () => {
    expect((await ask(quota('set', { limit: 10, period: 'day', max_concurrent: 1 }), admin)).text).toContain('Quota saved');
    expect((await ask(videoCommand({ prompt: 'a kite over the dunes' }), member(1))).type).toBe(5);
    const second = await ask(videoCommand({ prompt: 'a kite at dusk' }), member(2));
    expect(second.type).toBe(4);
    expect(second.ephemeral).toBe(true);
    expect(second.text).toContain('This server already has a video in progress. Please wait for it to finish.');
    expect(second.text).not.toContain('1 videos');
    const inChinese = await ask({ ...videoCommand({ prompt: 'a kite at noon' }), locale: 'zh-CN' }, member(3));
    expect(inChinese.text).toContain('本服务器已有一个视频正在生成');

    expect((await ask(quota('set', { limit: 10, period: 'day', max_concurrent: 2 }), admin)).text).toContain('Quota saved');
    expect((await ask(videoCommand({ prompt: 'a kite at night' }), member(2))).type).toBe(5);
    const third = await ask(videoCommand({ prompt: 'a kite in the rain' }), member(3));
    expect(third.text).toContain('This server already has 2 videos in progress. Please wait for one to finish.');
  });

  it('GIVEN a member with a video in progress WHEN they run /usage THEN they see their own numbers, the server budget, the reset and the job id', async () => {
    await ask(quota('set', { limit: 10, period: 'week', per_user: 3 }), admin);
    const video = await ask(videoCommand({ prompt: 'a paper boat on a stream' }), member(1));
    const jobId = await h.discord.waitFor(
      () => /Job ([\w-]+)/.exec(JSON.stringify(h.discord.originalResponse(video.id)?.embeds ?? []))?.[1],
    );

    const usage = await ask({ commandName: 'usage' }, member(1));
    expect(usage.type).toBe(4);
    expect(usage.ephemeral).toBe(true);
    expect(usage.text).toContain('You, this week');
    expect(usage.text).toContain('1 of 3 credits used, 2 left');
    expect(usage.text).toContain('9 of 10 credits left');
    expect(usage.text).toMatch(/<t:\d+:R>/);
    expect(usage.text).toContain('Your videos in progress (1 of 2 at a time)');
    expect(usage.text).toContain(`\`${jobId}\``);

    const someoneElse = await ask({ commandName: 'usage', locale: 'zh-CN' }, member(2));
    expect(someoneElse.text).toContain('你的视频额度');
    expect(someoneElse.text).toContain('已用 0/3 点');
    expect(someoneElse.text).not.toContain(jobId);
  });
});

describe('/quota and /usage definitions', () => {
  it('are guild-only, /quota defaults to Manage Server, and every name and description fits Discord', () => {
    expect(quotaCommand.data.default_member_permissions).toBe('32');
    expect(quotaCommand.data.contexts).toEqual([0]);
    expect(quotaCommand.data.integration_types).toEqual([0]);
    expect(usageCommand.data.default_member_permissions ?? null).toBeNull();
    const subcommands = (quotaCommand.data.options ?? []).map((o) => o.name);
    expect(subcommands).toEqual(['set', 'show', 'reset', 'role', 'channels', 'banned-words', 'log', 'block', 'unblock', 'export']);

    const visit = (node: {
      name: string;
      description: string;
      name_localizations?: unknown;
      description_localizations?: unknown;
      options?: unknown[];
    }) => {
      for (const name of [node.name, ...Object.values((node.name_localizations ?? {}) as Record<string, string>)]) {
        expect(name).toMatch(/^[-_\p{L}\p{N}]{1,32}$/u);
        expect(name).toBe(name.toLowerCase());
      }
      for (const text of [node.description, ...Object.values((node.description_localizations ?? {}) as Record<string, string>)]) {
        expect(text.length, text).toBeGreaterThan(0);
        expect(text.length, text).toBeLessThanOrEqual(100);
      }
      for (const child of (node.options ?? []) as Array<typeof node>) visit(child);
    };
    visit(quotaCommand.data);
    visit(usageCommand.data);
  });
});
