import type { ChargeOutcome, ReleaseReason, Settlement } from '../quota/types.js';
import type { JobDeps } from './deps.js';
import { isFinal, type FailureReason, type Job, type JobReply, type JobState } from './job.js';
import type { RunOutcome } from './scheduler.js';

/** How the credits of an ending job are settled. */
export type EndingSettlement = { charge: ChargeOutcome } | { release: ReleaseReason; outcome?: 'released' | 'undelivered' | 'ambiguous' };

/**
 * What the member is told about the ending: `failure` (the failure message, wherever they can
 * see it), `failure_in_reply` (only by editing the interaction's reply: Discord may never have
 * received our acknowledgement), `none` (they already saw the ending, e.g. the delivered video, or
 * there is nobody to tell).
 */
export type EndingMessage = 'failure' | 'failure_in_reply' | 'none';

/** A job's ending: its final state, why it failed (if it did), the settlement and the message. */
export interface JobEnding {
  state: Extract<JobState, 'delivered' | 'failed' | 'expired' | 'cancelled'>;
  failure?: { reason: FailureReason; detail?: string | null };
  settlement: EndingSettlement;
  message: EndingMessage;
  /** How a delivered video reached the member. */
  delivery?: 'attachment' | 'link';
  /** Where the job's reply is, when it was not recorded before (written in the ending's own write). */
  reply?: Pick<JobReply, 'channelId' | 'messageId'>;
}

/** Telling the member is retried this many times (Discord unreachable), with growing gaps. */
const MAX_TELL_ATTEMPTS = 8;
const TELL_RETRY_BASE_MS = 5_000;
const TELL_RETRY_MAX_MS = 5 * 60_000;

const toSettlement = (s: EndingSettlement, taskId: string | null): Settlement =>
  'charge' in s ? { outcome: 'charged', reason: s.charge, taskId } : { outcome: s.outcome ?? 'released', reason: s.release, taskId };

/**
 * Ends a job in one durable decision: its final state, the settlement of its reservation (charge
 * or release, with its ledger line) and the message still owed to the member (the outbox) are
 * committed in ONE atomic store write, under the job's lock and its guild's quota lock. Then the
 * message is carried out (see {@link carryOutOutbox}); a crash before it landed leaves the outbox
 * in the record, and the next start (or the sweep) carries it out. A job that is already final
 * is returned as it is: an ending is decided once. Every path that ends a job comes here (one whose
 * record vanished from the store too: its final record is written again).
 */
export async function endJob(
  deps: Pick<JobDeps, 'jobs' | 'quota' | 'reporter' | 'clock' | 'logger' | 'scheduler'> & Partial<Pick<JobDeps, 'videos'>>,
  job: Job,
  ending: JobEnding,
  options: {
    /** Ends the job only when its current record passes (checked under the job's lock); else it is returned as it is. */
    onlyIf?: (current: Job) => boolean;
  } = {},
): Promise<Job> {
  const ended = await deps.jobs.withLock(job.id, async (jobLease) => {
    const current = await deps.jobs.get(job.id);
    if (current && isFinal(current.state)) return { job: current, fresh: false };
    if (options.onlyIf && !(current && options.onlyIf(current))) return { job: current ?? job, fresh: false };
    const now = deps.clock();
    const failure = ending.failure ? { reason: ending.failure.reason, detail: ending.failure.detail?.slice(0, 500) ?? null } : null;
    const final: Job = {
      ...job,
      // Written meanwhile by someone else (the message id of the reply) must not be lost.
      reply: { ...(current?.reply ?? job.reply), ...ending.reply },
      state: ending.state,
      failure,
      finishedAt: now,
      updatedAt: now,
      result: job.result && ending.delivery ? { ...job.result, delivery: ending.delivery } : job.result,
      outbox: ending.message === 'none' ? null : { kind: ending.message, since: now, attempts: 0 },
    };
    await deps.quota.settleAlong(
      job.guildId,
      job.reservationId,
      toSettlement(ending.settlement, job.taskId),
      () => [deps.jobs.entryFor(final)],
      [jobLease],
    );
    await deps.jobs.index(final);
    return { job: final, fresh: true };
  });
  if (ended.fresh) deps.reporter.ended?.(ended.job);
  // The job's video file (if one was downloaded) serves nobody any more.
  await deps.videos?.discard(job.id);
  if (ended.fresh && ended.job.outbox) await carryOutOutbox(deps, ended.job);
  return ended.job;
}

/**
 * Carries out a job's outbox: tells the member how it ended and clears the entry once the message
 * landed (or Discord says there is nobody to tell). When Discord cannot be reached the entry stays
 * and the job is scheduled to try again; after {@link MAX_TELL_ATTEMPTS} it is dropped with an
 * error log. The failure message is an edit of the reply, so telling twice shows it once.
 */
export async function carryOutOutbox(
  deps: Pick<JobDeps, 'jobs' | 'reporter' | 'clock' | 'logger' | 'scheduler'>,
  job: Job,
): Promise<RunOutcome> {
  const entry = job.outbox;
  if (!entry) return { done: true };
  const log = deps.logger.child({ jobId: job.id, guildId: job.guildId });
  const told = await deps.reporter.failed(job, { inReplyOnly: entry.kind === 'failure_in_reply' }).catch((err: unknown) => {
    log.warn({ err }, 'telling the member how the job ended failed');
    return 'retry' as const;
  });
  const attempts = entry.attempts + 1;
  if (told === 'retry' && attempts < MAX_TELL_ATTEMPTS) {
    const nextAt = deps.clock() + Math.min(TELL_RETRY_MAX_MS, TELL_RETRY_BASE_MS * 2 ** (attempts - 1));
    await deps.jobs.update(job.id, (j) =>
      j.outbox ? { ...j, outbox: { ...j.outbox, attempts }, poll: { ...j.poll, nextAt } } : undefined,
    );
    deps.scheduler.schedule(job.id, nextAt);
    return { againAt: nextAt };
  }
  if (told === 'retry') log.error({ attempts }, 'could not tell the member how the job ended; giving up');
  else if (told === 'nobody') log.info({ kind: entry.kind }, 'nobody to tell how the job ended');
  await deps.jobs.update(job.id, (j) => (j.outbox ? { ...j, outbox: null } : undefined));
  return { done: true };
}
