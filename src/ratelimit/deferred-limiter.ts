import { deferOpening } from '../deferred-opening.js';
import type { RateLimiter } from './types.js';

/** A {@link RateLimiter} opened later, by {@link DeferredRateLimiter.open} or its first use. */
export interface DeferredRateLimiter extends RateLimiter {
  /** Starts opening (once) and resolves when open; rejects with what opening threw. */
  open(): Promise<void>;
}

/**
 * The rate limiter's counterpart of `deferStore` (src/store/deferred-store.ts, which says why):
 * `acquire` and `penalize` called before the limiter opened wait for it (a failed opening rejects
 * them with its error). `close()` is `DeferredOpening.close`'s (src/deferred-opening.ts); closing the limiter once
 * open rejects the turns still waiting.
 */
export function deferRateLimiter(openLimiter: () => Promise<RateLimiter>): DeferredRateLimiter {
  const limiter = deferOpening('the rate limiter', openLimiter);
  return {
    open: async () => {
      await limiter.open();
    },
    acquire: (kind, signal) =>
      limiter.current ? limiter.current.acquire(kind, signal) : limiter.open().then((l) => l.acquire(kind, signal)),
    penalize: (kind, ms) => (limiter.current ? limiter.current.penalize(kind, ms) : limiter.open().then((l) => l.penalize(kind, ms))),
    close: () => limiter.close(),
  };
}
