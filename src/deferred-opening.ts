import { ClosingError } from './closing-error.js';

/** Something opened later (the bot's Redis store and rate limiter): see {@link deferOpening}. */
export interface DeferredOpening<T> {
  /** The opened value once the opening succeeded; undefined before. */
  readonly current: T | undefined;
  /** Whether the opening began (it may still be under way, or have failed). */
  readonly started: boolean;
  /**
   * Starts the opening (once; later calls return the same promise) and resolves with the opened
   * value. Rejects with what the opening threw, or ClosingError when closed before it began.
   */
  open(): Promise<T>;
  /**
   * Closes what was opened. Before any opening: nothing to close, and a later one is refused
   * (ClosingError). During one: returns at once, and the value is closed once open, right after
   * the callers that were waiting for it resumed (an opening that never ends, as on a Redis that
   * stopped answering, must not hold a stop).
   */
  close(): Promise<void>;
}

/**
 * The one "open later, once" state shared by the deferred store (src/store/deferred-store.ts,
 * which says why the bot defers its Redis connections) and the deferred rate limiter. `what`
 * names it in the ClosingError ("the store").
 */
export function deferOpening<T extends { close(): Promise<void> }>(what: string, openIt: () => Promise<T>): DeferredOpening<T> {
  let current: T | undefined;
  let opening: Promise<T> | undefined;
  let closed = false;
  return {
    get current() {
      return current;
    },
    get started() {
      return opening !== undefined;
    },
    open: () =>
      (opening ??= closed ? Promise.reject(new ClosingError(`${what} is closing`)) : openIt().then((opened) => (current = opened))),
    async close() {
      closed = true;
      if (current) return current.close();
      void opening?.then((opened) => opened.close()).catch(() => undefined);
    },
  };
}
