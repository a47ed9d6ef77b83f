import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import { t, translatorFor } from '../src/i18n/index.js';
import type { Command } from '../src/discord/command.js';
import { installedGuildId, memberRoleIds } from '../src/discord/interaction-context.js';
import { usageEmbed } from '../src/discord/render/quota-usage.js';
import { usageChartAttachment } from '../src/discord/render/usage-chart.js';

export const data = new SlashCommandBuilder()
  .setName('usage')
  .setNameLocalizations({ 'zh-CN': t('zh-CN', 'cmd.usage.name') })
  .setDescription(t('en', 'cmd.usage.description'))
  .setDescriptionLocalizations({ 'zh-CN': t('zh-CN', 'cmd.usage.description') })
  .setContexts(0)
  .setIntegrationTypes(0);

export default {
  data: data.toJSON(),
  firstAnswer: 'private',
  /** `/usage`, for every member: their own standing this period and a chart of it, answered only to them. */
  async execute(interaction, ctx) {
    const guildId = installedGuildId(interaction);
    if (!guildId) {
      await interaction.reply({ content: translatorFor(interaction.locale)('error.guild_only'), flags: MessageFlags.Ephemeral });
      return;
    }
    const [standing, timeline] = await Promise.all([
      ctx.quota.memberStanding(guildId, interaction.user.id, memberRoleIds(interaction)),
      ctx.quota.spendTimeline(guildId),
    ]);
    await interaction.reply({
      embeds: [usageEmbed(standing, interaction.locale)],
      files: [usageChartAttachment(timeline, { kind: 'member', userId: interaction.user.id }, interaction.locale)],
      flags: MessageFlags.Ephemeral,
    });
  },
} satisfies Command;
