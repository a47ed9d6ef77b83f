import type { APIEmbed } from 'discord.js';
import { translatorFor } from '../../i18n/index.js';
import type { QuotaRefusal } from '../../quota/types.js';
import { counted, quoteUserText, relativeTime } from './format.js';
import { budget } from './quota-format.js';

/** Why the quota said no, and when it resets, in the member's language. */
export function refusalEmbed(refusal: QuotaRefusal, locale: string): APIEmbed {
  const t = translatorFor(locale);
  let text: string;
  switch (refusal.reason) {
    case 'blocked':
      text = t('quota.blocked');
      break;
    case 'disabled':
      text = t('quota.disabled');
      break;
    case 'channel_not_allowed':
      text = t('quota.channel_not_allowed', { channels: refusal.allowedChannelIds.map((id) => `<#${id}>`).join(', ') });
      break;
    case 'banned_word':
      text = t('quota.banned_word', { word: quoteUserText(refusal.word, 50) });
      break;
    case 'guild_budget':
    case 'member_budget':
      // A video that costs more than the whole budget never fits, whatever was used: the reset is no answer.
      if (refusal.cost > refusal.limit) {
        text = t(`quota.${refusal.reason}.over_limit`, {
          costCredits: counted(t, 'credits', refusal.cost),
          budget: budget(t, refusal.limit, refusal.period),
        });
        break;
      }
      text = t(`quota.${refusal.reason}`, {
        remaining: refusal.remaining,
        limitCredits: counted(t, 'credits', refusal.limit),
        costCredits: counted(t, 'credits', refusal.cost),
        resets: relativeTime(refusal.resetsAt),
      });
      break;
    case 'global_ceiling':
      text = refusal.aboveCeiling
        ? t('quota.global_ceiling.over_limit', { costCredits: counted(t, 'credits', refusal.cost) })
        : t('quota.global_ceiling', { resets: relativeTime(refusal.resetsAt) });
      break;
    case 'guild_concurrency':
      // "1 videos" reads wrong: one video in progress has a sentence of its own.
      text = refusal.max === 1 ? t('quota.guild_concurrency.one') : t('quota.guild_concurrency', { max: refusal.max });
      break;
    case 'member_concurrency':
      text = refusal.max === 1 ? t('quota.member_concurrency.one') : t('quota.member_concurrency', { max: refusal.max });
      break;
  }
  return { color: 0xfee75c, title: t('quota.refused_title'), description: `${text}\n${t('quota.nothing_charged')}` };
}
