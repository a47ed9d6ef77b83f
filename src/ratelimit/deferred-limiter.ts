import { ClosingError } from '../closing-error.js';
import type { RateLimiter } from './types.js';

/** A {@link RateLimiter} opened later, by {@link DeferredRateLimiter.open} or its first use. */
export interface DeferredRateLimiter extends RateLimiter {
  /** Starts opening (once) and resolves when open; rejects with what opening threw. */
  open(): Promise<void>;
}

/**
 * The rate limiter's counterpart of `deferStore` (src/store/deferred-store.ts, which says why):
 * `acquire` and `penalize` called before the limiter opened wait for it (a failed opening rejects
 * them with its error). `close()` before any opening closes nothing and makes a later opening
 * reject with ClosingError; during one, it returns at once and the limiter is closed once open
 * (which rejects the turns still waiting).
 */
export function deferRateLimiter(openLimiter: () => Promise<RateLimiter>): DeferredRateLimiter {
  let limiter: RateLimiter | undefined;
  let opening: Promise<RateLimiter> | undefined;
  let closed = false;
  const open = (): Promise<RateLimiter> =>
    (opening ??= closed
      ? Promise.reject(new ClosingError('the rate limiter is closing'))
      : openLimiter().then((opened) => (limiter = opened)));
  return {
    open: async () => {
      await open();
    },
    acquire: (kind, signal) => (limiter ? limiter.acquire(kind, signal) : open().then((l) => l.acquire(kind, signal))),
    penalize: (kind, ms) => (limiter ? limiter.penalize(kind, ms) : open().then((l) => l.penalize(kind, ms))),
    async close() {
      closed = true;
      if (limiter) return limiter.close();
      // Still opening (a Redis that stopped answering after the start-up check may keep it so for
      // ever): the stop does not wait for it; whatever opens is closed then.
      void opening?.then((opened) => opened.close()).catch(() => undefined);
    },
  };
}
