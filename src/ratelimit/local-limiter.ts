import type { RateBudgets, RateKind, RateLimiter } from './types.js';
import { createWaitQueue, type WaitQueue } from './wait-queue.js';
import { ClosingError } from '../closing-error.js';

/**
 * A sliding-window limiter for one process (SQLite or memory store: there is only one process).
 * It remembers when each of the last `limit` requests went out; the next may go once the oldest
 * is `windowMs` old.
 */
export function createLocalRateLimiter(budgets: RateBudgets, clock: () => number = () => Date.now()): RateLimiter {
  const make = (kind: RateKind) => {
    const budget = budgets[kind];
    const sent: number[] = [];
    const state = { blockedUntil: 0, sent };
    const take = (): number => {
      const now = clock();
      if (now < state.blockedUntil) return state.blockedUntil - now;
      while (sent.length > 0 && (sent[0] ?? 0) <= now - budget.windowMs) sent.shift();
      if (sent.length < budget.limit) {
        sent.push(now);
        return 0;
      }
      return (sent[0] ?? now) + budget.windowMs - now;
    };
    return { state, queue: createWaitQueue(take) };
  };
  const kinds: Record<RateKind, { state: { blockedUntil: number }; queue: WaitQueue }> = { submit: make('submit'), poll: make('poll') };

  return {
    acquire: (kind, signal) => kinds[kind].queue.enqueue(signal),
    async penalize(kind, ms) {
      const state = kinds[kind].state;
      state.blockedUntil = Math.max(state.blockedUntil, clock() + Math.max(0, ms));
    },
    async close() {
      for (const { queue } of Object.values(kinds)) queue.close(new ClosingError('rate limiter closed'));
    },
  };
}
