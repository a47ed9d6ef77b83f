import type { ModalHandler } from './command.js';
import { ANIMATE_PREFIX, submitAnimateForm } from './animate-flow.js';
import { EDIT_FORM_PREFIX, EXTEND_FORM_PREFIX, submitEditForm, submitExtendForm } from './edit-flow.js';

/** Animate image's form: its custom id names the draft that holds the picked image. */
const animate: ModalHandler = {
  prefix: ANIMATE_PREFIX,
  execute: (interaction, draftId, ctx) => submitAnimateForm(interaction, draftId, ctx),
};

/** Edit's and Extend's forms name the finished job they start from. */
const edit: ModalHandler = { prefix: EDIT_FORM_PREFIX, execute: (interaction, jobId, ctx) => submitEditForm(interaction, jobId, ctx) };
const extend: ModalHandler = { prefix: EXTEND_FORM_PREFIX, execute: (interaction, jobId, ctx) => submitExtendForm(interaction, jobId, ctx) };

/** Handlers of the forms the bot shows; custom ids name what they act on, so they survive restarts. */
export const modalHandlers: ModalHandler[] = [animate, edit, extend];
