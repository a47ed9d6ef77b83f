import type { APIActionRowComponent, APIComponentInMessageActionRow, APIEmbed, BaseInteraction } from 'discord.js';
import { translatorFor } from '../i18n/index.js';
import type { BotContext } from './command.js';
import { installedGuildId } from './interaction-context.js';
import { historyButtons, historyEmbed, VIDEOS_PAGE_SIZE } from './render/history.js';

/** The message body of one page of /videos for the member of `interaction`. */
export async function showHistory(
  interaction: BaseInteraction,
  offset: number,
  ctx: BotContext,
): Promise<{ content?: string; embeds: APIEmbed[]; components: APIActionRowComponent<APIComponentInMessageActionRow>[] }> {
  const guildId = installedGuildId(interaction);
  if (!guildId) return { content: translatorFor(interaction.locale)('error.guild_only'), embeds: [], components: [] };
  const page = await ctx.history.page(guildId, interaction.user.id, offset, VIDEOS_PAGE_SIZE);
  return {
    embeds: [historyEmbed(page, interaction.locale, ctx.clock(), ctx.config.historyDays)],
    components: historyButtons(page, interaction.locale),
  };
}
