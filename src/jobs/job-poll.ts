import type { TaskStatus } from '../provider/types.js';
import type { Job, JobState } from './job.js';
import { isFinal } from './job.js';
import type { JobDeps } from './deps.js';
import { giveUp } from './failures.js';
import { nextPollDelay } from './poll-schedule.js';
import { computeProgress } from './progress.js';
import type { RunOutcome } from './scheduler.js';
import { deliverJob } from './job-delivery.js';

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
  const job = await deps.jobs.get(jobId);
  if (!job || isFinal(job.state)) return { done: true };
  if (job.state === 'succeeded') return deliverJob(deps, job);
  if (!job.taskId) return { done: true };

  const now = deps.clock();
  const log = deps.logger.child({ jobId, guildId: job.guildId, taskId: job.taskId });
  const tooOld = now - job.createdAt > deps.timings.maxAgeMs;
  const stalled = now - job.progress.lastChangeAt > deps.timings.stallMs;
  if (tooOld || stalled) {
    log.warn({ tooOld, stalled }, 'job expired');
    await giveUp(deps, job, { reason: 'expired', detail: String(tooOld ? deps.timings.maxAgeMs : deps.timings.stallMs), release: 'expired' });
    return { done: true };
  }

  const answer = await deps.provider.getStatus(job.taskId);
  const after = deps.clock();
  if (!answer.ok) {
    const failures = job.poll.failures + 1;
    log.warn({ kind: answer.error.kind, status: answer.error.status, failures }, 'status request failed');
    if (answer.error.kind === 'rate_limited' && answer.error.retryAfterMs) {
      deps.scheduler.pauseUntil(after + answer.error.retryAfterMs);
    }
    if (failures >= deps.timings.maxStatusFailures || answer.error.kind === 'auth') {
      await giveUp(deps, job, { reason: 'network', release: 'task_failed' });
      return { done: true };
    }
    const backoff = Math.max(answer.error.retryAfterMs ?? 0, nextPollDelay(job.poll.count + failures, deps.timings.pollIntervalMs, deps.random));
    const nextAt = after + backoff;
    await deps.jobs.save({ ...job, poll: { ...job.poll, failures, nextAt }, updatedAt: after });
    return { againAt: nextAt };
  }

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
    log.info({ reason: status.errorMessage }, 'task failed at the provider');
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
      poll: { ...job.poll, count: job.poll.count + 1, failures: 0 },
    };
    await deps.jobs.save(succeeded);
    log.info('task completed; delivering');
    return deliverJob(deps, succeeded);
  }

  const count = job.poll.count + 1;
  const nextAt = after + nextPollDelay(count, deps.timings.pollIntervalMs, deps.random);
  const running: Job = { ...job, state, progress, updatedAt: after, poll: { nextAt, count, failures: 0 } };
  await deps.jobs.save(running);
  await deps.reporter.progress(running, computeProgress(running, after, deps.typical));
  return { againAt: nextAt };
}
