import { MessageFlags, type APIEmbed, type ButtonInteraction, type ChatInputCommandInteraction, type ModalSubmitInteraction } from 'discord.js';
import { translatorFor } from '../i18n/index.js';
import type { JobRequest } from '../jobs/job.js';
import { validateVideoOptions, type VideoOptionsInput } from '../video/request.js';
import type { BotContext } from './command.js';
import { installedGuildId, memberRoleIds, threadParentId } from './interaction-context.js';
import { refusalEmbed } from './render/refusal.js';
import { validationEmbed } from './render/validation.js';

type VideoInteraction = ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction;

// Leaves a second of Discord's 3 s for the acknowledgement itself to travel.
const ACKNOWLEDGE_BY_MS = 2_000;
const delay = (ms: number) => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref());

const ephemeral = (interaction: VideoInteraction, payload: { content?: string; embeds?: APIEmbed[] }) =>
  interaction.reply({ ...payload, flags: MessageFlags.Ephemeral });

/** `/video`: checks the request from the interaction alone, then starts the job. */
export async function startVideoJob(interaction: ChatInputCommandInteraction, input: VideoOptionsInput, ctx: BotContext): Promise<void> {
  if (!installedGuildId(interaction)) {
    await ephemeral(interaction, { content: translatorFor(interaction.locale)('error.guild_only') });
    return;
  }
  const checked = validateVideoOptions(input);
  if (!checked.ok) {
    await ephemeral(interaction, { embeds: [validationEmbed(checked.problems, interaction.locale)] });
    return;
  }
  if (checked.request.image) {
    const verdict = await ctx.inspectImage(checked.request.image);
    if (!verdict.ok) {
      await ephemeral(interaction, { embeds: [validationEmbed([{ code: 'image_mismatch', contentType: verdict.claimed }], interaction.locale)] });
      return;
    }
  }
  await launchJob(interaction, checked.request, ctx);
}

/**
 * Reserves the cost, acknowledges publicly (a long job's reply must not be ephemeral: only a
 * public reply can be reached again after the interaction token expires), then submits. An
 * interaction its caller already deferred publicly (Extend, which takes a frame first) passes the
 * reply's message id in `deferredMessageId`.
 */
export async function launchJob(
  interaction: VideoInteraction,
  request: JobRequest,
  ctx: BotContext,
  options: { deferredMessageId?: string | null } = {},
): Promise<void> {
  const guildId = installedGuildId(interaction);
  if (!guildId) {
    await ephemeral(interaction, { content: translatorFor(interaction.locale)('error.guild_only') });
    return;
  }
  const acceptance = ctx.jobs.accept({
    request,
    guildId,
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
  });
  // Normally the quota answers in milliseconds and a refusal can be private. If the store is slow,
  // acknowledge publicly before Discord's 3 s deadline and move a refusal to a private message.
  const early = interaction.deferred ? undefined : await Promise.race([acceptance, delay(ACKNOWLEDGE_BY_MS)]);
  let messageId: string | null = options.deferredMessageId ?? null;
  if (early === undefined && !interaction.deferred) {
    const response = await interaction.deferReply({ withResponse: true }).catch(async (err: unknown) => {
      await acceptance.then((late) => (late.ok ? ctx.jobs.abandon(late.job.id) : undefined));
      throw err;
    });
    messageId = response.resource?.message?.id ?? null;
  }
  const accepted = await acceptance;
  if (!accepted.ok) {
    const embeds = [refusalEmbed(accepted.refusal, interaction.locale)];
    if (early !== undefined) {
      await ephemeral(interaction, { embeds });
    } else {
      await interaction.deleteReply().catch(() => undefined);
      await interaction.followUp({ embeds, flags: MessageFlags.Ephemeral });
    }
    return;
  }
  const jobId = accepted.job.id;
  if (early !== undefined) {
    try {
      const response = await interaction.deferReply({ withResponse: true });
      messageId = response.resource?.message?.id ?? null;
    } catch (err) {
      await ctx.jobs.abandon(jobId);
      throw err;
    }
  }
  await ctx.jobs.attachMessage(jobId, interaction.channelId ?? '', messageId);
  await ctx.jobs.submit(jobId);
}
