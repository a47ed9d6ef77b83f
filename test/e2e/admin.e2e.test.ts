import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeCommandOption, FakeInteractionContextSpec, FakeMessage, FakeUserSpec } from '../fakes/discord/index.js';
import { flushDb, redisAvailable, redisUrl } from '../support/redis.js';
import { startHarness, videoCommand, type Harness } from './harness.js';

const GUILD = '140000000000000001';
const GENERAL = '140000000000000010';
const LOG = '140000000000000011';
const ALERTS = '140000000000000020';
const MANAGE_GUILD = String(1 << 5);
const SEND_MESSAGES = String(1 << 11);
// Its own Redis database: each test file flushes only its own.
const DB = 13;

const adminUser: FakeUserSpec = { id: '150000000000000001', username: 'admin' };
const admin = (locale = 'en-US'): FakeInteractionContextSpec => ({
  user: adminUser,
  memberPermissions: MANAGE_GUILD,
  locale,
  channelId: GENERAL,
});
const memberUser = (n: number): FakeUserSpec => ({ id: `16000000000000${String(n).padStart(4, '0')}`, username: `member${n}` });
const member = (n: number, locale = 'en-US'): FakeInteractionContextSpec => ({
  user: memberUser(n),
  memberPermissions: SEND_MESSAGES,
  locale,
  channelId: GENERAL,
});

type OptionValue = string | number | { user: FakeUserSpec };
const TYPES: Record<string, number> = { limit: 4, per_user: 4, max_concurrent: 4, member: 6, user: 6, alert_role: 8, role: 8, channel: 7 };

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

/** Reads a PNG's width and height from its IHDR chunk, after checking the signature. */
function pngSize(data: Buffer): { width: number; height: number } {
  expect(data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(data.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

const stores = [
  { name: 'SQLite', env: async (): Promise<Record<string, string> | null> => ({}) },
  {
    name: 'Redis',
    env: async (): Promise<Record<string, string> | null> => {
      if (!(await redisAvailable())) return null;
      await flushDb(DB);
      return { STORE_URL: redisUrl(DB) };
    },
  },
];

describe.each(stores)('admin tools on $name (real discord.js against the fakes)', ({ env }) => {
  let h: Harness | undefined;
  let redisUp = true;

  beforeAll(async () => {
    redisUp = (await env()) !== null;
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function start(): Promise<Harness | null> {
    const storeEnv = await env();
    if (storeEnv === null) return null;
    h = await startHarness({
      env: storeEnv,
      provider: { pollsToComplete: null },
      discord: {
        guilds: [
          {
            id: GUILD,
            channels: [
              { id: GENERAL, name: 'general' },
              { id: LOG, name: 'quota-log' },
            ],
            roles: [{ id: ALERTS, name: 'Budget alerts', permissions: '0' }],
          },
        ],
      },
    });
    return h;
  }

  async function ask(spec: Parameters<Harness['discord']['dispatchInteraction']>[0], who: FakeInteractionContextSpec) {
    if (!h) throw new Error('no harness');
    const { id } = h.discord.dispatchInteraction({ ...spec, ...who });
    return answerTo(id);
  }
  async function answerTo(id: string) {
    if (!h) throw new Error('no harness');
    const harness = h;
    const callback = await harness.discord.waitFor(() => harness.discord.callbacks.find((c) => c.interactionId === id));
    const flags = (callback.data as { flags?: number } | undefined)?.flags ?? 0;
    return {
      id,
      type: callback.type,
      ephemeral: (flags & 64) === 64,
      text: JSON.stringify(callback.data ?? {}),
      message: harness.discord.originalResponse(id),
    };
  }
  const logMessages = (): FakeMessage[] => h?.discord.messagesIn(LOG) ?? [];
  const logText = (m: FakeMessage) => JSON.stringify(m.embeds);
  const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));

  it('GIVEN a log channel with an alert role WHEN members spend the budget, some at once THEN 50 %, 80 % and 100 % are each posted once, and only 80 % and 100 % ping the role alone', async (ctx) => {
    if (!(await start()) || !h) return ctx.skip(!redisUp, 'Redis is not running');
    await ask(quota('set', { limit: 10, period: 'day' }), admin());
    const logged = await ask(quota('log', { channel: LOG, alert_role: ALERTS }), admin());
    expect(logged.ephemeral).toBe(true);
    expect(logged.text).toContain(`<#${LOG}>`);
    expect(logged.text).not.toContain('could not post');
    const harness = h;
    await harness.discord.waitFor(() => logMessages().some((m) => logText(m).includes('Logging here')));

    // A quota change is logged with who made it and the value before and after.
    await ask(quota('set', { limit: 10, period: 'day', max_concurrent: 20 }), admin());
    const change = await harness.discord.waitFor(() => logMessages().find((m) => logText(m).includes('Quota changed')));
    expect(logText(change)).toContain(`<@${adminUser.id}>`);
    expect(logText(change)).toContain('Videos at once: 3 → 20');

    // 4 of 10 credits: below every threshold.
    for (const n of [1, 2, 3, 4]) expect((await ask(videoCommand({ prompt: `fox ${n}` }), member(n))).type).toBe(5);
    await settle();
    expect(logMessages().filter((m) => logText(m).includes('Budget'))).toHaveLength(0);

    // Six more at once take the server through 50 %, 80 % and 100 %; a seventh is refused.
    const ids = [5, 6, 7, 8, 9, 10, 11].map(
      (n) => harness.discord.dispatchInteraction({ ...videoCommand({ prompt: `fox ${n}` }), ...member(n) }).id,
    );
    const answers = await Promise.all(ids.map(answerTo));
    expect(answers.filter((a) => a.type === 5)).toHaveLength(6);
    await harness.discord.waitFor(() => logMessages().some((m) => logText(m).includes('Budget used up')));
    await settle();

    const alerts = logMessages().filter((m) => logText(m).includes('Budget'));
    expect(alerts.map((m) => /Budget (\d+)% used|Budget used up/.exec(logText(m))?.[0])).toEqual(
      expect.arrayContaining(['Budget 50% used', 'Budget 80% used', 'Budget used up']),
    );
    expect(alerts).toHaveLength(3);
    for (const m of alerts) {
      const pings = !logText(m).includes('50%');
      expect(m.content).toBe(pings ? `<@&${ALERTS}>` : '');
      expect(m.allowedMentionsLog[0]).toEqual({ parse: [], roles: pings ? [ALERTS] : [] });
    }
    // Nothing else the bot posts there pings anyone.
    for (const m of logMessages().filter((x) => !alerts.includes(x))) expect(m.allowedMentionsLog[0]).toEqual({ parse: [], roles: [] });

    // After a restart the thresholds already announced this period stay announced.
    await harness.restart();
    await ask(quota('reset'), admin());
    for (const n of [12, 13, 14, 15, 16]) await ask(videoCommand({ prompt: `fox ${n}` }), member(n));
    await settle();
    expect(logMessages().filter((m) => logText(m).includes('Budget'))).toHaveLength(3);
  });

  it('GIVEN a log channel the bot cannot write to WHEN an admin chooses it THEN the answer and /quota show say so and how to fix it, until a post goes through', async (ctx) => {
    if (!(await start()) || !h) return ctx.skip(!redisUp, 'Redis is not running');
    h.discord.denyChannel(LOG);
    const chosen = await ask(quota('log', { channel: LOG }), admin());
    expect(chosen.ephemeral).toBe(true);
    expect(chosen.text).toContain(`I could not post in <#${LOG}>`);
    expect(chosen.text).toContain('View Channel, Send Messages and Embed Links');

    const shown = await ask(quota('show'), admin());
    expect(shown.text).toContain(`I cannot write in <#${LOG}>`);
    expect(shown.text).toContain('View Channel, Send Messages and Embed Links');

    const zh = await ask(quota('show'), admin('zh-CN'));
    expect(zh.text).toContain(`我无法在 <#${LOG}> 发消息`);

    h.discord.allowChannel(LOG);
    await ask(quota('block', { member: { user: memberUser(1) } }), admin());
    await h.discord.waitFor(() => logMessages().some((m) => logText(m).includes('blocked')));
    await settle(100);
    expect((await ask(quota('show'), admin())).text).not.toContain('I cannot write in');
  });

  it("GIVEN a server's cap on videos at once WHEN an admin sets it or runs /quota show THEN the answer also says how many one member may have at once (the bot's 2, or the server's cap when lower), in English and in Chinese", async (ctx) => {
    if (!(await start()) || !h) return ctx.skip(!redisUp, 'Redis is not running');
    expect((await ask(quota('set', { limit: 10, period: 'day', max_concurrent: 3 }), admin())).text).toContain(
      'Up to 3 for the server, 2 per member',
    );
    expect((await ask(quota('show'), admin())).text).toContain('Up to 3 for the server, 2 per member');
    expect((await ask(quota('show'), admin('zh-CN'))).text).toContain('整个服务器最多 3 个，每位成员最多 2 个');
    await ask(quota('set', { limit: 10, period: 'day', max_concurrent: 1 }), admin());
    expect((await ask(quota('show'), admin())).text).toContain('Up to 1 for the server, 1 per member');
  });

  it('GIVEN a blocked member WHEN they ask by command, by button or from the Apps menu THEN they are told politely and privately, nothing is submitted or spent, /quota show lists them, and unblocking lets them in again', async (ctx) => {
    if (!(await start()) || !h) return ctx.skip(!redisUp, 'Redis is not running');
    await ask(quota('log', { channel: LOG }), admin());
    const blocked = await ask(quota('block', { member: { user: memberUser(1) }, reason: 'spamming **bold** <@&1>' }), admin());
    expect(blocked.ephemeral).toBe(true);
    expect(blocked.text).toContain('can no longer make videos here');

    const refused = await ask(videoCommand({ prompt: 'a fox' }), member(1));
    expect(refused.ephemeral).toBe(true);
    expect(refused.text).toContain('A server admin has paused your video requests');
    expect(refused.text).toContain('Nothing was charged');
    const zh = await ask(videoCommand({ prompt: 'a fox' }), member(1, 'zh-CN'));
    expect(zh.text).toContain('本服务器的管理员暂停了你的视频请求');

    // A button under someone else's video goes through the same gate.
    const other = await ask(videoCommand({ prompt: 'a heron' }), member(2));
    const harness = h;
    const task = await harness.discord.waitFor(() => [...harness.provider.tasks.keys()][0]);
    harness.provider.completeTask(task);
    const delivered = await harness.discord.waitFor(() => {
      const m = harness.discord.originalResponse(other.id);
      return m?.attachments.length ? m : undefined;
    });
    const regenerate = /"custom_id":"(video:regen:[^"]+)"/.exec(JSON.stringify(delivered.components))?.[1] ?? '';
    expect(regenerate).not.toBe('');
    const pressed = harness.discord.dispatchComponentInteraction({ customId: regenerate, messageId: delivered.id, ...member(1) });
    const byButton = await answerTo(pressed.id);
    expect(byButton.ephemeral).toBe(true);
    expect(byButton.text).toContain('paused your video requests');

    // So does Apps → Animate image on a picture.
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(4000)]);
    const picture = harness.discord.postMessage({
      content: 'my cat',
      attachments: [{ filename: 'cat.png', contentType: 'image/png', data: png, width: 1280, height: 720 }],
    });
    const opener = harness.discord.dispatchMessageCommand({ commandName: 'Animate image', messageId: picture.id, ...member(1) });
    await answerTo(opener.id);
    const submitted = harness.discord.submitModal({ interactionId: opener.id, values: { prompt: 'the cat blinks' } });
    const byMenu = await answerTo(submitted.id);
    expect(byMenu.ephemeral).toBe(true);
    expect(byMenu.text).toContain('paused your video requests');

    await settle();
    expect(harness.provider.submissions).toHaveLength(1);
    const standing = await harness.bot.context.quota.memberStanding(GUILD, memberUser(1).id, []);
    expect(standing.used).toBe(0);

    const shown = await ask(quota('show'), admin());
    expect(shown.text).toContain('Blocked members (1)');
    expect(shown.text).toContain(`<@${memberUser(1).id}>, by <@${adminUser.id}>`);
    expect(shown.text).toContain('spamming \\\\*\\\\*bold\\\\*\\\\*');
    const blockLog = await harness.discord.waitFor(() => logMessages().find((m) => logText(m).includes('Member blocked')));
    expect(blockLog.allowedMentionsLog[0]).toEqual({ parse: [], roles: [] });

    const unblocked = await ask(quota('unblock', { member: { user: memberUser(1) } }), admin());
    expect(unblocked.text).toContain('can make videos again');
    expect((await ask(videoCommand({ prompt: 'a fox' }), member(1))).type).toBe(5);
    await harness.discord.waitFor(() => harness.provider.submissions.length === 2);
    await harness.discord.waitFor(() => logMessages().some((m) => logText(m).includes('Member unblocked')));
  });

  it('GIVEN a banned word WHEN a member uses it THEN the log says who and where without reposting the prompt', async (ctx) => {
    if (!(await start()) || !h) return ctx.skip(!redisUp, 'Redis is not running');
    await ask(quota('log', { channel: LOG }), admin());
    await ask(quota('banned-words', { action: 'add', word: 'gore' }), admin());
    const prompt = 'a secret GORE scene with @everyone';
    const refused = await ask(videoCommand({ prompt }), member(3));
    expect(refused.text).toContain('does not allow');
    const harness = h;
    const entry = await harness.discord.waitFor(() => logMessages().find((m) => logText(m).includes('banned word')));
    expect(logText(entry)).toContain(`<@${memberUser(3).id}>`);
    expect(logText(entry)).toContain(`<#${GENERAL}>`);
    expect(logText(entry)).toContain('||gore||');
    expect(logText(entry)).not.toContain('secret');
    expect(entry.allowedMentionsLog[0]).toEqual({ parse: [], roles: [] });
  });

  it('GIVEN the provider refuses the bot key WHEN several videos fail THEN the log says so once, and again only after a video got through', async (ctx) => {
    if (!(await start()) || !h) return ctx.skip(!redisUp, 'Redis is not running');
    await ask(quota('log', { channel: LOG }), admin());
    const harness = h;
    const unauthorized = { status: 401, body: { error: { code: 401, message: 'invalid key', type: 'authentication_error' } } };
    harness.provider.failNext('submit', unauthorized, 3);
    for (const n of [1, 2, 3]) {
      const { id } = harness.discord.dispatchInteraction({ ...videoCommand({ prompt: `fox ${n}` }), ...member(n) });
      await harness.discord.waitFor(() => JSON.stringify(harness.discord.originalResponse(id)?.embeds ?? []).includes('server admin'));
    }
    await settle();
    const trouble = () => logMessages().filter((m) => logText(m).includes('stopped by the video provider'));
    expect(trouble()).toHaveLength(1);
    expect(logText(trouble()[0] as FakeMessage)).toContain('XCOMPUTE_API_KEY');

    // A delivered video ends the incident; the next refusal is a new one.
    const ok = harness.discord.dispatchInteraction({ ...videoCommand({ prompt: 'fine' }), ...member(4) });
    await answerTo(ok.id);
    const task = await harness.discord.waitFor(() => [...harness.provider.tasks.keys()][0]);
    harness.provider.completeTask(task);
    await harness.discord.waitFor(() => harness.discord.originalResponse(ok.id)?.attachments.length);
    harness.provider.failNext('submit', unauthorized, 1);
    const again = harness.discord.dispatchInteraction({ ...videoCommand({ prompt: 'again' }), ...member(5) });
    await harness.discord.waitFor(() => JSON.stringify(harness.discord.originalResponse(again.id)?.embeds ?? []).includes('server admin'));
    await harness.discord.waitFor(() => trouble().length === 2);
  });

  it('GIVEN spending this period WHEN an admin runs /quota show and a member /usage, in English and in Chinese THEN each answer carries usage.png of the expected size', async (ctx) => {
    if (!(await start()) || !h) return ctx.skip(!redisUp, 'Redis is not running');
    await ask(quota('set', { limit: 10, period: 'week', max_concurrent: 10 }), admin());
    for (const n of [1, 2]) await ask(videoCommand({ prompt: `fox ${n}` }), member(n));
    for (const locale of ['en-US', 'zh-CN']) {
      for (const [spec, who] of [
        [quota('show'), admin(locale)],
        [{ commandName: 'usage' }, member(1, locale)],
      ] as const) {
        const answer = await ask(spec, who);
        expect(answer.ephemeral).toBe(true);
        const file = answer.message?.attachments.find((a) => a.filename === 'usage.png');
        expect(file?.contentType).toBe('image/png');
        expect(pngSize(file?.data ?? Buffer.alloc(0))).toEqual({ width: 960, height: 480 });
      }
    }
  });

  it('GIVEN a delivered video and a failed one WHEN an admin exports the current period THEN the private CSV has the promised name and columns, and its rows equal the ledger', async (ctx) => {
    if (!(await start()) || !h) return ctx.skip(!redisUp, 'Redis is not running');
    const harness = h;
    await ask(quota('set', { limit: 10, period: 'month', max_concurrent: 10 }), admin());
    const made = await ask(videoCommand({ prompt: 'a fox, "quoted", and, commas', duration: 10 }), member(1));
    const failed = await ask(videoCommand({ prompt: 'a heron', resolution: '1080p' }), member(2));
    const tasks = await harness.discord.waitFor(() => (harness.provider.tasks.size === 2 ? [...harness.provider.tasks.keys()] : undefined));
    harness.provider.completeTask(tasks[0] ?? '');
    harness.provider.failTask(tasks[1] ?? '', 'content moderation');
    await harness.discord.waitFor(() => harness.discord.originalResponse(made.id)?.attachments.length);
    await harness.discord.waitFor(() =>
      JSON.stringify(harness.discord.originalResponse(failed.id)?.embeds ?? []).includes('Nothing was charged'),
    );

    // Both endings are settled in the ledger (the charge is written once the video was received).
    for (let i = 0; i < 50 && (await harness.bot.context.quota.periodLedger(GUILD, 'current')).entries.length < 2; i++) await settle(100);

    const exported = await ask(quota('export'), admin());
    expect(exported.ephemeral).toBe(true);
    const now = new Date();
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString().slice(0, 10);
    const file = exported.message?.attachments.find((a) => a.filename === `usage-${GUILD}-${monthStart}.csv`);
    expect(file).toBeDefined();
    const [header, ...rows] = (file?.data.toString('utf8') ?? '').split('\r\n').filter((line) => line !== '');
    expect(header).toBe('time,member_id,job_id,model,resolution,duration,credits,outcome,task_id');

    const ledger = (await harness.bot.context.quota.periodLedger(GUILD, 'current')).entries;
    expect(ledger.map((e) => e.outcome).sort()).toEqual(['charged', 'released']);
    expect(rows).toEqual(
      ledger.map((e) =>
        [new Date(e.at).toISOString(), e.userId, e.jobId, e.model, e.resolution, e.duration, e.cost, e.outcome, e.taskId].join(','),
      ),
    );
    // A server whose upload limit the file would exceed is told so, instead of a failed upload.
    const tooLarge = await ask(quota('export'), { ...admin(), attachmentSizeLimit: 100 });
    expect(tooLarge.ephemeral).toBe(true);
    expect(tooLarge.text).toContain('over this server');
    expect(tooLarge.message?.attachments ?? []).toHaveLength(0);

    const previous = await ask(quota('export', { period: 'previous' }), admin('zh-CN'));
    expect(previous.text).toContain('还没有记录');
    expect(previous.message?.attachments[0]?.data.toString('utf8')).toBe(
      'time,member_id,job_id,model,resolution,duration,credits,outcome,task_id\r\n',
    );
  });
});
