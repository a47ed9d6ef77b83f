import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import { t } from '../src/i18n/index.js';
import type { Command } from '../src/discord/command.js';
import { showHistory } from '../src/discord/history-view.js';

export const data = new SlashCommandBuilder()
  .setName('videos')
  .setNameLocalizations({ 'zh-CN': t('zh-CN', 'cmd.videos.name') })
  .setDescription(t('en', 'cmd.videos.description'))
  .setDescriptionLocalizations({ 'zh-CN': t('zh-CN', 'cmd.videos.description') })
  .setContexts(0)
  .setIntegrationTypes(0);

export default {
  data: data.toJSON(),
  firstAnswer: 'private',
  /** `/videos`: the member's own last videos in this server, answered only to them. */
  async execute(interaction, ctx) {
    await interaction.reply({ ...(await showHistory(interaction, 0, ctx)), flags: MessageFlags.Ephemeral });
  },
} satisfies Command;
