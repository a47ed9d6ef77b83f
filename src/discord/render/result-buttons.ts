import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIComponentInMessageActionRow } from 'discord.js';
import { translatorFor } from '../../i18n/index.js';
import type { Job } from '../../jobs/job.js';

export const REGENERATE_PREFIX = 'video:regen:';
export const DELETE_PREFIX = 'video:delete:';
export const EDIT_PREFIX = 'video:edit:';
export const EXTEND_PREFIX = 'video:extend:';
export const CANCEL_PREFIX = 'video:cancel:';

/** Cancel under a reply while the job has not been sent to the provider (it names the job). */
export function cancelButtons(job: Job): APIActionRowComponent<APIComponentInMessageActionRow> {
  const t = translatorFor(job.reply.locale);
  return {
    type: ComponentType.ActionRow,
    components: [
      {
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        custom_id: `${CANCEL_PREFIX}${job.id}`,
        label: t('button.cancel'),
        emoji: { name: '✖️' },
      },
    ],
  };
}

/** Discord's limit on a link button's URL. */
export const MAX_BUTTON_URL = 512;

/**
 * Buttons under a finished video; their custom ids name the job, so they work after a restart.
 * Extend (a new video from this one's last frame) needs ffmpeg: `extend: false` leaves it out.
 * With `linkUrl` (a video sent as a link) a download button comes first, but only when the URL
 * fits a button (512); a longer link is in the embed only. At most 5 buttons: one row.
 */
export function resultButtons(
  job: Job,
  options: { extend?: boolean; linkUrl?: string } = {},
): APIActionRowComponent<APIComponentInMessageActionRow> {
  const linkUrl = options.linkUrl;
  const t = translatorFor(job.reply.locale);
  const download: APIComponentInMessageActionRow[] =
    linkUrl !== undefined && linkUrl.length <= MAX_BUTTON_URL && /^https?:\/\//.test(linkUrl)
      ? [{ type: ComponentType.Button, style: ButtonStyle.Link, url: linkUrl, label: t('result.link_label'), emoji: { name: '⬇️' } }]
      : [];
  return {
    type: ComponentType.ActionRow,
    components: [
      ...download,
      {
        type: ComponentType.Button,
        style: ButtonStyle.Primary,
        custom_id: `${REGENERATE_PREFIX}${job.id}`,
        label: t('button.regenerate'),
        emoji: { name: '🔁' },
      },
      {
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        custom_id: `${EDIT_PREFIX}${job.id}`,
        label: t('button.edit'),
        emoji: { name: '✏️' },
      },
      ...(options.extend
        ? [
            {
              type: ComponentType.Button as const,
              style: ButtonStyle.Secondary as const,
              custom_id: `${EXTEND_PREFIX}${job.id}`,
              label: t('button.extend'),
              emoji: { name: '⏩' },
            },
          ]
        : []),
      {
        type: ComponentType.Button,
        style: ButtonStyle.Danger,
        custom_id: `${DELETE_PREFIX}${job.id}`,
        label: t('button.delete'),
        emoji: { name: '🗑️' },
      },
    ],
  };
}
