import { MessageFlags, type ButtonInteraction, type ModalSubmitInteraction } from 'discord.js';
import { translatorFor } from '../i18n/index.js';
import type { Press } from '../jobs/press-claims.js';
import type { BotContext } from './command.js';

/**
 * Runs `start` (which starts a new video from a finished one and resolves to the new job's id, or
 * null when it was refused) only for the first of a member's same presses while it is handled and
 * its job starting. A second press starts and charges nothing and is told privately what is true
 * when it comes: the first is still being handled (it may yet be refused), or its video started.
 * The claim lives as long as the first press is handled, and a few seconds after its job started
 * (see `PRESS_HOLD_MS`).
 */
export async function oncePerPress(
  interaction: ButtonInteraction | ModalSubmitInteraction,
  ctx: BotContext,
  pressed: Omit<Press, 'userId'>,
  start: () => Promise<string | null>,
): Promise<void> {
  const claimed = await ctx.presses.claim({ ...pressed, userId: interaction.user.id });
  if (!claimed.claimed) {
    // After an early public acknowledgement, the router's guard turns this private reply into a
    // private follow-up in place of the deferred reply (early-ack.ts).
    const note = claimed.first === 'started' ? 'error.already_started' : 'error.press_in_progress';
    await interaction.reply({ content: translatorFor(interaction.locale)(note), flags: MessageFlags.Ephemeral });
    return;
  }
  let started: string | null = null;
  try {
    started = await start();
  } finally {
    // A press that was refused (or failed) frees the claim at once: pressing again is a retry.
    await claimed.claim
      .release(started)
      .catch((err: unknown) =>
        ctx.logger.warn({ err, resultJobId: pressed.resultJobId }, 'could not release a press claim; it expires by itself'),
      );
  }
}
