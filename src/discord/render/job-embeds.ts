import type { APIEmbed } from 'discord.js';
import type { Job } from '../../jobs/job.js';
import type { ProgressView } from '../../jobs/progress.js';
import { translatorFor, type MessageKey } from '../../i18n/index.js';
import { formatDuration, placeInLine, progressBar, quoteUserText, relativeTime } from './format.js';
import { renderParams } from './params.js';
import { shownPrompt } from '../../video/request.js';

const COLOR_PROGRESS = 0x5865f2;
const COLOR_DONE = 0x57f287;
const COLOR_FAILED = 0xed4245;

const STAGE_KEYS: Record<ProgressView['stage'], MessageKey> = {
  waiting: 'stage.waiting',
  queued: 'stage.queued',
  generating: 'stage.generating',
  finishing: 'stage.finishing',
};

const promptField = (job: Job, name: string) => ({ name, value: quoteUserText(shownPrompt(job.request), 1024) || '​' });

/** The reply while the video is being made. */
export function progressEmbed(job: Job, view: ProgressView): APIEmbed {
  const t = translatorFor(job.reply.locale);
  const eta = view.etaAt === null ? t('progress.eta_soon') : relativeTime(view.etaAt);
  const line = view.line;
  const description = line
    ? `**${t('line.place', { place: placeInLine(line.position, job.reply.locale), relative: relativeTime(line.startsAt) })}**\n${t(STAGE_KEYS[view.stage])}\n-# ${t('line.note')}`
    : `**${t(STAGE_KEYS[view.stage])}**\n${progressBar(view.percent)}${view.estimated ? `\n-# ${t('progress.estimated_note')}` : ''}`;
  return {
    color: COLOR_PROGRESS,
    title: t('progress.title'),
    description,
    fields: [
      // Discord counts this up itself: a reply whose place, stage and estimate stand still is not edited.
      { name: t('progress.asked'), value: relativeTime(job.createdAt), inline: true },
      { name: view.estimated ? t('progress.eta_guess') : t('progress.eta'), value: eta, inline: true },
      { name: t('progress.params'), value: renderParams(job.request, t), inline: false },
      promptField(job, t('result.prompt')),
    ],
    footer: { text: t('progress.job', { jobId: job.id }).replace(/`/g, '') },
  };
}

/** A provider link to show in the final reply, with the line that says why it is a link. */
export interface VideoLink {
  url: string;
  note: string;
}

/**
 * Longest provider link the final reply shows. It goes in the embed description (4096 code
 * points) as a markdown link, with room left for the note and the requester line; signed URLs
 * run to 1,800+ characters, far over what content (2000 with the rest) or a button (512) holds.
 */
export const MAX_LINK_IN_DESCRIPTION = 3500;

/** A URL made safe inside `[label](url)`: parentheses and spaces would end the link early. */
const markdownUrl = (url: string) => url.replace(/[()\s]/g, (c) => encodeURIComponent(c));

/** The reply once the video is there: as an attachment, or (with `link`) as the provider's link. */
export function resultEmbed(job: Job, now: number, link?: VideoLink): APIEmbed {
  const t = translatorFor(job.reply.locale);
  const requested = t('progress.requested_by', { user: `<@${job.userId}>` });
  return {
    color: COLOR_DONE,
    title: t('result.title'),
    ...(link && link.url.length <= 2048 ? { url: link.url } : {}),
    description: link ? `${requested}\n\n${link.note}\n**[${t('result.link_label')}](${markdownUrl(link.url)})**` : requested,
    fields: [promptField(job, t('result.prompt')), { name: t('progress.params'), value: renderParams(job.request, t), inline: false }],
    footer: {
      text: `${t('result.took', { duration: formatDuration(now - job.createdAt, job.reply.locale) })} · ${t('progress.job', { jobId: job.id }).replace(/`/g, '')}`,
    },
  };
}

const FAILURE_KEYS: Record<NonNullable<Job['failure']>['reason'], MessageKey> = {
  invalid_request: 'failed.invalid_request',
  auth: 'failed.auth',
  payment: 'failed.payment',
  busy: 'failed.busy',
  network: 'failed.network',
  provider_failed: 'failed.provider',
  no_video: 'failed.no_video',
  download_failed: 'failed.download',
  download_gone: 'failed.download_gone',
  expired: 'failed.expired',
  restarted: 'failed.restarted',
  delivery_failed: 'failed.delivery',
  image_expired: 'failed.image_expired',
  image_unreachable: 'failed.image_unreachable',
  maybe_started: 'failed.maybe_started',
  record_lost: 'failed.record_lost',
  cancelled: 'failed.cancelled',
  not_queued: 'failed.not_queued',
  not_acknowledged: 'failed.not_acknowledged',
};

/** The reply when the video could not be made: what happened, in plain words, and what to do. */
export function failureEmbed(job: Job): APIEmbed {
  const t = translatorFor(job.reply.locale);
  const failure = job.failure ?? { reason: 'network' as const, detail: null };
  const detail = failure.detail ? quoteUserText(failure.detail, 300) : null;
  let text: string;
  if (failure.reason === 'provider_failed' && !detail) text = t('failed.provider_unknown');
  else if (failure.reason === 'expired')
    text = t('failed.expired', { duration: formatDuration(Number(failure.detail ?? 1_800_000), job.reply.locale) });
  else if (failure.reason === 'cancelled') text = t('failed.cancelled', { user: `<@${failure.detail ?? job.userId}>` });
  else text = t(FAILURE_KEYS[failure.reason], { reason: detail ?? '—' });
  // The provider may still serve the file later: the link, where long links fit (the description).
  const url = job.result?.videoUrl;
  if (failure.reason === 'download_failed' && url && url.length <= MAX_LINK_IN_DESCRIPTION) {
    text += `\n**[${t('failed.download_link')}](${markdownUrl(url)})**`;
  }
  // Nobody is charged for a video they did not receive; this message says so itself.
  const saysCharge = failure.reason === 'maybe_started';
  return {
    color: COLOR_FAILED,
    title: failure.reason === 'cancelled' ? t('failed.cancelled_title') : t('failed.title'),
    description: saysCharge ? text : `${text}\n${t('failed.nothing_charged')}`,
    fields: [promptField(job, t('result.prompt'))],
    footer: { text: t('failed.job', { jobId: job.id }).replace(/`/g, '') },
  };
}
