import type { Job } from './job.js';
import type { JobDeps } from './deps.js';
import { endJob } from './job-ending.js';
import { computeProgress } from './progress.js';
import type { RunOutcome } from './scheduler.js';
import type { FinishedVideo } from './reporter.js';

// The longest gap between two delivery tries.
const MAX_RETRY_GAP_MS = 60_000;

/**
 * Delivers a finished video: fetched ONCE into a file (see VideoFiles) and checked (the whole
 * announced length, a complete MP4), then posted from that file on every try; over the reply's
 * upload limit the member gets the provider's link (it just served the whole file, so it works).
 * Charged only when the member received it (an upload or a working link). A video that cannot be
 * fetched after the tries releases the credits (ledger `undelivered`, with the task id) and the
 * member is told so, with the link only when it may still work; one that cannot be posted after
 * every try likewise. The file is deleted when the job ends (see endJob).
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
  const lastTry = attempt >= deps.timings.maxDeliveryAttempts;

  if (resumed) {
    const shown = await deps.reporter.shown(job).catch(() => 'unknown' as const);
    if (shown === 'attachment' || shown === 'link') {
      log.info({ delivery: shown }, 'the reply already shows the video; recording the delivery');
      await endJob(deps, job, {
        state: 'delivered',
        settlement: { charge: shown === 'attachment' ? 'delivered' : 'delivered_as_link' },
        message: 'none',
        delivery: shown,
      });
      return { done: true };
    }
    if (shown === 'unknown' && !lastTry) {
      // Writing blind could post the video twice: try again when the reply can be read.
      log.warn({ attempt }, 'could not read the reply before delivering; retrying');
      return retry(deps, job, attempt);
    }
  } else {
    await deps.reporter.progress(job, computeProgress(job, deps.clock(), deps.typical));
  }

  const fetched = await deps.videos.fetch(job.id, result.videoUrl);
  if (!fetched.ok && fetched.reason === 'failed') {
    if (!lastTry) {
      log.warn({ detail: fetched.detail, attempt }, 'video download failed; retrying');
      return retry(deps, job, attempt);
    }
    log.error(
      { detail: fetched.detail, attempts: attempt, linkMayWork: fetched.linkMayWork },
      'video could not be downloaded from the provider; releasing the credits',
    );
    await endJob(deps, job, {
      state: 'failed',
      failure: { reason: fetched.linkMayWork ? 'download_failed' : 'download_gone' },
      settlement: { release: 'download_failed', outcome: 'undelivered' },
      message: 'failure',
    });
    return { done: true };
  }
  const video: FinishedVideo =
    fetched.ok && fetched.size <= job.reply.attachmentSizeLimit
      ? { kind: 'file', path: fetched.path, size: fetched.size, filename: `${job.id}.mp4` }
      : { kind: 'link' };
  const outcome = await deps.reporter.deliver(job, video);

  if (outcome === 'failed') {
    if (!lastTry) return retry(deps, job, attempt);
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
  await endJob(deps, job, {
    state: 'delivered',
    settlement: { charge: outcome === 'attachment' ? 'delivered' : 'delivered_as_link' },
    message: 'none',
    delivery: outcome,
  });
  if (job.submittedAt !== null && job.completedAt !== null) {
    await deps
      .learn(job.request, (job.completedAt - job.submittedAt) / 1000)
      .catch((err: unknown) => log.warn({ err }, 'could not record the job duration'));
  }
  log.info({ delivery: outcome, tookMs: deps.clock() - job.createdAt }, 'video delivered');
  return { done: true };
}

/**
 * The next try after `attempt` failed: the gap doubles from the poll interval (5 s, 10 s, 20 s…
 * by default, at most a minute), with the upper half jittered so jobs that failed together (a
 * provider CDN hiccup) do not come back together.
 */
async function retry(deps: JobDeps, job: Job, attempt: number): Promise<RunOutcome> {
  const gap = Math.min(MAX_RETRY_GAP_MS, deps.timings.pollIntervalMs * 2 ** (attempt - 1));
  const nextAt = deps.clock() + Math.round(gap / 2 + (gap / 2) * deps.random());
  // Only while it is still being delivered: an ending decided meanwhile (a cancel) stands.
  await deps.jobs.update(job.id, (current) =>
    current.state === 'succeeded' ? { ...current, poll: { ...current.poll, failures: attempt, nextAt } } : undefined,
  );
  return { againAt: nextAt };
}
