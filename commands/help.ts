import { SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/discord/command.js';
import { showHelp } from '../src/discord/help-flow.js';
import { inServers, localized } from '../src/discord/localized.js';

// Guild and bot DM: help needs no server, only the quota line does.
export const data = inServers(localized(new SlashCommandBuilder(), 'help', 'cmd.help'), { orDm: true });

export default {
  data: data.toJSON(),
  where: 'anywhere',
  firstAnswer: 'private',
  async execute(interaction, ctx) {
    await showHelp(interaction, ctx);
  },
} satisfies Command;
