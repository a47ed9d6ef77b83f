import type { ModalHandler } from './command.js';
import { ANIMATE_PREFIX, submitAnimateForm } from './animate-flow.js';
import { oncePerPress } from './press-guard.js';
import { EDIT_FORM_PREFIX, EXTEND_FORM_PREFIX, submitEditForm, submitExtendForm } from './edit-flow.js';

/** Animate image's form: its custom id names the draft that holds the picked image. */
const animate: ModalHandler = {
  prefix: ANIMATE_PREFIX,
  firstAnswer: 'public',
  execute: (interaction, draftId, ctx) => submitAnimateForm(interaction, draftId, ctx),
};

/** Edit's and Extend's forms name the finished job they start from; a form sent twice starts one video. */
const edit: ModalHandler = {
  prefix: EDIT_FORM_PREFIX,
  firstAnswer: 'public',
  execute: (interaction, jobId, ctx) => oncePerPress(interaction, ctx, 'edit', jobId, () => submitEditForm(interaction, jobId, ctx)),
};
const extend: ModalHandler = {
  prefix: EXTEND_FORM_PREFIX,
  firstAnswer: 'public',
  execute: (interaction, jobId, ctx) => oncePerPress(interaction, ctx, 'extend', jobId, () => submitExtendForm(interaction, jobId, ctx)),
};

/**
 * Handlers of the forms the bot shows; custom ids name what they act on, so they survive restarts.
 * Each sent form starts a job with a public reply, as /video does; its refusals are private.
 */
export const modalHandlers: ModalHandler[] = [animate, edit, extend];
