/** Small, dependency-free helpers for waiting between HTTP attempts. */
import { setTimeout as delay } from 'node:timers/promises';

const DELAY_SECONDS = /^\s*[+-]?\d+(\.\d+)?\s*$/;

/**
 * Reads a `Retry-After` header (delay-seconds, possibly fractional, or an HTTP-date) as milliseconds
 * from `now`, never negative.
 *
 * @returns `undefined` when the header is absent or unreadable, so the caller falls back to backoff.
 */
export function parseRetryAfter(header: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || raw.trim() === '') return undefined;
  if (DELAY_SECONDS.test(raw)) {
    return Math.max(0, Math.round(Number.parseFloat(raw) * 1000));
  }
  // Date.parse accepts bare numbers such as "-5" as years; an HTTP-date always has a month name.
  if (!/[a-z]/i.test(raw)) return undefined;
  const at = Date.parse(raw);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Injected for deterministic tests; must return a value in [0, 1). */
  random?: () => number;
  /**
   * `full` (default): uniform in [0, min(max, base·2^(attempt-1))].
   * `decorrelated`: uniform in [base, previous·3], capped — needs `previousMs`.
   */
  jitter?: 'full' | 'decorrelated';
  /** The delay used before the previous retry (decorrelated jitter only). */
  previousMs?: number;
}

/**
 * The delay before retry number `attempt` (1 = first retry), exponential with jitter so that many
 * clients failing together do not retry in lock-step. Always within [0, maxMs].
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const { baseMs, maxMs, random = Math.random, jitter = 'full' } = options;
  const r = clampUnit(random());
  if (jitter === 'decorrelated') {
    const previous = Math.max(baseMs, options.previousMs ?? baseMs);
    const upper = Math.min(maxMs, previous * 3);
    const lower = Math.min(baseMs, upper);
    return Math.round(lower + r * (upper - lower));
  }
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const cap = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.max(0, Math.round(r * cap));
}

function clampUnit(value: number): number {
  if (!Number.isFinite(value) || value < 0) return 0;
  return value >= 1 ? 1 : value;
}

/**
 * Resolves after `ms` milliseconds; rejects with the signal's reason as soon as it aborts, so a
 * shutdown is never held up by a pending retry.
 */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(Math.max(0, ms), undefined, { signal });
  } catch (err) {
    // node:timers/promises rejects with its own AbortError; callers expect the signal's reason.
    throw signal?.aborted ? signal.reason : err;
  }
}
