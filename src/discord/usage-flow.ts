import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from './command.js';
import { serverOf, memberRoleIds } from './interaction-context.js';
import { usageEmbed } from './render/quota-usage.js';
import { usageChartAttachment } from './render/usage-chart.js';

/** `/usage`, for every member: their own standing this period and a chart of it, answered only to them. */
export async function showUsage(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const guildId = serverOf(interaction);
  const [standing, timeline] = await Promise.all([
    ctx.quota.memberStanding(guildId, interaction.user.id, memberRoleIds(interaction)),
    ctx.quota.spendTimeline(guildId),
  ]);
  await interaction.reply({
    embeds: [usageEmbed(standing, interaction.locale)],
    files: [usageChartAttachment(timeline, { kind: 'member', userId: interaction.user.id }, interaction.locale)],
    flags: MessageFlags.Ephemeral,
  });
}
