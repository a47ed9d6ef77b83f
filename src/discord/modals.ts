import type { ModalHandler } from './command.js';
import { ANIMATE_PREFIX, submitAnimateForm } from './animate-flow.js';

/** Animate image's form: its custom id names the draft that holds the picked image. */
const animate: ModalHandler = {
  prefix: ANIMATE_PREFIX,
  execute: (interaction, draftId, ctx) => submitAnimateForm(interaction, draftId, ctx),
};

/** Handlers of the forms the bot shows; custom ids name what they act on, so they survive restarts. */
export const modalHandlers: ModalHandler[] = [animate];
