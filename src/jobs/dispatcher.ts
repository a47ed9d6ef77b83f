import type { Logger } from '../log.js';
import { ClosingError } from '../closing-error.js';
import type { Job } from './job.js';
import type { LinePlace, SubmitLine } from './submit-line.js';

export interface DispatcherOptions {
  line: SubmitLine;
  /** Resolves when one more submission fits the provider budget (shared by every process on Redis). */
  turn: (signal: AbortSignal) => Promise<void>;
  /** Sends a job `pick` marked `submitting` to the provider and follows it. */
  send: (job: Job) => Promise<unknown>;
  /** The guilds whose jobs this process submits (with sharding: those it owns). */
  eligible: (guildId: string) => boolean;
  /** Shows waiting members their place in line (only jobs of `eligible` guilds are passed). */
  show: (places: LinePlace[]) => Promise<void>;
  clock: () => number;
  logger: Logger;
  /**
   * How often the line is looked at when nothing here woke it: other processes' picks and
   * cancellations move it too (default 10 s).
   */
  rescanMs?: number;
  /** A job picked within this long of joining never shows a place in line (default 250 ms). */
  showAfterMs?: number;
  /**
   * Showing places costs in proportion to the line (every waiting job of this process is read and
   * drawn): the next showing waits at least this many times as long as the last one took, so a
   * line of thousands moving fast gets fresh places every few seconds at a bounded share of the
   * CPU, instead of taking all of it (default 10: at most about a tenth; never more than three
   * rescans apart).
   */
  showCostFactor?: number;
}

export interface Dispatcher {
  start(): void;
  /** Something joined or left the line here: look again now. */
  kick(): void;
  /** Stops taking turns and waits for submissions on their way. */
  stop(): Promise<void>;
}

/**
 * Takes jobs from the line one turn of the submission budget at a time: it waits for a turn only
 * while a job of its own waits, and picks after the turn is granted, so a job waiting for a turn
 * is still `waiting` in the store (a restart keeps it in line). Submissions run side by side.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const rescanMs = options.rescanMs ?? 10_000;
  const showAfterMs = options.showAfterMs ?? 250;
  const showCostFactor = options.showCostFactor ?? 10;
  let lastShowMs = 0;
  let running = false;
  let loop: Promise<void> | undefined;
  let abort = new AbortController();
  let wake: (() => void) | undefined;
  let woken = false;
  const sending = new Set<Promise<unknown>>();
  let showTimer: NodeJS.Timeout | undefined;
  let showing: Promise<void> | undefined;

  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || !running) {
        woken = false;
        resolve();
        return;
      }
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        woken = false;
        resolve();
      }
      wake = done;
    });

  const refresh = async () => {
    const started = performance.now();
    try {
      const now = options.clock();
      const places = await options.line.places(now, options.eligible);
      if (places.length > 0) await options.show(places);
    } finally {
      lastShowMs = performance.now() - started;
    }
  };
  /** Shows places a moment after the line moved (a job picked at once never shows one). */
  const lineMoved = () => {
    if (showTimer || !running) return;
    showTimer = setTimeout(
      () => {
        showTimer = undefined;
        if (showing) return;
        showing = refresh()
          .catch((err: unknown) => options.logger.warn({ err }, 'could not show members their place in line'))
          .finally(() => (showing = undefined));
      },
      Math.max(showAfterMs, Math.min(lastShowMs * showCostFactor, 3 * rescanMs)),
    );
    showTimer.unref();
  };

  const run = async () => {
    while (running) {
      try {
        if (!(await options.line.hasWaiting(options.eligible))) {
          await idle(rescanMs);
          continue;
        }
        lineMoved();
        await options.turn(abort.signal);
        if (!running) break;
        const job = await options.line.pick(options.eligible, options.clock());
        if (!job) continue;
        const sent = options
          .send(job)
          .catch((err: unknown) => options.logger.error({ err, jobId: job.id }, 'submission failed unexpectedly'));
        sending.add(sent);
        void sent.finally(() => sending.delete(sent));
      } catch (err) {
        // The budget closes first when the bot stops: nothing was picked for this turn.
        if (!running || err instanceof ClosingError) break;
        options.logger.error({ err }, 'could not take the next job from the line; trying again shortly');
        await idle(1_000);
      }
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      abort = new AbortController();
      loop = run();
      // Places are refreshed now and then even when nothing here moved the line.
      const every = setInterval(() => (running ? lineMoved() : clearInterval(every)), rescanMs);
      every.unref();
    },
    kick() {
      woken = true;
      wake?.();
      lineMoved();
    },
    async stop() {
      running = false;
      abort.abort(new ClosingError('dispatcher stopped'));
      wake?.();
      if (showTimer) clearTimeout(showTimer);
      showTimer = undefined;
      await loop;
      await showing;
      await Promise.allSettled([...sending]);
    },
  };
}
