import type { ProviderError } from '../provider/types.js';
import type { ReleaseReason } from '../quota/types.js';
import type { JobDeps } from './deps.js';
import type { FailureReason, Job } from './job.js';
import { endJob, type JobEnding } from './job-ending.js';

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

/**
 * Ends a job that produced no video: final failed (or expired) state, its credits given back and
 * the member told (unless `tell` is false: they never saw a reply), all through {@link endJob}.
 */
export async function giveUp(
  deps: Pick<JobDeps, 'jobs' | 'quota' | 'reporter' | 'clock' | 'logger' | 'scheduler'>,
  job: Job,
  failure: {
    reason: FailureReason;
    detail?: string | null;
    release: ReleaseReason;
    /** The ledger outcome (default `released`). */
    outcome?: 'released' | 'undelivered' | 'ambiguous';
    tell?: boolean;
    /** Only by editing the interaction's reply (default false). */
    inReplyOnly?: boolean;
    /** Where the job's reply is, recorded with the ending (it was not recorded before). */
    reply?: JobEnding['reply'];
    /** Ends it only when its current record passes (see `endJob`); else it is returned as it is. */
    onlyIf?: (current: Job) => boolean;
  },
): Promise<Job> {
  const message = (failure.tell ?? true) ? (failure.inReplyOnly ? 'failure_in_reply' : 'failure') : 'none';
  return endJob(
    deps,
    job,
    {
      state: failure.reason === 'expired' ? 'expired' : 'failed',
      failure: { reason: failure.reason, detail: failure.detail ?? null },
      settlement: { release: failure.release, ...(failure.outcome ? { outcome: failure.outcome } : {}) },
      message,
      ...(failure.reply ? { reply: failure.reply } : {}),
    },
    failure.onlyIf ? { onlyIf: failure.onlyIf } : {},
  );
}
