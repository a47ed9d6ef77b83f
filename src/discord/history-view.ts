import {
  MessageFlags,
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type BaseInteraction,
  type ChatInputCommandInteraction,
} from 'discord.js';
import type { BotContext } from './command.js';
import { serverOf } from './interaction-context.js';
import { historyButtons, historyEmbed, VIDEOS_PAGE_SIZE } from './render/history.js';

/** The message body of one page of /videos for the member of `interaction`. */
export async function showHistory(
  interaction: BaseInteraction,
  offset: number,
  ctx: BotContext,
): Promise<{ content?: string; embeds: APIEmbed[]; components: APIActionRowComponent<APIComponentInMessageActionRow>[] }> {
  const guildId = serverOf(interaction);
  const page = await ctx.history.page(guildId, interaction.user.id, offset, VIDEOS_PAGE_SIZE);
  return {
    embeds: [historyEmbed(page, interaction.locale, ctx.clock(), ctx.historyDays)],
    components: historyButtons(page, interaction.locale),
  };
}

/** `/videos`: the member's own last videos in this server, newest first, answered only to them. */
export async function answerOwnHistory(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  await interaction.reply({ ...(await showHistory(interaction, 0, ctx)), flags: MessageFlags.Ephemeral });
}
