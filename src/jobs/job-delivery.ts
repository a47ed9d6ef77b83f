import type { Job } from './job.js';
import type { JobDeps } from './deps.js';
import { endJob } from './job-ending.js';
import { computeProgress } from './progress.js';
import type { RunOutcome } from './scheduler.js';

/**
 * Fetches the finished video (capped at the reply's upload limit) and hands it to the reporter;
 * over the cap, or when the file cannot be fetched after a few tries, the member gets the link.
 * Charged only when the member received it (an upload or a link); a video that could not be
 * delivered after every try releases the credits (ledger `undelivered`, with the task id) and
 * the member is told.
 *
 * `resumed`: the job was already `succeeded` when this run started (a restart, or a retry after a
 * failed try): a previous try may have landed without being recorded, so the reply is read first
 * and a finished one is never overwritten, uploaded again or pinged again.
 */
export async function deliverJob(deps: JobDeps, job: Job, resumed = false): Promise<RunOutcome> {
  const result = job.result;
  if (!result) return { done: true };
  const log = deps.logger.child({ jobId: job.id, guildId: job.guildId, taskId: job.taskId });
  const attempt = job.poll.failures + 1;

  if (resumed) {
    const shown = await deps.reporter.shown(job).catch(() => 'unknown' as const);
    if (shown === 'attachment' || shown === 'link') {
      log.info({ delivery: shown }, 'the reply already shows the video; recording the delivery');
      await endJob(deps, job, { state: 'delivered', settlement: { charge: shown === 'attachment' ? 'delivered' : 'delivered_as_link' }, message: 'none', delivery: shown });
      return { done: true };
    }
    if (shown === 'unknown' && attempt < deps.timings.maxDeliveryAttempts) {
      // Writing blind could post the video twice: try again when the reply can be read.
      log.warn({ attempt }, 'could not read the reply before delivering; retrying');
      return retry(deps, job, attempt);
    }
  } else {
    await deps.reporter.progress(job, computeProgress(job, deps.clock(), deps.typical));
  }

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

  if (outcome === 'failed') {
    if (attempt < deps.timings.maxDeliveryAttempts) return retry(deps, job, attempt);
    log.error({ attempts: attempt }, 'video could not be delivered to Discord; releasing the credits');
    // The member never received it: their credits go back; the ledger keeps the task id, because
    // the provider may still have billed it. They are told (the outbox retries while Discord is down).
    await endJob(deps, job, {
      state: 'failed',
      failure: { reason: 'delivery_failed' },
      settlement: { release: 'delivery_failed', outcome: 'undelivered' },
      message: 'failure',
    });
    return { done: true };
  }
  await endJob(deps, job, { state: 'delivered', settlement: { charge: outcome === 'attachment' ? 'delivered' : 'delivered_as_link' }, message: 'none', delivery: outcome });
  if (job.submittedAt !== null && job.completedAt !== null) {
    await deps.learn(job.request, (job.completedAt - job.submittedAt) / 1000).catch((err: unknown) => log.warn({ err }, 'could not record the job duration'));
  }
  log.info({ delivery: outcome, tookMs: deps.clock() - job.createdAt }, 'video delivered');
  return { done: true };
}

async function retry(deps: JobDeps, job: Job, attempt: number): Promise<RunOutcome> {
  // One poll interval more for each try (5 s, 10 s, … by default).
  const nextAt = deps.clock() + deps.timings.pollIntervalMs * attempt;
  // Only while it is still being delivered: an ending decided meanwhile (a cancel) stands.
  await deps.jobs.update(job.id, (current) => (current.state === 'succeeded' ? { ...current, poll: { ...current.poll, failures: attempt, nextAt } } : undefined));
  return { againAt: nextAt };
}
