import type { JobReporter } from '../jobs/reporter.js';
import type { BotMetrics } from './metrics.js';

/**
 * A reporter that records how jobs end and how long delivery took. Every ending this process
 * decides is counted once (`hvb_jobs_finished_total`), also those nobody is told about (a reply
 * Discord never had, a member who already saw the video). Delivery time starts when the poller
 * saw the task complete (`completedAt`), so it includes the download and the upload.
 */
export function instrumentReporter(reporter: JobReporter, metrics: BotMetrics, clock: () => number = Date.now): JobReporter {
  return {
    progress: (job, view) => reporter.progress(job, view),
    async deliver(job, video) {
      const outcome = await reporter.deliver(job, video);
      if (outcome !== 'failed' && job.completedAt !== null) {
        metrics.deliveryDelay.observe({ delivery: outcome }, Math.max(0, clock() - job.completedAt) / 1000);
      }
      return outcome;
    },
    failed: (job, options) => reporter.failed(job, options),
    shown: (job) => reporter.shown(job),
    ended(job) {
      metrics.jobsFinished.inc({ state: job.state, reason: job.failure?.reason ?? '' });
      reporter.ended?.(job);
    },
  };
}
