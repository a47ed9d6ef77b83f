/**
 * The polling schedule without jitter: what the bot would do if every gap were exactly the
 * planned one. The benchmark measures the real bot against it.
 */
import { firstPollDelay, nextPollDelay } from '../../src/jobs/poll-schedule.js';

/** Gap before status request number `count + 1`, jitter taken out (random() = 0.5 → factor 1). */
export const plainDelay = (count: number, baseMs: number): number => nextPollDelay(count, baseMs, () => 0.5);

/**
 * The longest gap the bot may leave before status request number `count + 1`: the first after
 * {@link firstPollDelay}, every later one with its jitter at +10 %.
 */
export const longestDelay = (count: number, baseMs: number): number =>
  count === 0 ? firstPollDelay(baseMs) : nextPollDelay(count, baseMs, () => 1);

export interface ScheduleNeed {
  /** Fewest status requests that can observe a task completing `completedAfterMs` after submission. */
  polls: number;
  /** The gap of the schedule that contains the completion (the poll interval in effect at that time). */
  intervalMs: number;
  /** When, after submission, the schedule's first poll at or after the completion happens. */
  observedAtMs: number;
}

/** Polls happen at P, P + 1.25P, …: the first poll at or after the completion is the minimum. */
export function scheduleNeed(completedAfterMs: number, baseMs: number): ScheduleNeed {
  let at = 0;
  let polls = 0;
  let intervalMs = baseMs;
  while (polls === 0 || at < completedAfterMs) {
    intervalMs = plainDelay(polls, baseMs);
    at += intervalMs;
    polls += 1;
  }
  return { polls, intervalMs, observedAtMs: at };
}
