import { readFile } from 'node:fs/promises';
import type { APIEmbed, REST } from 'discord.js';
import type { Logger } from '../log.js';
import type { Job } from '../jobs/job.js';
import type { DeliveryOutcome, FinishedVideo, JobReporter, ReplyView, TellOutcome } from '../jobs/reporter.js';
import { translatorFor } from '../i18n/index.js';
import { createReplyChannel, type MessagePayload, type MessagePurpose, type SeenMessage, type WriteResult } from './reply-channel.js';
import { failureEmbed, progressEmbed, resultEmbed } from './render/job-embeds.js';
import { cancelButtons, REGENERATE_PREFIX, resultButtons } from './render/result-buttons.js';
import { isCancellable } from '../jobs/job.js';
import { relativeTime } from './render/format.js';
import { createProgressEdits } from './progress-edits.js';

export interface DiscordReporterOptions {
  rest: REST;
  /** A REST client with a long timeout, so a slow upload is not retried and posted twice. */
  uploadRest: REST;
  /** A REST client that never repeats a request, for follow-ups (they take no nonce). */
  onceRest?: REST;
  logger: Logger;
  clock?: () => number;
  /** Least gap between two progress edits of one reply. */
  progressEditMinMs: number;
  /** Whether finished videos get an Extend button (ffmpeg is there to take their last frame). */
  extend?: boolean;
}

const SILENT = { parse: [] as string[] };

/**
 * Whether a message read back shows what `payload` wrote: its first embed's title and footer (the
 * footer names the job) and, for an upload, an attachment.
 */
function shows(message: SeenMessage, payload: MessagePayload): boolean {
  const wanted = (payload.body['embeds'] as APIEmbed[] | undefined)?.[0];
  const seen = message.embeds?.[0];
  if (!wanted || !seen || seen.title !== wanted.title || seen.footer?.text !== wanted.footer?.text) return false;
  return !payload.files?.length || (message.attachments?.length ?? 0) > 0;
}

/**
 * Shows jobs to members by editing their reply. Progress edits happen only when what the reply
 * shows changed and not more often than the configured gap; a reply that cannot be edited any
 * more stops receiving progress, but the job and its delivery go on.
 */
export function createDiscordReporter(options: DiscordReporterOptions): JobReporter {
  const clock = options.clock ?? Date.now;
  const channel = createReplyChannel(options.rest, options.uploadRest, options.logger, clock, options.onceRest);
  const edits = createProgressEdits(channel, clock, options.progressEditMinMs);

  const finalPayload = (job: Job, embed: APIEmbed, extra: Partial<MessagePayload['body']> = {}, files?: MessagePayload['files']): MessagePayload => ({
    body: {
      content: translatorFor(job.reply.locale)('result.requested_for', { mention: `<@${job.userId}>` }),
      embeds: [embed],
      components: [resultButtons(job, { extend: options.extend ?? false })],
      allowed_mentions: { parse: [], users: [job.userId] },
      ...extra,
    },
    ...(files ? { files } : {}),
  });

  /**
   * Posts somewhere the member will see it when the reply itself is gone: the channel (its nonce
   * makes a repeat return the first post), and only when the channel cannot be written at all, a
   * DM. A post whose answer was lost is not followed by a DM: the next try repeats the post.
   */
  async function fallback(job: Job, payload: MessagePayload, purpose: MessagePurpose): Promise<WriteResult> {
    const posted = await channel.postInChannel(job, payload, purpose);
    if (posted !== 'gone') return posted === 'token_expired' ? 'failed' : posted;
    return channel.directMessage(job, payload, purpose);
  }

  /**
   * Puts the final message in the reply, or somewhere else the member sees it. `edited`: in the
   * reply. An edit that failed may still have landed (Discord wrote it and answered 5xx, or the
   * answer timed out): the reply is read back before anything is written elsewhere, and when it
   * cannot be read nothing is (the next try reads it again).
   */
  async function write(job: Job, payload: MessagePayload, purpose: MessagePurpose): Promise<WriteResult | 'edited'> {
    // A late progress edit must never land on top of the final message.
    await edits.settle(job.id);
    const edited = await channel.editReply(job, payload);
    if (edited === 'ok') return 'edited';
    if (edited === 'failed') {
      const now = await channel.readReply(job);
      if (now === 'failed') return 'failed';
      if (now !== 'gone' && shows(now, payload)) return 'edited';
    }
    if (edited === 'gone' || edited === 'token_expired' || edited === 'failed') return fallback(job, payload, purpose);
    return edited;
  }

  /**
   * Edits never notify anyone, so the requester (and only the requester) is pinged by a short
   * message under the finished reply.
   */
  async function notifyRequester(job: Job): Promise<void> {
    const t = translatorFor(job.reply.locale);
    const jump = job.reply.messageId ? ` https://discord.com/channels/${job.guildId}/${job.reply.channelId}/${job.reply.messageId}` : '';
    const content = `${t('result.requested_for', { mention: `<@${job.userId}>` })}${jump}`;
    await channel.followUp(job, { body: { content, allowed_mentions: { parse: [], users: [job.userId] } } }, 'ping', jump || content);
  }

  async function deliverLink(job: Job): Promise<DeliveryOutcome> {
    const t = translatorFor(job.reply.locale);
    const url = job.result?.videoUrl ?? '';
    const expires = job.result?.expiresAt;
    const note = expires ? t('result.link_note', { expires: relativeTime(expires) }) : t('result.link_note_unknown');
    // The link lives in the embed description (4096), never in content (2000 with everything
    // else): signed provider URLs run to 1,800+ characters. A button carries it when it fits 512.
    const embed = resultEmbed(job, clock(), { url, note });
    const payload = finalPayload(job, embed, { attachments: [], components: [resultButtons(job, { extend: options.extend ?? false, linkUrl: url })] });
    const result = await write(job, payload, 'link');
    if (result === 'edited') await notifyRequester(job);
    return result === 'ok' || result === 'edited' ? 'link' : 'failed';
  }

  return {
    async progress(job, view) {
      // Cancel is offered until the job is sent to the provider; the first view after that removes it.
      const components = isCancellable(job.state) ? [cancelButtons(job)] : [];
      edits.show(job, { body: { content: '', embeds: [progressEmbed(job, view)], components, allowed_mentions: SILENT } });
    },

    async deliver(job, video: FinishedVideo) {
      if (video.kind === 'link') return deliverLink(job);
      const embed = resultEmbed(job, clock());
      // Read from the job's checked file on every try: the provider is never asked again.
      const data = await readFile(video.path).catch(() => undefined);
      if (!data) return 'failed';
      const payload = finalPayload(job, embed, { attachments: [{ id: 0, filename: video.filename }] }, [
        { name: video.filename, data, contentType: 'video/mp4' },
      ]);
      const result = await write(job, payload, 'video');
      if (result === 'edited') await notifyRequester(job);
      if (result === 'ok' || result === 'edited') return 'attachment';
      if (result === 'too_large') return deliverLink(job);
      return 'failed';
    },

    async failed(job, options = {}): Promise<TellOutcome> {
      await edits.settle(job.id);
      const payload: MessagePayload = { body: { content: '', embeds: [failureEmbed(job)], components: [], allowed_mentions: SILENT } };
      const result = await channel.editReply(job, payload);
      if (result === 'ok') return 'told';
      if (result === 'failed') {
        // It may have landed: read back before writing anywhere else.
        const now = await channel.readReply(job);
        if (now === 'failed') return 'retry';
        if (now !== 'gone' && shows(now, payload)) return 'told';
      }
      // Unknown message/webhook/interaction: Discord never had our acknowledgement, nobody waits.
      if (options.inReplyOnly) return result === 'failed' ? 'retry' : 'nobody';
      const elsewhere = await fallback(job, { body: { content: '', embeds: [failureEmbed(job)], allowed_mentions: SILENT } }, 'failure');
      if (elsewhere === 'ok') return 'told';
      return elsewhere === 'failed' || result === 'failed' ? 'retry' : 'nobody';
    },

    async shown(job): Promise<ReplyView> {
      const message = await channel.readReply(job);
      if (message === 'failed') return 'unknown';
      if (message === 'gone') return 'not_final';
      if ((message.attachments?.length ?? 0) > 0) return 'attachment';
      // The finished reply (and only it) carries the Regenerate button.
      const final = JSON.stringify(message.components ?? []).includes(`${REGENERATE_PREFIX}${job.id}`);
      return final ? 'link' : 'not_final';
    },
  };
}
