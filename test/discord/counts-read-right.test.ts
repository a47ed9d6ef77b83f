import type { APIEmbed } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { adminLogMessage } from '../../src/discord/render/admin-log.js';
import { exportEmbed } from '../../src/discord/render/admin-answers.js';
import { helpEmbeds } from '../../src/discord/render/help.js';
import { historyEmbed } from '../../src/discord/render/history.js';
import { quotaShowEmbed } from '../../src/discord/render/quota-show.js';
import { usageEmbed } from '../../src/discord/render/quota-usage.js';
import { refusalEmbed } from '../../src/discord/render/refusal.js';
import { validationEmbed } from '../../src/discord/render/validation.js';
import { translatorFor } from '../../src/i18n/index.js';
import type { MemberStanding } from '../../src/quota/quota-standing.js';
import { resolvePolicy } from '../../src/quota/policy.js';
import { sampleJob } from '../support/jobs.js';

const now = Date.UTC(2026, 11, 2, 12);

/** A member's standing where every figure is 1: the case that read "1 of 1 credits left". */
const ones: MemberStanding = {
  period: 'day',
  periodKey: '2026-12-02',
  used: 1,
  limit: 1,
  remaining: 1,
  guildUsed: 1,
  guildLimit: 1,
  guildRemaining: 1,
  globalRemaining: 1,
  resetsAt: now + 3_600_000,
  inFlight: [],
  maxInFlight: 1,
};

const text = (embed: APIEmbed): string =>
  [embed.title, embed.description, embed.footer?.text, ...(embed.fields ?? []).flatMap((f) => [f.name, f.value])]
    .filter((part) => part !== undefined)
    .join('\n');

/** Every answer and log line that counts something, rendered with counts of 1 in `locale`. */
function everyCountedText(locale: string, standing: MemberStanding = ones): string[] {
  const policy = { ...resolvePolicy(undefined, { limit: standing.guildLimit, period: 'day' }), perUser: standing.limit };
  return [
    text(usageEmbed(standing, locale)),
    text(usageEmbed({ ...standing, limit: null, remaining: null }, locale)),
    // The operator's ceiling shows when it is what would stop the member.
    text(usageEmbed({ ...standing, guildLimit: 10, guildRemaining: 5 }, locale)),
    // A video of 1 credit when none is left, and one of 2 credits against a budget of 1 (it never fits).
    ...[1, 2].flatMap((cost) => [
      text(refusalEmbed({ reason: 'guild_budget', cost, remaining: 0, limit: standing.guildLimit, period: 'day', resetsAt: now }, locale)),
      text(refusalEmbed({ reason: 'member_budget', cost, remaining: 0, limit: standing.limit ?? 0, period: 'day', resetsAt: now }, locale)),
    ]),
    text(refusalEmbed({ reason: 'global_ceiling', cost: 1, aboveCeiling: true, resetsAt: now }, locale)),
    text(quotaShowEmbed({ policy, standing, spenders: [], global: { limit: standing.guildLimit, resetsAt: now } }, locale)),
    ...helpEmbeds(translatorFor(locale), standing).map(text),
    ...helpEmbeds(translatorFor(locale), { ...standing, limit: null, remaining: null }).map(text),
    ...[80, 100].map((percent) =>
      text(
        adminLogMessage(
          {
            kind: 'budget_threshold',
            percent: percent as 80 | 100,
            used: standing.guildUsed,
            limit: standing.guildLimit,
            period: 'day',
            resetsAt: now,
          },
          locale,
          null,
        ).embed,
      ),
    ),
    text(exportEmbed({ start: now - 86_400_000, end: now, entries: [{}] }, locale)),
    text(historyEmbed({ jobs: [sampleJob({ state: 'delivered', completedAt: now })], total: 1, offset: 0 }, locale, now, 1)),
    text(validationEmbed([{ code: 'prompt_too_long', length: 2001, max: 2000 }], locale)),
  ];
}

describe('counts read right in every answer and log line (1 credit, 1 video, 1 day, 1 row, 1 character)', () => {
  it('GIVEN a limit of 1, 1 credit used and left, 1 video kept 1 day, 1 ledger row THEN no English text says "1 credits", "1 videos", "1 days", "1 rows" or "1 characters"', () => {
    const all = everyCountedText('en-US').join('\n');
    expect(all).not.toMatch(/\b1 (credits|videos|days|rows|characters)\b/);
    expect(all).toContain('1 of 1 credit left');
    expect(all).toContain('1 credit used (no limit of your own)');
    expect(all).toContain('The bot has only 1 credit left today across all servers.');
    expect(all).toContain('1 of 1 credit used today, 1 left.');
    expect(all).toContain('1 video · kept 1 day');
    expect(all).toContain(': 1 row.');
    expect(all).toContain('Shorten it by 1 character.');
    expect(all).toContain('0 of 1 credit left, and this video costs 1 credit.');
    expect(all).toContain('you have 1 of your 1 credit; they reset');
    expect(all).toContain("This video costs 2 credits, more than this server's whole budget of 1 credit per day");
    expect(all).toContain('This video costs 2 credits, more than your whole budget of 1 credit per day');
    expect(all).toContain("This video costs 1 credit, more than the bot's whole daily spending ceiling");
  });

  it('GIVEN counts other than 1 THEN the plural stays: "0 of 7 credits", "3 credits used", "25 videos", "30 days"', () => {
    const standing: MemberStanding = {
      ...ones,
      used: 3,
      limit: 7,
      remaining: 4,
      guildUsed: 3,
      guildLimit: 7,
      guildRemaining: 4,
      globalRemaining: 2,
    };
    const all = everyCountedText('en-US', standing).join('\n');
    expect(all).toContain('3 of 7 credits used, 4 left');
    expect(all).toContain('3 credits used (no limit of your own)');
    expect(all).toContain('you have 4 of your 7 credits; they reset');
    expect(all).toContain('The bot has only 2 credits left today across all servers.');
    const page = historyEmbed({ jobs: [sampleJob({ state: 'delivered', completedAt: now })], total: 25, offset: 0 }, 'en-US', now, 30);
    expect(page.footer?.text).toContain('25 videos · kept 30 days');
  });

  it('GIVEN the same answers in Chinese THEN every count is filled in once, with its measure word once ("1/1 点", never "点 点")', () => {
    const all = everyCountedText('zh-CN').join('\n');
    expect(all).not.toMatch(/\{\w+\}/);
    expect(all).not.toMatch(/点\s*点/);
    expect(all).toContain('还剩 1/1 点');
    expect(all).toContain('共 1 个视频 · 保留 1 天');
    expect(all).toContain('共 1 行');
    expect(all).toContain('请删减 1 个字符。');
    expect(all).toContain('还剩 0/1 点，而这个视频需要 1 点。');
    expect(all).toContain('这个视频需要 2 点，超过了本服务器的全部额度（每天 1 点）');
  });
});
