import { MessageFlags, type Message, type MessageContextMenuCommandInteraction, type ModalSubmitInteraction } from 'discord.js';
import { translatorFor } from '../i18n/index.js';
import { checkFirstFrame, IMAGE_TYPES, validateVideoOptions, type FirstFrameImage } from '../video/request.js';
import type { BotContext } from './command.js';
import { serverOf } from './interaction-context.js';
import { readModalFields } from './options/modal-options.js';
import { validationEmbed } from './render/validation.js';
import { videoModal } from './render/video-modal.js';
import { launchJob } from './video-flow.js';
import { mediaTypeOf } from '../http/media-type.js';
import { newDraftId } from '../jobs/drafts.js';

export const ANIMATE_PREFIX = 'animate:';

const TYPE_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
};

/** An embed image names no content type; its file extension is the claim its bytes are checked against. */
function typeFromUrl(url: string): string | null {
  try {
    const extension = new URL(url).pathname.split('.').pop()?.toLowerCase() ?? '';
    return TYPE_BY_EXTENSION[extension] ?? null;
  } catch {
    return null;
  }
}

const isSupported = (contentType: string | null) => (IMAGE_TYPES as readonly string[]).includes(mediaTypeOf(contentType));

/**
 * The picture of a message to animate: its first attached JPG/PNG/WebP (else its first attached
 * image of another kind, to be refused with the usual answer), else the first embed image or
 * thumbnail (a link's preview), read through Discord's media proxy. Null when there is none.
 */
export function pickImage(message: Message): FirstFrameImage | null {
  const images = [...message.attachments.values()].filter((a) => (a.contentType ?? typeFromUrl(a.url) ?? '').startsWith('image/'));
  const attachment = images.find((a) => isSupported(a.contentType ?? typeFromUrl(a.url))) ?? images[0];
  if (attachment) {
    return {
      url: attachment.url,
      filename: attachment.name,
      contentType: attachment.contentType ?? typeFromUrl(attachment.url),
      size: attachment.size,
      width: attachment.width,
      height: attachment.height,
    };
  }
  for (const embed of message.embeds) {
    const image = embed.image ?? embed.thumbnail;
    if (!image) continue;
    // The proxy is Discord's own copy: the bot never fetches an arbitrary host a member linked.
    const url = image.proxyURL ?? image.url;
    const name = new URL(image.url).pathname.split('/').pop() || 'image';
    return { url, filename: name, contentType: typeFromUrl(image.url), size: 0, width: image.width ?? null, height: image.height ?? null };
  }
  return null;
}

/**
 * "Animate image" on a message: checks its picture as `/video`'s `image` option is checked
 * (refused privately before anything is spent), opens the form for the prompt and settings, and
 * keeps the picture as a draft in the store. The form goes first: it must be Discord's first answer
 * within 3 s, and a slow store must not keep it waiting (the member takes longer to fill it in).
 */
export async function openAnimateForm(interaction: MessageContextMenuCommandInteraction, ctx: BotContext): Promise<void> {
  const t = translatorFor(interaction.locale);
  const guildId = serverOf(interaction);
  const image = pickImage(interaction.targetMessage);
  if (!image) {
    await interaction.reply({ content: t('animate.no_image'), flags: MessageFlags.Ephemeral });
    return;
  }
  const problems = checkFirstFrame(image);
  if (problems.length === 0) {
    const verdict = await ctx.inspectImage(image);
    if (!verdict.ok) problems.push({ code: 'image_mismatch', contentType: verdict.claimed });
  }
  if (problems.length > 0) {
    await interaction.reply({ embeds: [validationEmbed(problems, interaction.locale)], flags: MessageFlags.Ephemeral });
    return;
  }
  const draftId = newDraftId();
  await interaction.showModal(
    videoModal({ customId: `${ANIMATE_PREFIX}${draftId}`, title: 'modal.animate.title', locale: interaction.locale, settings: true }),
  );
  // Not kept: sending the form then answers that it has to be opened again (animate.form_gone).
  await ctx.drafts
    .put({ guildId, userId: interaction.user.id, image, createdAt: ctx.clock() }, draftId)
    .catch((err: unknown) => ctx.logger.warn({ err, guildId, draftId }, 'could not keep the Animate image draft'));
}

/** The Animate image form was sent: the same checks as `/video`, then a job like any other. */
export async function submitAnimateForm(interaction: ModalSubmitInteraction, draftId: string, ctx: BotContext): Promise<void> {
  const draft = await ctx.drafts.get(draftId);
  if (!draft || draft.userId !== interaction.user.id || draft.guildId !== interaction.guildId) {
    await interaction.reply({ content: translatorFor(interaction.locale)('animate.form_gone'), flags: MessageFlags.Ephemeral });
    return;
  }
  const fields = readModalFields(interaction);
  const checked = validateVideoOptions({ ...fields, image: draft.image });
  try {
    if (!checked.ok) {
      await interaction.reply({ embeds: [validationEmbed(checked.problems, interaction.locale)], flags: MessageFlags.Ephemeral });
      return;
    }
    await launchJob(interaction, checked.request, ctx);
  } finally {
    // A sent form cannot be sent again: its draft is done with, whatever the answer was.
    await ctx.drafts.delete(draftId).catch((err: unknown) => ctx.logger.warn({ err, draftId }, 'could not forget an Animate draft'));
  }
}
