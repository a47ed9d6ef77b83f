import type { APIEmbed, APIEmbedField } from 'discord.js';
import { translatorFor, type Translator } from '../../i18n/index.js';
import type { QuotaPolicy } from '../../quota/policy.js';
import type { MemberStanding, Spender } from '../../quota/quota-standing.js';
import { counted, relativeTime } from './format.js';
import type { LogFailure } from '../../alerts/log-health.js';
import { adminFields } from './admin-answers.js';
import { channelList, guildBudget, perMember, QUOTA_COLORS, roleOverrideList, spoilerWords, thisPeriod } from './quota-format.js';

/** What `/quota show` needs, gathered by the command from the quota service and the configuration. */
export interface QuotaOverview {
  policy: QuotaPolicy;
  /** Guild figures (used, remaining, reset time, global remaining) come from any member's standing. */
  standing: MemberStanding;
  spenders: readonly Spender[];
  /** The operator's ceiling in credits per UTC day, with when it resets; null = none. */
  global: { limit: number; resetsAt: number } | null;
  /** The last failed post to the log channel, if the bot could not write there. */
  logFailure?: LogFailure | null;
}

/**
 * The policy's settings as embed fields; shared by `/quota show` and the answer to `/quota set`.
 * `perMemberAtOnce`: videos one member may have in progress at once (the bot's own cap, 2, or the
 * server's when lower), shown beside the server's when given.
 */
export function policyFields(t: Translator, policy: QuotaPolicy, perMemberAtOnce?: number): APIEmbedField[] {
  const atOnce =
    perMemberAtOnce === undefined
      ? t('quota.concurrency', { max: policy.maxConcurrent })
      : t('quota.concurrency_with_member', { max: policy.maxConcurrent, perMember: perMemberAtOnce });
  return [
    { name: t('quota.field.budget'), value: guildBudget(t, policy), inline: true },
    { name: t('quota.field.per_member'), value: perMember(t, policy), inline: true },
    { name: t('quota.field.concurrency'), value: atOnce, inline: true },
  ];
}

/** `/quota show`: the whole policy, the period's usage and when it resets, and the top spenders. */
export function quotaShowEmbed(overview: QuotaOverview, locale: string): APIEmbed {
  const t = translatorFor(locale);
  const { policy, standing } = overview;
  const when = thisPeriod(t, policy.period);
  const usage =
    policy.limit === 0
      ? t('quota.off')
      : t('quota.show.usage', {
          used: standing.guildUsed,
          limitCredits: counted(t, 'credits', standing.guildLimit),
          remaining: standing.guildRemaining,
          when,
        });
  const words = policy.bannedWords.length === 0 ? t('quota.none') : spoilerWords(t, policy.bannedWords);
  const spenders =
    overview.spenders.length === 0
      ? t('quota.no_spenders')
      : overview.spenders
          .map((s, i) => t('quota.spender_line', { rank: i + 1, user: `<@${s.userId}>`, credits: counted(t, 'credits', s.credits) }))
          .join('\n');
  const fields: APIEmbedField[] = [
    ...policyFields(t, policy, standing.maxInFlight),
    { name: t('quota.field.role_overrides'), value: roleOverrideList(t, policy) },
    { name: t('quota.field.channels'), value: channelList(t, policy) },
    { name: t('quota.field.banned_words', { count: policy.bannedWords.length }), value: words },
  ];
  if (overview.global) {
    const remaining = standing.globalRemaining ?? overview.global.limit;
    fields.push({
      name: t('quota.field.global'),
      value: t('quota.global', {
        remaining,
        limitCredits: counted(t, 'credits', overview.global.limit),
        resets: relativeTime(overview.global.resetsAt),
      }),
    });
  }
  fields.push({ name: t('quota.field.top_spenders', { when }), value: spenders });
  fields.push(...adminFields(t, policy, overview.logFailure ?? null));
  return {
    color: QUOTA_COLORS.info,
    title: t('quota.show.title'),
    // Turned off, there is no budget to reset: the period's reset says nothing an admin can use.
    description: policy.limit === 0 ? usage : `${usage}\n${t('quota.resets', { resets: relativeTime(standing.resetsAt) })}`,
    fields,
  };
}
