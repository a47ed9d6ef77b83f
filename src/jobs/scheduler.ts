import type { Logger } from '../log.js';
import { ClosingError } from '../closing-error.js';

/** What a handler answers for one run: finished, or run again at a time. */
export type RunOutcome = { done: true } | { againAt: number };

export interface SchedulerOptions {
  /** Does one unit of work for `id`. Must not throw; a throw is logged and retried later. */
  handler: (id: string) => Promise<RunOutcome>;
  /** At most this many handlers run at once (status requests in flight). */
  maxInFlight: number;
  clock?: () => number;
  logger: Logger;
  /** Delay before retrying an id whose handler threw. */
  retryAfterErrorMs?: number;
}

export interface Scheduler {
  /** Runs `id` at `dueAt` (replacing an earlier due time). */
  schedule(id: string, dueAt: number): void;
  cancel(id: string): void;
  /** Holds every run until `until` (a provider asked everybody to slow down). */
  pauseUntil(until: number): void;
  has(id: string): boolean;
  readonly size: number;
  start(): void;
  /** Stops starting runs and waits for those in progress. */
  stop(): Promise<void>;
}

/**
 * One timer for all jobs: due times in a map, a single setTimeout aimed at the earliest, a cap
 * on concurrent runs. Due times are also kept in the job records, so a restart rebuilds this.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const clock = options.clock ?? Date.now;
  const due = new Map<string, number>();
  const running = new Map<string, Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let pausedUntil = 0;

  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!started || due.size === 0 || running.size >= options.maxInFlight) return;
    let earliest = Infinity;
    for (const at of due.values()) earliest = Math.min(earliest, at);
    const wait = Math.max(0, Math.max(earliest, pausedUntil) - clock());
    timer = setTimeout(fire, Math.min(wait, 2_147_000_000));
    timer.unref?.();
  };

  const fire = () => {
    timer = undefined;
    const now = clock();
    if (now < pausedUntil) return arm();
    const ready = [...due.entries()].filter(([, at]) => at <= now).sort((a, b) => a[1] - b[1]);
    for (const [id] of ready) {
      if (running.size >= options.maxInFlight) break;
      if (running.has(id)) continue;
      due.delete(id);
      running.set(id, run(id));
    }
    arm();
  };

  const run = async (id: string) => {
    try {
      const outcome = await options.handler(id);
      if ('againAt' in outcome && !due.has(id)) due.set(id, outcome.againAt);
    } catch (err) {
      // While stopping, runs fail because what they use is closing (the rate limiter first);
      // the job's due time is in its record, so the next start runs it again.
      if (!started && err instanceof ClosingError) {
        options.logger.debug({ err, jobId: id }, 'scheduled run cut short by the stop; it runs again after the next start');
      } else {
        options.logger.error({ err, jobId: id }, 'scheduled run failed; retrying later');
      }
      if (!due.has(id)) due.set(id, clock() + (options.retryAfterErrorMs ?? 10_000));
    } finally {
      running.delete(id);
      arm();
    }
  };

  return {
    schedule(id, dueAt) {
      due.set(id, dueAt);
      arm();
    },
    cancel(id) {
      due.delete(id);
      arm();
    },
    pauseUntil(until) {
      pausedUntil = Math.max(pausedUntil, until);
      arm();
    },
    has: (id) => due.has(id) || running.has(id),
    get size() {
      return due.size + running.size;
    },
    start() {
      started = true;
      arm();
    },
    async stop() {
      started = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await Promise.allSettled([...running.values()]);
    },
  };
}
