import type { VideoProvider } from '../provider/types.js';
import type { BotMetrics } from './metrics.js';

/**
 * A provider that counts submissions and failures (`hvb_provider_failures_total{kind}`, a refused
 * key as `auth`, an empty balance as `payment`) and times status requests, then behaves as `provider`.
 */
export function instrumentProvider(provider: VideoProvider, metrics: BotMetrics): VideoProvider {
  return {
    async submit(request, options) {
      const result = await provider.submit(request, options);
      metrics.submissions.inc({ outcome: result.ok ? 'accepted' : 'failed' });
      if (!result.ok) metrics.providerFailures.inc({ operation: 'submit', kind: result.error.kind });
      return result;
    },
    async getStatus(taskId, options) {
      const stop = metrics.statusLatency.startTimer();
      const result = await provider.getStatus(taskId, options);
      stop({ outcome: result.ok ? 'ok' : 'error' });
      if (!result.ok) metrics.providerFailures.inc({ operation: 'status', kind: result.error.kind });
      return result;
    },
    close: () => provider.close(),
  };
}
