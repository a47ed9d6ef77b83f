import { SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/discord/command.js';
import { answerOwnHistory } from '../src/discord/history-view.js';
import { inServers, localized } from '../src/discord/localized.js';

export const data = inServers(localized(new SlashCommandBuilder(), 'videos', 'cmd.videos'));

export default {
  data: data.toJSON(),
  firstAnswer: 'private',
  /** `/videos`: the member's own last videos in this server, answered only to them. */
  async execute(interaction, ctx) {
    await answerOwnHistory(interaction, ctx);
  },
} satisfies Command;
