import type { Logger } from '../log.js';
import type { ProviderError, VideoProvider } from '../provider/types.js';
import type { BotMetrics } from './metrics.js';

/** An operator alert about the key is logged at most this often per kind (401 vs 402). */
export const KEY_ALERT_INTERVAL_MS = 10 * 60_000;

// What the operator must do; members only ever see that their video could not start.
const KEY_ALERTS = {
  auth: 'The video provider refused XCOMPUTE_API_KEY (401/403): every /video fails until it is fixed. Check the key at https://xcompute.us/keys, put the right one in XCOMPUTE_API_KEY and restart the bot.',
  payment: 'The video provider says the account has no balance left (402 Payment Required): every /video fails until it is topped up at https://xcompute.us. No restart is needed afterwards.',
} as const;

export interface ProviderAlertOptions {
  logger: Logger;
  clock?: () => number;
}

/**
 * A provider that counts submissions and failures and times status requests, then behaves as
 * `provider`. A refused key (401/403) or an empty balance (402) is also logged at error level with
 * what the operator must do, at most once per {@link KEY_ALERT_INTERVAL_MS} per kind (not once per
 * job), and counted in `hvb_provider_failures_total{kind="auth"|"payment"}`.
 */
export function instrumentProvider(provider: VideoProvider, metrics: BotMetrics, alerts?: ProviderAlertOptions): VideoProvider {
  const clock = alerts?.clock ?? Date.now;
  const lastAlert = new Map<keyof typeof KEY_ALERTS, number>();
  const alertOperator = (error: ProviderError, operation: 'submit' | 'status') => {
    if (!alerts || (error.kind !== 'auth' && error.kind !== 'payment')) return;
    const now = clock();
    const last = lastAlert.get(error.kind);
    if (last !== undefined && now - last < KEY_ALERT_INTERVAL_MS) return;
    lastAlert.set(error.kind, now);
    alerts.logger.error({ kind: error.kind, operation, providerMessage: error.message }, KEY_ALERTS[error.kind]);
  };
  return {
    async submit(request, options) {
      const result = await provider.submit(request, options);
      metrics.submissions.inc({ outcome: result.ok ? 'accepted' : 'failed' });
      if (!result.ok) {
        metrics.providerFailures.inc({ operation: 'submit', kind: result.error.kind });
        alertOperator(result.error, 'submit');
      }
      return result;
    },
    async getStatus(taskId, options) {
      const stop = metrics.statusLatency.startTimer();
      const result = await provider.getStatus(taskId, options);
      stop({ outcome: result.ok ? 'ok' : 'error' });
      if (!result.ok) {
        metrics.providerFailures.inc({ operation: 'status', kind: result.error.kind });
        alertOperator(result.error, 'status');
      }
      return result;
    },
    close: () => provider.close(),
  };
}
