import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIComponentInMessageActionRow, type APIEmbed } from 'discord.js';
import { translatorFor, type MessageKey } from '../../i18n/index.js';
import type { Job, JobState } from '../../jobs/job.js';
import type { HistoryPage } from '../../jobs/history.js';
import { counted, quoteUserText, relativeTime } from './format.js';

export const VIDEOS_PAGE_PREFIX = 'videos:page:';
/** Videos per page of /videos. */
export const VIDEOS_PAGE_SIZE = 10;

const COLOR_HISTORY = 0x5865f2;
// Discord's limits: an embed description holds 4096 characters, a message's embeds 6000 in all.
const DESCRIPTION_MAX = 4096;
const PROMPT_SHOWN = 80;
// A provider link longer than this is left to the message itself (signed links run to 1,800+).
const LINK_MAX = 600;
// xcompute documents its result links as valid for 24 hours when a status names no expiry.
const LINK_LIFETIME_MS = 24 * 60 * 60_000;

const STATE_KEYS: Record<JobState, MessageKey> = {
  accepted: 'state.accepted',
  reserved: 'state.reserved',
  waiting: 'state.waiting',
  submitting: 'state.submitting',
  submitted: 'state.submitted',
  queued: 'state.queued',
  processing: 'state.processing',
  succeeded: 'state.succeeded',
  delivered: 'state.delivered',
  failed: 'state.failed',
  expired: 'state.expired',
  cancelled: 'state.cancelled',
};

/** The provider's link while it should still work, with when it stops; undefined otherwise. */
export function liveVideoLink(job: Job, now: number): { url: string; expiresAt: number } | undefined {
  const result = job.result;
  if (!result) return undefined;
  const expiresAt = result.expiresAt ?? (job.completedAt ?? job.updatedAt) + LINK_LIFETIME_MS;
  return expiresAt > now ? { url: result.videoUrl, expiresAt } : undefined;
}

const jumpLink = (job: Job): string | undefined =>
  job.reply.messageId ? `https://discord.com/channels/${job.guildId}/${job.reply.channelId}/${job.reply.messageId}` : undefined;

// A `)` would end a masked link early.
const maskable = (url: string) => url.replace(/\(/g, '%28').replace(/\)/g, '%29');

function entryLines(job: Job, index: number, locale: string, now: number, room: number): string {
  const t = translatorFor(locale);
  const jump = jumpLink(job);
  const head = [
    `**${index}.** ${t(STATE_KEYS[job.state])}`,
    relativeTime(job.createdAt),
    jump ? `[${t('videos.open')}](${jump})` : t('videos.no_message'),
  ].join(' · ');
  // One line whatever the member typed: prompts from the modal may span several lines.
  const prompt = `> ${quoteUserText(job.request.userPrompt.replace(/\s+/g, ' '), PROMPT_SHOWN) || '​'}`;
  const lines = [head, prompt];
  const link = liveVideoLink(job, now);
  if (link) {
    const expires = t('videos.link_expires', { expires: relativeTime(link.expiresAt) });
    const withLink = `[${t('videos.download')}](${maskable(link.url)}) · ${expires}`;
    const base = `${lines.join('\n')}\n`;
    lines.push(
      link.url.length <= LINK_MAX && base.length + withLink.length <= room ? withLink : `${t('videos.link_too_long')} · ${expires}`,
    );
  }
  return lines.join('\n');
}

/**
 * One page of `/videos`: state, short prompt, when, a jump link to the message and the provider's
 * link while it is valid. Always within Discord's embed limits, whatever the prompts and links.
 */
export function historyEmbed(page: HistoryPage, locale: string, now: number, historyDays: number): APIEmbed {
  const t = translatorFor(locale);
  if (page.jobs.length === 0) return { color: COLOR_HISTORY, title: t('videos.title'), description: t('videos.empty') };
  const entries: string[] = [];
  let used = 0;
  page.jobs.forEach((job, i) => {
    const separator = entries.length > 0 ? 2 : 0;
    const room = DESCRIPTION_MAX - used - separator;
    if (room <= 0) return;
    const text = entryLines(job, page.offset + i + 1, locale, now, room);
    if (text.length > room) return;
    entries.push(text);
    used += separator + text.length;
  });
  const pages = Math.max(1, Math.ceil(page.total / VIDEOS_PAGE_SIZE));
  return {
    color: COLOR_HISTORY,
    title: t('videos.title'),
    description: entries.join('\n\n'),
    footer: {
      text: t('videos.footer', {
        page: Math.floor(page.offset / VIDEOS_PAGE_SIZE) + 1,
        pages,
        videoCount: counted(t, 'videos', page.total),
        dayCount: counted(t, 'days', historyDays),
      }),
    },
  };
}

/** Newer / Older buttons; none when everything fits on one page. */
export function historyButtons(page: HistoryPage, locale: string): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  if (page.total <= VIDEOS_PAGE_SIZE) return [];
  const t = translatorFor(locale);
  const newer = Math.max(0, page.offset - VIDEOS_PAGE_SIZE);
  const older = page.offset + VIDEOS_PAGE_SIZE;
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.Button,
          style: ButtonStyle.Secondary,
          custom_id: `${VIDEOS_PAGE_PREFIX}${newer}:p`,
          label: t('button.videos_prev'),
          emoji: { name: '◀️' },
          disabled: page.offset === 0,
        },
        {
          type: ComponentType.Button,
          style: ButtonStyle.Secondary,
          custom_id: `${VIDEOS_PAGE_PREFIX}${older}:n`,
          label: t('button.videos_next'),
          emoji: { name: '▶️' },
          disabled: older >= page.total,
        },
      ],
    },
  ];
}
