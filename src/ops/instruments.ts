import type { Logger } from '../log.js';
import type { JobReporter } from '../jobs/reporter.js';
import type { VideoProvider } from '../provider/types.js';
import type { QuotaGate } from '../quota/types.js';
import { withKeyAlerts } from './key-alerts.js';

/** Wrappers the bot puts around its parts from outside its core (metrics, operator alerts). */
export interface BotInstruments {
  provider(provider: VideoProvider): VideoProvider;
  reporter(reporter: JobReporter): JobReporter;
  quota<Q extends QuotaGate>(quota: Q): Q;
}

/**
 * The instruments of a bot nobody scrapes (no METRICS_PORT): the operator's key alerts only. No
 * metrics are kept, so prom-client and its process collectors (event-loop delay, GC observers)
 * are never loaded: less to load before login and less held.
 */
export function unmeteredInstruments(options: { logger: Logger; clock?: () => number }): BotInstruments {
  const alerts = { logger: options.logger.child({ component: 'provider' }), ...(options.clock ? { clock: options.clock } : {}) };
  return {
    provider: (provider) => withKeyAlerts(provider, alerts),
    reporter: (reporter) => reporter,
    quota: (quota) => quota,
  };
}
