import { ApplicationCommandType, ContextMenuCommandBuilder } from 'discord.js';
import type { MessageCommand } from '../src/discord/command.js';
import { inServers, localizedName } from '../src/discord/localized.js';
import { openAnimateForm } from '../src/discord/animate-flow.js';

export const data = inServers(localizedName(new ContextMenuCommandBuilder(), 'cmd.animate').setType(ApplicationCommandType.Message));

export default {
  data: data.toJSON(),
  // The form must be the first answer: nothing before it waits on the store (see animate-flow).
  firstAnswer: 'modal',
  /** Apps → Animate image on a message: checks its picture, then opens the form. */
  async execute(interaction, ctx) {
    await openAnimateForm(interaction, ctx);
  },
} satisfies MessageCommand;
