/** Callers waiting for one budget, let through one at a time in arrival order. */
export interface WaitQueue {
  enqueue(signal?: AbortSignal): Promise<void>;
  /** Rejects everyone waiting and stops. */
  close(reason: Error): void;
}

/** Tries to take one unit for the head: 0 when taken, else the ms to wait before trying again. */
type Decide = () => number | Promise<number>;

const RETRY_AFTER_ERROR_MS = 1_000;

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/** Creates a FIFO queue that lets its head through whenever `decide` answers 0. */
export function createWaitQueue(decide: Decide): WaitQueue {
  const waiters: Waiter[] = [];
  let running = false;
  let closed: Error | undefined;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });

  const drop = (waiter: Waiter) => {
    const index = waiters.indexOf(waiter);
    if (index >= 0) waiters.splice(index, 1);
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
  };

  // One loop per queue: the head waits for its turn, everyone behind it waits for the head.
  const run = async () => {
    if (running) return;
    running = true;
    try {
      while (waiters.length > 0 && !closed) {
        let wait: number;
        try {
          wait = await decide();
        } catch {
          // A budget that cannot be read right now is asked again shortly, never skipped.
          wait = RETRY_AFTER_ERROR_MS;
        }
        if (closed) return;
        if (wait > 0) {
          await pause(wait);
          continue;
        }
        const head = waiters.shift();
        if (!head) continue;
        head.signal?.removeEventListener('abort', head.onAbort);
        head.resolve();
      }
    } finally {
      running = false;
    }
  };

  return {
    enqueue(signal) {
      if (closed) return Promise.reject(closed);
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          resolve,
          reject,
          signal,
          onAbort: () => {
            drop(waiter);
            reject(signal?.reason);
          },
        };
        signal?.addEventListener('abort', waiter.onAbort, { once: true });
        waiters.push(waiter);
        void run();
      });
    },
    close(reason) {
      closed = reason;
      if (timer) clearTimeout(timer);
      wake?.();
      for (const waiter of waiters.splice(0)) {
        waiter.signal?.removeEventListener('abort', waiter.onAbort);
        waiter.reject(reason);
      }
    },
  };
}
