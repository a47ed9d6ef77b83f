import type { ModalHandler } from './command.js';
import { ANIMATE_PREFIX, submitAnimateForm } from './animate-flow.js';
import { oncePerPress } from './press-guard.js';
import { EDIT_FORM_PREFIX, EXTEND_FORM_PREFIX, formTarget, submitEditForm, submitExtendForm } from './edit-flow.js';

/** Animate image's form: its custom id names the draft that holds the picked image. */
const animate: ModalHandler = {
  prefix: ANIMATE_PREFIX,
  firstAnswer: 'public',
  execute: (interaction, draftId, ctx) => submitAnimateForm(interaction, draftId, ctx),
};

/**
 * Edit's and Extend's forms name the finished job they start from and the form itself: one form
 * sent twice (a double click on Submit, Discord delivering it again) starts one video.
 */
const edit: ModalHandler = {
  prefix: EDIT_FORM_PREFIX,
  firstAnswer: 'public',
  execute(interaction, target, ctx) {
    const { jobId, formId } = formTarget(target);
    return oncePerPress(interaction, ctx, { action: 'edit', resultJobId: jobId, formId }, () => submitEditForm(interaction, jobId, ctx));
  },
};
const extend: ModalHandler = {
  prefix: EXTEND_FORM_PREFIX,
  firstAnswer: 'public',
  execute(interaction, target, ctx) {
    const { jobId, formId } = formTarget(target);
    return oncePerPress(interaction, ctx, { action: 'extend', resultJobId: jobId, formId }, () =>
      submitExtendForm(interaction, jobId, ctx),
    );
  },
};

/**
 * Handlers of the forms the bot shows; custom ids name what they act on, so they survive restarts.
 * Each sent form starts a job with a public reply, as /video does; its refusals are private.
 */
export const modalHandlers: ModalHandler[] = [animate, edit, extend];
