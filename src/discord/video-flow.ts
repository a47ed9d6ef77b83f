import {
  MessageFlags,
  type APIEmbed,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type ModalSubmitInteraction,
} from 'discord.js';
import type { JobRequest } from '../jobs/job.js';
import { validateVideoOptions, type VideoOptionsInput } from '../video/request.js';
import type { AcceptInput } from '../jobs/job-service.js';
import { alreadyAcknowledged, originalReplyId, type DeferredReply } from './early-ack.js';
import type { BotContext } from './command.js';
import { serverOf, memberRoleIds, threadParentId } from './interaction-context.js';
import { refusalEmbed } from './render/refusal.js';
import { validationEmbed } from './render/validation.js';

type VideoInteraction = ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction;

const ephemeral = (interaction: VideoInteraction, payload: { content?: string; embeds?: APIEmbed[] }) =>
  interaction.reply({ ...payload, flags: MessageFlags.Ephemeral });

/**
 * How long reading a new reply's message id may take in all (ms), retries included: the job joins
 * the line after it, and a graceful stop waits 5 s for handlers (bot.ts), so a job acknowledged
 * just before a deploy still joins the line and survives it.
 */
const REPLY_ID_DEADLINE_MS = 2_500;

/** `/video`: checks the request from the interaction alone, then starts the job. */
export async function startVideoJob(interaction: ChatInputCommandInteraction, input: VideoOptionsInput, ctx: BotContext): Promise<void> {
  const checked = validateVideoOptions(input);
  if (!checked.ok) {
    await ephemeral(interaction, { embeds: [validationEmbed(checked.problems, interaction.locale)] });
    return;
  }
  if (checked.request.image) {
    const verdict = await ctx.inspectImage(checked.request.image);
    if (!verdict.ok) {
      await ephemeral(interaction, {
        embeds: [validationEmbed([{ code: 'image_mismatch', contentType: verdict.claimed }], interaction.locale)],
      });
      return;
    }
  }
  await launchJob(interaction, checked.request, ctx);
}

/** Who asks for `request`, where, and the reply to report on: the job service's input for an interaction. */
export function acceptInputFor(interaction: VideoInteraction, request: JobRequest): AcceptInput {
  return {
    request,
    guildId: serverOf(interaction),
    userId: interaction.user.id,
    roleIds: memberRoleIds(interaction),
    parentChannelId: threadParentId(interaction),
    reply: {
      applicationId: interaction.applicationId,
      interactionToken: interaction.token,
      tokenIssuedAt: interaction.createdTimestamp,
      channelId: interaction.channelId ?? '',
      attachmentSizeLimit: interaction.attachmentSizeLimit ?? 10 * 1024 * 1024,
      locale: interaction.locale,
    },
  };
}

/**
 * Reserves the cost, acknowledges publicly (a long job's reply must not be ephemeral: only a
 * public reply can be reached again after the interaction token expires), then puts the job in line. An
 * interaction its caller already deferred publicly (Extend, which takes a frame first) passes the
 * reply's message id in `deferredMessageId` (null when its deferral did not give it: it is read
 * again here). Resolves to the new job's id once it is in line, null
 * when it was refused or given up before joining the line (the member was told why).
 */
export async function launchJob(
  interaction: VideoInteraction,
  request: JobRequest,
  ctx: BotContext,
  options: { deferredMessageId?: string | null } = {},
): Promise<string | null> {
  // Normally the quota answers in milliseconds and a refusal can be private. If the store is slow,
  // the router's guard (early-ack.ts) has acknowledged publicly before Discord's 3 s deadline:
  // then `reply` moves the refusal to a private follow-up, and `deferReply` returns the deferral
  // already made.
  const accepted = await ctx.jobs.accept(acceptInputFor(interaction, request));
  if (!accepted.ok) {
    await ephemeral(interaction, { embeds: [refusalEmbed(accepted.refusal, interaction.locale)] });
    return null;
  }
  const jobId = accepted.job.id;
  let messageId: string | null = options.deferredMessageId ?? null;
  if (options.deferredMessageId === undefined) {
    try {
      // Without `with_response`: the reply's id is read below, once the burst has its
      // acknowledgements. An early acknowledgement made for this handler (a slow store) asked for
      // it, and its answer is what this returns then.
      const deferred = (await interaction.deferReply()) as DeferredReply | undefined;
      messageId = deferred?.resource?.message?.id ?? null;
    } catch (err) {
      // Refused (10062), or no answer at all: if an attempt landed after all, the reply says why.
      // (A retry refused as already acknowledged, 40060, is a deferral made: see early-ack.ts.) A
      // 40060 that reaches here came on the first attempt: another process answered, the reply is
      // its own, and this job ends without a word.
      await ctx.jobs.abandon(jobId, undefined, { answeredElsewhere: alreadyAcknowledged(err) });
      throw err;
    }
  }
  // The job is recorded (recovery finds it from here on); joining the line rewrites its record,
  // which can wait until the members of a burst still waiting for an acknowledgement have theirs.
  await ctx.acknowledgementsFirst?.();
  // The reply's message id: the job's way back to its reply once the interaction token is too old
  // (14 minutes), and its history's link. Read here when the deferral did not give it: a bare
  // deferral (204), or one whose answer was lost (its retry refused as already acknowledged, and
  // the read right after it failed too; Extend's, say). Unknown (null) when even this read failed:
  // the reply is then edited through the token only, a video that finishes later is posted as a
  // new message in the channel, and /videos and the requester's ping have no link to the reply.
  if (messageId === null) {
    messageId = await originalReplyId(interaction, ctx.interactionRest, REPLY_ID_DEADLINE_MS);
  }
  // In line now; it is sent when its turn in the provider's budget comes. If the store fails
  // right here, the job would hold its credits and a slot until the next start: it is given up
  // now (credits back), recording its reply, which says why (the member's history links to it).
  // When even that fails, the router tells the member something went wrong.
  const channelId = interaction.channelId ?? '';
  try {
    // No record to attach to: it vanished from the store (data lost, or ended by someone else).
    if (!(await ctx.jobs.attachMessage(jobId, channelId, messageId))) throw new Error(`job ${jobId} has no record in the store`);
  } catch (err) {
    ctx.logger.error({ err, jobId }, 'the job could not join the line; giving it up');
    try {
      await ctx.jobs.abandon(jobId, { channelId, messageId }, { lastKnown: accepted.job });
    } catch (abandonErr) {
      ctx.logger.error({ err: abandonErr, jobId }, 'could not give up a job that failed to join the line');
      throw err;
    }
    return null;
  }
  return jobId;
}
