import { SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/discord/command.js';
import { inServers, localized, localizedChoice } from '../src/discord/localized.js';
import { startVideoJob } from '../src/discord/video-flow.js';
import { readVideoOptions } from '../src/discord/options/video-options.js';
import { suggestCameraMoves } from '../src/video/camera.js';
import { DURATIONS, MODELS, PROMPT_MAX_LENGTH, RESOLUTIONS } from '../src/video/request.js';

export const data = inServers(localized(new SlashCommandBuilder(), 'video', 'cmd.video'))
  .addStringOption((o) => localized(o, 'prompt', 'opt.prompt').setRequired(true).setMaxLength(PROMPT_MAX_LENGTH))
  .addIntegerOption((o) =>
    localized(o, 'duration', 'opt.duration').addChoices(...DURATIONS.map((value) => localizedChoice(value, 'choice.seconds', { value }))),
  )
  .addStringOption((o) => localized(o, 'resolution', 'opt.resolution').addChoices(...RESOLUTIONS.map((value) => ({ name: value, value }))))
  .addAttachmentOption((o) => localized(o, 'image', 'opt.image'))
  .addStringOption((o) => localized(o, 'camera', 'opt.camera').setMaxLength(100).setAutocomplete(true))
  .addStringOption((o) => localized(o, 'model', 'opt.model').addChoices(...MODELS.map((value) => ({ name: value, value }))))
  .addBooleanOption((o) => localized(o, 'prompt_optimizer', 'opt.prompt_optimizer'))
  .addBooleanOption((o) => localized(o, 'fast_pretreatment', 'opt.fast_pretreatment'))
  .addBooleanOption((o) => localized(o, 'watermark', 'opt.watermark'));

export default {
  data: data.toJSON(),
  // Public from the start: a long job's reply must outlive the interaction token (see video-flow).
  firstAnswer: 'public',
  async execute(interaction, ctx) {
    await startVideoJob(interaction, readVideoOptions(interaction), ctx);
  },
  async autocomplete(interaction) {
    const focused = interaction.options.getFocused(true);
    const choices = focused.name === 'camera' ? suggestCameraMoves(String(focused.value)) : [];
    await interaction.respond(choices);
  },
} satisfies Command;
