import { readFile } from 'node:fs/promises';
import type { APIEmbed, REST } from 'discord.js';
import type { Logger } from '../log.js';
import type { Job } from '../jobs/job.js';
import type { DeliveryOutcome, FinishedVideo, JobReporter, ReplyView, TellOutcome } from '../jobs/reporter.js';
import { translatorFor } from '../i18n/index.js';
import { createReplyChannel, type MessagePayload, type WriteResult } from './reply-channel.js';
import { shows, writeFinal, type FinalForm } from './final-message.js';
import { embedAsText, plainLinkText } from './render/plain-text.js';
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
  /** Whether finished videos get an Extend button (ffmpeg is there to take their last frame); asked at each delivery. */
  extend?: () => boolean;
  /** Told the reply's message id of a job that did not know it, from an edit's answer (see createReplyChannel). */
  onReplyId?: (jobId: string, messageId: string) => void;
}

const SILENT = { parse: [] as string[] };

/** Why a finished video goes as a link: over the upload limit, or the bot may not upload here. */
type LinkReason = 'too_large' | 'no_attach';

/**
 * Shows jobs to members by editing their reply. Progress edits happen only when what the reply
 * shows changed and not more often than the configured gap; a reply that cannot be edited any
 * more stops receiving progress, but the job and its delivery go on. The final message degrades
 * in place when a permission is missing (see writeFinal).
 */
export function createDiscordReporter(options: DiscordReporterOptions): JobReporter {
  const clock = options.clock ?? Date.now;
  const channel = createReplyChannel(options.rest, options.uploadRest, options.logger, clock, options.onceRest, options.onReplyId);
  const edits = createProgressEdits(channel, clock, options.progressEditMinMs);
  const extend = (): boolean => options.extend?.() ?? false;

  const finalPayload = (
    job: Job,
    embed: APIEmbed,
    extra: Partial<MessagePayload['body']> = {},
    files?: MessagePayload['files'],
  ): MessagePayload => ({
    body: {
      content: translatorFor(job.reply.locale)('result.requested_for', { mention: `<@${job.userId}>` }),
      embeds: [embed],
      components: [resultButtons(job, { extend: extend() })],
      allowed_mentions: { parse: [], users: [job.userId] },
      ...extra,
    },
    ...(files ? { files } : {}),
  });

  /** The video as the provider's link, in an embed; without Embed Links, as plain text. */
  function linkForm(job: Job, reason: LinkReason): FinalForm {
    const t = translatorFor(job.reply.locale);
    const url = job.result?.videoUrl ?? '';
    const expires = job.result?.expiresAt;
    const note =
      reason === 'too_large'
        ? expires
          ? t('result.link_note', { expires: relativeTime(expires) })
          : t('result.link_note_unknown')
        : expires
          ? t('result.link_note_no_attach', { expires: relativeTime(expires) })
          : t('result.link_note_no_attach_unknown');
    const components = [resultButtons(job, { extend: extend(), linkUrl: url })];
    // The link lives in the embed description (4096), never in content (2000 with everything
    // else): signed provider URLs run to 1,800+ characters. A button carries it when it fits 512.
    const embed = resultEmbed(job, clock(), { url, note });
    const plain: FinalForm = {
      payload: {
        body: {
          content: plainLinkText(job, url, note),
          embeds: [],
          attachments: [],
          components,
          allowed_mentions: { parse: [], users: [job.userId] },
        },
      },
      purpose: 'link',
      gives: 'link',
    };
    return {
      payload: finalPayload(job, embed, { attachments: [], components }),
      purpose: 'link',
      gives: 'link',
      degrade: (why) => (why === 'forbidden' ? plain : undefined),
    };
  }

  /** Writes the final video message; the requester is pinged under an edited reply (edits never notify). */
  async function deliverForm(job: Job, form: FinalForm): Promise<DeliveryOutcome> {
    await edits.settle(job.id);
    const written = await writeFinal(channel, job, form);
    if (!written.landed) return 'failed';
    if (written.landed === 'reply') await notifyRequester(job);
    return written.form.gives === 'attachment' ? 'attachment' : 'link';
  }

  /**
   * Edits never notify anyone, so the requester (and only the requester) is pinged by a short
   * message under the finished reply.
   */
  async function notifyRequester(job: Job): Promise<void> {
    const t = translatorFor(job.reply.locale);
    // The id the delivery's own edit may just have taught the channel, when the job's copy has none.
    const replyId = channel.replyIdOf(job);
    const jump = replyId ? ` https://discord.com/channels/${job.guildId}/${job.reply.channelId}/${replyId}` : '';
    const content = `${t('result.requested_for', { mention: `<@${job.userId}>` })}${jump}`;
    await channel.followUp(job, { body: { content, allowed_mentions: { parse: [], users: [job.userId] } } }, 'ping', jump || content);
  }

  /** Only the reply (degrading like writeFinal); a lost answer is read back. */
  async function tellInReply(job: Job, first: FinalForm): Promise<WriteResult> {
    let form: FinalForm | undefined = first;
    while (form) {
      const result = await channel.editReply(job, form.payload);
      if (result === 'failed') {
        const now = await channel.readReply(job);
        return now !== 'failed' && now !== 'gone' && shows(now, form.payload) ? 'ok' : 'failed';
      }
      if (result !== 'forbidden') return result;
      form = form.degrade?.(result);
    }
    return 'gone';
  }

  return {
    async progress(job, view) {
      // Cancel is offered until the job is sent to the provider; the first view after that removes it.
      const components = isCancellable(job.state) ? [cancelButtons(job)] : [];
      edits.show(job, { body: { content: '', embeds: [progressEmbed(job, view)], components, allowed_mentions: SILENT } });
    },

    async deliver(job, video: FinishedVideo) {
      if (video.kind === 'link') return deliverForm(job, linkForm(job, 'too_large'));
      // Read from the job's checked file on every try: the provider is never asked again.
      const data = await readFile(video.path).catch(() => undefined);
      if (!data) return 'failed';
      const payload = finalPayload(job, resultEmbed(job, clock()), { attachments: [{ id: 0, filename: video.filename }] }, [
        { name: video.filename, data, contentType: 'video/mp4' },
      ]);
      // Over the limit (413): the link; no Attach Files (50013): the link, saying why.
      return deliverForm(job, {
        payload,
        purpose: 'video',
        gives: 'attachment',
        degrade: (why) => linkForm(job, why === 'too_large' ? 'too_large' : 'no_attach'),
      });
    },

    async failed(job, options = {}): Promise<TellOutcome> {
      await edits.settle(job.id);
      const embed = failureEmbed(job);
      const plain: FinalForm = {
        payload: { body: { content: embedAsText(embed), embeds: [], components: [], allowed_mentions: SILENT } },
        purpose: 'failure',
        gives: 'notice',
      };
      const form: FinalForm = {
        payload: { body: { content: '', embeds: [embed], components: [], allowed_mentions: SILENT } },
        purpose: 'failure',
        gives: 'notice',
        degrade: (why) => (why === 'forbidden' ? plain : undefined),
      };
      if (options.inReplyOnly) {
        // Unknown message/webhook/interaction: Discord never had our acknowledgement, nobody waits.
        const result = await tellInReply(job, form);
        return result === 'ok' ? 'told' : result === 'failed' ? 'retry' : 'nobody';
      }
      const written = await writeFinal(channel, job, form);
      if (written.landed) return 'told';
      return written.result === 'failed' ? 'retry' : 'nobody';
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
