import type { Logger } from '../log.js';
import type { ProviderError, VideoProvider } from '../provider/types.js';

/** An operator alert about the key is logged at most this often per kind (401 vs 402). */
export const KEY_ALERT_INTERVAL_MS = 10 * 60_000;

// What the operator must do; members only ever see that their video could not start.
const KEY_ALERTS = {
  auth: 'The video provider refused XCOMPUTE_API_KEY (401/403): every /video fails until it is fixed. Check the key at https://xcompute.us/keys, put the right one in XCOMPUTE_API_KEY and restart the bot.',
  payment:
    'The video provider says the account has no balance left (402 Payment Required): every /video fails until it is topped up at https://xcompute.us. No restart is needed afterwards.',
} as const;

export interface ProviderAlertOptions {
  logger: Logger;
  clock?: () => number;
}

/**
 * A provider that behaves as `provider` and logs a refused key (401/403) or an empty balance (402)
 * at error level with what the operator must do, at most once per {@link KEY_ALERT_INTERVAL_MS}
 * per kind (not once per job). With or without metrics.
 */
export function withKeyAlerts(provider: VideoProvider, alerts: ProviderAlertOptions): VideoProvider {
  const clock = alerts.clock ?? Date.now;
  const lastAlert = new Map<keyof typeof KEY_ALERTS, number>();
  const alertOperator = (error: ProviderError, operation: 'submit' | 'status') => {
    if (error.kind !== 'auth' && error.kind !== 'payment') return;
    const now = clock();
    const last = lastAlert.get(error.kind);
    if (last !== undefined && now - last < KEY_ALERT_INTERVAL_MS) return;
    lastAlert.set(error.kind, now);
    alerts.logger.error({ kind: error.kind, operation, providerMessage: error.message }, KEY_ALERTS[error.kind]);
  };
  return {
    async submit(request, options) {
      const result = await provider.submit(request, options);
      if (!result.ok) alertOperator(result.error, 'submit');
      return result;
    },
    async getStatus(taskId, options) {
      const result = await provider.getStatus(taskId, options);
      if (!result.ok) alertOperator(result.error, 'status');
      return result;
    },
    close: () => provider.close(),
  };
}
