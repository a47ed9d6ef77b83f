import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIComponentInMessageActionRow } from 'discord.js';
import { translatorFor } from '../../i18n/index.js';
import type { Job } from '../../jobs/job.js';

export const REGENERATE_PREFIX = 'video:regen:';
export const DELETE_PREFIX = 'video:delete:';

/** Buttons under a finished video; their custom ids name the job, so they work after a restart. */
export function resultButtons(job: Job): APIActionRowComponent<APIComponentInMessageActionRow> {
  const t = translatorFor(job.reply.locale);
  return {
    type: ComponentType.ActionRow,
    components: [
      { type: ComponentType.Button, style: ButtonStyle.Primary, custom_id: `${REGENERATE_PREFIX}${job.id}`, label: t('button.regenerate'), emoji: { name: '🔁' } },
      { type: ComponentType.Button, style: ButtonStyle.Danger, custom_id: `${DELETE_PREFIX}${job.id}`, label: t('button.delete'), emoji: { name: '🗑️' } },
    ],
  };
}
