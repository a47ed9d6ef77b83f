import { createJobEngine, type JobEngineOptions } from '../../src/jobs/create-job-engine.js';
import type { JobReporter } from '../../src/jobs/reporter.js';
import type { Job } from '../../src/jobs/job.js';
import { silentLogger } from '../../src/log.js';
import { createQuotaService } from '../../src/quota/quota-service.js';
import type { Store } from '../../src/store/types.js';
import type { VideoProvider } from '../../src/provider/types.js';
import type { VideoFiles } from '../../src/video/video-files.js';

/** Finished videos that are always there at once (the job core's tests need no files). */
export const instantVideos: VideoFiles = {
  fetch: async (jobId) => ({ ok: true, path: `/nonexistent/${jobId}.mp4`, size: 3 }),
  discard: async () => undefined,
  sweep: async () => 0,
};

/** A reporter that remembers what it was asked to show. */
export function recordingReporter() {
  const seen = { progress: [] as Job[], delivered: [] as Job[], failed: [] as Job[] };
  const reporter: JobReporter = {
    progress: async (job) => void seen.progress.push(job),
    deliver: async (job) => {
      seen.delivered.push(job);
      return 'attachment';
    },
    failed: async (job) => {
      seen.failed.push(job);
      return 'told';
    },
    shown: async () => 'not_final',
  };
  return { reporter, seen };
}

/** The real job engine on `store` with fast timings, a fixed download and the given provider. */
export function testEngine(store: Store, provider: VideoProvider, extra: Partial<JobEngineOptions> = {}) {
  const { reporter, seen } = recordingReporter();
  const quota = createQuotaService({ store, defaults: { limit: 100, period: 'day' } });
  const engine = createJobEngine({
    store,
    provider,
    quota,
    reporter,
    logger: silentLogger(),
    videos: instantVideos,
    timings: { pollIntervalMs: 20 },
    ...extra,
  });
  return { engine, quota, reporter, seen };
}

/** Polls `check` until it returns something truthy (or fails after `ms`). */
export async function eventually<T>(check: () => T | Promise<T>, ms = 5_000): Promise<NonNullable<T>> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
