import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';
import { createHealthCheck, type GatewayStatus } from './health.js';
import { instrumentProvider } from './instrumented-provider.js';
import type { BotInstruments } from './instruments.js';
import { withKeyAlerts } from './key-alerts.js';
import { instrumentQuota } from './instrumented-quota.js';
import { instrumentReporter } from './instrumented-reporter.js';
import { createJobCensus } from './job-census.js';
import { createBotMetrics, type BotMetrics } from './metrics.js';
import { startOpsServer, type OpsServer } from './ops-server.js';

/** What the metrics and the health check read from. */
export interface BotOpsOptions {
  store: Store;
  logger: Logger;
  clock?: () => number;
  ownsGuild?: (guildId: string) => boolean;
}

/** Metrics and health for one bot: wrappers for its parts, and the HTTP endpoint. */
export interface BotOps extends BotInstruments {
  metrics: BotMetrics;
  /** Starts /healthz and /metrics on `port`. */
  serve(port: number, gateway: GatewayStatus): Promise<OpsServer>;
}

/**
 * Instruments the bot from outside its core: the provider, the reporter and the quota gate are
 * wrapped, so the job service records nothing about metrics itself.
 */
export function createBotOps(options: BotOpsOptions): BotOps {
  const metrics = createBotMetrics({ countJobs: createJobCensus(options.store, options.ownsGuild) });
  return {
    metrics,
    provider: (provider) =>
      withKeyAlerts(instrumentProvider(provider, metrics), {
        logger: options.logger.child({ component: 'provider' }),
        ...(options.clock ? { clock: options.clock } : {}),
      }),
    reporter: (reporter) => instrumentReporter(reporter, metrics, options.clock),
    quota: (quota) => instrumentQuota(quota, metrics, options.store),
    serve: (port, gateway) =>
      startOpsServer({
        port,
        registry: metrics.registry,
        health: createHealthCheck({ gateway, store: options.store }),
        logger: options.logger,
      }),
  };
}
