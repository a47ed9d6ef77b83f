import { MessageFlags, type ButtonInteraction, type ModalSubmitInteraction } from 'discord.js';
import { translatorFor } from '../i18n/index.js';
import type { Press } from '../jobs/press-claims.js';
import type { BotContext } from './command.js';

/**
 * Runs `start` (which starts a new video from a finished one and resolves to the new job's id, or
 * null when it was refused) only for the first of a member's same presses while it is starting; a
 * second press is answered privately that the video already started, and starts and charges
 * nothing. The claim is held on for a few seconds after the job started (see `PRESS_HOLD_MS`).
 */
export async function oncePerPress(
  interaction: ButtonInteraction | ModalSubmitInteraction,
  ctx: BotContext,
  pressed: Omit<Press, 'userId'>,
  start: () => Promise<string | null>,
): Promise<void> {
  const press: Press = { ...pressed, userId: interaction.user.id };
  if (!(await ctx.presses.claim(press))) {
    // After an early public acknowledgement, the router's guard turns this private reply into a
    // private follow-up in place of the deferred reply (early-ack.ts).
    await interaction.reply({ content: translatorFor(interaction.locale)('error.already_started'), flags: MessageFlags.Ephemeral });
    return;
  }
  let started: string | null = null;
  try {
    started = await start();
  } finally {
    // A press that was refused (or failed) frees the claim at once: pressing again is a retry.
    await ctx.presses
      .release(press, started)
      .catch((err: unknown) =>
        ctx.logger.warn({ err, resultJobId: press.resultJobId }, 'could not release a press claim; it expires by itself'),
      );
  }
}
