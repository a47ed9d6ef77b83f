import type { ProviderError, TaskStatus } from '../provider/types.js';
import type { Logger } from '../log.js';
import type { Job, JobState } from './job.js';
import { isFinal } from './job.js';
import type { JobDeps } from './deps.js';
import { giveUp } from './failures.js';
import { nextPollDelay } from './poll-schedule.js';
import { computeProgress } from './progress.js';
import type { RunOutcome } from './scheduler.js';
import { deliverJob } from './job-delivery.js';
import { carryOutOutbox } from './job-ending.js';

const stateOf = (status: TaskStatus): JobState => {
  switch (status.phase) {
    case 'queued':
      return 'queued';
    case 'running':
      return 'processing';
    case 'succeeded':
      return 'succeeded';
    default:
      return 'failed';
  }
};

/** One run of the poller for one job: ask the provider, record, tell the member, plan the next run. */
export async function pollJob(deps: JobDeps, jobId: string): Promise<RunOutcome> {
  const outcome = await pollOnce(deps, jobId);
  if ('done' in outcome) deps.followed.delete(jobId);
  return outcome;
}

async function pollOnce(deps: JobDeps, jobId: string): Promise<RunOutcome> {
  const job = await deps.jobs.get(jobId);
  if (!job) return recordLost(deps, jobId);
  if (isFinal(job.state)) return job.outbox ? carryOutOutbox(deps, job) : { done: true };
  deps.followed.set(jobId, job);
  if (job.state === 'succeeded') return deliverJob(deps, job, true);
  if (!job.taskId) return { done: true };

  const now = deps.clock();
  // Made only when something is logged: a child logger costs a redaction pass over its fields.
  const log = () => deps.logger.child({ jobId, guildId: job.guildId, taskId: job.taskId });
  // Time spent waiting in line does not count: the provider has had the job only since its submission.
  const tooOld = now - (job.submittedAt ?? job.createdAt) > deps.timings.maxAgeMs;
  const stalled = now - job.progress.lastChangeAt > deps.timings.stallMs;
  if (tooOld || stalled) {
    log().warn({ tooOld, stalled }, 'job expired');
    await giveUp(deps, job, {
      reason: 'expired',
      detail: String(tooOld ? deps.timings.maxAgeMs : deps.timings.stallMs),
      release: 'expired',
    });
    return { done: true };
  }

  const answer = await deps.provider.getStatus(job.taskId);
  const after = deps.clock();
  if (!answer.ok) return statusFailed(deps, job, answer.error, after, log());

  const status = answer.status;
  const state = stateOf(status);
  const percent = status.progress ?? job.progress.percent;
  const changed = status.rawStatus !== job.progress.rawStatus || percent !== job.progress.percent;
  const progress = {
    percent: percent ?? null,
    estimatedTimeS: status.estimatedTimeS ?? job.progress.estimatedTimeS,
    rawStatus: status.rawStatus,
    lastChangeAt: changed ? after : job.progress.lastChangeAt,
  };

  if (state === 'failed') {
    log().info({ reason: status.errorMessage }, 'task failed at the provider');
    await giveUp(deps, { ...job, progress }, { reason: 'provider_failed', detail: status.errorMessage ?? null, release: 'task_failed' });
    return { done: true };
  }

  if (state === 'succeeded') {
    if (!status.videoUrl) {
      await giveUp(deps, { ...job, progress }, { reason: 'no_video', release: 'task_failed' });
      return { done: true };
    }
    const succeeded: Job = {
      ...job,
      state: 'succeeded',
      progress,
      completedAt: after,
      updatedAt: after,
      result: { videoUrl: status.videoUrl, expiresAt: status.videoExpiresAt ?? null, delivery: null },
      poll: { ...job.poll, count: job.poll.count + 1, failures: 0, failingSince: null },
    };
    await deps.jobs.save(succeeded);
    log().info('task completed; delivering');
    return deliverJob(deps, succeeded);
  }

  const count = job.poll.count + 1;
  const nextAt = after + nextPollDelay(count, deps.timings.pollIntervalMs, deps.random);
  const running: Job = { ...job, state, progress, updatedAt: after, poll: { nextAt, count, failures: 0, failingSince: null } };
  await deps.jobs.save(running);
  // The record just written, which the reply's progress state holds too: one copy of the job in
  // memory between polls, not the one read here plus the one shown.
  deps.followed.set(jobId, running);
  await deps.reporter.progress(running, computeProgress(running, after, deps.typical));
  return { againAt: nextAt };
}

/**
 * The record of a job this process was following is gone (e.g. a Redis restarted empty): the
 * in-memory view disagrees with the store. It is ended from the last record seen, through endJob
 * like every other ending: the final record written again with its outbox, the reservation (if
 * still there) released, and the member told with endJob's retries when Discord is unreachable.
 * An unreadable record is left alone.
 */
async function recordLost(deps: JobDeps, jobId: string): Promise<RunOutcome> {
  const last = deps.followed.get(jobId);
  if (!last || (await deps.jobs.exists(jobId))) return { done: true };
  deps.logger.error({ jobId, guildId: last.guildId, taskId: last.taskId }, 'job record disappeared from the store; telling the member');
  await giveUp(deps, last, { reason: 'record_lost', release: 'vanished' });
  return { done: true };
}

/**
 * A status request that failed. Failures are tolerated for a time, not a count: the job keeps
 * polling with growing gaps (honouring Retry-After) until its age or stall ceiling ends it, so a
 * provider glitch of seconds or minutes never fails a video the provider goes on to finish. Only
 * a key the provider keeps refusing for `authFailureToleranceMs` ends the job sooner: nothing
 * short of an operator fixing the key would help, and the member should not wait the whole
 * stall ceiling to hear so.
 */
async function statusFailed(deps: JobDeps, job: Job, error: ProviderError, after: number, log: Logger): Promise<RunOutcome> {
  const failures = job.poll.failures + 1;
  const failingSince = job.poll.failingSince ?? after;
  const fields = { kind: error.kind, status: error.status, failures, failingForMs: after - failingSince };
  if (error.kind === 'auth') log.error(fields, 'status request refused: the provider does not accept the API key');
  else if (failures === 1) log.warn(fields, "status request failed; retrying until the job's stall ceiling");
  else log.debug(fields, 'status request failed again');
  if (error.kind === 'rate_limited' && error.retryAfterMs) deps.scheduler.pauseUntil(after + error.retryAfterMs);
  if (error.kind === 'auth' && after - failingSince >= deps.timings.authFailureToleranceMs) {
    await giveUp(deps, job, { reason: 'auth', release: 'task_failed' });
    return { done: true };
  }
  const backoff = Math.max(error.retryAfterMs ?? 0, nextPollDelay(job.poll.count + failures, deps.timings.pollIntervalMs, deps.random));
  const nextAt = after + backoff;
  await deps.jobs.save({ ...job, poll: { ...job.poll, failures, failingSince, nextAt }, updatedAt: after });
  return { againAt: nextAt };
}
