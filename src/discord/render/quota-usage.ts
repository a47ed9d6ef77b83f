import type { APIEmbed, APIEmbedField } from 'discord.js';
import { translatorFor } from '../../i18n/index.js';
import type { MemberStanding } from '../../quota/quota-standing.js';
import { counted, relativeTime } from './format.js';
import { fitLines, QUOTA_COLORS, thisPeriod } from './quota-format.js';

/** `/usage`: the member's own use and limit, the server's remaining credits, the reset, their jobs in flight. */
export function usageEmbed(standing: MemberStanding, locale: string): APIEmbed {
  const t = translatorFor(locale);
  const when = thisPeriod(t, standing.period);
  const mine =
    standing.limit === null
      ? t('usage.you_unlimited', { usedCredits: counted(t, 'credits', standing.used) })
      : t('usage.you_limited', {
          used: standing.used,
          limitCredits: counted(t, 'credits', standing.limit),
          remaining: standing.remaining ?? 0,
        });
  const server =
    standing.guildLimit === 0
      ? t('quota.off')
      : t('usage.server', { remaining: standing.guildRemaining, limitCredits: counted(t, 'credits', standing.guildLimit) });
  // The operator's ceiling only matters to a member when it is what would stop them.
  const global =
    standing.globalRemaining !== null && standing.globalRemaining < standing.guildRemaining
      ? `\n${t('usage.global', { remainingCredits: counted(t, 'credits', standing.globalRemaining) })}`
      : '';
  const jobs =
    standing.inFlight.length === 0
      ? t('usage.none_in_flight')
      : fitLines(
          t,
          standing.inFlight.map((id) => `\`${id}\``),
          '\n',
        );
  const fields: APIEmbedField[] = [
    { name: t('usage.field.you', { when }), value: mine, inline: true },
    { name: t('usage.field.server'), value: `${server}${global}`, inline: true },
    { name: t('usage.field.resets'), value: relativeTime(standing.resetsAt), inline: true },
    { name: t('usage.field.in_flight', { count: standing.inFlight.length, max: standing.maxInFlight }), value: jobs },
  ];
  return { color: QUOTA_COLORS.info, title: t('usage.title'), fields };
}
