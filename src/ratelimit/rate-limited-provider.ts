import type { ProviderError, VideoProvider } from '../provider/types.js';
import type { RateKind, RateLimiter } from './types.js';

// A 429 without Retry-After still earns a pause; an absurd Retry-After is not obeyed for hours.
const DEFAULT_PENALTY_MS = 5_000;
const MAX_PENALTY_MS = 5 * 60_000;

/**
 * Wraps a provider so every submission and status request first takes its turn in the shared
 * budget, and a 429 holds that budget (for every process sharing it) for the Retry-After. The
 * job core sees an ordinary {@link VideoProvider}. Retries the client makes inside one `submit`
 * after a 429/5xx are not counted separately: they are few, and already spaced by backoff.
 */
// A turn that takes longer than this is a real wait worth telling the member about.
const NOTICEABLE_WAIT_MS = 250;

async function acquireNoting(turn: Promise<void>, onWaiting: (() => void) | undefined): Promise<void> {
  if (!onWaiting) return turn;
  const timer = setTimeout(onWaiting, NOTICEABLE_WAIT_MS);
  try {
    await turn;
  } finally {
    clearTimeout(timer);
  }
}

export function createRateLimitedProvider(
  provider: VideoProvider,
  limiter: RateLimiter,
  options: {
    /** False when the caller takes each submission's turn itself (the job line does). Default true. */
    paceSubmissions?: boolean;
  } = {},
): VideoProvider {
  const paceSubmissions = options.paceSubmissions ?? true;
  const penalizeOn = async (kind: RateKind, error: ProviderError) => {
    if (error.kind !== 'rate_limited') return;
    const ms = Math.min(MAX_PENALTY_MS, error.retryAfterMs ?? DEFAULT_PENALTY_MS);
    // The request already has its answer; failing to record the pause must not change it.
    await limiter.penalize(kind, ms).catch(() => undefined);
  };
  return {
    async submit(request, options) {
      if (paceSubmissions) await acquireNoting(limiter.acquire('submit', options?.signal), options?.onWaiting);
      const result = await provider.submit(request, options);
      if (!result.ok) await penalizeOn('submit', result.error);
      return result;
    },
    async getStatus(taskId, options) {
      await limiter.acquire('poll', options?.signal);
      const result = await provider.getStatus(taskId, options);
      if (!result.ok) await penalizeOn('poll', result.error);
      return result;
    },
    close: () => provider.close(),
  };
}
