import type { ProviderError } from '../provider/types.js';
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
