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
  /**
   * A run that has held its slot this long gives the slot back and finishes on the side, so a
   * few hung requests cannot stall every other job (default 2 s; a status request normally takes
   * a fraction of that). The id still never runs twice at once: it is due again only once its run
   * has ended, and its outcome (for a failed request, a retry after a backoff) applies then.
   */
  slotHoldMs?: number;
  /**
   * Runs in progress, in a slot or finishing on the side, are capped at `maxInFlight + maxOverdue`
   * (default `maxOverdue`: 4 × `maxInFlight`): when the provider or the store hangs for everybody,
   * new runs wait instead of piling up.
   */
  maxOverdue?: number;
}

/** Default of {@link SchedulerOptions.slotHoldMs}. */
export const DEFAULT_SLOT_HOLD_MS = 2_000;

export interface Scheduler {
  /**
   * Runs `id` at `dueAt`, an epoch time in ms on the scheduler's clock (replacing an earlier due
   * time; a time in the past runs at the next free slot). Never throws: a failing run is logged
   * and tried again after `retryAfterErrorMs`.
   */
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
 * on concurrent runs (slots). A run that overstays its slot gives it back (see
 * {@link SchedulerOptions.slotHoldMs}). Due times are also kept in the job records, so a restart
 * rebuilds this.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const clock = options.clock ?? Date.now;
  const slotHoldMs = options.slotHoldMs ?? DEFAULT_SLOT_HOLD_MS;
  const maxOverdue = options.maxOverdue ?? options.maxInFlight * 4;
  const due = new Map<string, number>();
  // Every run in progress; `holding` are those that still occupy one of the maxInFlight slots.
  const running = new Map<string, Promise<void>>();
  const holding = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let pausedUntil = 0;

  const slotFree = () => holding.size < options.maxInFlight && running.size < options.maxInFlight + maxOverdue;

  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!started || !slotFree()) return;
    // An id whose run is still going is not startable: aiming at it would spin the timer.
    let earliest = Infinity;
    for (const [id, at] of due) if (!running.has(id)) earliest = Math.min(earliest, at);
    if (earliest === Infinity) return;
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
      if (!slotFree()) break;
      if (running.has(id)) continue;
      due.delete(id);
      holding.add(id);
      running.set(id, run(id));
    }
    arm();
  };

  const run = async (id: string) => {
    const overstay = setTimeout(() => {
      if (!holding.delete(id)) return;
      options.logger.debug({ jobId: id, slotHoldMs }, 'run is taking long; its poller slot goes to the next job');
      arm();
    }, slotHoldMs);
    overstay.unref?.();
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
      clearTimeout(overstay);
      holding.delete(id);
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
