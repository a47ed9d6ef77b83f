import { SlashCommandBuilder } from 'discord.js';
import { t } from '../src/i18n/index.js';
import type { Command } from '../src/discord/command.js';
import { startVideoJob } from '../src/discord/video-flow.js';
import { readVideoOptions } from '../src/discord/options/video-options.js';
import { suggestCameraMoves } from '../src/video/camera.js';
import { DURATIONS, MODELS, PROMPT_MAX_LENGTH, RESOLUTIONS } from '../src/video/request.js';

const zh = (key: Parameters<typeof t>[1], params?: Record<string, string | number>) => ({ 'zh-CN': t('zh-CN', key, params) });
const en = (key: Parameters<typeof t>[1], params?: Record<string, string | number>) => t('en', key, params);

export const data = new SlashCommandBuilder()
  .setName('video')
  .setNameLocalizations(zh('cmd.video.name'))
  .setDescription(en('cmd.video.description'))
  .setDescriptionLocalizations(zh('cmd.video.description'))
  .setContexts(0)
  .setIntegrationTypes(0)
  .addStringOption((o) =>
    o
      .setName('prompt')
      .setNameLocalizations(zh('opt.prompt.name'))
      .setDescription(en('opt.prompt.description'))
      .setDescriptionLocalizations(zh('opt.prompt.description'))
      .setRequired(true)
      .setMaxLength(PROMPT_MAX_LENGTH),
  )
  .addIntegerOption((o) =>
    o
      .setName('duration')
      .setNameLocalizations(zh('opt.duration.name'))
      .setDescription(en('opt.duration.description'))
      .setDescriptionLocalizations(zh('opt.duration.description'))
      .addChoices(...DURATIONS.map((value) => ({ name: en('choice.seconds', { value }), name_localizations: zh('choice.seconds', { value }), value }))),
  )
  .addStringOption((o) =>
    o
      .setName('resolution')
      .setNameLocalizations(zh('opt.resolution.name'))
      .setDescription(en('opt.resolution.description'))
      .setDescriptionLocalizations(zh('opt.resolution.description'))
      .addChoices(...RESOLUTIONS.map((value) => ({ name: value, value }))),
  )
  .addAttachmentOption((o) =>
    o
      .setName('image')
      .setNameLocalizations(zh('opt.image.name'))
      .setDescription(en('opt.image.description'))
      .setDescriptionLocalizations(zh('opt.image.description')),
  )
  .addStringOption((o) =>
    o
      .setName('camera')
      .setNameLocalizations(zh('opt.camera.name'))
      .setDescription(en('opt.camera.description'))
      .setDescriptionLocalizations(zh('opt.camera.description'))
      .setMaxLength(100)
      .setAutocomplete(true),
  )
  .addStringOption((o) =>
    o
      .setName('model')
      .setNameLocalizations(zh('opt.model.name'))
      .setDescription(en('opt.model.description'))
      .setDescriptionLocalizations(zh('opt.model.description'))
      .addChoices(...MODELS.map((value) => ({ name: value, value }))),
  )
  .addBooleanOption((o) =>
    o
      .setName('prompt_optimizer')
      .setNameLocalizations(zh('opt.prompt_optimizer.name'))
      .setDescription(en('opt.prompt_optimizer.description'))
      .setDescriptionLocalizations(zh('opt.prompt_optimizer.description')),
  )
  .addBooleanOption((o) =>
    o
      .setName('fast_pretreatment')
      .setNameLocalizations(zh('opt.fast_pretreatment.name'))
      .setDescription(en('opt.fast_pretreatment.description'))
      .setDescriptionLocalizations(zh('opt.fast_pretreatment.description')),
  )
  .addBooleanOption((o) =>
    o
      .setName('watermark')
      .setNameLocalizations(zh('opt.watermark.name'))
      .setDescription(en('opt.watermark.description'))
      .setDescriptionLocalizations(zh('opt.watermark.description')),
  );

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
