import { MessageFlags, type ButtonInteraction, type ModalSubmitInteraction } from 'discord.js';
import { translatorFor } from '../i18n/index.js';
import type { PressAction } from '../jobs/press-claims.js';
import type { BotContext } from './command.js';

/**
 * Runs `start` (which starts a new video from the finished one `resultJobId`) only for the first of
 * a member's presses while it is starting; a second press is answered privately that the video
 * already started, and starts and charges nothing.
 */
export async function oncePerPress(
  interaction: ButtonInteraction | ModalSubmitInteraction,
  ctx: BotContext,
  action: PressAction,
  resultJobId: string,
  start: () => Promise<string | null | void>,
): Promise<void> {
  const userId = interaction.user.id;
  if (!(await ctx.presses.claim(resultJobId, userId, action))) {
    // After an early public acknowledgement, the router's guard turns this private reply into a
    // private follow-up in place of the deferred reply (early-ack.ts).
    await interaction.reply({ content: translatorFor(interaction.locale)('error.already_started'), flags: MessageFlags.Ephemeral });
    return;
  }
  let started: string | null = null;
  try {
    started = (await start()) ?? null;
  } finally {
    // A press that was refused (or failed) frees the claim at once: pressing again is a retry.
    await ctx.presses
      .release(resultJobId, userId, action, started)
      .catch((err: unknown) => ctx.logger.warn({ err, resultJobId }, 'could not release a press claim; it expires by itself'));
  }
}
