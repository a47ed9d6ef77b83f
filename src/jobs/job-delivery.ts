import type { ChargeOutcome } from '../quota/types.js';
import type { Job } from './job.js';
import type { JobDeps } from './deps.js';
import { failedJob } from './failures.js';
import { computeProgress } from './progress.js';
import type { RunOutcome } from './scheduler.js';

const RETRY_DELIVERY_MS = 5_000;

/**
 * Fetches the finished video (capped at the reply's upload limit) and hands it to the reporter;
 * over the cap, or when the file cannot be fetched after a few tries, the member gets the link.
 * The provider made the video, so the reservation is charged whatever happens next.
 */
export async function deliverJob(deps: JobDeps, job: Job): Promise<RunOutcome> {
  const result = job.result;
  if (!result) return { done: true };
  const now = deps.clock();
  const log = deps.logger.child({ jobId: job.id, guildId: job.guildId, taskId: job.taskId });
  const attempt = job.poll.failures + 1;
  await deps.reporter.progress(job, computeProgress(job, now, deps.typical));

  const fetched = await deps.download(result.videoUrl, job.reply.attachmentSizeLimit);
  let outcome;
  if (fetched.ok) {
    outcome = await deps.reporter.deliver(job, { kind: 'file', data: fetched.data, filename: `${job.id}.mp4` });
  } else if (fetched.reason === 'too_large' || attempt >= deps.timings.maxDeliveryAttempts) {
    if (fetched.reason !== 'too_large') log.warn({ reason: fetched.reason }, 'video could not be fetched; sending the link');
    outcome = await deps.reporter.deliver(job, { kind: 'link' });
  } else {
    log.warn({ reason: fetched.reason, detail: 'message' in fetched ? fetched.message : undefined, status: 'status' in fetched ? fetched.status : undefined, attempt }, 'video download failed; retrying');
    return retry(deps, job, attempt);
  }

  const after = deps.clock();
  if (outcome === 'failed') {
    if (attempt < deps.timings.maxDeliveryAttempts) return retry(deps, job, attempt);
    log.error('video could not be delivered to Discord');
    const failed = failedJob(job, 'delivery_failed', null, after);
    await deps.jobs.save(failed);
    // The member never received it: their credits go back; the ledger keeps the task id, because
    // the provider may still have billed it.
    if (job.reservationId) await deps.quota.release(job.reservationId, 'delivery_failed', { outcome: 'undelivered', taskId: job.taskId });
    return { done: true };
  }
  const delivered: Job = {
    ...job,
    state: 'delivered',
    finishedAt: after,
    updatedAt: after,
    result: { ...result, delivery: outcome },
  };
  await deps.jobs.save(delivered);
  await charge(deps, job, outcome === 'attachment' ? 'delivered' : 'delivered_as_link');
  if (job.submittedAt !== null && job.completedAt !== null) {
    await deps.learn(job.request, (job.completedAt - job.submittedAt) / 1000).catch((err: unknown) => log.warn({ err }, 'could not record the job duration'));
  }
  log.info({ delivery: outcome, tookMs: after - job.createdAt }, 'video delivered');
  return { done: true };
}

async function retry(deps: JobDeps, job: Job, attempt: number): Promise<RunOutcome> {
  const nextAt = deps.clock() + RETRY_DELIVERY_MS * attempt;
  await deps.jobs.save({ ...job, poll: { ...job.poll, failures: attempt, nextAt } });
  return { againAt: nextAt };
}

async function charge(deps: JobDeps, job: Job, outcome: ChargeOutcome): Promise<void> {
  if (job.reservationId) await deps.quota.charge(job.reservationId, outcome, { taskId: job.taskId });
}
