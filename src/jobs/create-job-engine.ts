import type { Logger } from '../log.js';
import type { DownloadResult } from '../http/download.js';
import type { VideoProvider } from '../provider/types.js';
import type { QuotaGate } from '../quota/types.js';
import type { Store } from '../store/types.js';
import { DEFAULT_TIMINGS, type JobDeps, type JobTimings } from './deps.js';
import { createJobRepository } from './job-repository.js';
import { createJobService, type JobService } from './job-service.js';
import { pollJob } from './job-poll.js';
import { typicalDuration, type TypicalDuration } from './progress.js';
import type { JobReporter } from './reporter.js';
import { createScheduler } from './scheduler.js';

export interface JobEngineOptions {
  store: Store;
  provider: VideoProvider;
  quota: QuotaGate;
  reporter: JobReporter;
  logger: Logger;
  download: (url: string, maxBytes: number) => Promise<DownloadResult>;
  timings?: Partial<JobTimings>;
  clock?: () => number;
  random?: () => number;
  typical?: TypicalDuration;
  /** Status requests in flight at once, across all jobs. */
  maxPollsInFlight?: number;
}

/** Wires the job service to one poller for all jobs. Nothing runs until `start()`. */
export function createJobEngine(options: JobEngineOptions): JobService {
  const clock = options.clock ?? Date.now;
  const timings = { ...DEFAULT_TIMINGS, ...options.timings };
  const deps: JobDeps = {
    jobs: createJobRepository(options.store),
    provider: options.provider,
    quota: options.quota,
    reporter: options.reporter,
    logger: options.logger,
    clock,
    timings,
    download: options.download,
    typical: options.typical ?? typicalDuration,
    random: options.random ?? Math.random,
    scheduler: createScheduler({
      handler: (id) => pollJob(deps, id),
      maxInFlight: options.maxPollsInFlight ?? 8,
      clock,
      logger: options.logger,
    }),
  };
  return createJobService(deps);
}
