/**
 * The final messages as plain text, for a channel where the bot may not embed (no Embed Links):
 * everything in `content`, within 2000 code points, a link never cut.
 */
import type { APIEmbed } from 'discord.js';
import { translatorFor } from '../../i18n/index.js';
import type { Job } from '../../jobs/job.js';
import { codePointLength, cutCodePoints } from '../../text/code-points.js';
import { LIMITS } from './fit.js';

/**
 * "@member, your video is ready." + the line saying why it is a link + the link, in that order of
 * importance: the note gives way first; a link too long for any message is replaced by a line
 * saying so (half a link would be a broken one).
 */
export function plainLinkText(job: Job, url: string, note: string): string {
  const t = translatorFor(job.reply.locale);
  const ready = t('result.requested_for', { mention: `<@${job.userId}>` });
  for (const text of [`${ready}\n${note}\n${url}`, `${ready}\n${url}`]) {
    if (codePointLength(text) <= LIMITS.content) return text;
  }
  return cutCodePoints(`${ready}\n${t('result.link_too_long_plain')}`, LIMITS.content);
}

/** An embed (a failure message) as text: its title in bold, its description, its footer in small print. */
export function embedAsText(embed: APIEmbed): string {
  const parts = [embed.title ? `**${embed.title}**` : '', embed.description ?? '', embed.footer?.text ? `-# ${embed.footer.text}` : ''];
  return cutCodePoints(parts.filter((part) => part !== '').join('\n'), LIMITS.content);
}
