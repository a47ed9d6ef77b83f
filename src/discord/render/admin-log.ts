import type { APIEmbed } from 'discord.js';
import type { AdminEvent, PolicyChange } from '../../alerts/events.js';
import { PINGING_THRESHOLDS } from '../../alerts/events.js';
import { translatorFor, type Translator } from '../../i18n/index.js';
import { counted, quoteUserText, relativeTime } from './format.js';
import { fitLines, QUOTA_COLORS, spoilerWords } from './quota-format.js';

const COLORS = { change: 0x5865f2, warn: 0xfee75c, alert: 0xed4245 } as const;
// An embed description holds 4096 characters; the rest is margin for the first line.
const DESCRIPTION_MAX = 3800;

/** A log-channel message: its embed and the role to ping (only budget alerts at 80 % and 100 % ping). */
export interface LogMessage {
  embed: APIEmbed;
  pingRoleId: string | null;
}

const user = (id: string) => `<@${id}>`;

function changeLine(t: Translator, change: PolicyChange): string {
  const value = (v: number | null) => (v === null ? t('log.none') : String(v));
  switch (change.field) {
    case 'limit':
    case 'perUser':
    case 'maxConcurrent':
      return t('log.change', { field: t(`log.field.${change.field}`), before: value(change.before), after: value(change.after) });
    case 'period':
      return t('log.change', {
        field: t('log.field.period'),
        before: t(`choice.period.${change.before}`),
        after: t(`choice.period.${change.after}`),
      });
    case 'roleOverride':
      return t('log.change_role', { role: `<@&${change.roleId}>`, before: value(change.before), after: value(change.after) });
    case 'channels':
    case 'bannedWords': {
      const show = (items: string[]) =>
        change.field === 'channels'
          ? fitLines(
              t,
              items.map((id) => `<#${id}>`),
              ', ',
              600,
            )
          : spoilerWords(t, items, 600);
      const parts = [
        ...(change.added.length > 0 ? [t('log.added', { items: show(change.added) })] : []),
        ...(change.removed.length > 0 ? [t('log.removed', { items: show(change.removed) })] : []),
      ];
      return t('log.change_list', { field: t(`log.field.${change.field}`), changes: parts.join('; ') });
    }
  }
}

/**
 * The log-channel message for an admin event, in the language the admin chose the channel in.
 * Within Discord's limits for any input (description cut well under 4096); member text (a block
 * reason, a banned word) is escaped, and pings are governed by `allowed_mentions`, not by the text.
 */
export function adminLogMessage(event: AdminEvent, locale: string, alertRoleId: string | null): LogMessage {
  const t = translatorFor(locale);
  const embed = (title: string, description: string, color: number = COLORS.change): LogMessage => ({
    embed: {
      color,
      title,
      description: description.length > DESCRIPTION_MAX ? `${[...description].slice(0, DESCRIPTION_MAX).join('')}…` : description,
    },
    pingRoleId: null,
  });
  switch (event.kind) {
    case 'policy_changed':
      return embed(
        t('log.policy_title'),
        [t('log.policy_by', { actor: user(event.actorId) }), ...event.changes.map((c) => `• ${changeLine(t, c)}`)].join('\n'),
      );
    case 'usage_reset':
      return embed(
        t('log.reset_title'),
        event.memberId === null
          ? t('log.reset_guild', { actor: user(event.actorId), credits: counted(t, 'credits', event.credits) })
          : t('log.reset_member', {
              actor: user(event.actorId),
              member: user(event.memberId),
              credits: counted(t, 'credits', event.credits),
            }),
      );
    case 'member_blocked':
      return embed(
        t('log.blocked_title'),
        event.reason === null
          ? t('log.blocked', { actor: user(event.actorId), member: user(event.memberId) })
          : t('log.blocked_reason', { actor: user(event.actorId), member: user(event.memberId), reason: quoteUserText(event.reason, 300) }),
        COLORS.warn,
      );
    case 'member_unblocked':
      return embed(
        t('log.unblocked_title'),
        t('log.unblocked', { actor: user(event.actorId), member: user(event.memberId) }),
        QUOTA_COLORS.saved,
      );
    case 'log_enabled':
      return embed(
        t('log.enabled_title'),
        event.alertRoleId === null
          ? t('log.enabled', { actor: user(event.actorId) })
          : t('log.enabled_role', { actor: user(event.actorId), role: `<@&${event.alertRoleId}>` }),
      );
    case 'budget_threshold': {
      const params = {
        used: event.used,
        limitCredits: counted(t, 'credits', event.limit),
        when: t(`quota.this.${event.period}`),
        resets: relativeTime(event.resetsAt),
      };
      const full = event.percent >= 100;
      const message = embed(
        full ? t('log.threshold_full_title') : t('log.threshold_title', { percent: event.percent }),
        full ? t('log.threshold_full', params) : t('log.threshold', params),
        event.percent >= 80 ? COLORS.alert : COLORS.warn,
      );
      return { ...message, pingRoleId: PINGING_THRESHOLDS.includes(event.percent) ? alertRoleId : null };
    }
    case 'provider_trouble':
      return embed(t('log.provider_title'), t(`log.provider.${event.trouble}`, { since: relativeTime(event.since) }), COLORS.alert);
    case 'banned_word':
      return embed(
        t('log.banned_title'),
        t('log.banned', { member: user(event.memberId), channel: `<#${event.channelId}>`, word: `||${quoteUserText(event.word, 60)}||` }),
        COLORS.warn,
      );
  }
}
