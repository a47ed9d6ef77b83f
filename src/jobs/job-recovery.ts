import type { JobDeps } from './deps.js';
import { giveUp } from './failures.js';
import { carryOutOutbox } from './job-ending.js';
import { isFinal, reservationIdFor, type Job } from './job.js';

/** Which guilds' jobs this process serves; absent means all of them (one process, no sharding). */
export interface JobScope {
  ownsGuild?: (guildId: string) => boolean;
  /**
   * Lists a recovered job in its member's history (idempotent). The entry is written after the
   * acknowledgement, so a crash between the two would otherwise leave an answered job out of /videos.
   */
  remember?: (job: Job) => Promise<void>;
}

/**
 * After a start, every job that is not final continues from its stored state: jobs the
 * provider knows are polled again, finished ones are delivered, endings whose message was not
 * carried out yet are carried out, jobs waiting in line keep their place (they are sent when their
 * turn comes), and jobs that were being sent (the provider may have them without us learning the
 * task id) or never got a reply are ended without a charge, never submitted twice.
 * With sharding, only the jobs of guilds this process owns are touched: the index is shared.
 * `startedHere`: jobs this process accepted before recovery ran (members can ask while it
 * connects); they are live, not left over from a crash, and are not touched. With sharding, an
 * index entry without a record is settled only when its held reservation names a guild of ours
 * (another shard may be accepting it right now). `stopped`: asked before each job; once true the
 * rest is left for the next start.
 */
export async function recoverJobs(
  deps: JobDeps & JobScope,
  startedHere: (jobId: string) => boolean = () => false,
  stopped: () => boolean = () => false,
): Promise<void> {
  const ownsGuild = deps.ownsGuild ?? (() => true);
  const ids = (await deps.jobs.activeIds()).filter((id) => !startedHere(id));
  const now = deps.clock();
  let resumed = 0;
  let waiting = 0;
  let others = 0;
  for (const [done, id] of ids.entries()) {
    // A stop (a deploy) does not wait for the rest: each job is recovered on its own, and those
    // left are recovered at the next start, as after a crash.
    if (stopped()) {
      deps.logger.info(
        { recovered: done, left: ids.length - done },
        'stopping: the jobs not recovered yet are recovered at the next start',
      );
      return;
    }
    const job = await deps.jobs.get(id);
    // Another shard's job, even a final one: its owner cleans it up, we must not race it.
    if (job && !ownsGuild(job.guildId)) {
      others += 1;
      continue;
    }
    if (!job) {
      // A record this version cannot read may belong to a newer one still running it (a rolling
      // upgrade of shards): left alone. One that is gone must not keep the member's credits and
      // concurrency slot held for a job nobody follows.
      if (await deps.jobs.exists(id)) {
        deps.logger.error({ jobId: id }, 'job in flight has a record this version cannot read; leaving it alone');
        others += 1;
        continue;
      }
      // With sharding, the index is shared and another shard may be accepting this job right now
      // (its index entry lands in the same write as its record and reservation): only
      // a job whose held reservation names a guild of ours is settled here. Without a reservation
      // its guild cannot be known; the entry is left (it costs a read at each start).
      if (deps.ownsGuild) {
        const guildId = await deps.quota.heldGuildOf(reservationIdFor(id));
        // Read again: the record lands in the reservation's own write, so a reservation seen just
        // after an empty read may be a job accepted in between, not one whose record was lost.
        if (guildId === undefined || !ownsGuild(guildId) || (await deps.jobs.exists(id))) {
          others += 1;
          continue;
        }
      }
      deps.logger.warn({ jobId: id }, 'job in flight has no record (or one that is not JSON); releasing its reservation and dropping it');
      await deps.quota.release(reservationIdFor(id), 'vanished');
      await deps.jobs.delete(id).catch(() => undefined);
      continue;
    }
    await deps.remember?.(job);
    if (isFinal(job.state)) {
      // An ending whose message was not carried out yet; else a final job still indexed (mended).
      if (job.outbox) await carryOutOutbox(deps, job);
      else await deps.jobs.index(job);
      continue;
    }
    if (job.taskId) {
      deps.followed.set(id, job);
      deps.scheduler.schedule(id, Math.max(now, job.poll.nextAt));
      resumed += 1;
      continue;
    }
    if (job.state === 'waiting') {
      // Still in line: the dispatcher sends it when its turn comes. Indexed again in case the
      // crash came between its record and the line's index.
      await deps.jobs.index(job);
      waiting += 1;
      continue;
    }
    await endUnsubmitted(deps, job);
  }
  if (ids.length > others) deps.logger.info({ resumed, waiting, total: ids.length - others }, 'jobs recovered from the store');
}

/** A job found without a task id after a restart: never submitted again, never charged. */
async function endUnsubmitted(deps: JobDeps, job: Job): Promise<void> {
  switch (job.state) {
    case 'submitting':
      // The POST may have reached the provider (and the video be made) without us learning the
      // task id: say so honestly, and record the doubt in the ledger for the operator.
      deps.logger.warn(
        { jobId: job.id, guildId: job.guildId },
        'bot restarted during the submission: the provider may or may not have started the task',
      );
      await giveUp(deps, job, { reason: 'maybe_started', release: 'restarted', outcome: 'ambiguous' });
      return;
    case 'accepted':
      // Discord may have received our deferral before the crash: tell through the interaction's
      // reply; when Discord knows no such reply, nobody was waiting.
      await giveUp(deps, job, { reason: 'restarted', release: 'never_submitted', inReplyOnly: true });
      return;
    default:
      await giveUp(deps, job, { reason: 'restarted', release: 'never_submitted' });
  }
}
