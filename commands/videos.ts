import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/discord/command.js';
import { inServers, localized } from '../src/discord/localized.js';
import { showHistory } from '../src/discord/history-view.js';

export const data = inServers(localized(new SlashCommandBuilder(), 'videos', 'cmd.videos'));

export default {
  data: data.toJSON(),
  firstAnswer: 'private',
  /** `/videos`: the member's own last videos in this server, answered only to them. */
  async execute(interaction, ctx) {
    await interaction.reply({ ...(await showHistory(interaction, 0, ctx)), flags: MessageFlags.Ephemeral });
  },
} satisfies Command;
