import { SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/discord/command.js';
import { inServers, localized } from '../src/discord/localized.js';
import { showUsage } from '../src/discord/usage-flow.js';

export const data = inServers(localized(new SlashCommandBuilder(), 'usage', 'cmd.usage'));

export default {
  data: data.toJSON(),
  firstAnswer: 'private',
  /** `/usage`, for every member: their own standing this period and a chart of it, answered only to them. */
  async execute(interaction, ctx) {
    await showUsage(interaction, ctx);
  },
} satisfies Command;
