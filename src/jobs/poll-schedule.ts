/** Ceiling of the gap between two status requests of one job. */
export const POLL_CEILING_MS = 15_000;
const GROWTH = 1.25;

/**
 * Gap from a task's submission to its first status request (ms): the base interval, without
 * jitter (job-submit.ts). Later gaps: {@link nextPollDelay}.
 */
export const firstPollDelay = (baseMs: number): number => baseMs;

/**
 * Gap before status request number `pollCount + 1`: the base interval, growing gently
 * (×1.25 a poll) to a ceiling of 15 s, with ±10 % jitter so jobs started together spread out.
 */
export function nextPollDelay(pollCount: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.max(baseMs, POLL_CEILING_MS);
  const plain = Math.min(ceiling, baseMs * GROWTH ** Math.max(0, pollCount));
  const jitter = 1 + (random() * 2 - 1) * 0.1;
  return Math.round(Math.min(ceiling, plain * jitter));
}
