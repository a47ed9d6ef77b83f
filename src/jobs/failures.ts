import type { ProviderError } from '../provider/types.js';
import type { ReleaseReason } from '../quota/types.js';
import type { JobDeps } from './deps.js';
import type { FailureReason, Job } from './job.js';

/** Plain-words reason for a submission the provider refused. */
export function failureFromProviderError(error: ProviderError): { reason: FailureReason; detail: string | null } {
  switch (error.kind) {
    case 'invalid_request':
      return { reason: 'invalid_request', detail: error.message ?? null };
    case 'auth':
      return { reason: 'auth', detail: null };
    case 'payment':
      return { reason: 'payment', detail: null };
    case 'rate_limited':
    case 'server':
      return { reason: 'busy', detail: null };
    default:
      return { reason: 'network', detail: null };
  }
}

/** A job moved to a final failed (or expired) state. */
export function failedJob(job: Job, reason: FailureReason, detail: string | null, now: number): Job {
  return {
    ...job,
    state: reason === 'expired' ? 'expired' : 'failed',
    failure: { reason, detail: detail?.slice(0, 500) ?? null },
    finishedAt: now,
    updatedAt: now,
  };
}

/**
 * Ends a job that produced no video: records the final state, gives its credits back and tells
 * the member (unless they never saw a reply). One place, so no path forgets a step or its order.
 */
export async function giveUp(
  deps: Pick<JobDeps, 'jobs' | 'quota' | 'reporter' | 'clock'>,
  job: Job,
  failure: { reason: FailureReason; detail?: string | null; release: ReleaseReason; tell?: boolean },
): Promise<Job> {
  const failed = failedJob(job, failure.reason, failure.detail ?? null, deps.clock());
  await deps.jobs.save(failed);
  if (job.reservationId) await deps.quota.release(job.reservationId, failure.release, { taskId: job.taskId });
  if (failure.tell ?? true) await deps.reporter.failed(failed);
  return failed;
}
