import type { JobReporter } from '../jobs/reporter.js';
import type { BotMetrics } from './metrics.js';

/**
 * A reporter that records how jobs end and how long delivery took. Delivery time starts when the
 * poller saw the task complete (`completedAt`), so it includes the download and the upload.
 */
export function instrumentReporter(reporter: JobReporter, metrics: BotMetrics, clock: () => number = Date.now): JobReporter {
  return {
    progress: (job, view) => reporter.progress(job, view),
    async deliver(job, video) {
      const outcome = await reporter.deliver(job, video);
      if (outcome !== 'failed') {
        metrics.jobsFinished.inc({ state: 'delivered', reason: '' });
        if (job.completedAt !== null) metrics.deliveryDelay.observe({ delivery: outcome }, Math.max(0, clock() - job.completedAt) / 1000);
      }
      return outcome;
    },
    async failed(job, options) {
      const told = await reporter.failed(job, options);
      if (told !== 'retry') metrics.jobsFinished.inc({ state: job.state, reason: job.failure?.reason ?? '' });
      return told;
    },
    shown: (job) => reporter.shown(job),
  };
}
