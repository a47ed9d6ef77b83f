import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The bot's Prometheus series, on their own registry (tests and several bots in one process never collide). */
export interface BotMetrics {
  registry: Registry;
  /** `hvb_provider_submissions_total{outcome}`: accepted or failed task submissions. */
  submissions: Counter<'outcome'>;
  /** `hvb_provider_failures_total{operation,kind}`: failed provider calls by error kind. */
  providerFailures: Counter<'operation' | 'kind'>;
  /** `hvb_provider_status_duration_seconds{outcome}`: latency of one status request. */
  statusLatency: Histogram<'outcome'>;
  /** `hvb_delivery_delay_seconds{delivery}`: from the poller seeing the task done to the video in the reply. */
  deliveryDelay: Histogram<'delivery'>;
  /** `hvb_jobs_finished_total{state,reason}`: jobs that reached a final state here. */
  jobsFinished: Counter<'state' | 'reason'>;
  /** `hvb_credits_spent_total{guild}`: credits charged, by guild. */
  creditsSpent: Counter<'guild'>;
}

/** Optional sources of the metrics read at scrape time. */
export interface BotMetricsOptions {
  /** Counts jobs in flight by state when Prometheus scrapes (`hvb_jobs{state}`). */
  countJobs?: () => Promise<Record<string, number>>;
  /** Process metrics (memory, CPU, event-loop lag); default true. */
  processMetrics?: boolean;
}

/** Creates the registry and every series the bot reports. */
export function createBotMetrics(options: BotMetricsOptions = {}): BotMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const countJobs = options.countJobs;
  new Gauge({
    name: 'hvb_jobs',
    help: 'Jobs not yet final, by state (only the guilds this process serves)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      if (!countJobs) return;
      this.reset();
      for (const [state, count] of Object.entries(await countJobs())) this.set({ state }, count);
    },
  });
  return {
    registry,
    submissions: new Counter({
      name: 'hvb_provider_submissions_total',
      help: 'Task submissions to the video provider, by outcome (accepted, failed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    providerFailures: new Counter({
      name: 'hvb_provider_failures_total',
      help: 'Failed provider calls by operation (submit, status) and error kind',
      labelNames: ['operation', 'kind'] as const,
      registers: [registry],
    }),
    statusLatency: new Histogram({
      name: 'hvb_provider_status_duration_seconds',
      help: 'Latency of one task status request',
      labelNames: ['outcome'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
    deliveryDelay: new Histogram({
      name: 'hvb_delivery_delay_seconds',
      help: 'Time from the poller seeing a task complete to the video (or its link) in the reply',
      labelNames: ['delivery'] as const,
      buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
      registers: [registry],
    }),
    jobsFinished: new Counter({
      name: 'hvb_jobs_finished_total',
      help: 'Jobs that reached a final state, by state and failure reason',
      labelNames: ['state', 'reason'] as const,
      registers: [registry],
    }),
    creditsSpent: new Counter({
      name: 'hvb_credits_spent_total',
      help: 'Credits charged for videos the provider made, by guild',
      labelNames: ['guild'] as const,
      registers: [registry],
    }),
  };
}
