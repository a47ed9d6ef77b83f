import { MessageFlags, PermissionFlagsBits } from 'discord.js';
import { translatorFor } from '../i18n/index.js';
import type { ButtonHandler } from './command.js';
import { CANCEL_PREFIX, DELETE_PREFIX, EDIT_PREFIX, EXTEND_PREFIX, REGENERATE_PREFIX } from './render/result-buttons.js';
import { openEditForm, openExtendForm } from './edit-flow.js';
import { launchJob } from './video-flow.js';
import { VIDEOS_PAGE_PREFIX } from './render/history.js';
import { showHistory } from './history-view.js';
import { oncePerPress } from './press-guard.js';

/**
 * 🔁 under a finished video: the same settings again, through the quota like any request; a
 * second press while the first is starting is told so privately (one video, one charge).
 */
const regenerate: ButtonHandler = {
  prefix: REGENERATE_PREFIX,
  // A new public reply for the new job, as /video.
  firstAnswer: 'public',
  async execute(interaction, jobId, ctx) {
    const job = await ctx.jobs.get(jobId);
    if (!job) {
      await interaction.reply({ content: translatorFor(interaction.locale)('error.job_not_found'), flags: MessageFlags.Ephemeral });
      return;
    }
    await oncePerPress(interaction, ctx, { action: 'regenerate', resultJobId: jobId }, () => launchJob(interaction, job.request, ctx));
  },
};

/** 🗑️ under a finished video: for the member who asked, or anyone who may manage messages. */
const remove: ButtonHandler = {
  prefix: DELETE_PREFIX,
  firstAnswer: 'update',
  // Also under a video the bot could only send by DM.
  where: 'anywhere',
  async execute(interaction, jobId, ctx) {
    const job = await ctx.jobs.get(jobId);
    const t = translatorFor(interaction.locale);
    const moderator = interaction.memberPermissions?.has(PermissionFlagsBits.ManageMessages) ?? false;
    if (job ? job.userId !== interaction.user.id && !moderator : !moderator) {
      await interaction.reply({ content: t('error.not_your_button'), flags: MessageFlags.Ephemeral });
      return;
    }
    // A component interaction's original response is the message holding the button.
    await interaction.deferUpdate();
    await interaction.deleteReply();
  },
};

/**
 * ✖️ under a reply while the job waits to be sent: for the member who asked, or anyone who may
 * manage messages. The reply itself says the job was cancelled; a press that came too late (the
 * provider has it) or for a job that ended is answered privately.
 */
const cancel: ButtonHandler = {
  prefix: CANCEL_PREFIX,
  // Pressed by someone who may: the reply itself changes (deferUpdate); a refusal is private.
  firstAnswer: 'update',
  async execute(interaction, jobId, ctx) {
    const t = translatorFor(interaction.locale);
    const job = await ctx.jobs.get(jobId);
    if (!job) {
      await interaction.reply({ content: t('error.job_not_found'), flags: MessageFlags.Ephemeral });
      return;
    }
    const moderator = interaction.memberPermissions?.has(PermissionFlagsBits.ManageMessages) ?? false;
    if (job.userId !== interaction.user.id && !moderator) {
      await interaction.reply({ content: t('error.not_your_button'), flags: MessageFlags.Ephemeral });
      return;
    }
    await interaction.deferUpdate();
    const result = await ctx.jobs.cancel(jobId, interaction.user.id);
    if (result.ok) return;
    const reason =
      result.reason === 'too_late' ? 'cancel.too_late' : result.reason === 'ended' ? 'cancel.already_ended' : 'error.job_not_found';
    await interaction.followUp({ content: t(reason), flags: MessageFlags.Ephemeral });
  },
};

/** ✏️ and ⏩ under a finished video open a form; the new job starts when it is sent. */
const edit: ButtonHandler = {
  prefix: EDIT_PREFIX,
  firstAnswer: 'modal',
  execute: (interaction, jobId, ctx) => openEditForm(interaction, jobId, ctx),
};
const extend: ButtonHandler = {
  prefix: EXTEND_PREFIX,
  firstAnswer: 'modal',
  execute: (interaction, jobId, ctx) => openExtendForm(interaction, jobId, ctx),
};

/** Newer / Older under /videos: the same private message shows another page. */
const historyPage: ButtonHandler = {
  prefix: VIDEOS_PAGE_PREFIX,
  firstAnswer: 'update',
  async execute(interaction, rest, ctx) {
    const offset = Number(rest.split(':')[0]);
    await interaction.update(await showHistory(interaction, Number.isSafeInteger(offset) && offset >= 0 ? offset : 0, ctx));
  },
};

/** Handlers of the bot's buttons; the custom ids of those under videos name the job in the store. */
export const buttonHandlers: ButtonHandler[] = [regenerate, remove, edit, extend, historyPage, cancel];
