import type { APIEmbed, APIEmbedField } from 'discord.js';
import type { LogFailure } from '../../alerts/log-health.js';
import { translatorFor, type Translator } from '../../i18n/index.js';
import type { LogChannel, QuotaPolicy } from '../../quota/policy.js';
import { counted, quoteUserText, relativeTime } from './format.js';
import { fitLines, QUOTA_COLORS } from './quota-format.js';

/** What a failed post means for the admin, and how to fix it. */
export const logProblem = (t: Translator, failure: LogFailure): string => t(`admin.problem.${failure.problem}`);

/** `/quota log`: where the log goes now (or that it is off), and at once whether the bot can write there. */
export function logChannelEmbed(log: LogChannel | null, failure: LogFailure | undefined, locale: string): APIEmbed {
  const t = translatorFor(locale);
  if (!log) return { color: QUOTA_COLORS.saved, title: t('admin.log_title'), description: t('admin.log_off') };
  const channel = `<#${log.channelId}>`;
  const lines = [t('admin.log_on', { channel }), ...(log.alertRoleId ? [t('admin.log_role', { role: `<@&${log.alertRoleId}>` })] : [])];
  if (failure) lines.push(t('admin.log_cannot_write', { channel, problem: logProblem(t, failure) }));
  return { color: failure ? QUOTA_COLORS.refused : QUOTA_COLORS.saved, title: t('admin.log_title'), description: lines.join('\n') };
}

/** `/quota block`: the member is blocked now, or already was. */
export function blockEmbed(userId: string, changed: boolean, locale: string): APIEmbed {
  const t = translatorFor(locale);
  const member = `<@${userId}>`;
  return {
    color: QUOTA_COLORS.saved,
    title: t('admin.block_title'),
    description: changed ? t('admin.blocked_now', { member }) : t('admin.blocked_already', { member }),
  };
}

/** `/quota unblock`: the member may make videos again, or was not blocked. */
export function unblockEmbed(userId: string, changed: boolean, locale: string): APIEmbed {
  const t = translatorFor(locale);
  const member = `<@${userId}>`;
  return {
    color: QUOTA_COLORS.saved,
    title: t('admin.unblock_title'),
    description: changed ? t('admin.unblocked_now', { member }) : t('admin.unblocked_not', { member }),
  };
}

/** `/quota export`: which period the attached CSV covers and how many rows it has. */
export function exportEmbed(ledger: { start: number; end: number; entries: readonly unknown[] }, locale: string): APIEmbed {
  const t = translatorFor(locale);
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const params = { from: day(ledger.start), to: day(ledger.end - 1), rowCount: counted(t, 'rows', ledger.entries.length) };
  return {
    color: QUOTA_COLORS.info,
    title: t('admin.export_title'),
    description: ledger.entries.length === 0 ? t('admin.export_empty', params) : t('admin.export_done', params),
  };
}

/** `/quota export`: the file would be over the server's upload limit. */
export function exportTooLargeEmbed(bytes: number, limit: number, locale: string): APIEmbed {
  const t = translatorFor(locale);
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  return {
    color: QUOTA_COLORS.refused,
    title: t('admin.export_title'),
    description: t('admin.export_too_large', { size: mb(bytes), limit: mb(limit) }),
  };
}

/**
 * `/quota show`'s fields for the admin tools: the log channel (and, when its last post failed,
 * that the bot cannot write there and how to fix it), and the blocked members.
 */
export function adminFields(t: Translator, policy: QuotaPolicy, failure: LogFailure | null): APIEmbedField[] {
  let log = t('admin.log_off');
  if (policy.log) {
    const channel = `<#${policy.log.channelId}>`;
    log = policy.log.alertRoleId
      ? t('admin.log_line_role', { channel, role: `<@&${policy.log.alertRoleId}>` })
      : t('admin.log_line', { channel });
    if (failure && failure.channelId === policy.log.channelId) {
      log = `${log}\n${t('admin.log_broken', { channel, when: relativeTime(failure.at), problem: logProblem(t, failure) })}`;
    }
  }
  const blocked = Object.entries(policy.blocked).sort(([, a], [, b]) => b.at - a.at);
  const lines = blocked.map(([userId, b]) => {
    const params = { member: `<@${userId}>`, by: `<@${b.byUserId}>`, when: relativeTime(b.at) };
    return b.reason === null
      ? t('admin.blocked_line', params)
      : t('admin.blocked_line_reason', { ...params, reason: quoteUserText(b.reason, 100) });
  });
  return [
    { name: t('admin.field.log'), value: log },
    { name: t('admin.field.blocked', { count: blocked.length }), value: lines.length === 0 ? t('quota.none') : fitLines(t, lines, '\n') },
  ];
}
