import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIComponentInMessageActionRow } from 'discord.js';
import { translatorFor } from '../../i18n/index.js';
import type { Job } from '../../jobs/job.js';

export const REGENERATE_PREFIX = 'video:regen:';
export const DELETE_PREFIX = 'video:delete:';
export const EDIT_PREFIX = 'video:edit:';
export const EXTEND_PREFIX = 'video:extend:';

/**
 * Buttons under a finished video; their custom ids name the job, so they work after a restart.
 * Extend (a new video from this one's last frame) needs ffmpeg: `extend: false` leaves it out.
 */
export function resultButtons(job: Job, options: { extend?: boolean } = {}): APIActionRowComponent<APIComponentInMessageActionRow> {
  const t = translatorFor(job.reply.locale);
  return {
    type: ComponentType.ActionRow,
    components: [
      { type: ComponentType.Button, style: ButtonStyle.Primary, custom_id: `${REGENERATE_PREFIX}${job.id}`, label: t('button.regenerate'), emoji: { name: '🔁' } },
      { type: ComponentType.Button, style: ButtonStyle.Secondary, custom_id: `${EDIT_PREFIX}${job.id}`, label: t('button.edit'), emoji: { name: '✏️' } },
      ...(options.extend
        ? [{ type: ComponentType.Button as const, style: ButtonStyle.Secondary as const, custom_id: `${EXTEND_PREFIX}${job.id}`, label: t('button.extend'), emoji: { name: '⏩' } }]
        : []),
      { type: ComponentType.Button, style: ButtonStyle.Danger, custom_id: `${DELETE_PREFIX}${job.id}`, label: t('button.delete'), emoji: { name: '🗑️' } },
    ],
  };
}
