import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import { translatorFor } from '../i18n/index.js';
import type { BotContext } from './command.js';
import { installedGuildId, memberRoleIds } from './interaction-context.js';
import { helpEmbeds } from './render/help.js';

/**
 * `/help`: what the bot does, its options and camera moves, and (in a server) the member's quota
 * line, answered only to them. Help must still help when the store is unreachable: the quota line
 * is left out then (logged at warn).
 */
export async function showHelp(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const guildId = installedGuildId(interaction);
  const standing = guildId
    ? await ctx.quota.memberStanding(guildId, interaction.user.id, memberRoleIds(interaction)).catch((err: unknown) => {
        ctx.logger.warn({ err, guildId }, 'could not read the quota for /help');
        return null;
      })
    : null;
  await interaction.reply({ embeds: helpEmbeds(translatorFor(interaction.locale), standing), flags: MessageFlags.Ephemeral });
}
