import { ApplicationCommandType, ContextMenuCommandBuilder } from 'discord.js';
import { t } from '../src/i18n/index.js';
import type { MessageCommand } from '../src/discord/command.js';
import { openAnimateForm } from '../src/discord/animate-flow.js';

export const data = new ContextMenuCommandBuilder()
  .setName(t('en', 'cmd.animate.name'))
  .setNameLocalizations({ 'zh-CN': t('zh-CN', 'cmd.animate.name') })
  .setType(ApplicationCommandType.Message)
  .setContexts(0)
  .setIntegrationTypes(0);

export default {
  data: data.toJSON(),
  // The form must be the first answer: nothing before it waits on the store (see animate-flow).
  firstAnswer: 'modal',
  /** Apps → Animate image on a message: checks its picture, then opens the form. */
  async execute(interaction, ctx) {
    await openAnimateForm(interaction, ctx);
  },
} satisfies MessageCommand;
