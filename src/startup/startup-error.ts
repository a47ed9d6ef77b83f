/**
 * A start-up problem an operator fixes in the environment: `lines` are printed as they are (one
 * or two plain lines naming the variable and the fix, never a stack trace) and the process exits
 * with `exitCode` (78, EX_CONFIG, for settings; 69, EX_UNAVAILABLE, for a service that does not
 * answer).
 */
export class StartupError extends Error {
  constructor(
    readonly lines: readonly string[],
    readonly exitCode: number = 78,
  ) {
    super(lines.join(' '));
    this.name = 'StartupError';
  }
}

/** EX_CONFIG (sysexits.h): a setting is wrong. */
export const EXIT_CONFIG = 78;
/** EX_UNAVAILABLE (sysexits.h): a service the bot needs does not answer. */
export const EXIT_UNAVAILABLE = 69;
