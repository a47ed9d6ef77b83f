import { toGenerationRequest } from '../video/request.js';
import type { JobDeps } from './deps.js';
import { failureFromProviderError, giveUp } from './failures.js';
import { endJob } from './job-ending.js';
import { isCancellable, type Job } from './job.js';
import { computeProgress } from './progress.js';
import { firstPollDelay } from './poll-schedule.js';

/** The job with a first-frame link the provider can still fetch, or failed when the image is gone. */
async function withWorkingImage(deps: JobDeps, job: Job): Promise<Job> {
  const image = job.request.image;
  if (!image) return job;
  const link = await deps.renewImageUrl(image.url);
  if (!link.ok) {
    return giveUp(deps, job, { reason: link.reason === 'gone' ? 'image_expired' : 'image_unreachable', release: 'submit_rejected' });
  }
  const { url } = link;
  if (url === image.url) return job;
  // Kept, so a regenerate later starts from the renewed link.
  const renewed: Job = { ...job, request: { ...job.request, image: { ...image, url } }, updatedAt: deps.clock() };
  await deps.jobs.save(renewed);
  return renewed;
}

/**
 * Sends a job already marked `submitting` (its turn came, or it was sent out of turn) to the
 * provider, records the task id and starts polling it. A refusal ends the job, uncharged.
 */
export async function sendClaimed(deps: JobDeps, picked: Job): Promise<Job> {
  const jobId = picked.id;
  // Made only when something is logged: a child logger costs a redaction pass over its fields.
  const log = () => deps.logger.child({ jobId, guildId: picked.guildId });
  const claimed = await withWorkingImage(deps, picked);
  if (claimed.state !== 'submitting') return claimed;
  const result = await deps.provider.submit(toGenerationRequest(claimed.request));
  const now = deps.clock();
  if (!result.ok) {
    log().warn({ kind: result.error.kind, status: result.error.status }, 'provider refused the submission');
    return giveUp(deps, claimed, { ...failureFromProviderError(result.error), release: 'submit_rejected' });
  }
  const submitted: Job = {
    ...claimed,
    state: 'submitted',
    taskId: result.taskId,
    submittedAt: now,
    updatedAt: now,
    progress: { ...claimed.progress, rawStatus: result.status, lastChangeAt: now },
    poll: { nextAt: now + firstPollDelay(deps.timings.pollIntervalMs), count: 0, failures: 0 },
  };
  await deps.jobs.save(submitted);
  deps.followed.set(jobId, submitted);
  log().info({ taskId: result.taskId }, 'task submitted');
  deps.scheduler.schedule(jobId, submitted.poll.nextAt);
  await deps.reporter.progress(submitted, computeProgress(submitted, now, deps.typical));
  return submitted;
}

/**
 * What a cancel did: `cancelled` (the job ended, its credits went back), `too_late` (the provider
 * has it, or is being sent it: it is paid and cannot be stopped), `ended` (it had ended already),
 * `not_found`.
 */
export type CancelResult = { ok: true; job: Job } | { ok: false; reason: 'too_late' | 'ended' | 'not_found'; job?: Job };

/**
 * Ends a job that has not been sent to the provider as cancelled by `byUserId`: the final state,
 * the release of its credits and the message to the member in one atomic write (see `endJob`),
 * decided under the job's lock, the one the line's pick takes: a cancel and a pick of the same
 * job never both happen.
 */
export async function cancelJob(deps: JobDeps, jobId: string, byUserId: string): Promise<CancelResult> {
  const job = await deps.jobs.get(jobId);
  if (!job) return { ok: false, reason: 'not_found' };
  const ended = await endJob(
    deps,
    job,
    { state: 'cancelled', failure: { reason: 'cancelled', detail: byUserId }, settlement: { release: 'cancelled' }, message: 'failure' },
    { onlyIf: (current) => isCancellable(current.state) },
  );
  if (ended.state === 'cancelled' && ended.failure?.detail === byUserId) {
    deps.dispatcher.kick();
    return { ok: true, job: ended };
  }
  return { ok: false, reason: ended.finishedAt !== null ? 'ended' : 'too_late', job: ended };
}
