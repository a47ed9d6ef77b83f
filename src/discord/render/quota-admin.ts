import type { APIEmbed } from 'discord.js';
import { translatorFor } from '../../i18n/index.js';
import { normalizeWord, type QuotaPolicy } from '../../quota/policy.js';
import type { PolicyChangeRefusal } from '../../quota/quota-admin.js';
import type { QuotaOptionProblem } from '../options/quota-options.js';
import { counted, quoteUserText } from './format.js';
import { budget, channelList, QUOTA_COLORS, spoilerWords } from './quota-format.js';
import { policyFields } from './quota-show.js';

/** A member without Manage Server tried `/quota` (admins can re-grant the command to anyone). */
export function notAdminEmbed(locale: string): APIEmbed {
  const t = translatorFor(locale);
  return {
    color: QUOTA_COLORS.refused,
    title: t('quota.admin_only_title'),
    description: `${t('quota.not_admin')}\n${t('quota.nothing_changed')}`,
  };
}

/** Option values Discord should not have let through (forged or stale clients), one line each. */
export function optionProblemsEmbed(problems: readonly QuotaOptionProblem[], locale: string): APIEmbed {
  const t = translatorFor(locale);
  const optionName = (option: string) => (option in OPTION_KEYS ? t(OPTION_KEYS[option as keyof typeof OPTION_KEYS]) : option);
  const lines = problems.map((p) => {
    switch (p.code) {
      case 'range':
        return t('quota.problem.range', { option: optionName(p.option), min: p.min, max: p.max });
      case 'choice':
      case 'missing':
        return t(`quota.problem.${p.code}`, { option: optionName(p.option) });
      case 'word_too_long':
        return t('quota.change.word_too_long', { max: p.max });
      default:
        return t(`quota.problem.${p.code}`);
    }
  });
  return refused(t('quota.problem_title'), lines, t('quota.nothing_changed'));
}

// Option names in the member's language, as their Discord client shows them.
const OPTION_KEYS = {
  limit: 'opt.limit.name',
  period: 'opt.period.name',
  per_user: 'opt.per_user.name',
  max_concurrent: 'opt.max_concurrent.name',
  user: 'opt.user.name',
  role: 'opt.role.name',
  action: 'opt.channel_action.name',
  channel: 'opt.channel.name',
  word: 'opt.word.name',
  member: 'opt.member.name',
  reason: 'opt.reason.name',
  alert_role: 'opt.alert_role.name',
} as const;

/** The quota core refused the change; nothing was stored. */
export function changeRefusalEmbed(refusal: PolicyChangeRefusal, locale: string): APIEmbed {
  const t = translatorFor(locale);
  let line: string;
  switch (refusal.reason) {
    case 'invalid_policy':
      line = t('quota.change.invalid_policy', { fields: refusal.fields.map((f) => `\`${f}\``).join(', ') });
      break;
    case 'word_empty':
      line = t('quota.change.word_empty');
      break;
    default:
      line = t(`quota.change.${refusal.reason}`, { max: refusal.max });
  }
  return refused(t('quota.problem_title'), [line], t('quota.nothing_changed'));
}

function refused(title: string, lines: readonly string[], footer: string): APIEmbed {
  return { color: QUOTA_COLORS.refused, title, description: `${lines.map((l) => `• ${l}`).join('\n')}\n${footer}` };
}

/** `/quota set` saved (or found nothing to change); `perMemberAtOnce` as in {@link policyFields}. */
export function policySavedEmbed(policy: QuotaPolicy, changed: boolean, locale: string, perMemberAtOnce?: number): APIEmbed {
  const t = translatorFor(locale);
  const description = changed ? t('quota.saved') : t('quota.already_so');
  return { color: QUOTA_COLORS.saved, title: t('quota.saved_title'), description, fields: policyFields(t, policy, perMemberAtOnce) };
}

/** `/quota reset`: how many credits went back, to the server or to one member. */
export function resetEmbed(userId: string | null, given: number, locale: string): APIEmbed {
  const t = translatorFor(locale);
  const amount = counted(t, 'credits', given);
  const description =
    userId === null ? t('quota.reset_guild', { credits: amount }) : t('quota.reset_member', { user: `<@${userId}>`, credits: amount });
  return { color: QUOTA_COLORS.saved, title: t('quota.reset_title'), description };
}

/** `/quota role`: the override now in force for the role, or that it was cleared. */
export function roleOverrideEmbed(roleId: string, policy: QuotaPolicy, locale: string): APIEmbed {
  const t = translatorFor(locale);
  const role = `<@&${roleId}>`;
  const limit = policy.roleOverrides[roleId];
  const description =
    limit === undefined ? t('quota.role_cleared', { role }) : t('quota.role_set', { role, budget: budget(t, limit, policy.period) });
  return { color: QUOTA_COLORS.saved, title: t('quota.role_title'), description };
}

/** `/quota channels`: what changed, then where /video may now be used. */
export function channelsEmbed(
  action: 'add' | 'remove' | 'list' | 'clear',
  channelId: string | null,
  policy: QuotaPolicy,
  changed: boolean,
  locale: string,
): APIEmbed {
  const t = translatorFor(locale);
  const channel = `<#${channelId ?? ''}>`;
  const head = {
    add: changed ? t('quota.channel_added', { channel }) : t('quota.channel_already', { channel }),
    remove: changed ? t('quota.channel_removed', { channel }) : t('quota.channel_not_listed', { channel }),
    clear: t('quota.channels_cleared'),
    list: null,
  }[action];
  const where =
    policy.allowedChannelIds.length === 0 ? t('quota.channels_all') : t('quota.channels_only', { channels: channelList(t, policy, 3500) });
  return {
    color: action === 'list' ? QUOTA_COLORS.info : QUOTA_COLORS.saved,
    title: t('quota.channels_title'),
    description: head ? `${head}\n${where}` : where,
  };
}

/** `/quota banned-words`: what changed, then the list (in spoilers). */
export function bannedWordsEmbed(
  action: 'add' | 'remove' | 'list',
  word: string | null,
  policy: QuotaPolicy,
  changed: boolean,
  locale: string,
): APIEmbed {
  const t = translatorFor(locale);
  // Shown as stored (case- and width-folded), so the admin sees what prompts are matched against.
  const shown = `||${quoteUserText(normalizeWord(word ?? ''), 60)}||`;
  const head = {
    add: changed ? t('quota.word_added', { word: shown }) : t('quota.word_already', { word: shown }),
    remove: changed ? t('quota.word_removed', { word: shown }) : t('quota.word_not_listed', { word: shown }),
    list: null,
  }[action];
  const count = policy.bannedWords.length;
  const list = count === 0 ? t('quota.words_none') : t('quota.words_list', { count, words: spoilerWords(t, policy.bannedWords, 3500) });
  return {
    color: action === 'list' ? QUOTA_COLORS.info : QUOTA_COLORS.saved,
    title: t('quota.words_title'),
    description: head ? `${head}\n${list}` : list,
  };
}
