/** The two provider budgets: task submissions and status requests. */
export type RateKind = 'submit' | 'poll';

/** At most `limit` requests in any `windowMs` long stretch of time. */
export interface RateBudget {
  limit: number;
  windowMs: number;
}

/** One budget per kind of request. */
export type RateBudgets = Readonly<Record<RateKind, RateBudget>>;

/**
 * Paces requests to the provider. With Redis the budget is shared by every process, so N shards
 * together stay within what one key may send.
 */
export interface RateLimiter {
  /**
   * Resolves when one more request of `kind` fits the budget. Callers of one process are let
   * through in the order they asked. Aborting `signal` rejects with its reason.
   */
  acquire(kind: RateKind, signal?: AbortSignal): Promise<void>;
  /** Holds every request of `kind` for `ms` (the provider answered 429 with this Retry-After). */
  penalize(kind: RateKind, ms: number): Promise<void>;
  /** Stops timers and releases connections the limiter owns. Pending `acquire`s reject. */
  close(): Promise<void>;
}

/** The budgets of XCOMPUTE_MAX_RPM and XCOMPUTE_MAX_POLLS_PER_S. */
export function providerBudgets(rates: { submitsPerMinute: number; pollsPerSecond: number; submitWindowMs?: number }): RateBudgets {
  return {
    submit: { limit: rates.submitsPerMinute, windowMs: rates.submitWindowMs ?? 60_000 },
    poll: { limit: rates.pollsPerSecond, windowMs: 1_000 },
  };
}
