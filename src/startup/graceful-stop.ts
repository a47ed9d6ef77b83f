import closeWithGrace from 'close-with-grace';
import type { Logger } from '../log.js';

/** What {@link stopGracefully} hands back: stop on the process' own initiative. */
export interface GracefulStop {
  /** Starts the same stop a SIGTERM would (e.g. a shard whose manager is gone). */
  stop(reason: string): void;
}

/**
 * The one shutdown path of `npm start` (a bot process, or the shard manager), by close-with-grace
 * rather than hand-written signal handlers: SIGTERM, SIGINT and the other terminating signals, an
 * uncaught exception and an unhandled rejection all run `stop` once; a second signal or error, or
 * `stop` taking longer than `deadlineMs`, ends the process at once with exit code 1.
 *
 * Exit codes (close-with-grace's): 0 after a signal or {@link GracefulStop.stop}; 1 after an uncaught
 * exception or an unhandled rejection (logged at fatal level with the error, so systemd's
 * Restart=on-failure and Docker's restart policy start the bot again), when `stop` itself throws,
 * or past the deadline.
 *
 * @param options.deadlineMs how long `stop` may take, in ms (the bot: 10 s, Discord's interaction
 *   window plus a little; the shard manager: 15 s, a shard's own deadline plus its kill).
 */
export function stopGracefully(options: { logger: Logger; deadlineMs: number; stop: () => Promise<void> }): GracefulStop {
  const { logger } = options;
  let reason: string | undefined;
  const handle = closeWithGrace(
    {
      delay: options.deadlineMs,
      // Node's docs: after a real SIGBUS, SIGFPE, SIGSEGV or SIGILL no JS listener may safely run
      // (the process can hang instead of dying); those keep their default, an immediate exit.
      skip: ['SIGBUS', 'SIGFPE', 'SIGSEGV', 'SIGILL'],
      logger: { error: (message: unknown) => logger.error({ detail: message }, 'stop did not finish in time or was interrupted; exiting') },
      onTimeout: (delay: number) => logger.error({ deadlineMs: delay }, 'stop took too long; exiting'),
    },
    async ({ signal, err }) => {
      if (err) logger.fatal({ err }, 'unexpected error; stopping');
      else logger.info({ signal: signal ?? reason }, 'stopping');
      try {
        await options.stop();
      } catch (stopErr) {
        logger.error({ err: stopErr }, 'stop failed');
        throw stopErr;
      }
    },
  );
  return {
    stop(why) {
      reason = why;
      void handle.close();
    },
  };
}
