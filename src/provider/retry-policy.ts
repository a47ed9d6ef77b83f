/** When a failed create-task attempt may be repeated, and after how long. */
import { backoffDelay } from '../http/retry.js';
import type { ProviderError } from './types.js';

export interface RetryPolicy {
  /** Total attempts, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is handed back to the caller instead of waited out. */
  maxRetryAfterMs: number;
  random: () => number;
}

/** Defaults: 4 attempts, 0.5 s base backoff capped at 8 s, Retry-After waited up to 30 s. */
export const DEFAULT_RETRY = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterMs: 30_000,
} as const;

export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

/**
 * Decides after failed attempt number `attempt` (1-based). Only errors that are retryable and not
 * ambiguous qualify: an ambiguous failure may already have created (and billed) a task.
 * A Retry-After header wins over backoff because the provider knows its own limits.
 */
export function decideRetry(error: ProviderError, attempt: number, policy: RetryPolicy): RetryDecision {
  if (attempt >= policy.maxAttempts || !error.retryable || error.ambiguous === true) return { retry: false };
  if (error.retryAfterMs !== undefined) {
    if (error.retryAfterMs > policy.maxRetryAfterMs) return { retry: false };
    return { retry: true, delayMs: error.retryAfterMs };
  }
  const delayMs = backoffDelay(attempt, {
    baseMs: policy.baseDelayMs,
    maxMs: policy.maxDelayMs,
    random: policy.random,
  });
  return { retry: true, delayMs };
}
