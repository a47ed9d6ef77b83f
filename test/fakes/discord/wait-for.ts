/** Polling helper for assertions on the fake's recorded state. */

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this many ms. Default 10000. */
  timeoutMs?: number;
  /** Poll interval in ms. Default 20. */
  intervalMs?: number;
  /** Shown in the timeout error. */
  description?: string;
}

/**
 * Polls `probe` until it returns a truthy value and resolves with that value.
 * Rejects after `timeoutMs` with the description and the last error the probe threw.
 */
export async function waitFor<T>(probe: () => T | undefined | null | false, options: WaitForOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 20;
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const value = probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() - started >= timeoutMs) {
      const what = options.description ?? probe.toString().slice(0, 200);
      const cause = lastError === undefined ? '' : ` (last error: ${String(lastError)})`;
      throw new Error(`fake discord waitFor: timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
