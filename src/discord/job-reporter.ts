import type { APIEmbed, REST } from 'discord.js';
import type { Logger } from '../log.js';
import type { Job } from '../jobs/job.js';
import type { DeliveryOutcome, FinishedVideo, JobReporter } from '../jobs/reporter.js';
import { translatorFor } from '../i18n/index.js';
import { createReplyChannel, type MessagePayload, type WriteResult } from './reply-channel.js';
import { failureEmbed, progressEmbed, resultEmbed } from './render/job-embeds.js';
import { resultButtons } from './render/result-buttons.js';
import { relativeTime } from './render/format.js';

export interface DiscordReporterOptions {
  rest: REST;
  /** A REST client with a long timeout, so a slow upload is not retried and posted twice. */
  uploadRest: REST;
  logger: Logger;
  clock?: () => number;
  /** Least gap between two progress edits of one reply. */
  progressEditMinMs: number;
}

const SILENT = { parse: [] as string[] };

/**
 * Shows jobs to members by editing their reply. Progress edits happen only when what the reply
 * shows changed and not more often than the configured gap; a reply that cannot be edited any
 * more stops receiving progress, but the job and its delivery go on.
 */
export function createDiscordReporter(options: DiscordReporterOptions): JobReporter {
  const clock = options.clock ?? Date.now;
  const channel = createReplyChannel(options.rest, options.uploadRest, options.logger, clock);
  const shown = new Map<string, { key: string; at: number; gone: boolean }>();

  const finalPayload = (job: Job, embed: APIEmbed, extra: Partial<MessagePayload['body']> = {}, files?: MessagePayload['files']): MessagePayload => ({
    body: {
      content: translatorFor(job.reply.locale)('result.requested_for', { mention: `<@${job.userId}>` }),
      embeds: [embed],
      components: [resultButtons(job)],
      allowed_mentions: { parse: [], users: [job.userId] },
      ...extra,
    },
    ...(files ? { files } : {}),
  });

  /** Posts somewhere the member will see it when the reply itself is gone. */
  async function fallback(job: Job, payload: MessagePayload): Promise<WriteResult> {
    const posted = await channel.postInChannel(job, payload);
    if (posted === 'ok' || posted === 'too_large') return posted;
    return channel.directMessage(job, payload);
  }

  async function write(job: Job, payload: MessagePayload): Promise<WriteResult> {
    const edited = await channel.editReply(job, payload);
    if (edited === 'gone' || edited === 'token_expired' || edited === 'failed') {
      shown.set(job.id, { key: '', at: clock(), gone: true });
      return fallback(job, payload);
    }
    return edited;
  }

  async function deliverLink(job: Job): Promise<DeliveryOutcome> {
    const t = translatorFor(job.reply.locale);
    const url = job.result?.videoUrl ?? '';
    const expires = job.result?.expiresAt;
    const note = expires ? t('result.link_note', { expires: relativeTime(expires) }) : t('result.link_note_unknown');
    const embed = { ...resultEmbed(job, clock()), url };
    const payload = finalPayload(job, embed, {
      content: `${t('result.requested_for', { mention: `<@${job.userId}>` })}\n${note}\n[${t('result.link_label')}](${url})`,
      attachments: [],
    });
    const result = await write(job, payload);
    return result === 'ok' ? 'link' : 'failed';
  }

  return {
    async progress(job, view) {
      const previous = shown.get(job.id);
      if (previous?.gone) return;
      const embed = progressEmbed(job, view);
      const key = JSON.stringify(embed);
      const now = clock();
      if (previous && (previous.key === key || now - previous.at < options.progressEditMinMs)) return;
      const result = await channel.editReply(job, { body: { content: '', embeds: [embed], allowed_mentions: SILENT } });
      shown.set(job.id, { key, at: now, gone: result === 'gone' || result === 'token_expired' });
    },

    async deliver(job, video: FinishedVideo) {
      if (video.kind === 'link') return deliverLink(job);
      const embed = resultEmbed(job, clock());
      const payload = finalPayload(job, embed, { attachments: [{ id: 0, filename: video.filename }] }, [
        { name: video.filename, data: video.data, contentType: 'video/mp4' },
      ]);
      const result = await write(job, payload);
      shown.delete(job.id);
      if (result === 'ok') return 'attachment';
      if (result === 'too_large') return deliverLink(job);
      return 'failed';
    },

    async failed(job) {
      shown.delete(job.id);
      const result = await channel.editReply(job, { body: { content: '', embeds: [failureEmbed(job)], components: [], allowed_mentions: SILENT } });
      if (result !== 'ok') await fallback(job, { body: { content: '', embeds: [failureEmbed(job)], allowed_mentions: SILENT } });
    },
  };
}
