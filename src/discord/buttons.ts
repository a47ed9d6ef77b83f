import type { ButtonHandler } from './command.js';

/** Handlers of the buttons under finished videos. */
export const buttonHandlers: ButtonHandler[] = [];
