import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { ClosingError } from '../closing-error.js';
import type { QuotaRefusal, ReservationRequest } from '../quota/types.js';
import { isCancellable, isFinal, reservationIdFor, type Job, type JobReply, type JobRequest } from './job.js';
import type { JobDeps } from './deps.js';
import { giveUp } from './failures.js';
import { cancelJob, sendClaimed, type CancelResult } from './job-submit.js';
import { recoverJobs, type JobScope } from './job-recovery.js';
import { sweepJobs, type SweepReport } from './job-sweep.js';

export interface AcceptInput {
  request: JobRequest;
  guildId: string;
  userId: string;
  roleIds: string[];
  /** When asked in a thread, the channel it belongs to (allowed channels cover their threads). */
  parentChannelId?: string | null;
  reply: Omit<JobReply, 'messageId'>;
}

/** What the quota is asked for a request: the same for `precheck` and for `accept`'s reservation. */
function reservationFor(input: AcceptInput, jobId: string, cost: number): ReservationRequest {
  return {
    jobId,
    guildId: input.guildId,
    userId: input.userId,
    channelId: input.reply.channelId,
    parentChannelId: input.parentChannelId ?? null,
    roleIds: input.roleIds,
    cost,
    prompt: input.request.userPrompt,
    model: input.request.model,
    resolution: input.request.resolution,
    duration: input.request.duration,
  };
}

export type AcceptResult = { ok: true; job: Job } | { ok: false; refusal: QuotaRefusal };

export interface JobService {
  /** Records the job and reserves its cost; fast (no provider call) so it fits before the 3 s deadline. */
  accept(input: AcceptInput): Promise<AcceptResult>;
  /**
   * Would `accept` be refused now, for the member's quota? Read-only (see QuotaGate.precheck): for
   * a request whose preparation costs the bot (Extend's last frame), asked before that work.
   */
  precheck(input: AcceptInput): Promise<QuotaRefusal | undefined>;
  /**
   * Remembers the reply's message id once Discord created it, and puts the job in line for the
   * provider's submission budget: it is sent when its turn comes (see `dispatcher.ts`). Resolves
   * to the job as written (undefined when its record is gone).
   */
  attachMessage(jobId: string, channelId: string, messageId: string | null): Promise<Job | undefined>;
  /**
   * Records the reply's message id of a job that does not know it (the reads after its deferral
   * failed; the id came in the answer to an edit of the reply). A job that knows one keeps it.
   * Resolves to the job as written (undefined when its record is gone); rejects when the store does.
   */
  learnReplyId(jobId: string, messageId: string): Promise<Job | undefined>;
  /** Sends a job that was not sent yet to the provider now, out of turn, and starts following it. */
  submit(jobId: string): Promise<Job | undefined>;
  /**
   * Ends a job that was not sent to the provider yet as cancelled by `byUserId`, releasing its
   * credits, in one atomic step against the job being picked for submission: one of them wins.
   */
  cancel(jobId: string, byUserId: string): Promise<CancelResult>;
  /**
   * Gives up a job that was never submitted, its credits back. Without `reply`, the acknowledgement
   * failed (`not_acknowledged`): the member is told in the interaction's reply only, which exists
   * if an attempt landed after all (Discord did it and answered 5xx, or the answer was lost); when
   * Discord knows no such reply, nobody was waiting and nothing is sent. With `reply`, the reply was made but the
   * job could not join the line (`attachMessage` failed): the reply's place is recorded with the
   * ending (so the member's history links to it) and the reply says why (`not_queued`).
   * `answeredElsewhere`: the acknowledgement was refused because another process answered the
   * interaction (Discord's 40060 on the first attempt); the reply is that process's, so nothing
   * is told (the job still ends as `not_acknowledged`, its credits back). `lastKnown`: the job as
   * `accept` returned it, ended in its place when its record is gone from the store.
   */
  abandon(
    jobId: string,
    reply?: { channelId: string; messageId: string | null },
    options?: { answeredElsewhere?: boolean; lastKnown?: Job },
  ): Promise<void>;
  get(jobId: string): Promise<Job | undefined>;
  /**
   * Resumes every job that is not final (see `recoverJobs`; jobs accepted here before it ran are
   * live and left as they are), then starts the poller. Once per service: later calls do nothing.
   */
  start(): Promise<void>;
  /**
   * Stops the poller, letting runs in progress finish. A start still in progress finishes its
   * recovery first and starts nothing more: once this resolves nothing of the service runs.
   */
  stop(): Promise<void>;
  /**
   * Settles reservations held for jobs that ended or vanished (of one guild, or all), and carries
   * out endings still owed to members; see `sweepJobs`. Also runs at start and periodically.
   */
  reconcile(guildId?: string): Promise<SweepReport>;
}

/**
 * A short id members can quote, safe in a button's custom_id: `j` and 56 random bits in base 36
 * (at most 12 characters). The bits are 14 of a version-4 UUID's random hex digits (those before
 * and after the version digit): Node draws UUIDs from a cached pool of entropy, where
 * `randomBytes(7)` asks the kernel each time (about 8 µs, 40 µs in a burst of 200 /video).
 */
export const newJobId = (): string => {
  // xxxxxxxx-xxxx-4xxx-yxxx-…: 8 + 4 digits, then 3 after the version digit (the first 2 used).
  const uuid = randomUUID();
  return `j${BigInt(`0x${uuid.slice(0, 8)}${uuid.slice(9, 13)}${uuid.slice(15, 17)}`).toString(36)}`;
};

/** How long a failed accept's answer waits for its job to be dropped (see `dropIfRecorded`). */
const DROP_WAIT_MS = 500;

export function createJobService(deps: JobDeps & JobScope): JobService {
  const { jobs, quota, clock, logger } = deps;
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = (guildId?: string) => sweepJobs(deps, guildId);
  // Jobs accepted before recovery has run: the router answers members while the bot connects, and
  // recovery must not end those (still 'accepted' or 'submitting', or indexed and not yet
  // recorded) as left over from a crash. Emptied, and no longer filled, once recovery is done.
  let startedBeforeRecovery: Set<string> | undefined = new Set();
  let starting: Promise<void> | undefined;
  // Set when stop() begins: a start still recovering then starts nothing more (stop() waits for it,
  // so the line, the poller and the sweeper never run on after the store is closed).
  let stopped = false;

  async function startOnce(): Promise<void> {
    const startedHere = startedBeforeRecovery;
    await recoverJobs(
      deps,
      (id) => startedHere?.has(id) === true,
      () => stopped,
    );
    startedBeforeRecovery = undefined;
    if (stopped) return;
    deps.dispatcher.start();
    await sweep().catch((err: unknown) => logger.error({ err }, 'sweep at start failed'));
    // Video files of jobs that ended while the process died before deleting them.
    await deps.videos
      .sweep(async (id) => {
        const job = await jobs.get(id);
        if (job) return isFinal(job.state) ? 'final' : 'live';
        return (await jobs.exists(id)) ? 'live' : 'unknown';
      })
      .catch((err: unknown) => logger.warn({ err }, 'could not sweep left-over video files'));
    if (stopped) return;
    deps.scheduler.start();
    sweeper = setInterval(
      () => void sweep().catch((err: unknown) => logger.error({ err }, 'sweep failed; next one in a while')),
      deps.timings.sweepIntervalMs,
    );
    sweeper.unref();
  }

  /**
   * After a reservation that threw: its write may have landed although its answer did not (Redis'
   * reply lost on the way back, a timeout after the script ran). The job, its index entry and its
   * credits then exist while the member is told the request failed (the router's error answer):
   * the job is ended at once, its credits released, told nowhere else, so nothing stays held until
   * a restart and no second message reaches the member. Best effort (the caller waits for it
   * DROP_WAIT_MS at most; it goes on once the store answers): a store still failing leaves it to
   * the sweep and to recovery. Never throws.
   */
  async function dropIfRecorded(job: Job, cause: unknown): Promise<void> {
    try {
      const stored = await jobs.get(job.id);
      if (!stored || !isCancellable(stored.state)) return;
      await giveUp(deps, stored, {
        reason: 'not_queued',
        release: 'never_submitted',
        tell: false,
        onlyIf: (current) => isCancellable(current.state),
      });
      logger.warn(
        { jobId: job.id, err: cause },
        'the reservation failed after its write landed; the job was dropped and its credits released',
      );
    } catch (err) {
      const closing = err instanceof ClosingError;
      logger[closing ? 'warn' : 'error'](
        { err, jobId: job.id },
        'could not check or drop the job of a failed reservation; the sweep or the next start ends it',
      );
    }
  }

  return {
    precheck: (input) => quota.precheck(reservationFor(input, '', quota.costOf(input.request))),

    async accept(input) {
      const now = clock();
      const id = newJobId();
      startedBeforeRecovery?.add(id);
      const job: Job = {
        id,
        version: 1,
        guildId: input.guildId,
        userId: input.userId,
        roleIds: input.roleIds,
        request: input.request,
        reply: { ...input.reply, messageId: null },
        state: 'accepted',
        cost: quota.costOf(input.request),
        // Known before the reservation exists, so one write records the job and what to release.
        reservationId: reservationIdFor(id),
        taskId: null,
        createdAt: now,
        updatedAt: now,
        submittedAt: null,
        completedAt: null,
        finishedAt: null,
        progress: { percent: null, estimatedTimeS: null, rawStatus: null, lastChangeAt: now },
        poll: { nextAt: 0, count: 0, failures: 0 },
        result: null,
        failure: null,
        outbox: null,
      };
      // The job's record and its entry in the index of jobs in flight are written in the
      // reservation's own atomic step (one Redis script, one SQLite transaction), only when it is
      // granted: a crash leaves the reservation, the job and its index entry together or none of
      // them. A refusal writes nothing.
      let reserved: Awaited<ReturnType<typeof quota.reserve>>;
      try {
        reserved = await quota.reserve({
          ...reservationFor(input, id, job.cost),
          reservationId: job.reservationId ?? undefined,
          alongside: [jobs.entryFor(job)],
          alongsideSets: jobs.indexEntriesFor(job),
        });
      } catch (err) {
        // The member's answer ("something went wrong") waits a moment for it, so credits a healthy
        // store releases at once are free when the member asks again; not longer: a store that lost
        // its connection (a Redis client queues commands until it is back) finishes it later.
        await Promise.race([dropIfRecorded(job, err), delay(DROP_WAIT_MS, undefined, { ref: false })]);
        throw err;
      }
      if (!reserved.ok) return { ok: false, refusal: reserved.refusal };
      return { ok: true, job };
    },

    async attachMessage(jobId, channelId, messageId) {
      // The reply exists now: the job joins the line (its place is kept by when it was asked for).
      const attached = await jobs.update(jobId, (job) => ({
        ...job,
        state: job.state === 'accepted' || job.state === 'reserved' ? 'waiting' : job.state,
        reply: { ...job.reply, channelId, messageId },
        updatedAt: clock(),
      }));
      deps.dispatcher.kick();
      return attached;
    },

    learnReplyId: (jobId, messageId) =>
      jobs.update(jobId, (job) =>
        job.reply.messageId === null ? { ...job, reply: { ...job.reply, messageId }, updatedAt: clock() } : undefined,
      ),

    async submit(jobId) {
      const picked = await jobs.update(jobId, (job) =>
        isCancellable(job.state) ? { ...job, state: 'submitting', updatedAt: clock() } : undefined,
      );
      if (!picked || picked.state !== 'submitting') return picked;
      return sendClaimed(deps, picked);
    },

    cancel: (jobId, byUserId) => cancelJob(deps, jobId, byUserId),

    async abandon(jobId, reply, options = {}) {
      const stored = await jobs.get(jobId);
      const job = stored ?? (options.lastKnown?.id === jobId ? options.lastKnown : undefined);
      if (!job || job.taskId) return;
      // Only a job still short of the provider: a write that failed after it landed (the line's
      // pick may have taken the job meanwhile) must not end a job being submitted. A record that is
      // gone is ended from what accept returned.
      const onlyIf = stored ? { onlyIf: (current: Job) => isCancellable(current.state) } : {};
      // The acknowledgement failed: told in its reply only, which exists only if an attempt landed
      // (and is not ours when another process answered).
      const tell = options.answeredElsewhere !== true;
      if (!reply) await giveUp(deps, job, { reason: 'not_acknowledged', release: 'cancelled', inReplyOnly: true, tell, ...onlyIf });
      else await giveUp(deps, job, { reason: 'not_queued', release: 'never_submitted', reply, ...onlyIf });
    },

    get: (jobId) => jobs.get(jobId),

    start() {
      // A service stopped before it started stays stopped (the store may be closed by now).
      if (stopped && !starting) return Promise.resolve();
      // Once: a second recovery would take this process' own jobs still being accepted for
      // left-overs (and a second sweeper would outlive stop()). Calls while it runs share it.
      starting ??= startOnce().catch((err: unknown) => {
        // A start that failed may be tried again.
        starting = undefined;
        throw err;
      });
      return starting;
    },

    async stop() {
      stopped = true;
      // A start in progress (recovery of a large store) finishes first; what it would still
      // start is skipped, and what it started is stopped below. Its failure is the start's to report.
      await starting?.catch(() => undefined);
      if (sweeper) clearInterval(sweeper);
      sweeper = undefined;
      await deps.dispatcher.stop();
      await deps.scheduler.stop();
    },

    reconcile: (guildId) => sweep(guildId),
  };
}
